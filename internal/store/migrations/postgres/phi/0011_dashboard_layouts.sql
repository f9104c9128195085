-- The patient's dashboard (issue 15): each person's own arrangement of its
-- widgets, a tenant's pinned default order, and the PHI-free counts of which
-- widgets and pages a tenant's patients open.
--
-- dashboard_layouts: one row per person. Why here and why not sealed: it
-- names a person, so it lives in the PHI store beside their other rows, but
-- what it holds is only an order of the fixed widget keys and which of them
-- are hidden (comma-separated keys from a list every patient of every tenant
-- has). It says nothing of the person's health (a hidden "lab_results" is
-- no lab result) and sealing it would cost a vault access and an audit event
-- on every dashboard view for data that is no one's record.
CREATE TABLE dashboard_layouts (
    tenant_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    widgets    TEXT NOT NULL,
    hidden     TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);

-- dashboard_defaults: a store manager's pinned default order for a tenant
-- (no person in it).
CREATE TABLE dashboard_defaults (
    tenant_id  TEXT PRIMARY KEY,
    widgets    TEXT NOT NULL,
    pinned_by  TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- widget_opens: how many times a tenant's patients opened a widget or a
-- page on a day (UTC). Why no person id, IP or user agent: these counts
-- only order a tenant's default dashboard; without anyone in them they are
-- no one's PHI, and a count cannot be joined back to a person.
CREATE TABLE widget_opens (
    tenant_id TEXT NOT NULL,
    day       TEXT NOT NULL,
    widget    TEXT NOT NULL,
    opens     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, day, widget)
);
