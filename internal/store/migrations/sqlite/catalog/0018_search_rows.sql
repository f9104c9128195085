-- Search at catalog scale, SQLite: the columns a search reads of each
-- match, in a table keyed by the match's full-text rowid.
--
-- A search joins its full-text matches (FTS5 rowids) to what it filters,
-- orders and counts by. Through the index products_fts_cover that was one
-- probe of a wide index per match: interior pages holding whole entries
-- (tenant, flags, price, category, tags, name, id, name key), a deep tree,
-- and record comparisons at every level, a fifth of a search's time at
-- 100,000 products. Here the key is the table's own rowid: interior pages of
-- integers only, a shallow tree and integer comparisons
-- (store.CatalogRepo.Search).
--
-- Triggers keep it: every write of a product's row, whichever code path
-- makes it (saves, stock levels, a deleted category, organisation copies,
-- a deleted tenant's cascade), writes the product's row here in the same
-- transaction, so a search never sees a product other than it is. nk is
-- the name key the relevance compares (store.nameKey over name: change
-- both together).
CREATE TABLE search_rows (
    fts_rowid             INTEGER PRIMARY KEY,
    tenant_id             TEXT NOT NULL,
    id                    TEXT NOT NULL,
    status                TEXT NOT NULL,
    in_stock              INTEGER NOT NULL,
    requires_prescription INTEGER NOT NULL,
    hsa_fsa_eligible      INTEGER NOT NULL,
    price_min             INTEGER NOT NULL,
    category_id           TEXT,
    created_at            TIMESTAMP NOT NULL,
    tags                  TEXT NOT NULL,
    name                  TEXT NOT NULL,
    nk                    TEXT NOT NULL
);

INSERT INTO search_rows (fts_rowid, tenant_id, id, status, in_stock, requires_prescription, hsa_fsa_eligible,
    price_min, category_id, created_at, tags, name, nk)
SELECT fts_rowid, tenant_id, id, status, in_stock, requires_prescription, hsa_fsa_eligible,
    price_min, category_id, created_at, tags, name,
    ' ' || replace(replace(replace(replace(replace(lower(name), '(', ' '), ')', ' '), ',', ' '), '-', ' '), '/', ' ') || ' '
FROM products WHERE fts_rowid IS NOT NULL;

CREATE TRIGGER search_rows_insert AFTER INSERT ON products WHEN new.fts_rowid IS NOT NULL
BEGIN
    INSERT OR REPLACE INTO search_rows (fts_rowid, tenant_id, id, status, in_stock, requires_prescription,
        hsa_fsa_eligible, price_min, category_id, created_at, tags, name, nk)
    VALUES (new.fts_rowid, new.tenant_id, new.id, new.status, new.in_stock, new.requires_prescription,
        new.hsa_fsa_eligible, new.price_min, new.category_id, new.created_at, new.tags, new.name,
        ' ' || replace(replace(replace(replace(replace(lower(new.name), '(', ' '), ')', ' '), ',', ' '), '-', ' '), '/', ' ') || ' ');
END;

CREATE TRIGGER search_rows_update AFTER UPDATE OF fts_rowid, tenant_id, id, status, in_stock, requires_prescription,
    hsa_fsa_eligible, price_min, category_id, created_at, tags, name ON products
BEGIN
    DELETE FROM search_rows WHERE fts_rowid = old.fts_rowid AND old.fts_rowid IS NOT new.fts_rowid;
    INSERT OR REPLACE INTO search_rows (fts_rowid, tenant_id, id, status, in_stock, requires_prescription,
        hsa_fsa_eligible, price_min, category_id, created_at, tags, name, nk)
    SELECT new.fts_rowid, new.tenant_id, new.id, new.status, new.in_stock, new.requires_prescription,
        new.hsa_fsa_eligible, new.price_min, new.category_id, new.created_at, new.tags, new.name,
        ' ' || replace(replace(replace(replace(replace(lower(new.name), '(', ' '), ')', ' '), ',', ' '), '-', ' '), '/', ' ') || ' '
    WHERE new.fts_rowid IS NOT NULL;
END;

CREATE TRIGGER search_rows_delete AFTER DELETE ON products WHEN old.fts_rowid IS NOT NULL
BEGIN
    DELETE FROM search_rows WHERE fts_rowid = old.fts_rowid;
END;

-- Nothing else reads products by fts_rowid.
DROP INDEX products_fts_cover;
