package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// CatalogRepo stores products, categories, images, landing pages and the menu in
// the catalog store. It implements catalog.Store. Every statement is scoped by
// tenant_id; ids from outside are checked with id.Valid before they reach SQL.
type CatalogRepo struct{ db *DB }

// NewCatalogRepo returns the catalog repository of a catalog store.
func NewCatalogRepo(db *DB) *CatalogRepo { return &CatalogRepo{db: db} }

var (
	_ catalog.Store        = (*CatalogRepo)(nil)
	_ catalog.ListingStore = (*CatalogRepo)(nil)
)

const productColumns = `id, tenant_id, slug, name, brand, summary, description, description_html, category_id, tags,
	requires_prescription, hsa_fsa_eligible, status, created_at, updated_at`

func scanProduct(row interface{ Scan(...any) error }) (*catalog.Product, error) {
	var p catalog.Product
	var cat sql.NullString
	var tags string
	err := row.Scan(&p.ID, &p.TenantID, &p.Slug, &p.Name, &p.Brand, &p.Summary, &p.Description, &p.DescriptionHTML,
		&cat, &tags, &p.RequiresPrescription, &p.HSAFSAEligible, &p.Status, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, err
	}
	p.CategoryID = cat.String
	p.Tags = splitTags(tags)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// bumpVersion increments the tenant's catalog version inside a write.
func bumpVersion(ctx context.Context, tx *sql.Tx, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := tx.ExecContext(ctx, `INSERT INTO catalog_versions (tenant_id, version) VALUES ($1, 1)
		ON CONFLICT (tenant_id) DO UPDATE SET version = catalog_versions.version + 1`, tenantID)
	if err != nil {
		return fmt.Errorf("bump catalog version: %w", err)
	}
	return nil
}

// Version returns the tenant's catalog version (0 before any change).
func (s *CatalogRepo) Version(ctx context.Context, tenantID string) (int64, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var v int64
	err := s.db.r.QueryRowContext(ctx, `SELECT version FROM catalog_versions WHERE tenant_id = $1`, tenantID).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("catalog version: %w", err)
	}
	return v, nil
}

// searchSQL builds the parts of a search statement: the FROM clause with the
// text match, a WHERE clause with the filters (leaving out the category's or
// the tag's for their facet counts), the relevance expression, and the
// arguments. Terms are normalized to [a-z0-9]+ (catalog.Terms), so they carry
// no query syntax of either engine nor LIKE wildcards; they still travel as
// parameters.
type searchSQL struct {
	engine Engine
	tenant string
	spec   catalog.Spec
	args   []any
}

func (b *searchSQL) arg(v any) string {
	b.args = append(b.args, v)
	return fmt.Sprintf("$%d", len(b.args))
}

// from is the products of the tenant that match the text. No engine text
// rank (bm25, ts_rank) is read: see orderBy.
func (b *searchSQL) from() string {
	tenant := b.arg(b.tenant)
	if len(b.spec.Terms) == 0 {
		return `(SELECT p.* FROM products p WHERE p.tenant_id = ` + tenant + ` AND p.status = 'active') p`
	}
	if b.engine == SQLite {
		parts := make([]string, len(b.spec.Terms))
		for i, t := range b.spec.Terms {
			parts[i] = b.expand(tenant, t)
		}
		m := `(` + strings.Join(parts, ` || ' AND ' || `) + `)`
		// The matches of all tenants by rowid only, then the columns the
		// search reads of each by its rowid in search_rows (migration
		// 0018, kept by triggers on products), which keeps the tenant:
		// the product's tenant_id is the check, not the index's copy. Why
		// not products_fts.product_id or tenant_id: reading either makes
		// FTS5 seek its content table for every match, most of a search's
		// time at 100,000 products. Why CROSS JOIN: it fixes the order
		// (matches first, then one rowid lookup each); the other order
		// would run the MATCH once per product of the tenant.
		return `(SELECT p.* FROM (SELECT rowid AS fts_rowid FROM products_fts WHERE products_fts MATCH ` + m + `) f
			CROSS JOIN search_rows p ON p.fts_rowid = f.fts_rowid WHERE p.tenant_id = ` + tenant + ` AND p.status = 'active') p`
	}
	parts := make([]string, len(b.spec.Terms))
	for i, t := range b.spec.Terms {
		parts[i] = t + ":*"
	}
	m := b.arg(strings.Join(parts, " & "))
	return `(SELECT p.*, ` + nameKey + ` AS nk FROM products p
		WHERE p.tenant_id = ` + tenant + ` AND p.status = 'active' AND p.search @@ to_tsquery('simple', ` + m + `)) p`
}

// maxExpansion is how many indexed words a search term is turned into at
// most; a term that starts more words is matched as a prefix.
const maxExpansion = 8

// expand is the FTS5 query of one term on SQLite: the indexed words that
// start with it, matched exactly, as "zinc" or ("gel" OR "gels"); the term
// as a prefix ("gel"*) when it starts more than maxExpansion words, or none
// (then it matches nothing, as the prefix does). Why: FTS5 answers a prefix
// term without a prefix index by merging the whole doclist of every word
// with that prefix into a buffer, for the match and again for bm25's
// document counts; the same words matched exactly read only what the AND
// needs (see the search_words migration). The words are words of
// catalog.Normalize, as the terms are: [a-z0-9]+, with nothing to quote,
// and '{' sorts after all of them.
func (b *searchSQL) expand(tenant, term string) string {
	t, next := b.arg(term), b.arg(term+"{")
	return `(SELECT CASE WHEN COUNT(*) BETWEEN 1 AND ` + fmt.Sprint(maxExpansion) + ` THEN '(' || group_concat('"' || word || '"', ' OR ') || ')'
		ELSE '"' || ` + t + ` || '"*' END FROM (SELECT word FROM search_words WHERE tenant_id = ` + tenant + ` AND word >= ` + t + ` AND word < ` + next + `
		ORDER BY word LIMIT ` + fmt.Sprint(maxExpansion+1) + `))`
}

// distinctWords returns the distinct words of a normalized text.
func distinctWords(doc string) []string {
	ws := strings.Fields(doc)
	slices.Sort(ws)
	return slices.Compact(ws)
}

// where is the filters. price_min is the price on the product's card: the
// lowest price of one unit of any variant, what a customer pays for the
// cheapest choice, so a price filter and sort agree with what is shown.
func (b *searchSQL) where(withCategory, withTag bool) string {
	w := b.filters()
	if withCategory {
		w = append(w, b.categoryFilter()...)
	}
	if withTag {
		w = append(w, b.tagFilter()...)
	}
	return whereClause(w)
}

func whereClause(w []string) string {
	if len(w) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w, " AND ")
}

// filters are the conditions that every part of a search applies: all but
// the category's and the tag's (which their own facet counts leave out).
func (b *searchSQL) filters() []string {
	q := b.spec
	var w []string
	if q.MinPrice >= 0 {
		w = append(w, `p.price_min >= `+b.arg(q.MinPrice))
	}
	if q.MaxPrice >= 0 {
		w = append(w, `p.price_min <= `+b.arg(q.MaxPrice))
	}
	if q.InStock {
		w = append(w, `p.in_stock = `+b.arg(true))
	}
	switch q.Rx {
	case "only":
		w = append(w, `p.requires_prescription = `+b.arg(true))
	case "none":
		w = append(w, `p.requires_prescription = `+b.arg(false))
	}
	if q.HSA {
		w = append(w, `p.hsa_fsa_eligible = `+b.arg(true))
	}
	return w
}

func (b *searchSQL) categoryFilter() []string {
	if b.spec.CategoryID == "" {
		return nil
	}
	return []string{`p.category_id = ` + b.arg(b.spec.CategoryID)}
}

func (b *searchSQL) tagFilter() []string {
	if b.spec.Tag == "" {
		return nil
	}
	// Tags are slugs ([a-z0-9-], catalog.ValidSlug): no LIKE wildcards.
	return []string{`(',' || p.tags || ',') LIKE ('%,' || CAST(` + b.arg(b.spec.Tag) + ` AS TEXT) || ',%')`}
}

// relevance scores the product's name for the terms the same way on both
// engines: per term 3 for a whole word of the name, 2 for the start of one
// (orderBy says what orders products of equal score). Why instr and strpos
// rather than LIKE: the name key is lower case and a term is [a-z0-9]+, so
// finding " term " in it is the same test as LIKE '% term %', without
// LIKE's pattern matching for every match of a search.
func (b *searchSQL) relevance() string {
	if len(b.spec.Terms) == 0 {
		return "0"
	}
	// p.nk is nameKey: search_rows.nk on SQLite, computed in from on
	// PostgreSQL.
	find := `instr(p.nk, `
	if b.engine == Postgres {
		find = `strpos(p.nk, `
	}
	var parts []string
	for _, t := range b.spec.Terms {
		a := `CAST(` + b.arg(t) + ` AS TEXT)`
		parts = append(parts, `(CASE WHEN `+find+`' ' || `+a+` || ' ') > 0 THEN 3 WHEN `+find+`' ' || `+a+`) > 0 THEN 2 ELSE 0 END)`)
	}
	return strings.Join(parts, " + ")
}

// nameKey is the name as space-separated words, lower case, common
// punctuation as spaces, with a space at either end: the same on both
// engines for ASCII names (SQLite's lower() folds only ASCII, and the terms
// are ASCII, so other letters never match). SQLite's search_rows.nk holds
// this same expression (over name, written by the triggers of migration
// 0018), from which a search reads it instead of computing it per match:
// change both together.
const nameKey = `(' ' || replace(replace(replace(replace(replace(lower(p.name), '(', ' '), ')', ' '), ',', ' '), '-', ' '), '/', ' ') || ' ')`

// orderBy is the sort. Ties end on the name and then the id, so that the
// order is total. Why COLLATE "C" on PostgreSQL: its default collation orders
// by language rules, SQLite by bytes; both order by bytes here.
func (b *searchSQL) orderBy() string {
	name := `lower(p.name)`
	if b.engine == Postgres {
		name += ` COLLATE "C"`
	}
	byName := name + `, p.id`
	switch b.spec.Sort {
	case catalog.SortPriceAsc:
		return `p.price_min, ` + byName
	case catalog.SortPriceDesc:
		return `p.price_min DESC, ` + byName
	case catalog.SortNewest:
		return `p.created_at DESC, ` + byName
	case catalog.SortRelevance:
		if len(b.spec.Terms) > 0 {
			// Products of equal score: the shorter name first (the
			// terms are more of it), then by name. Why not the
			// engine's text rank (FTS5 bm25, ts_rank): the two ranks
			// disagree, so the first page differed between the engines
			// whenever names tied; and bm25 cost a third of a search's
			// time at 100,000 products (its document counts read the
			// whole list of every word of the query once more, its
			// lengths one more row per match). length counts
			// characters on both engines.
			return `score DESC, length(p.name), ` + byName
		}
	}
	return byName
}

// Search runs a search in SQL (see catalog.Store) in one statement: the text
// is matched once, into a materialized table of the matches under every
// filter but the category's and the tag's, and three parts read that table:
// the page's ids (kind 0, in order), the counts per category with the flags
// (kind 1), and the tag counts (kind 2). Why one statement: each of the three
// statements before ran the full-text match again (at 100,000 products most
// of a search's time was FTS5 merging the prefix matches of each word), and
// each statement is a round trip through the driver.
func (s *CatalogRepo) Search(ctx context.Context, tenantID string, spec catalog.Spec) ([]string, catalog.Counts, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c := catalog.Counts{Categories: map[string]int{}}
	b := &searchSQL{engine: s.db.engine, tenant: tenantID, spec: spec}
	q := b.statement()
	rows, err := s.db.r.QueryContext(ctx, q, b.args...)
	if err != nil {
		return nil, c, scrubTerms(err, spec.Terms)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var kind int
		var key sql.NullString
		var n, inStock, rx, hsa int
		if err := rows.Scan(&kind, &key, &n, &inStock, &rx, &hsa); err != nil {
			return nil, c, scrubTerms(err, spec.Terms)
		}
		switch kind {
		case 0:
			ids = append(ids, key.String)
		case 1:
			if key.Valid {
				c.Categories[key.String] = n
			}
			if spec.CategoryID == "" || key.String == spec.CategoryID {
				c.Total, c.InStock, c.Rx, c.HSA = c.Total+n, c.InStock+inStock, c.Rx+rx, c.HSA+hsa
			}
		case 2:
			if key.String != "" {
				c.Tags = append(c.Tags, catalog.Facet{Value: key.String, Label: key.String, Count: n})
			}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, c, scrubTerms(err, spec.Terms)
	}
	return ids, c, nil
}

// statement is the one search statement (see Search). Every row is (kind,
// key, n, in stock, rx, hsa, position); rows come in kind and position order.
//
// The total, the flag counts and the category counts: counted per category
// under every filter but the category's own, the total and flags are then the
// sum over all categories, or the filtered category's own row when there is
// one.
func (b *searchSQL) statement() string {
	from := b.from()
	base := b.where(false, false)
	// Matches under the shared filters, with only the columns the parts
	// read: the relevance score computed here, once per match, and the
	// price and time only for the sorts by them. Why so narrow: every
	// match is written to m and read back by each part, which was a fifth
	// of a search with a thousand matches.
	cols := ``
	switch b.spec.Sort {
	case catalog.SortPriceAsc, catalog.SortPriceDesc:
		cols = `, p.price_min`
	case catalog.SortNewest:
		cols = `, p.created_at`
	}
	m := `m AS MATERIALIZED (SELECT p.id, p.name, p.category_id, p.tags, p.in_stock, p.requires_prescription,
		p.hsa_fsa_eligible` + cols + `, ` + b.relevance() + ` AS score FROM ` + from + base + `)`
	catW, tagW := b.categoryFilter(), b.tagFilter()
	per := max(b.spec.PerPage, 1)
	order := b.orderBy()
	// Why CAST around LIMIT and OFFSET: SQLite re-prepares a statement whose
	// plan read a bound value, and a bare LIMIT $n is one (stmtcache.go).
	page := `SELECT 0 AS kind, CAST(p.id AS TEXT) AS k, 0 AS n, 0 AS i, 0 AS r, 0 AS h, ROW_NUMBER() OVER (ORDER BY ` + order + `) AS pos
		FROM (SELECT p.* FROM m p` + whereClause(append(append([]string{}, catW...), tagW...)) +
		` ORDER BY ` + order + ` LIMIT CAST(` + b.arg(per) + ` AS INTEGER) OFFSET CAST(` + b.arg((max(b.spec.Page, 1)-1)*per) + ` AS INTEGER)) p`
	counts := `SELECT 1, CAST(p.category_id AS TEXT), COUNT(*),
			COALESCE(SUM(CASE WHEN p.in_stock THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN p.requires_prescription THEN 1 ELSE 0 END), 0),
			COALESCE(SUM(CASE WHEN p.hsa_fsa_eligible THEN 1 ELSE 0 END), 0), 0 FROM m p` + whereClause(tagW) +
		` GROUP BY p.category_id`
	// Tags are stored joined by ","; each engine splits them its way. Tags
	// are slugs: nothing in them needs escaping inside JSON. A product without
	// tags splits into one empty tag on SQLite and none on PostgreSQL: the
	// empty one is left out, so that it takes no place among the most
	// frequent on either engine. The matches are first counted per set of
	// tags (g), and only those sets are split. Why: a catalog has far fewer
	// sets of tags than a broad search has matches, and splitting one
	// (json_each on SQLite) cost more than the rest of a match's counting.
	tag, split, byTag := `t.value`, `, json_each('["' || replace(g.tags, ',', '","') || '"]') t`, `t.value`
	if b.engine == Postgres {
		tag, split, byTag = `t.tag`, ` CROSS JOIN LATERAL unnest(string_to_array(g.tags, ',')) AS t(tag)`, `t.tag COLLATE "C"`
	}
	tags := `SELECT 2, x.tag, x.n, 0, 0, 0, ROW_NUMBER() OVER (ORDER BY x.n DESC, x.tag` + collateC(b.engine) + `) FROM (SELECT ` + tag +
		` AS tag, CAST(SUM(g.n) AS INTEGER) AS n FROM (SELECT p.tags, COUNT(*) AS n FROM m p` + whereClause(catW) + ` GROUP BY p.tags) g` + split +
		` WHERE ` + tag + ` <> '' GROUP BY ` + tag + ` ORDER BY n DESC, ` + byTag +
		` LIMIT CAST(` + b.arg(catalog.MaxTagFacets) + ` AS INTEGER)) x`
	return `WITH ` + m + ` SELECT kind, k, n, i, r, h FROM (` + page + ` UNION ALL ` + counts + ` UNION ALL ` + tags +
		`) u ORDER BY kind, pos`
}

func collateC(e Engine) string {
	if e == Postgres {
		return ` COLLATE "C"`
	}
	return ""
}

// Listing returns the tenant's active products as a search without text reads
// them (see catalog.ListingStore): at most limit, and false when there are
// more. NameKey is lower(name) as the search's SQL orders by it.
func (s *CatalogRepo) Listing(ctx context.Context, tenantID string, limit int) ([]catalog.ListingRow, bool, error) {
	var out []catalog.ListingRow
	err := each(ctx, s.db.r, `SELECT CAST(id AS TEXT), lower(name), CAST(category_id AS TEXT), tags, price_min, in_stock, requires_prescription, hsa_fsa_eligible
		FROM products WHERE tenant_id = $1 AND status = 'active' LIMIT CAST($2 AS INTEGER)`, []any{tenantID, limit + 1},
		func(rows *sql.Rows) error {
			var r catalog.ListingRow
			var cat sql.NullString
			err := rows.Scan(&r.ID, &r.NameKey, &cat, &r.Tags, &r.Price, &r.InStock, &r.Rx, &r.HSA)
			r.CategoryID = cat.String
			out = append(out, r)
			return err
		})
	if err != nil {
		return nil, false, fmt.Errorf("product listing: %w", err)
	}
	if len(out) > limit {
		return nil, false, nil
	}
	return out, true, nil
}

// ProductWords returns the names, brands and tags of the tenant's active
// products (see catalog.Store).
func (s *CatalogRepo) ProductWords(ctx context.Context, tenantID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var out []string
	err := each(ctx, s.db.r, `SELECT name, brand, tags FROM products WHERE tenant_id = $1 AND status = 'active'`, []any{tenantID},
		func(rows *sql.Rows) error {
			var name, brand, tags string
			err := rows.Scan(&name, &brand, &tags)
			out = append(out, name, brand, strings.ReplaceAll(tags, ",", " "))
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("product words: %w", err)
	}
	return out, nil
}

// scrubTerms returns a search error without the search terms. Why: a driver's
// message can quote the query ("syntax error near ..."), errors are logged, and
// what someone searched for (a condition, a medicine) must not reach the logs.
func scrubTerms(err error, terms []string) error {
	msg := err.Error()
	for _, t := range terms {
		msg = strings.ReplaceAll(msg, t, "[term]")
	}
	return errors.New("search products: " + msg)
}

// Products loads products with their variants and images in three statements,
// in the order of ids; unknown ids are left out.
func (s *CatalogRepo) Products(ctx context.Context, tenantID string, ids []string) ([]*catalog.Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var valid []any
	for _, x := range ids {
		if id.Valid(x) {
			valid = append(valid, x)
		}
	}
	if len(valid) == 0 {
		return nil, nil
	}
	args := append([]any{tenantID}, valid...)
	in := Placeholders(2, len(valid))
	byID := map[string]*catalog.Product{}
	// Why "+tenant_id" on SQLite: the unary plus keeps its planner from
	// reading the tenant's (tenant_id, ...) index, which it preferred to the
	// id index for a long IN list on a database without statistics, reading
	// every product of the tenant for each page. The tenant is still checked.
	tenantCol := "tenant_id"
	if s.db.engine == SQLite {
		tenantCol = "+tenant_id"
	}
	// The three statements on one reader connection: the pool hands a freed
	// connection to a random waiter, so under load every further wait for
	// one adds to the slowest requests' time.
	conn, err := s.db.r.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("load products: %w", err)
	}
	defer func() { _ = conn.Close() }()
	//nolint:gosec // only constant columns and $n placeholders are concatenated; values are parameters
	err = each(ctx, conn, `SELECT `+productColumns+` FROM products WHERE `+tenantCol+` = $1 AND id IN (`+in+`)`, args, func(rows *sql.Rows) error {
		p, err := scanProduct(rows)
		if err == nil {
			byID[p.ID] = p
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load products: %w", err)
	}
	if err := s.loadChildren(ctx, conn, tenantID, in, args, byID); err != nil {
		return nil, err
	}
	out := make([]*catalog.Product, 0, len(byID))
	for _, x := range ids {
		if p := byID[x]; p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// each runs a query and calls fn for every row, closing the rows.
func each(ctx context.Context, q querier, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// loadChildren fills variants and images of the products in byID; in and args
// select them ($1 is the tenant).
func (s *CatalogRepo) loadChildren(ctx context.Context, q querier, tenantID, in string, args []any, byID map[string]*catalog.Product) error {
	ctx = tenant.WithScope(ctx, tenantID)
	where := `WHERE tenant_id = $1`
	if in != "" {
		where += ` AND product_id IN (` + in + `)`
	} else {
		args = []any{tenantID}
	}
	//nolint:gosec // only constant text and $n placeholders are concatenated; values are parameters
	err := each(ctx, q, `SELECT id, product_id, sku, name, price, currency, stock, position, price_breaks, weight_grams FROM variants `+where+` ORDER BY position, sku`, args, func(rows *sql.Rows) error {
		var v catalog.Variant
		var breaks string
		if err := rows.Scan(&v.ID, &v.ProductID, &v.SKU, &v.Name, &v.Price, &v.Currency, &v.Stock, &v.Position, &breaks, &v.WeightGrams); err != nil {
			return err
		}
		bs, err := catalog.ParsePriceBreaks(breaks, false)
		if err != nil {
			return fmt.Errorf("variant %s: %w", v.ID, err)
		}
		v.PriceBreaks = bs
		if p := byID[v.ProductID]; p != nil {
			p.Variants = append(p.Variants, v)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load variants: %w", err)
	}
	rows, err := q.QueryContext(ctx, `SELECT id, product_id, sha256, alt, width, height, position FROM product_images `+where+` ORDER BY position, id`, args...)
	if err != nil {
		return fmt.Errorf("load images: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var im catalog.Image
		if err := rows.Scan(&im.ID, &im.ProductID, &im.SHA256, &im.Alt, &im.Width, &im.Height, &im.Position); err != nil {
			return fmt.Errorf("load images: %w", err)
		}
		if p := byID[im.ProductID]; p != nil {
			p.Images = append(p.Images, im)
		}
	}
	return rows.Err()
}

// ProductBySlug returns a product of any status, or NotFound.
func (s *CatalogRepo) ProductBySlug(ctx context.Context, tenantID, slug string) (*catalog.Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.one(ctx, tenantID, `slug = $2`, slug)
}

// ProductByID returns a product of any status, or NotFound.
func (s *CatalogRepo) ProductByID(ctx context.Context, tenantID, pid string) (*catalog.Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(pid) {
		return nil, apperr.NotFoundError()
	}
	return s.one(ctx, tenantID, `id = $2`, pid)
}

func (s *CatalogRepo) one(ctx context.Context, tenantID, where string, arg string) (*catalog.Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	p, err := scanProduct(s.db.r.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products WHERE tenant_id = $1 AND `+where, tenantID, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("load product: %w", err)
	}
	if err := s.loadChildren(ctx, s.db.r, tenantID, "$2", []any{tenantID, p.ID}, map[string]*catalog.Product{p.ID: p}); err != nil {
		return nil, err
	}
	return p, nil
}

// AllProducts returns every product of the tenant, any status, by name, with
// variants and images, in three statements.
func (s *CatalogRepo) AllProducts(ctx context.Context, tenantID string) ([]*catalog.Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var out []*catalog.Product
	byID := map[string]*catalog.Product{}
	err := each(ctx, s.db.r, `SELECT `+productColumns+` FROM products WHERE tenant_id = $1 ORDER BY lower(name), id`, []any{tenantID}, func(rows *sql.Rows) error {
		p, err := scanProduct(rows)
		if err == nil {
			out = append(out, p)
			byID[p.ID] = p
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list products: %w", err)
	}
	if err := s.loadChildren(ctx, s.db.r, tenantID, "", nil, byID); err != nil {
		return nil, err
	}
	return out, nil
}

// SaveProducts inserts or updates products with their variants and search text
// in one transaction: a problem with any product changes nothing.
func (s *CatalogRepo) SaveProducts(ctx context.Context, tenantID string, ps []*catalog.Product) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		cats := map[string]string{}
		err := each(ctx, tx, `SELECT id, name FROM categories WHERE tenant_id = $1`, []any{tenantID}, func(rows *sql.Rows) error {
			var cid, name string
			err := rows.Scan(&cid, &name)
			cats[cid] = name
			return err
		})
		if err != nil {
			return fmt.Errorf("load categories: %w", err)
		}
		if err := refuseOrgCopies(ctx, tx, tenantID, ps); err != nil {
			return err
		}
		for _, p := range ps {
			if p.CategoryID != "" {
				if _, ok := cats[p.CategoryID]; !ok {
					return apperr.InvalidFields("Unknown category.", map[string]string{"category": "Choose one of the categories."})
				}
			}
			if err := s.saveProduct(ctx, tx, tenantID, p, cats[p.CategoryID]); err != nil {
				return err
			}
		}
		return bumpVersion(ctx, tx, tenantID)
	})
}

func (s *CatalogRepo) saveProduct(ctx context.Context, tx *sql.Tx, tenantID string, p *catalog.Product, category string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	price, _ := p.MinPrice()
	tags := strings.Join(p.Tags, ",")
	res, err := tx.ExecContext(ctx, `UPDATE products SET slug = $3, name = $4, brand = $5, summary = $6, description = $7,
		description_html = $8, category_id = $9, tags = $10, requires_prescription = $11, hsa_fsa_eligible = $12,
		status = $13, price_min = $14, in_stock = $15, updated_at = $16 WHERE id = $1 AND tenant_id = $2`,
		p.ID, tenantID, p.Slug, p.Name, p.Brand, p.Summary, p.Description, p.DescriptionHTML, nullable(p.CategoryID), tags,
		p.RequiresPrescription, p.HSAFSAEligible, p.Status, price, p.InStock(), p.UpdatedAt)
	if err != nil {
		return productErr(err, p)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		_, err = tx.ExecContext(ctx, `INSERT INTO products (id, tenant_id, slug, name, brand, summary, description,
			description_html, category_id, tags, requires_prescription, hsa_fsa_eligible, status, price_min, in_stock,
			created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
			p.ID, tenantID, p.Slug, p.Name, p.Brand, p.Summary, p.Description, p.DescriptionHTML, nullable(p.CategoryID), tags,
			p.RequiresPrescription, p.HSAFSAEligible, p.Status, price, p.InStock(), p.CreatedAt, p.UpdatedAt)
		if err != nil {
			return productErr(err, p)
		}
	}
	if err := s.saveVariants(ctx, tx, tenantID, p); err != nil {
		return err
	}
	doc := catalog.SearchDoc(p, category)
	if s.db.engine == SQLite {
		// By rowid (migration 0011): products_fts.product_id has no index.
		var old sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT fts_rowid FROM products WHERE id = $1`, p.ID).Scan(&old); err != nil {
			return fmt.Errorf("index product: %w", err)
		}
		if old.Valid {
			if _, err := tx.ExecContext(ctx, `DELETE FROM products_fts WHERE rowid = $1`, old.Int64); err != nil {
				return fmt.Errorf("index product: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO products_fts (product_id, tenant_id, doc) VALUES ($1, $2, $3)`, p.ID, tenantID, doc)
		if err != nil {
			return fmt.Errorf("index product: %w", err)
		}
		rowid, err := res.LastInsertId()
		if err != nil {
			return fmt.Errorf("index product: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE products SET fts_rowid = $2 WHERE id = $1`, p.ID, rowid); err != nil {
			return fmt.Errorf("index product: %w", err)
		}
		// The document's words, for the search's term expansion
		// (searchSQL.expand).
		words, err := json.Marshal(distinctWords(doc))
		if err != nil {
			return fmt.Errorf("index product: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO search_words (tenant_id, word) SELECT $1, value FROM json_each($2)`,
			tenantID, string(words)); err != nil {
			return fmt.Errorf("index product: %w", err)
		}
	} else if _, err := tx.ExecContext(ctx, `UPDATE products SET search = to_tsvector('simple', $2) WHERE id = $1`, p.ID, doc); err != nil {
		return fmt.Errorf("index product: %w", err)
	}
	return nil
}

// saveVariants brings the product's variants to p.Variants in place: a
// variant kept keeps its row, so the stock held for orders and the carts
// holding it survive an edit of the product (both reference the variant and
// are deleted with it); only a variant the edit removed is deleted, and
// takes its reservations and cart lines with it. Why the SKUs are first
// set aside: two variants may swap SKUs in one edit, and the unique SKU
// index would refuse the first update of the swap.
func (s *CatalogRepo) saveVariants(ctx context.Context, tx *sql.Tx, tenantID string, p *catalog.Product) error {
	keep := make([]any, 0, len(p.Variants)+2)
	keep = append(keep, p.ID, tenantID)
	for _, v := range p.Variants {
		keep = append(keep, v.ID)
	}
	notIn := ""
	if len(p.Variants) > 0 {
		notIn = " AND id NOT IN (" + Placeholders(3, len(p.Variants)) + ")"
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM variants WHERE product_id = $1 AND tenant_id = $2`+notIn, keep...); err != nil {
		return fmt.Errorf("replace variants: %w", err)
	}
	if len(p.Variants) > 1 {
		if _, err := tx.ExecContext(ctx, `UPDATE variants SET sku = '~' || id WHERE product_id = $1 AND tenant_id = $2`, p.ID, tenantID); err != nil {
			return fmt.Errorf("replace variants: %w", err)
		}
	}
	for _, v := range p.Variants {
		breaks := catalog.FormatPriceBreaks(v.PriceBreaks, false)
		res, err := tx.ExecContext(ctx, `UPDATE variants SET sku = $4, name = $5, price = $6, currency = $7, stock = $8, position = $9,
			price_breaks = $10, weight_grams = $11 WHERE id = $1 AND tenant_id = $2 AND product_id = $3`,
			v.ID, tenantID, p.ID, v.SKU, v.Name, v.Price, v.Currency, v.Stock, v.Position, breaks, v.WeightGrams)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				_, err = tx.ExecContext(ctx, `INSERT INTO variants (id, tenant_id, product_id, sku, name, price, currency, stock, position, price_breaks, weight_grams)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, v.ID, tenantID, p.ID, v.SKU, v.Name, v.Price, v.Currency, v.Stock, v.Position,
					breaks, v.WeightGrams)
			}
		}
		if err != nil {
			if isUniqueViolation(err) {
				return apperr.InvalidFields("A SKU is taken.", map[string]string{"sku": "Another product uses the SKU " + v.SKU + "."})
			}
			return fmt.Errorf("save variant: %w", err)
		}
	}
	return nil
}

func productErr(err error, p *catalog.Product) error {
	if isUniqueViolation(err) {
		return apperr.InvalidFields("That slug is taken.", map[string]string{"slug": "Another product uses the slug " + p.Slug + "."})
	}
	return fmt.Errorf("save product: %w", err)
}

// Categories returns the tenant's categories in their order.
func (s *CatalogRepo) Categories(ctx context.Context, tenantID string) ([]catalog.Category, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, tenant_id, slug, name, description, position FROM categories
		WHERE tenant_id = $1 ORDER BY position, name`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	defer rows.Close()
	var out []catalog.Category
	for rows.Next() {
		var c catalog.Category
		if err := rows.Scan(&c.ID, &c.TenantID, &c.Slug, &c.Name, &c.Description, &c.Position); err != nil {
			return nil, fmt.Errorf("list categories: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveCategory inserts or updates a category.
func (s *CatalogRepo) SaveCategory(ctx context.Context, c *catalog.Category) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE categories SET slug = $3, name = $4, description = $5, position = $6
			WHERE id = $1 AND tenant_id = $2`, c.ID, c.TenantID, c.Slug, c.Name, c.Description, c.Position)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				_, err = tx.ExecContext(ctx, `INSERT INTO categories (id, tenant_id, slug, name, description, position)
					VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.TenantID, c.Slug, c.Name, c.Description, c.Position)
			}
		}
		if err != nil {
			if isUniqueViolation(err) {
				return apperr.InvalidFields("That slug is taken.", map[string]string{"slug": "Another category uses the slug " + c.Slug + "."})
			}
			return fmt.Errorf("save category: %w", err)
		}
		return bumpVersion(ctx, tx, c.TenantID)
	})
}

// DeleteCategory deletes a category; its products become uncategorized.
func (s *CatalogRepo) DeleteCategory(ctx context.Context, tenantID, cid string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(cid) {
		return apperr.NotFoundError()
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE products SET category_id = NULL WHERE category_id = $1 AND tenant_id = $2`, cid, tenantID); err != nil {
			return fmt.Errorf("delete category: %w", err)
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM categories WHERE id = $1 AND tenant_id = $2`, cid, tenantID)
		if err != nil {
			return fmt.Errorf("delete category: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundError()
		}
		return bumpVersion(ctx, tx, tenantID)
	})
}

// Pages returns the tenant's landing pages by title.
func (s *CatalogRepo) Pages(ctx context.Context, tenantID string) ([]catalog.Page, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT id, tenant_id, slug, title, body, body_html, published, updated_at
		FROM pages WHERE tenant_id = $1 ORDER BY title, id`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("list pages: %w", err)
	}
	defer rows.Close()
	var out []catalog.Page
	for rows.Next() {
		var p catalog.Page
		if err := rows.Scan(&p.ID, &p.TenantID, &p.Slug, &p.Title, &p.Body, &p.BodyHTML, &p.Published, &p.UpdatedAt); err != nil {
			return nil, fmt.Errorf("list pages: %w", err)
		}
		p.UpdatedAt = p.UpdatedAt.UTC()
		out = append(out, p)
	}
	return out, rows.Err()
}

// PageBySlug returns a landing page (published or not), or NotFound.
func (s *CatalogRepo) PageBySlug(ctx context.Context, tenantID, slug string) (*catalog.Page, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var p catalog.Page
	err := s.db.r.QueryRowContext(ctx, `SELECT id, tenant_id, slug, title, body, body_html, published, updated_at
		FROM pages WHERE tenant_id = $1 AND slug = $2`, tenantID, slug).
		Scan(&p.ID, &p.TenantID, &p.Slug, &p.Title, &p.Body, &p.BodyHTML, &p.Published, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("load page: %w", err)
	}
	p.UpdatedAt = p.UpdatedAt.UTC()
	return &p, nil
}

// SavePage inserts or updates a landing page.
func (s *CatalogRepo) SavePage(ctx context.Context, p *catalog.Page) error {
	ctx = tenant.WithScope(ctx, p.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE pages SET slug = $3, title = $4, body = $5, body_html = $6, published = $7,
			updated_at = $8 WHERE id = $1 AND tenant_id = $2`, p.ID, p.TenantID, p.Slug, p.Title, p.Body, p.BodyHTML, p.Published, p.UpdatedAt)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				_, err = tx.ExecContext(ctx, `INSERT INTO pages (id, tenant_id, slug, title, body, body_html, published, updated_at)
					VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, p.ID, p.TenantID, p.Slug, p.Title, p.Body, p.BodyHTML, p.Published, p.UpdatedAt)
			}
		}
		if err != nil {
			if isUniqueViolation(err) {
				return apperr.InvalidFields("That slug is taken.", map[string]string{"slug": "Another page uses the slug " + p.Slug + "."})
			}
			return fmt.Errorf("save page: %w", err)
		}
		return bumpVersion(ctx, tx, p.TenantID)
	})
}

// DeletePage deletes a landing page.
func (s *CatalogRepo) DeletePage(ctx context.Context, tenantID, pid string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(pid) {
		return apperr.NotFoundError()
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM pages WHERE id = $1 AND tenant_id = $2`, pid, tenantID)
		if err != nil {
			return fmt.Errorf("delete page: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFoundError()
		}
		return bumpVersion(ctx, tx, tenantID)
	})
}

// Menu returns the navigation menu.
func (s *CatalogRepo) Menu(ctx context.Context, tenantID string) ([]catalog.MenuItem, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.db.r.QueryContext(ctx, `SELECT label, href FROM menu_items WHERE tenant_id = $1 ORDER BY position`, tenantID)
	if err != nil {
		return nil, fmt.Errorf("load menu: %w", err)
	}
	defer rows.Close()
	var out []catalog.MenuItem
	for rows.Next() {
		var m catalog.MenuItem
		if err := rows.Scan(&m.Label, &m.Href); err != nil {
			return nil, fmt.Errorf("load menu: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// SaveMenu replaces the navigation menu.
func (s *CatalogRepo) SaveMenu(ctx context.Context, tenantID string, items []catalog.MenuItem) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM menu_items WHERE tenant_id = $1`, tenantID); err != nil {
			return fmt.Errorf("save menu: %w", err)
		}
		for i, m := range items {
			if _, err := tx.ExecContext(ctx, `INSERT INTO menu_items (tenant_id, position, label, href) VALUES ($1, $2, $3, $4)`,
				tenantID, i, m.Label, m.Href); err != nil {
				return fmt.Errorf("save menu: %w", err)
			}
		}
		return bumpVersion(ctx, tx, tenantID)
	})
}

// AddImage stores an image's renditions (once per content hash) and appends it
// to the product's images.
func (s *CatalogRepo) AddImage(ctx context.Context, tenantID string, img *catalog.Image, rs map[string]catalog.Rendition) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for size, r := range rs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO image_renditions (tenant_id, sha256, size, content_type, data)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, tenantID, img.SHA256, size, r.ContentType, r.Data); err != nil {
				return fmt.Errorf("store image: %w", err)
			}
		}
		var pos int
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM product_images WHERE product_id = $1 AND tenant_id = $2`,
			img.ProductID, tenantID).Scan(&pos); err != nil {
			return fmt.Errorf("store image: %w", err)
		}
		img.Position = pos
		if _, err := tx.ExecContext(ctx, `INSERT INTO product_images (id, tenant_id, product_id, sha256, alt, width, height, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, img.ID, tenantID, img.ProductID, img.SHA256, img.Alt, img.Width, img.Height, pos); err != nil {
			return fmt.Errorf("store image: %w", err)
		}
		return bumpVersion(ctx, tx, tenantID)
	})
}

// DeleteImage removes an image from a product, and its bytes when no other
// image uses them.
func (s *CatalogRepo) DeleteImage(ctx context.Context, tenantID, productID, imageID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(productID) || !id.Valid(imageID) {
		return apperr.NotFoundError()
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var sha string
		var orgImage sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT sha256, org_image_id FROM product_images WHERE id = $1 AND product_id = $2 AND tenant_id = $3`,
			imageID, productID, tenantID).Scan(&sha, &orgImage)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("delete image: %w", err)
		}
		if orgImage.Valid {
			// Why refused: the copy is rewritten from the organisation's
			// product, which would bring the picture back.
			return apperr.New(apperr.Invalid, "This picture is the organisation's; it is removed from the organisation's product.")
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM product_images WHERE id = $1`, imageID); err != nil {
			return fmt.Errorf("delete image: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM image_renditions WHERE tenant_id = $1 AND sha256 = $2
			AND NOT EXISTS (SELECT 1 FROM product_images WHERE tenant_id = $1 AND sha256 = $2)`, tenantID, sha); err != nil {
			return fmt.Errorf("delete image: %w", err)
		}
		return bumpVersion(ctx, tx, tenantID)
	})
}

// Rendition returns one stored image size, or NotFound.
func (s *CatalogRepo) Rendition(ctx context.Context, tenantID, sha, size string) (*catalog.Rendition, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var r catalog.Rendition
	err := s.db.r.QueryRowContext(ctx, `SELECT content_type, data FROM image_renditions WHERE tenant_id = $1 AND sha256 = $2 AND size = $3`,
		tenantID, sha, size).Scan(&r.ContentType, &r.Data)
	if errors.Is(err, sql.ErrNoRows) {
		// A picture of the brand's organisation (its copies of shared
		// products carry them; the bytes are stored once, for the
		// organisation). Only the brand's own organisation's.
		err = s.db.r.QueryRowContext(ctx, `SELECT r.content_type, r.data FROM org_image_renditions r JOIN tenants t ON t.org_id = r.org_id
			WHERE t.id = $1 AND r.sha256 = $2 AND r.size = $3`, tenantID, sha, size).Scan(&r.ContentType, &r.Data)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("load image: %w", err)
	}
	return &r, nil
}
