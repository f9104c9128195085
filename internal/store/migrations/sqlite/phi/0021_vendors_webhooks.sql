-- Vendors, BAAs and the integrations bound to them; outgoing webhooks
-- (issue 19, items 1 and 2).
--
-- Why vendors in the PHI store: the signed BAA is a sealed document (sealed
-- under its own subject "vendor:<id>", so it can be shredded like anything
-- else), and the gate that refuses PHI to a vendor without a current BAA is
-- read by the jobs that send email and webhooks, which live beside the PHI.
-- Dates are kept as dates (YYYY-MM-DD text): a BAA is signed and ends on a day.
CREATE TABLE vendors (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    name         TEXT NOT NULL,
    service      TEXT NOT NULL,
    contact      TEXT NOT NULL,
    baa_signed   TEXT NOT NULL DEFAULT '',
    baa_expires  TEXT NOT NULL DEFAULT '',
    document_ct  BLOB,
    document_at  TIMESTAMP,
    notes        TEXT NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE INDEX vendors_tenant ON vendors (tenant_id, name);

-- Which vendor an integration (smtp, stripe, webhooks, backup.s3, ...) of a
-- tenant sends to. No row: unbound, and a PHI-carrying integration sends
-- nothing.
CREATE TABLE vendor_bindings (
    tenant_id   TEXT NOT NULL,
    integration TEXT NOT NULL,
    vendor_id   TEXT NOT NULL REFERENCES vendors (id),
    updated_at  TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, integration)
);

-- Every attempt refused for want of a current BAA: what the compliance page
-- lists. Ids and machine text only, never PHI.
CREATE TABLE vendor_refusals (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    integration TEXT NOT NULL,
    vendor_id   TEXT NOT NULL DEFAULT '',
    reason      TEXT NOT NULL,
    at          TIMESTAMP NOT NULL
);
CREATE INDEX vendor_refusals_tenant ON vendor_refusals (tenant_id, integration, at);

-- Outgoing webhook subscriptions. The secret is sealed under the
-- subscription's own subject ("webhook:<id>"), shown once at creation.
-- carry_phi is the compliance officer's approval to put more than ids in the
-- payload; it takes effect only while the vendor's BAA is current.
CREATE TABLE webhook_subscriptions (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,
    vendor_id   TEXT NOT NULL REFERENCES vendors (id),
    carry_phi   BOOLEAN NOT NULL DEFAULT FALSE,
    secret_ct   BLOB NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    disabled_at TIMESTAMP
);
CREATE INDEX webhook_subscriptions_tenant ON webhook_subscriptions (tenant_id, created_at);

-- One event to one subscription: queued with the change (the outbox of
-- webhooks), delivered by a job with retries and a growing delay. The
-- payload holds ids and event names only.
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    subscription_id TEXT NOT NULL REFERENCES webhook_subscriptions (id),
    event           TEXT NOT NULL,
    payload         TEXT NOT NULL,
    created_at      TIMESTAMP NOT NULL,
    next_attempt_at TIMESTAMP NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    delivered_at    TIMESTAMP,
    failed_at       TIMESTAMP,
    last_status     INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_id, created_at);

-- Each try of a delivery, with the receiver's response code (0: none, the
-- error says why): the delivery log.
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER NOT NULL,
    tenant_id   TEXT NOT NULL,
    at          TIMESTAMP NOT NULL,
    status      INTEGER NOT NULL,
    error       TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (delivery_id, attempt)
);
