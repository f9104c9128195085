-- Landing-page forms (issue 18 point 1): a form may also be on a landing
-- page ('page', target the page's slug). SQLite cannot change a CHECK
-- constraint, so the table is copied into one with the wider check.
CREATE TABLE forms_new (
    tenant_id  TEXT NOT NULL,
    id         TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    title      TEXT NOT NULL,
    attach     TEXT NOT NULL DEFAULT '' CHECK (attach IN ('', 'product', 'portal', 'page')),
    target     TEXT NOT NULL DEFAULT '',
    definition TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, id, version)
);
INSERT INTO forms_new (tenant_id, id, version, title, attach, target, definition, created_at)
    SELECT tenant_id, id, version, title, attach, target, definition, created_at FROM forms;
DROP TABLE forms;
ALTER TABLE forms_new RENAME TO forms;
CREATE INDEX forms_attach ON forms (tenant_id, attach, target);
