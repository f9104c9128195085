-- Search at catalog scale: SQLite's migration of the same number keeps the
-- words of its FTS5 index per tenant (to match a search's prefix terms
-- exactly) and covers its full-text join with an index. PostgreSQL answers
-- prefix terms from its GIN index and needs nothing here.
SELECT 1;
