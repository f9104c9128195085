-- Amendments (45 CFR 164.526): a patient's request to correct a record. The
-- texts (the field, what it says, what it should say, the reasons, the
-- statement of disagreement) are PHI, sealed by the vault under the patient
-- in body_ct. In the clear only what finds a request and runs its clock:
-- the patient, who asked (the patient or a proxy), which record of which
-- kind, the state, when it was asked, when a decision is due (60 days, 90
-- once extended), whether it was extended (once at most), who decided and
-- when, and whether a statement of disagreement is on file. Why the clock
-- in the clear: the compliance officer's page lists what is due and overdue
-- without opening anyone's text.
CREATE TABLE amendments (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('lab_result', 'prescription')),
    record_id    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('requested', 'accepted', 'denied')),
    requested_at TIMESTAMPTZ NOT NULL,
    due_at       TIMESTAMPTZ NOT NULL,
    extended     BOOLEAN NOT NULL DEFAULT FALSE,
    decided_at   TIMESTAMPTZ,
    decider_id   TEXT NOT NULL DEFAULT '',
    disagreed    BOOLEAN NOT NULL DEFAULT FALSE,
    body_ct      BYTEA NOT NULL
);
-- A patient's requests, newest first (/account/amendments).
CREATE INDEX amendments_patient ON amendments (tenant_id, patient_id, requested_at);
-- What travels with one record (its page).
CREATE INDEX amendments_record ON amendments (tenant_id, kind, record_id);
-- The open requests by due date (staff queue, compliance clock).
CREATE INDEX amendments_open ON amendments (tenant_id, status, due_at);

-- Marketing authorizations (45 CFR 164.508(a)(3)): a patient's signed
-- permission to use their health data for one marketing purpose. The
-- signature (typed name, the purpose text as shown, the date typed, the
-- assent) is PHI, sealed under the patient. In the clear: the purpose key,
-- when it was signed, when it expires (optional) and when it was revoked,
-- so that "who may be offered this" is one indexed query and a revocation
-- takes effect on the next page view.
CREATE TABLE marketing_authorizations (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    purpose      TEXT NOT NULL,
    signed_at    TIMESTAMPTZ NOT NULL,
    expires_at   TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    signature_ct BYTEA NOT NULL
);
CREATE INDEX marketing_authorizations_patient ON marketing_authorizations (tenant_id, patient_id, signed_at);
CREATE INDEX marketing_authorizations_purpose ON marketing_authorizations (tenant_id, purpose, revoked_at);
