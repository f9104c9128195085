-- Changes with approvals (issue 19, item 3).
--
-- Why setting_changes: a security-relevant setting changes through a
-- request a second person approves; the record of each (before and after
-- with secrets masked, requester, approver, reason, time) is what an
-- auditor asks for. tenant_id '' holds the installation's own records (the
-- software version each process started with). payload is the value to
-- apply, kept only while the request is pending and never for a kind with
-- secrets; it holds settings, never PHI.
CREATE TABLE setting_changes (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    target         TEXT NOT NULL,
    before_json    TEXT NOT NULL,
    after_json     TEXT NOT NULL,
    payload_json   TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL,
    requested_by   TEXT NOT NULL,
    requested_role TEXT NOT NULL,
    requested_at   TIMESTAMPTZ NOT NULL,
    status         TEXT NOT NULL,
    decided_by     TEXT NOT NULL DEFAULT '',
    decided_role   TEXT NOT NULL DEFAULT '',
    decided_at     TIMESTAMPTZ,
    note           TEXT NOT NULL DEFAULT ''
);
CREATE INDEX setting_changes_tenant ON setting_changes (tenant_id, requested_at);
CREATE INDEX setting_changes_kind ON setting_changes (tenant_id, kind, requested_at);
