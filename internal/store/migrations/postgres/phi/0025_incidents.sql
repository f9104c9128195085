-- The incident register and breach notification (issue 19, item 7;
-- 45 CFR 164.400–414).
--
-- Why the incident itself is kept in the clear: its description, the systems
-- and data classes involved, the risk assessment and the notice text are
-- about the incident, written by the compliance officer for everyone
-- affected alike, never about one person (the form says so). Who was
-- affected is PHI: that list is sealed under the incident's own subject
-- ("incident:<id>"), and only counts by state are kept beside it, for the
-- thresholds of 164.406 and 164.408.
CREATE TABLE incidents (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL,
    title           TEXT NOT NULL,
    discovered_on   TEXT NOT NULL,
    description     TEXT NOT NULL,
    systems         TEXT NOT NULL DEFAULT '',
    data_classes    TEXT NOT NULL DEFAULT '',
    breach_type     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL DEFAULT 'open',
    selection       TEXT NOT NULL DEFAULT '',
    affected_ct     BYTEA,
    affected_count  INTEGER NOT NULL DEFAULT 0,
    state_counts    TEXT NOT NULL DEFAULT '',
    nature          TEXT NOT NULL DEFAULT '',
    recipient       TEXT NOT NULL DEFAULT '',
    acquired        TEXT NOT NULL DEFAULT '',
    mitigation      TEXT NOT NULL DEFAULT '',
    conclusion      TEXT NOT NULL DEFAULT '',
    assessed_at     TIMESTAMPTZ,
    letter          TEXT NOT NULL DEFAULT '',
    notified_at     TIMESTAMPTZ,
    closed_at       TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    updated_at      TIMESTAMPTZ NOT NULL
);
CREATE INDEX incidents_tenant ON incidents (tenant_id, status, discovered_on);

-- One row per person notified of a breach: what their portal lists after
-- they sign in (the email only says "an important notice — sign in").
CREATE TABLE incident_notices (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    incident_id  TEXT NOT NULL REFERENCES incidents (id),
    patient_id   TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    UNIQUE (incident_id, patient_id)
);
CREATE INDEX incident_notices_patient ON incident_notices (tenant_id, patient_id, created_at);
