-- The patient's right of access and accounting (issue 16, 45 CFR 164.524 and
-- 164.528).
--
-- record_exports: a copy of everything held about a patient, asked for at
-- /account/records and built by a background job. Why the archive is sealed
-- (archive_ct: a zip of the JSON archive and the FHIR R4 bundle, sealed by the
-- vault under patient_id): it is the whole record in one value. What stays in
-- the clear is what the job and the page need without opening it: the status,
-- the progress in percent, the size, and the times. requested_by is who asked
-- (the patient, or a proxy acting for them): the job builds what that person
-- may see, and classes lists the data classes it held (comma separated), so
-- that a download checks the requester may still see each of them. error is machine text, never PHI. expires_at is 7 days after the
-- file was ready; the purge job deletes the row (and so the file) then.
CREATE TABLE record_exports (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    classes      TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL CHECK (status IN ('pending', 'building', 'ready', 'failed')),
    progress     INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
    archive_ct   BLOB,
    size         BIGINT NOT NULL DEFAULT 0,
    error        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    started_at   TIMESTAMP,
    ready_at     TIMESTAMP,
    expires_at   TIMESTAMP
);
CREATE INDEX record_exports_patient ON record_exports (tenant_id, patient_id, created_at);
CREATE INDEX record_exports_status ON record_exports (status, created_at);
CREATE INDEX record_exports_expiry ON record_exports (expires_at);

-- disclosures: PHI sent to an outside party (a lab, an insurer, a courier),
-- for the accounting of disclosures. Why the details are sealed (details_ct:
-- JSON of the recipient, the purpose and what was sent, under patient_id):
-- that a given person's results went to a given lab is itself PHI. In the
-- clear: who recorded it and when it happened, which the accounting's six
-- year window selects on.
CREATE TABLE disclosures (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    disclosed_at TIMESTAMP NOT NULL,
    recorded_by  TEXT NOT NULL,
    details_ct   BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX disclosures_patient ON disclosures (tenant_id, patient_id, disclosed_at);
