-- Search joins its full-text matches to products by products.fts_rowid.
-- Why: reading products_fts.product_id or tenant_id for a match makes FTS5
-- seek its content table once per match (pages of a 100,000-product index,
-- read by every reader connection on its own), which was most of a search's
-- time; the match's rowid costs nothing. Without this index each match would
-- scan every product, which is how an earlier rowid join hung a live server.
CREATE INDEX products_fts_rowid ON products (fts_rowid);
