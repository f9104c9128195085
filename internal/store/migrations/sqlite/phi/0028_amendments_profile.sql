-- A patient's profile becomes an amendable record (issue 16, 164.526): the
-- kind check admits 'profile' (its record id is the patient's id). Why the
-- table is rebuilt: SQLite cannot change a CHECK constraint in place; rows
-- and indexes are copied as they are, inside the migration's transaction.
CREATE TABLE amendments_new (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    patient_id   TEXT NOT NULL,
    requester_id TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('lab_result', 'prescription', 'profile')),
    record_id    TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('requested', 'accepted', 'denied')),
    requested_at TIMESTAMP NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    extended     INTEGER NOT NULL DEFAULT 0 CHECK (extended IN (0, 1)),
    decided_at   TIMESTAMP,
    decider_id   TEXT NOT NULL DEFAULT '',
    disagreed    INTEGER NOT NULL DEFAULT 0 CHECK (disagreed IN (0, 1)),
    body_ct      BLOB NOT NULL
);
INSERT INTO amendments_new (id, tenant_id, patient_id, requester_id, kind, record_id, status, requested_at, due_at, extended,
    decided_at, decider_id, disagreed, body_ct)
SELECT id, tenant_id, patient_id, requester_id, kind, record_id, status, requested_at, due_at, extended,
    decided_at, decider_id, disagreed, body_ct FROM amendments;
DROP TABLE amendments;
ALTER TABLE amendments_new RENAME TO amendments;
CREATE INDEX amendments_patient ON amendments (tenant_id, patient_id, requested_at);
CREATE INDEX amendments_record ON amendments (tenant_id, kind, record_id);
CREATE INDEX amendments_open ON amendments (tenant_id, status, due_at);
