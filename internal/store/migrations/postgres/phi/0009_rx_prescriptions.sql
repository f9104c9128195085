-- Prescriptions (issue 15): what a patient uploads or asks the pharmacy to
-- get from a prescriber, what a pharmacist verifies, and the fills orders
-- use. Why in the PHI store with the details sealed (details_ct: JSON of the
-- drug, strength, quantity, prescriber, issue date, product and the reason
-- of a rejection, sealed by the vault under user_id): a prescription says
-- what someone is treated for. What stays in the clear is what the queue,
-- the atomic fill and the refill reminder need to select and update in SQL
-- without opening anyone's record: the status, the fills left, the expiry,
-- the days one fill lasts and when it was last filled. version counts
-- changes: two pharmacists deciding the same prescription at once, only the
-- first decision is kept.
CREATE TABLE rx_prescriptions (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'verified', 'rejected')),
    source       TEXT NOT NULL CHECK (source IN ('upload', 'prescriber')),
    details_ct   BYTEA NOT NULL,
    fills_left   INTEGER NOT NULL DEFAULT 0 CHECK (fills_left >= 0),
    days_supply  INTEGER NOT NULL DEFAULT 0,
    expires_at   TIMESTAMPTZ,
    last_fill_at TIMESTAMPTZ,
    reminded_at  TIMESTAMPTZ,
    decided_by   TEXT NOT NULL DEFAULT '',
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX rx_prescriptions_owner ON rx_prescriptions (tenant_id, user_id, created_at);
CREATE INDEX rx_prescriptions_queue ON rx_prescriptions (tenant_id, status, created_at);

-- The uploaded image or PDF of a prescription, sealed (data_ct) under the
-- patient like every field of theirs; the content type was decided from the
-- bytes, never the file name, and is in the clear to serve it right. Apart
-- from rx_prescriptions so that lists never read megabytes they do not show.
CREATE TABLE rx_uploads (
    prescription_id TEXT PRIMARY KEY REFERENCES rx_prescriptions (id),
    tenant_id       TEXT NOT NULL,
    user_id         TEXT NOT NULL,
    content_type    TEXT NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size            BIGINT NOT NULL,
    data_ct         BYTEA NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL
);

-- One fill of a prescription used by one order: the unique key makes a
-- retried cover of the same order use no second fill.
CREATE TABLE rx_fills (
    prescription_id TEXT NOT NULL REFERENCES rx_prescriptions (id),
    order_id        TEXT NOT NULL,
    tenant_id       TEXT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (order_id, prescription_id)
);
