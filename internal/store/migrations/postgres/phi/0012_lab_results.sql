-- Lab results. A report (a panel of observations: tests, values, units,
-- ranges and flags) is PHI, so its panel and observations are sealed by the
-- vault under the patient (details_ct, one JSON document); the test codes
-- too, since which tests a person had says something about their health.
-- In the clear only what finds and moves reports: the patient, the ordering
-- clinician, the state (held for review, or released), when it is released
-- automatically, when the patient first opened it (new until then), and
-- whether a critical value waits for the clinician's acknowledgement (why:
-- the clinician's page and the alert count need it without opening every
-- report; it says that a report needs a look, not what is in it).
CREATE TABLE lab_reports (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    clinician_id TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('held', 'released')),
    attention    BOOLEAN NOT NULL DEFAULT FALSE,
    details_ct   BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    release_at   TIMESTAMPTZ,
    released_at  TIMESTAMPTZ,
    seen_at      TIMESTAMPTZ
);
-- A patient's released reports, newest first (the results page, the widget).
CREATE INDEX lab_reports_patient ON lab_reports (tenant_id, patient_id, status, created_at);
-- A clinician's reports (their results page, the attention count).
CREATE INDEX lab_reports_clinician ON lab_reports (tenant_id, clinician_id, created_at);
-- The automatic release job: held reports whose time has come, any tenant.
CREATE INDEX lab_reports_release ON lab_reports (status, release_at);

-- A tenant's lab settings: how long a report is held before it is released
-- without a clinician (0: never). Why in the PHI store beside the reports:
-- the release job reads it with them, and the catalog store (which a
-- storefront process opens) has no business knowing about results.
CREATE TABLE lab_settings (
    tenant_id             TEXT PRIMARY KEY,
    release_delay_seconds BIGINT NOT NULL CHECK (release_delay_seconds >= 0),
    updated_at            TIMESTAMPTZ NOT NULL
);
