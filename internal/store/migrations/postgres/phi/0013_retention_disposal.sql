-- Retention and disposal (issue 21, item 3).
--
-- Why retention_rules: each tenant sets how long each type of record is kept
-- after a patient's account is closed, never below the legal minimum the
-- application enforces (documentation: 6 years). Why disposal_certificates:
-- crypto-shredding a subject leaves no readable data, so the proof that it
-- was done, by whom, when, how and under which rule must be kept on its own;
-- it holds ids and rule text, never PHI.
CREATE TABLE retention_rules (
    tenant_id   TEXT NOT NULL,
    record_type TEXT NOT NULL,
    keep_days   INTEGER NOT NULL CHECK (keep_days > 0),
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, record_type)
);

CREATE TABLE disposal_certificates (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    subject        TEXT NOT NULL UNIQUE,
    closed_at      TIMESTAMPTZ NOT NULL,
    retained_until TIMESTAMPTZ NOT NULL,
    disposed_at    TIMESTAMPTZ NOT NULL,
    actor          TEXT NOT NULL,
    method         TEXT NOT NULL,
    rule           TEXT NOT NULL
);
CREATE INDEX disposal_certificates_tenant ON disposal_certificates (tenant_id, disposed_at);
