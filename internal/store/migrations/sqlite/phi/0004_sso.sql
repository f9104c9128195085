-- Single sign-on for staff: each tenant's OpenID Connect provider, and the
-- sign-in flows under way (state, nonce and PKCE verifier kept server-side
-- for ten minutes; the state only as a hash).
CREATE TABLE sso_configs (
    tenant_id        TEXT PRIMARY KEY,
    issuer           TEXT NOT NULL,
    client_id        TEXT NOT NULL,
    client_secret_ct BLOB NOT NULL,
    allowed_domains  TEXT NOT NULL DEFAULT '',
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE sso_flows (
    state_hash TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    verifier   TEXT NOT NULL,
    next       TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
