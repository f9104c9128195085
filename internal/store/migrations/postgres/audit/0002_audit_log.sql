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
    seq       BIGINT PRIMARY KEY,
    at_us     BIGINT NOT NULL,
    actor_id  TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    action    TEXT NOT NULL,
    outcome   TEXT NOT NULL,
    body      BYTEA NOT NULL,
    hash      BYTEA NOT NULL
);
CREATE INDEX audit_events_tenant_at ON audit_events (tenant_id, at_us);
CREATE INDEX audit_events_actor ON audit_events (actor_id, seq);
CREATE INDEX audit_events_outcome ON audit_events (outcome, seq);

-- One row per (subject, event), for "who accessed my record". Not hashed
-- itself: verification checks it row by row against the subjects in the
-- hashed audit_events.body.
CREATE TABLE audit_event_subjects (
    subject TEXT NOT NULL,
    seq     BIGINT NOT NULL,
    PRIMARY KEY (subject, seq)
);
-- Verification walks the index in seq order beside the events.
CREATE INDEX audit_event_subjects_seq ON audit_event_subjects (seq, subject);

-- Append-only, twice over. Why a trigger as well as grants: grants do not bind
-- the table's owner (often the role that ran the migration), a trigger does,
-- and it also covers TRUNCATE. Only someone who can drop the trigger (and then
-- still breaks the hash chain) can change history.
CREATE FUNCTION audit_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % rejected', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_event_subjects_append_only BEFORE UPDATE OR DELETE ON audit_event_subjects
    FOR EACH ROW EXECUTE FUNCTION audit_reject_change();
CREATE TRIGGER audit_event_subjects_no_truncate BEFORE TRUNCATE ON audit_event_subjects
    FOR EACH STATEMENT EXECUTE FUNCTION audit_reject_change();

-- Grants: nobody but the owner gets more than INSERT and SELECT. Why revoke
-- from the migrating role too: an application that runs as that role then
-- cannot change rows even before the trigger fires. A separate application
-- role is given exactly INSERT and SELECT (see docs/vault-and-audit.md).
REVOKE ALL ON audit_events, audit_event_subjects FROM PUBLIC;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events, audit_event_subjects FROM CURRENT_USER;
