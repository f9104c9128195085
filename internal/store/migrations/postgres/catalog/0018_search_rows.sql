-- Search at catalog scale: SQLite's migration of the same number keeps the
-- columns a search reads in a table keyed by the full-text rowid. PostgreSQL
-- filters its GIN matches in products itself and needs nothing here.
SELECT 1;
