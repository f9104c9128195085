-- Devices and their readings (issue 17). A device is a patient's meter,
-- cuff, scale, oximeter or tracker. In the clear: whose it is, its kind (a
-- reading chunk is looked up by it), and the hashes of its pairing code and
-- token (never the code or token). Its model and label are sealed under the
-- patient (details_ct): a model can name a condition.
CREATE TABLE devices (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    patient_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    details_ct      BLOB NOT NULL,
    pair_code_hash  BLOB,
    pair_expires_at TIMESTAMP,
    token_hash      BLOB,
    created_at      TIMESTAMP NOT NULL,
    paired_at       TIMESTAMP,
    revoked_at      TIMESTAMP,
    last_reading_at TIMESTAMP
);
CREATE INDEX devices_patient ON devices (tenant_id, patient_id, created_at);
-- Why unique: a token or pairing code finds exactly one device.
CREATE UNIQUE INDEX devices_token ON devices (token_hash);
CREATE UNIQUE INDEX devices_pair_code ON devices (tenant_id, pair_code_hash);

-- Readings: one sealed chunk per (patient, reading type, UTC day) holding
-- that day's readings (why not a row per reading: a year of minute-level
-- readings is half a million rows per type, each its own ciphertext; a chunk
-- per day is 365 rows a year, opened with one audited access per chart).
-- count and the flagged count are in the clear for the widget's "n readings"
-- and the alert badge; they say nothing of the values.
CREATE TABLE device_chunks (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    type       TEXT NOT NULL,
    day        TEXT NOT NULL,
    readings   INTEGER NOT NULL,
    data_ct    BLOB NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, patient_id, type, day)
);

-- Dedup: a device's sequence numbers already stored (no values).
CREATE TABLE device_seqs (
    device_id TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq)
);

-- Idempotency: a device's batch ids already taken, with what the first
-- answer said (how many were stored), and when (the per-device rate limit
-- counts the recent ones).
CREATE TABLE device_batches (
    device_id   TEXT NOT NULL,
    batch_id    TEXT NOT NULL,
    stored      INTEGER NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (device_id, batch_id)
);
CREATE INDEX device_batches_recent ON device_batches (device_id, received_at);

-- A patient's thresholds, set by a clinician: sealed (a target range says
-- what a person is treated for).
CREATE TABLE device_thresholds (
    tenant_id  TEXT NOT NULL,
    patient_id TEXT NOT NULL,
    id         TEXT NOT NULL,
    data_ct    BLOB NOT NULL,
    set_by     TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, patient_id)
);

-- Alerts for the care team: a reading past a patient's alert threshold.
-- No value here (it is in its chunk, flagged); only who, which type, when,
-- and whether someone on the care team has seen to it.
CREATE TABLE device_alerts (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL,
    patient_id  TEXT NOT NULL,
    type        TEXT NOT NULL,
    measured_at TIMESTAMP NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    resolved_by TEXT,
    resolved_at TIMESTAMP
);
CREATE INDEX device_alerts_open ON device_alerts (tenant_id, resolved_at, created_at);
CREATE INDEX device_alerts_patient ON device_alerts (tenant_id, patient_id, created_at);
