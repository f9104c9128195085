-- The audit log (DESIGN §5). Each row is one event; hash chains it to the
-- previous row (see internal/audit/canonical.go), so an edited, inserted,
-- deleted or reordered row breaks the chain from that row on.
--
-- Why the time is an integer (Unix microseconds): the hash covers the time, and
-- an integer reads back exactly on both engines, whatever the driver's time
-- formatting.
--
-- Why the columns that no query filters on are packed into body (role,
-- subjects, resource, purpose, severity, request id, source IP, user agent,
-- detail, text HMAC; see internal/audit/canonical.go): verification reads every
-- row, and each column read costs about as much as the hash.
CREATE TABLE audit_events (
    seq       INTEGER PRIMARY KEY,
    at_us     INTEGER NOT NULL,
    actor_id  TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    body      BLOB NOT NULL,
    hash      BLOB NOT NULL
) STRICT;
CREATE INDEX audit_events_tenant_at ON audit_events (tenant_id, at_us);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_outcome ON audit_events (outcome, seq);

-- One row per (subject, event), for "who accessed my record". Not hashed
-- itself: verification checks it row by row against the subjects in the
-- hashed audit_events.body.
CREATE TABLE audit_event_subjects (
    subject TEXT NOT NULL,
    seq     INTEGER NOT NULL,
    PRIMARY KEY (subject, seq)
) STRICT, WITHOUT ROWID;
-- Verification walks the index in seq order beside the events.
CREATE INDEX audit_event_subjects_seq ON audit_event_subjects (seq, subject);

-- Append-only: the application never changes or removes an event. Why a
-- trigger on SQLite: it has no grants, but a trigger still stops a stray
-- UPDATE or DELETE from application code (the hash chain catches the rest).
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;
CREATE TRIGGER audit_event_subjects_no_update BEFORE UPDATE ON audit_event_subjects
BEGIN SELECT RAISE(ABORT, 'audit_event_subjects is append-only'); END;
CREATE TRIGGER audit_event_subjects_no_delete BEFORE DELETE ON audit_event_subjects
BEGIN SELECT RAISE(ABORT, 'audit_event_subjects is append-only'); END;
