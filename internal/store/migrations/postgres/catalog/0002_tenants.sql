-- Tenants (brands) and the host names that select them. Public data: a tenant's
-- name, logo and colours are shown to every visitor, so they live in the catalog
-- store, which the storefront role can read without any access to PHI.
CREATE TABLE tenants (
    id               UUID PRIMARY KEY,
    slug             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    primary_color    TEXT NOT NULL,
    accent_color     TEXT NOT NULL,
    logo_type        TEXT NOT NULL DEFAULT '',
    logo             BYTEA,
    logo_sha256      TEXT NOT NULL DEFAULT '',
    security_contact TEXT NOT NULL DEFAULT '',
    is_default       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL
);
-- At most one tenant answers hosts that no tenant claims.
CREATE UNIQUE INDEX tenants_one_default ON tenants (is_default) WHERE is_default;

CREATE TABLE tenant_hosts (
    hostname  TEXT PRIMARY KEY,
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE
);
CREATE INDEX tenant_hosts_tenant ON tenant_hosts (tenant_id);
