-- Deletion requests (issue 21, item 3). Why a table of their own: a patient's
-- verified request to have their data destroyed shortens their retention to
-- what the law requires of the records they have (retention.DeletionPlan,
-- worked out when the request is verified: the account is closed then, so
-- no record is added after), and the disposal job must find it after the
-- account is closed. It holds ids, times and rule text, never PHI.
CREATE TABLE deletion_requests (
    tenant_id     TEXT NOT NULL,
    subject       TEXT NOT NULL,
    verified_at   TIMESTAMP NOT NULL,
    dispose_after TIMESTAMP NOT NULL,
    rule          TEXT NOT NULL,
    PRIMARY KEY (tenant_id, subject)
);
CREATE INDEX deletion_requests_due ON deletion_requests (dispose_after);
