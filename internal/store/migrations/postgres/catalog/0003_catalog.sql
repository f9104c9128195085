-- The product catalog: public data only (no PHI), so it lives in the catalog
-- store that the storefront role can read. Every table carries tenant_id and
-- every query filters on it; money is integer minor units plus currency.
CREATE TABLE catalog_versions (
    -- Bumped in the transaction of every catalog change; caches of rendered
    -- catalog pages are keyed by it, so a change invalidates them at once.
    tenant_id UUID PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    version   BIGINT NOT NULL
);

CREATE TABLE categories (
    id          UUID PRIMARY KEY,
    tenant_id   UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, slug)
);

CREATE TABLE products (
    id                    UUID PRIMARY KEY,
    tenant_id             UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    brand                 TEXT NOT NULL DEFAULT '',
    summary               TEXT NOT NULL DEFAULT '',
    description           TEXT NOT NULL DEFAULT '',
    description_html      TEXT NOT NULL DEFAULT '',
    category_id           UUID REFERENCES categories (id) ON DELETE SET NULL,
    tags                  TEXT NOT NULL DEFAULT '', -- normalized slugs joined by ","
    requires_prescription BOOLEAN NOT NULL DEFAULT FALSE,
    hsa_fsa_eligible      BOOLEAN NOT NULL DEFAULT FALSE,
    status                TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
    -- Kept from the variants on every save, for search without a join.
    price_min             BIGINT NOT NULL DEFAULT 0,
    in_stock              BOOLEAN NOT NULL DEFAULT FALSE,
    -- Full-text search over the normalized text the application writes
    -- (catalog.Normalize), parsed with the 'simple' configuration (no stemming,
    -- no stop words) so that it indexes the same words as SQLite's FTS5.
    search                TSVECTOR NOT NULL DEFAULT ''::tsvector,
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, slug)
);
CREATE INDEX products_tenant_status ON products (tenant_id, status);
CREATE INDEX products_search ON products USING GIN (search);

CREATE TABLE variants (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id UUID NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    price      BIGINT NOT NULL CHECK (price >= 0),
    currency   TEXT NOT NULL,
    stock      BIGINT NOT NULL CHECK (stock >= 0),
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, sku)
);
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE product_images (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id UUID NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sha256     TEXT NOT NULL,
    alt        TEXT NOT NULL DEFAULT '',
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX product_images_product ON product_images (product_id);

-- Image bytes by content hash and size; shared by identical uploads.
CREATE TABLE image_renditions (
    tenant_id    UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL,
    size         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BYTEA NOT NULL,
    PRIMARY KEY (tenant_id, sha256, size)
);

CREATE TABLE pages (
    id         UUID PRIMARY KEY,
    tenant_id  UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    body_html  TEXT NOT NULL DEFAULT '',
    published  BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL,
    UNIQUE (tenant_id, slug)
);

CREATE TABLE menu_items (
    tenant_id UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    label     TEXT NOT NULL,
    href      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, position)
);
