-- Secure messaging (issue 16): threads between a patient and a team the
-- tenant configures (customer service, pharmacy, a care team), their
-- messages and attachments.
--
-- Teams and their members are configuration (no PHI): an admin keeps them.
-- kind says what the team is for: a care team's clinicians see only threads
-- of patients they care for (the access policy's care rule), a pharmacy's
-- pharmacists only that team's threads.
CREATE TABLE message_teams (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('service', 'pharmacy', 'care')),
    created_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, name)
);

CREATE TABLE message_team_members (
    team_id    TEXT NOT NULL REFERENCES message_teams (id),
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX message_team_members_user ON message_team_members (tenant_id, user_id);

-- A thread. Why the subject is sealed (subject_ct, under patient_id) and
-- the rest is not: the subject says what someone writes about; the inbox
-- selects and counts by team, status, assignee and unread counts in SQL
-- without opening anyone's record. about_kind/about_id link an order or a
-- prescription of the patient (ids only). patient_unread and staff_unread
-- count the messages the other side wrote since that side last opened the
-- thread.
CREATE TABLE message_threads (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    patient_id     TEXT NOT NULL,
    team_id        TEXT NOT NULL REFERENCES message_teams (id),
    subject_ct     BYTEA NOT NULL,
    about_kind     TEXT NOT NULL DEFAULT '' CHECK (about_kind IN ('', 'order', 'prescription')),
    about_id       TEXT NOT NULL DEFAULT '',
    status         TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    assigned_to    TEXT NOT NULL DEFAULT '',
    started_by     TEXT NOT NULL,
    patient_unread INTEGER NOT NULL DEFAULT 0,
    staff_unread   INTEGER NOT NULL DEFAULT 0,
    last_at        TIMESTAMPTZ NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL
);
CREATE INDEX message_threads_patient ON message_threads (tenant_id, patient_id, last_at);
CREATE INDEX message_threads_team ON message_threads (tenant_id, team_id, status, last_at);

-- One message: its text sealed (body_ct) under the patient whatever side
-- wrote it, since it is part of the patient's record. author_id and
-- created_at count a person's messages for the throttle; seq orders a
-- thread's messages written within the same instant.
CREATE TABLE message_posts (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL,
    thread_id  TEXT NOT NULL REFERENCES message_threads (id),
    patient_id TEXT NOT NULL,
    author_id  TEXT NOT NULL,
    side       TEXT NOT NULL CHECK (side IN ('patient', 'staff')),
    body_ct    BYTEA NOT NULL,
    seq        INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX message_posts_thread ON message_posts (tenant_id, thread_id, created_at);
CREATE INDEX message_posts_author ON message_posts (tenant_id, author_id, created_at);

-- The file of a message, sealed (data_ct) under the patient; its type was
-- decided from its bytes at upload and is in the clear to serve it. Apart
-- from the posts so that a thread's page never reads megabytes it does not
-- show.
CREATE TABLE message_attachments (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL,
    thread_id    TEXT NOT NULL REFERENCES message_threads (id),
    post_id      TEXT NOT NULL REFERENCES message_posts (id),
    patient_id   TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg', 'image/webp', 'image/gif', 'application/pdf')),
    size         BIGINT NOT NULL,
    data_ct      BYTEA NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX message_attachments_post ON message_attachments (tenant_id, post_id);
