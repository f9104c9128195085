-- Single sign-on for staff and WebAuthn passkeys. SSO: each tenant's OpenID Connect provider, and the
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

-- WebAuthn ceremonies under way (registration, sign-in, second factor): the
-- challenge and its parameters, server-side for five minutes, keyed by a hash.
CREATE TABLE webauthn_flows (
    hash       TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL DEFAULT '',
    purpose    TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    data       BLOB NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
