-- Search at catalog scale (issue 18): price filters and the price sort without
-- text read the tenant's active products in price order. (SQLite's migration
-- of the same number also keys its full-text rows by rowid; PostgreSQL keeps
-- the text in products.search.)
CREATE INDEX products_tenant_price ON products (tenant_id, status, price_min);
