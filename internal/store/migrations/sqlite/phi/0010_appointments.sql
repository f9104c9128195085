-- Appointments: a tenant's locations, the clinicians who see patients there
-- and when, the kinds of appointment, and the appointments booked.
--
-- Why in the PHI store: appointments name a patient, and free slots are
-- computed from availability minus bookings in one place (one transaction
-- decides a booking). Locations, hours and types are the business's own
-- data, not about any patient, so they are in the clear; a location is kept
-- small (name, address, IANA zone) in its own table so that white-labelling
-- can add to it later.
CREATE TABLE locations (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    address    TEXT NOT NULL,
    time_zone  TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX locations_tenant ON locations (tenant_id);

-- A clinician's name as patients see it when they choose a time ("Dr
-- Rivera"): a professional directory entry, not PHI.
CREATE TABLE clinician_profiles (
    clinician_id TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL,
    display_name TEXT NOT NULL
);

-- Weekly hours: on a weekday (0 Sunday .. 6 Saturday), from start_min to
-- end_min minutes after midnight in the location's zone, so that hours stay
-- 9 to 5 on the wall clock across a change of daylight saving time.
CREATE TABLE clinician_hours (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    clinician_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id  TEXT NOT NULL REFERENCES locations (id),
    weekday      INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    start_min    INTEGER NOT NULL CHECK (start_min BETWEEN 0 AND 1440),
    end_min      INTEGER NOT NULL CHECK (end_min BETWEEN 0 AND 1440),
    CHECK (start_min < end_min)
);
CREATE INDEX clinician_hours_tenant ON clinician_hours (tenant_id, clinician_id);

-- Exceptions to the weekly hours on one date (YYYY-MM-DD in the location's
-- zone): a day off, or extra hours.
CREATE TABLE clinician_exceptions (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    clinician_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    location_id  TEXT NOT NULL REFERENCES locations (id),
    day          TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('off', 'extra')),
    start_min    INTEGER NOT NULL DEFAULT 0,
    end_min      INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX clinician_exceptions_tenant ON clinician_exceptions (tenant_id, clinician_id, day);

-- Kinds of appointment, managed by store managers and admins: a name, a
-- duration, a mode and an optional price in minor units (0: free).
CREATE TABLE appointment_types (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    name         TEXT NOT NULL,
    duration_min INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
    mode         TEXT NOT NULL CHECK (mode IN ('in_person', 'video')),
    price_minor  BIGINT NOT NULL DEFAULT 0 CHECK (price_minor >= 0),
    currency     TEXT NOT NULL DEFAULT 'USD',
    active       INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at   TIMESTAMP NOT NULL
);
CREATE INDEX appointment_types_tenant ON appointment_types (tenant_id);

-- A tenant's appointment rules: how late a patient may still move or cancel.
-- No row: the default (24 hours).
CREATE TABLE appointment_settings (
    tenant_id          TEXT PRIMARY KEY,
    cancel_window_mins INTEGER NOT NULL CHECK (cancel_window_mins >= 0)
);

-- Appointments. In the clear: who, with whom, where and when (what the
-- slots, the clinician's day and the reminder job need); sealed under the
-- patient (details_ct: JSON of the type, mode, reason and the clinician's
-- name as this patient saw it). Why the partial unique index: one live
-- booking per clinician and start time is the rule that makes twenty
-- patients racing for one slot end with exactly one booking, on either
-- engine; a cancelled appointment frees its slot.
CREATE TABLE appointments (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    clinician_id TEXT NOT NULL REFERENCES users (id),
    location_id  TEXT NOT NULL REFERENCES locations (id),
    starts_at    TIMESTAMP NOT NULL,
    ends_at      TIMESTAMP NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('booked', 'cancelled')),
    details_ct   BLOB NOT NULL,
    reminded_at  TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    updated_at   TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX appointments_one_per_slot ON appointments (clinician_id, starts_at) WHERE status = 'booked';
-- Why: a patient's list, and the clinician's day, each one query.
CREATE INDEX appointments_patient ON appointments (tenant_id, patient_id, starts_at);
CREATE INDEX appointments_clinician ON appointments (tenant_id, clinician_id, starts_at);
-- Why: the reminder job finds tomorrow's unreminded bookings without a scan.
CREATE INDEX appointments_remind ON appointments (status, reminded_at, starts_at);
