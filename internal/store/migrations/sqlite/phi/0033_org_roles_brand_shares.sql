-- Roles across brands (issue 20 point 4).
--
-- An organisation-level role: the account (a staff member of one brand of
-- the organisation, its home brand tenant_id) acts with role in every other
-- brand of org_id, one brand per request, chosen with the brand switcher.
-- One organisation role per account.
CREATE TABLE org_roles (
    user_id    TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    role       TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX org_roles_org ON org_roles (org_id);

-- A patient's consent to share part of their record (scopes, as in
-- proxy_grants) with a sister brand of the same organisation
-- (target_tenant_id). tenant_id is the patient's own brand. Never made by
-- default; revoked_at ends it.
CREATE TABLE brand_shares (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL,
    patient_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_tenant_id TEXT NOT NULL,
    scopes           TEXT NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    revoked_at       TIMESTAMP
);
CREATE INDEX brand_shares_patient ON brand_shares (tenant_id, patient_id);
CREATE INDEX brand_shares_target ON brand_shares (target_tenant_id, patient_id);
