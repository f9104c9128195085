-- Identity: accounts, factors, sessions, one-time tokens, throttles, the email
-- outbox, care relationships, proxy grants, break-glass grants and job leases.
--
-- Why the layout: names, email addresses and phone numbers are PHI, so they are
-- stored sealed by the vault (the *_ct columns) and looked up through a keyed
-- blind index (email_bidx), never in the clear. Credentials (password hashes,
-- token hashes) are one-way and never reveal a person. Every table carries
-- tenant_id: nothing is shared between tenants.
CREATE TABLE users (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL,
    role              TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'invited')),
    email_bidx        BYTEA NOT NULL,
    email_ct          BYTEA NOT NULL,
    name_ct           BYTEA,
    phone_ct          BYTEA,
    email_verified_at TIMESTAMPTZ,
    password_hash     TEXT NOT NULL DEFAULT '',
    totp_secret_ct    BYTEA,
    totp_last_step    BIGINT NOT NULL DEFAULT 0,
    mfa_enrolled_at   TIMESTAMPTZ,
    failures          INTEGER NOT NULL DEFAULT 0,
    last_failure_at   TIMESTAMPTZ,
    locked_until      TIMESTAMPTZ,
    needs_unlock      BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at     TIMESTAMPTZ,
    disabled_at       TIMESTAMPTZ,
    disabled_reason   TEXT NOT NULL DEFAULT '',
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, email_bidx)
);
CREATE INDEX users_tenant_role ON users (tenant_id, role);

-- Single-use recovery codes: only their hashes.
CREATE TABLE recovery_codes (
    tenant_id TEXT NOT NULL,
    user_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at   TIMESTAMPTZ,
    PRIMARY KEY (user_id, code_hash)
);

-- WebAuthn credentials. The credential (public key, counters) is not secret
-- and not about health, but it is sealed with the account all the same.
CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    credential    BYTEA NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL,
    last_used_at  TIMESTAMPTZ
);
CREATE INDEX passkeys_user ON passkeys (user_id);

-- Server-side sessions: id is the SHA-256 of the cookie's token, so a copy of
-- this table signs nobody in.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    last_seen_at TIMESTAMPTZ NOT NULL,
    mfa_at       TIMESTAMPTZ,
    auth_at      TIMESTAMPTZ,
    revoked_at   TIMESTAMPTZ,
    device       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id, revoked_at);

-- One-time tokens sent by email (verify, reset, unlock, invite) and short-lived
-- sign-in state (mfa, passkey challenges): only hashes.
CREATE TABLE auth_tokens (
    hash       TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose    TEXT NOT NULL,
    data       BYTEA,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at    TIMESTAMPTZ
);
CREATE INDEX auth_tokens_user ON auth_tokens (user_id, purpose);

-- Throttles of sign-in identifiers that have no account, and of client
-- addresses: keyed by a keyed hash, never the address or identifier itself.
CREATE TABLE throttles (
    key             TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    failures        INTEGER NOT NULL,
    last_failure_at TIMESTAMPTZ NOT NULL,
    locked_until    TIMESTAMPTZ
);

-- Failed sign-ins per tenant in the current window, for burst alerts.
CREATE TABLE bursts (
    tenant_id    TEXT PRIMARY KEY,
    window_start TIMESTAMPTZ NOT NULL,
    count        INTEGER NOT NULL,
    alerted_at   TIMESTAMPTZ
);

-- Email outbox: the whole message (recipient, subject, body) is sealed under
-- its person; the worker opens it, audited, only to hand it to SMTP.
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    subject_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    message_ct      BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    sent_at         TIMESTAMPTZ,
    failed_at       TIMESTAMPTZ,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX outbox_due ON outbox (sent_at, failed_at, next_attempt_at);

-- A clinician's care relationship with a patient: what lets the clinician see
-- the patient's clinical record.
CREATE TABLE care_relationships (
    tenant_id    TEXT NOT NULL,
    clinician_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    patient_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   TIMESTAMPTZ NOT NULL,
    ended_at     TIMESTAMPTZ,
    PRIMARY KEY (clinician_id, patient_id)
);

-- A patient's grant to a caregiver (proxy) of some data classes.
CREATE TABLE proxy_grants (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    patient_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    proxy_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scopes     TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX proxy_grants_proxy ON proxy_grants (proxy_id, patient_id);

-- Break-glass grants: the reason is free text that may describe the patient's
-- condition, so it is sealed under the patient.
CREATE TABLE break_glass (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    actor_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    patient_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason_ct   BYTEA NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    reviewed_at TIMESTAMPTZ,
    reviewed_by TEXT NOT NULL DEFAULT '',
    review_note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX break_glass_actor ON break_glass (actor_id, patient_id, expires_at);
CREATE INDEX break_glass_review ON break_glass (tenant_id, reviewed_at);

-- Leases of background jobs, so that one process runs each job at a time.
CREATE TABLE job_runs (
    name        TEXT PRIMARY KEY,
    leased_by   TEXT NOT NULL DEFAULT '',
    lease_until TIMESTAMPTZ,
    last_run_at TIMESTAMPTZ,
    last_error  TEXT NOT NULL DEFAULT ''
);
