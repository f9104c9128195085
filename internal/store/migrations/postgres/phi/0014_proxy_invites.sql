-- Proxy invitations (issue 14): a patient's grant is first an invitation to
-- an address, kept whether or not the address has an account, so that the
-- patient's list of people who can help them reads the same for every
-- address and never tells who has an account here. The invitation becomes a
-- grant (grant_id) when an account with that address exists or registers.
-- The address is sealed under the patient who typed it (their PHI as much as
-- the invitee's) and found again only by its keyed blind index (email_bidx).
-- Separate from proxy_grants, whose proxy_id must name an account.
CREATE TABLE proxy_invites (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    email_bidx BYTEA NOT NULL,
    email_ct   BYTEA NOT NULL,
    scopes     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    grant_id   TEXT REFERENCES proxy_grants (id) ON DELETE SET NULL
);
-- Registration looks up the open invitations of its address.
CREATE INDEX proxy_invites_email ON proxy_invites (tenant_id, email_bidx);
CREATE INDEX proxy_invites_patient ON proxy_invites (tenant_id, patient_id);
