-- OAuth 2.0 for the tenant's mobile app (issue 18 point 4): clients the
-- tenant registered (through the approvals path), single-use authorization
-- codes, grants (a patient's approval of an app: one family of tokens) and
-- the access and refresh tokens of each grant. Codes and tokens are kept as
-- hashes only. A token works while it and its grant are not revoked, it has
-- not expired, and its client is not disabled; all are checked on every use.
CREATE TABLE oauth_clients (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    name          TEXT NOT NULL,
    redirect_uris TEXT NOT NULL,
    scopes        TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    disabled_at   TIMESTAMP
);
CREATE INDEX oauth_clients_tenant ON oauth_clients (tenant_id, created_at);

-- used_at is set by the first exchange; a second one finds it set.
CREATE TABLE oauth_codes (
    code_hash    BLOB PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    grant_id     TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    challenge    TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP NOT NULL,
    used_at      TIMESTAMP
);

CREATE TABLE oauth_grants (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX oauth_grants_user ON oauth_grants (tenant_id, user_id, created_at);

-- kind is 'access' or 'refresh'; used_at marks a rotated refresh token.
CREATE TABLE oauth_tokens (
    token_hash  BLOB PRIMARY KEY,
    grant_id    TEXT NOT NULL,
    tenant_id   TEXT NOT NULL,
    kind        TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    expires_at  TIMESTAMP NOT NULL,
    used_at     TIMESTAMP,
    revoked_at  TIMESTAMP
);
CREATE INDEX oauth_tokens_grant ON oauth_tokens (grant_id);
