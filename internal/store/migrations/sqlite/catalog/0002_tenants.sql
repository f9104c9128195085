-- Tenants (brands) and the host names that select them. Public data: a tenant's
-- name, logo and colours are shown to every visitor, so they live in the catalog
-- store, which the storefront role can read without any access to PHI.
CREATE TABLE tenants (
    id               TEXT PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    primary_color    TEXT NOT NULL,
    accent_color     TEXT NOT NULL,
    logo_type        TEXT NOT NULL DEFAULT '',
    logo             BLOB,
    logo_sha256      TEXT NOT NULL DEFAULT '',
    security_contact TEXT NOT NULL DEFAULT '',
    is_default       INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);
-- At most one tenant answers hosts that no tenant claims.
CREATE UNIQUE INDEX tenants_one_default ON tenants (is_default) WHERE is_default = 1;

CREATE TABLE tenant_hosts (
    hostname  TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX tenant_hosts_tenant ON tenant_hosts (tenant_id);
