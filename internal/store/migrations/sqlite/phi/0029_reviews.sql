-- Scheduled compliance reviews (issue 19, item 5): each completed review
-- (an account's roles recertified, a restore drill, the yearly risk
-- assessment, the audit activity review) with who completed it and its
-- evidence, and the reminders already sent, so a reminder goes out once.
--
-- Why the evidence is sealed (under its own subject "review:<id>"): it is
-- free text an officer writes (and may name people or systems), kept only
-- through the vault, which audits every read. Kind and target are ids and
-- machine names, never PHI.
CREATE TABLE review_completions (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    target         TEXT NOT NULL DEFAULT '',
    completed_at   TIMESTAMP NOT NULL,
    completed_by   TEXT NOT NULL,
    completed_role TEXT NOT NULL,
    evidence_ct    BLOB NOT NULL
);
CREATE INDEX review_completions_kind ON review_completions (tenant_id, kind, target, completed_at);

-- A reminder sent for one due date at one stage (e.g. 60, 30 or 7 days
-- before a BAA ends): the primary key makes sending it twice impossible,
-- however many replicas run the job.
CREATE TABLE review_reminders (
    tenant_id TEXT NOT NULL,
    kind      TEXT NOT NULL,
    target    TEXT NOT NULL,
    due_on    TEXT NOT NULL,
    stage     TEXT NOT NULL,
    sent_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, kind, target, due_on, stage)
);

-- A tenant's session limits (issue 19, item 3), changed only through a
-- request a second person approves. Why here and only stricter: the
-- server's flags (--session-absolute) are the ceiling set at deploy time;
-- a tenant may shorten its sessions, never lengthen them. No row: the
-- server's limits. Durations in seconds.
CREATE TABLE tenant_session_limits (
    tenant_id         TEXT PRIMARY KEY,
    staff_idle_secs   BIGINT NOT NULL,
    patient_idle_secs BIGINT NOT NULL,
    absolute_secs     BIGINT NOT NULL,
    updated_at        TIMESTAMP NOT NULL
);
