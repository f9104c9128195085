-- The organisation's shared catalog (docs/white-label.md, "A shared
-- catalog"): products set at the organisation, which each brand chooses to
-- sell, at the organisation's price or its own. Public data, like products.

-- The organisation's products and variants. Their stock is the one
-- warehouse's: every brand that sells a variant sells from this count.
CREATE TABLE org_products (
    id                    UUID PRIMARY KEY,
    org_id                UUID NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    slug                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    brand                 TEXT NOT NULL DEFAULT '',
    summary               TEXT NOT NULL DEFAULT '',
    description           TEXT NOT NULL DEFAULT '',
    description_html      TEXT NOT NULL DEFAULT '',
    category_slug         TEXT NOT NULL DEFAULT '', -- the brand's category of this slug, if it has one
    tags                  TEXT NOT NULL DEFAULT '',
    requires_prescription BOOLEAN NOT NULL DEFAULT FALSE,
    hsa_fsa_eligible      BOOLEAN NOT NULL DEFAULT FALSE,
    status                TEXT NOT NULL CHECK (status IN ('active', 'draft', 'archived')),
    created_at            TIMESTAMPTZ NOT NULL,
    updated_at            TIMESTAMPTZ NOT NULL,
    UNIQUE (org_id, slug)
);

CREATE TABLE org_variants (
    id             UUID PRIMARY KEY,
    org_id         UUID NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    org_product_id UUID NOT NULL REFERENCES org_products (id) ON DELETE CASCADE,
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL DEFAULT '',
    price          BIGINT NOT NULL CHECK (price >= 0),
    currency       TEXT NOT NULL,
    stock          BIGINT NOT NULL DEFAULT 0 CHECK (stock >= 0),
    position       BIGINT NOT NULL DEFAULT 0,
    price_breaks   TEXT NOT NULL DEFAULT '',
    weight_grams   BIGINT NOT NULL DEFAULT 0,
    UNIQUE (org_id, sku)
);
CREATE INDEX org_variants_product ON org_variants (org_product_id);

-- A brand's choice of an organisation product. product_id is the brand's
-- copy in products/variants, kept in step with the organisation's product in
-- the transaction of every change, so search, pages, carts and the API read
-- a brand's catalog as before. Not chosen (any more): the copy is archived,
-- keeping its ids for carts and orders.
CREATE TABLE brand_offers (
    tenant_id      UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    org_product_id UUID NOT NULL REFERENCES org_products (id) ON DELETE CASCADE,
    product_id     UUID NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    chosen         BOOLEAN NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, org_product_id),
    UNIQUE (tenant_id, product_id)
);
CREATE INDEX brand_offers_org_product ON brand_offers (org_product_id);

-- A brand's own price for an organisation variant (none: the organisation's).
CREATE TABLE brand_prices (
    tenant_id      UUID NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    org_variant_id UUID NOT NULL REFERENCES org_variants (id) ON DELETE CASCADE,
    price          BIGINT NOT NULL CHECK (price >= 0),
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, org_variant_id)
);

-- The organisation variant a brand's variant is a copy of: its stock is
-- taken from and given back to that variant (internal/store shared_stock.go).
ALTER TABLE variants ADD COLUMN org_variant_id UUID;
CREATE INDEX variants_org_variant ON variants (org_variant_id);
