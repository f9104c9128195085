-- White label (docs/white-label.md): an organisation owns brands (tenants),
-- which may sit under a parent brand. Public data, like the
-- tenants themselves: names, colours and policies shown to every visitor.
CREATE TABLE organisations (
    id          UUID PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    logo_type   TEXT NOT NULL DEFAULT '',
    logo        BYTEA,
    logo_sha256 TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- A brand belongs to at most one organisation; parent_id names the brand it
-- inherits from before the organisation (NULL: straight from the organisation).
ALTER TABLE tenants ADD COLUMN org_id UUID REFERENCES organisations (id);
ALTER TABLE tenants ADD COLUMN parent_id UUID REFERENCES tenants (id);
CREATE INDEX tenants_org ON tenants (org_id);

-- Inheritable settings (internal/tenant Settings): a row is a value set at an
-- organisation or a brand (owner_id is either's id); a missing row means
-- "inherited". Reset to inherited deletes the row.
CREATE TABLE brand_settings (
    owner_id   UUID NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (owner_id, key)
);
