-- Search at catalog scale, SQLite.
--
-- The words of the full-text index per tenant, so that a search can turn
-- each of its terms into the words that start with it and match those
-- exactly (store.CatalogRepo.Search). Why: FTS5 answers a prefix term
-- ("zinc"*) without a prefix index by merging the whole doclist of every
-- word with that prefix into a buffer, for the match and again for bm25's
-- document counts; matching the same words exactly reads only what the
-- AND needs, about a third of a search's time at 100,000 products. The
-- application adds a product's words when it indexes the product and never
-- removes them: a word no product has any more only makes a term match
-- nothing more, while a word missing here would lose results.
CREATE TABLE search_words (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    word      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, word)
) WITHOUT ROWID;

-- The indexed text is normalized (catalog.Normalize): ASCII letters and
-- digits separated by single spaces, which is a JSON array once the spaces
-- are quoted. The products' own tenant_id, not the index's copy: an index
-- row whose product is gone has no tenant to file its words under.
INSERT OR IGNORE INTO search_words (tenant_id, word)
SELECT DISTINCT p.tenant_id, j.value
FROM products p CROSS JOIN products_fts f ON f.rowid = p.fts_rowid,
    json_each('["' || replace(f.doc, ' ', '","') || '"]') j
WHERE j.value <> '';

-- The join from the full-text matches to their products reads only this
-- index: by fts_rowid, with every column a search's filters, order and
-- counts read. Why: fetching each match's table row after the index
-- lookup was a sixth of a search's time at 100,000 products. The last
-- column is the name key the relevance reads (store.nameKey, the same
-- expression), read from here instead of computed for every match. It
-- replaces the index on fts_rowid alone, which it serves as well.
CREATE INDEX products_fts_cover ON products (fts_rowid, tenant_id, status, in_stock, requires_prescription,
    hsa_fsa_eligible, price_min, category_id, created_at, tags, name, id,
    (' ' || replace(replace(replace(replace(replace(lower(name), '(', ' '), ')', ' '), ',', ' '), '-', ' '), '/', ' ') || ' '));
DROP INDEX products_fts_rowid;
