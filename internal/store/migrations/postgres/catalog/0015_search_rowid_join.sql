-- Search at catalog scale: SQLite's migration of the same number indexes
-- products.fts_rowid for its full-text join; PostgreSQL keeps the text in
-- products.search (GIN-indexed) and needs nothing here.
SELECT 1;
