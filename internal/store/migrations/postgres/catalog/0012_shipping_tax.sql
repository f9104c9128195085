-- Shipping and tax as settings (issue 18 point 3, internal/shiptax). Catalog
-- data, not PHI: what a tenant charges to ship and which sales tax it
-- collects, never who buys. Why stored per tenant with defaults in code: a
-- tenant that never edited them quotes with the seeded table (every US
-- state, DC and the territories), so existing tenants' totals stay as they
-- were; a tenant's first edit stores its whole shipping table, and a tax
-- region edit stores that region's row, which then overrides the default.
--
-- shipping_settings marks a tenant whose shipping table is stored (so that
-- removing every method is not mistaken for "use the defaults").
CREATE TABLE shipping_settings (
    tenant_id  TEXT PRIMARY KEY,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE shipping_methods (
    tenant_id TEXT NOT NULL,
    code      TEXT NOT NULL,
    label     TEXT NOT NULL,
    position  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, code)
);
-- A zone is a set of regions (codes such as CA, DC, PR), comma-separated.
CREATE TABLE shipping_zones (
    tenant_id TEXT NOT NULL,
    code      TEXT NOT NULL,
    name      TEXT NOT NULL,
    regions   TEXT NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
-- A rate is what a method costs into a zone: flat (price), or by weight
-- (price plus per_kg for each started kilogram); free_over, when positive,
-- makes it free from that subtotal on. Money in minor units.
CREATE TABLE shipping_rates (
    tenant_id   TEXT NOT NULL,
    method_code TEXT NOT NULL,
    zone_code   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('flat', 'weight')),
    price       BIGINT NOT NULL CHECK (price >= 0),
    per_kg      BIGINT NOT NULL DEFAULT 0 CHECK (per_kg >= 0),
    free_over   BIGINT NOT NULL DEFAULT 0 CHECK (free_over >= 0),
    PRIMARY KEY (tenant_id, method_code, zone_code)
);
-- A tax region's rate in thousandths of a percent (7250 is 7.25 %, so that
-- rates such as Minnesota's 6.875 % are exact), with its exemptions.
CREATE TABLE tax_regions (
    tenant_id  TEXT NOT NULL,
    code       TEXT NOT NULL,
    rate_pcm   INTEGER NOT NULL CHECK (rate_pcm >= 0 AND rate_pcm <= 30000),
    exempt_rx  BOOLEAN NOT NULL DEFAULT FALSE,
    exempt_hsa BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, code)
);
-- A variant's shipping weight in grams, for rates by weight (0: unknown,
-- ships as weightless).
ALTER TABLE variants ADD COLUMN weight_grams BIGINT NOT NULL DEFAULT 0 CHECK (weight_grams >= 0);
