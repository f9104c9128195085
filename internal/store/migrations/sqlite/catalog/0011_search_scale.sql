-- Search at catalog scale (issue 18).
--
-- products.fts_rowid is the rowid of the product's row in products_fts. Why:
-- products_fts.product_id is UNINDEXED (FTS5 indexes only text), so replacing
-- a product's text by product_id scanned the whole index, and saving 100,000
-- products took hours; by rowid it is one lookup. FTS5 rowids are stored in
-- its own tables, so VACUUM keeps them (unlike the implicit rowid of products).
ALTER TABLE products ADD COLUMN fts_rowid INTEGER;

CREATE TABLE fts_rowids AS SELECT rowid AS r, product_id FROM products_fts;
CREATE INDEX fts_rowids_product ON fts_rowids (product_id);
UPDATE products SET fts_rowid = (SELECT MAX(r) FROM fts_rowids WHERE product_id = products.id);
DROP TABLE fts_rowids;

-- Price filters and the price sort without text read the tenant's active
-- products in price order.
CREATE INDEX products_tenant_price ON products (tenant_id, status, price_min);

-- A page of results loads its products' variants by tenant and product ids.
-- Without this index SQLite chose the (tenant_id, sku) index and read every
-- variant of the tenant for each page: 0.4 s per search at 20,000 products.
CREATE INDEX variants_tenant_product ON variants (tenant_id, product_id);
