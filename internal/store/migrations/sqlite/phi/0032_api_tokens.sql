-- API tokens (issue 18 point 4): a patient's personal access tokens and
-- staff integrations' service tokens. Only the token's hash is kept (never
-- the token, which its owner sees once). kind is 'personal' (owner is a
-- patient, role patient) or 'service' (owner is the admin who made it, role
-- the staff role it acts with). scopes is a space-separated list from the
-- fixed set in apitokens.Scopes. A token works while revoked_at is NULL and
-- expires_at is in the future; both are checked on every request.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    owner_id     TEXT NOT NULL,
    role         TEXT NOT NULL,
    name         TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    token_hash   BLOB NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
-- Why unique: a token finds exactly one row.
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (token_hash);
CREATE INDEX api_tokens_owner ON api_tokens (tenant_id, kind, owner_id, created_at);
