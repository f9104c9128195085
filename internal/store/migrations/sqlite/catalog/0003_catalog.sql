-- The product catalog: public data only (no PHI), so it lives in the catalog
-- store that the storefront role can read. Every table carries tenant_id and
-- every query filters on it; money is integer minor units plus currency.
CREATE TABLE catalog_versions (
    -- Bumped in the transaction of every catalog change; caches of rendered
    -- catalog pages are keyed by it, so a change invalidates them at once.
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    version   INTEGER NOT NULL
);

CREATE TABLE categories (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug        TEXT NOT NULL,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    position    INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, slug)
);

CREATE TABLE products (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    brand                 TEXT NOT NULL DEFAULT '',
    summary               TEXT NOT NULL DEFAULT '',
    description           TEXT NOT NULL DEFAULT '',
    description_html      TEXT NOT NULL DEFAULT '',
    category_id           TEXT REFERENCES categories (id) ON DELETE SET NULL,
    tags                  TEXT NOT NULL DEFAULT '', -- normalized slugs joined by ","
    requires_prescription INTEGER NOT NULL DEFAULT 0 CHECK (requires_prescription IN (0, 1)),
    hsa_fsa_eligible      INTEGER NOT NULL DEFAULT 0 CHECK (hsa_fsa_eligible IN (0, 1)),
    status                TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
    -- Kept from the variants on every save, for search without a join.
    price_min             INTEGER NOT NULL DEFAULT 0,
    in_stock              INTEGER NOT NULL DEFAULT 0,
    created_at            TIMESTAMP NOT NULL,
    updated_at            TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, slug)
);
CREATE INDEX products_tenant_status ON products (tenant_id, status);

CREATE TABLE variants (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sku        TEXT NOT NULL,
    name       TEXT NOT NULL DEFAULT '',
    price      INTEGER NOT NULL CHECK (price >= 0),
    currency   TEXT NOT NULL,
    stock      INTEGER NOT NULL CHECK (stock >= 0),
    position   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (tenant_id, sku)
);
CREATE INDEX variants_product ON variants (product_id);

CREATE TABLE product_images (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    sha256     TEXT NOT NULL,
    alt        TEXT NOT NULL DEFAULT '',
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    position   INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX product_images_product ON product_images (product_id);

-- Image bytes by content hash and size; shared by identical uploads.
CREATE TABLE image_renditions (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    sha256       TEXT NOT NULL,
    size         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    data         BLOB NOT NULL,
    PRIMARY KEY (tenant_id, sha256, size)
);

CREATE TABLE pages (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    slug       TEXT NOT NULL,
    title      TEXT NOT NULL,
    body       TEXT NOT NULL DEFAULT '',
    body_html  TEXT NOT NULL DEFAULT '',
    published  INTEGER NOT NULL DEFAULT 0 CHECK (published IN (0, 1)),
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, slug)
);

CREATE TABLE menu_items (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    label     TEXT NOT NULL,
    href      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, position)
);

-- Full-text search. The application writes the normalized text (lower-case
-- ASCII words, catalog.Normalize) so that SQLite and PostgreSQL index the same
-- words and answer the same. Why a plain FTS5 table kept by the application
-- rather than triggers: the text is computed in Go from several tables.
CREATE VIRTUAL TABLE products_fts USING fts5 (
    product_id UNINDEXED,
    tenant_id UNINDEXED,
    doc,
    tokenize = 'unicode61'
);
