-- A tenant's working hours for the activity review's off-hours rule (issue
-- 19): an IANA time zone and the hours (start <= hour < end, Monday to
-- Friday). No row: 07:00 to 19:00 UTC. Changed through approvals.
CREATE TABLE tenant_working_hours (
    tenant_id  TEXT PRIMARY KEY,
    zone       TEXT NOT NULL,
    start_hour INTEGER NOT NULL,
    end_hour   INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
