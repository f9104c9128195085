package catalog

import (
	"cmp"
	"context"
	"slices"
	"strings"
)

// ListingRow is what a search without text reads of an active product: its
// filters, facets and sort keys. NameKey is the name as the engine's SQL
// orders it (lower(name), compared by bytes on both engines).
type ListingRow struct {
	ID, NameKey, CategoryID, Tags string
	Price                         int64
	InStock, Rx, HSA              bool
}

// ListingStore is a Store that can list its active products' ListingRows
// (store.CatalogRepo): at most limit of them, and false when there are more.
type ListingStore interface {
	Listing(ctx context.Context, tenantID string, limit int) ([]ListingRow, bool, error)
}

// maxListing is the largest catalog whose searches without text run in
// memory. Why a bound: the rows are read again at every catalog version, and
// a larger catalog is searched in SQL (one statement) instead.
const maxListing = 5000

// listing is a tenant's active products at one catalog version, ordered by
// name (the order of a search without text), for searches without text.
type listing struct {
	version int64
	rows    []ListingRow // nil with ok false: too many, search in SQL
	ok      bool
	// tags are the rows' tags as numbers (rowTags[i] for rows[i], a tag
	// as often as the row's Tags string names it), each an index into
	// tagNames: a search counts its tag facets in a slice rather than
	// splitting every row's Tags and counting in a map.
	rowTags  [][]int
	tagNames []string
}

// numberTags fills rowTags and tagNames from the rows.
func (l *listing) numberTags() {
	ids := map[string]int{}
	l.rowTags = make([][]int, len(l.rows))
	for i := range l.rows {
		// Tags are stored joined by ","; "" is a product without tags.
		for t := range strings.SplitSeq(l.rows[i].Tags, ",") {
			if t == "" {
				continue
			}
			n, ok := ids[t]
			if !ok {
				n = len(l.tagNames)
				ids[t] = n
				l.tagNames = append(l.tagNames, t)
			}
			l.rowTags[i] = append(l.rowTags[i], n)
		}
	}
}

// listingAt returns the tenant's listing at catalog version v, reading it on
// the first search of a version.
func (s *Service) listingAt(ctx context.Context, tenantID string, v int64) (*listing, error) {
	ls, ok := s.store.(ListingStore)
	if !ok {
		return &listing{version: v}, nil
	}
	s.mu.RLock()
	l := s.listings[tenantID]
	s.mu.RUnlock()
	if l != nil && l.version == v {
		return l, nil
	}
	rows, fits, err := ls.Listing(ctx, tenantID, maxListing)
	if err != nil {
		return nil, err
	}
	l = &listing{version: v, ok: fits}
	if fits {
		slices.SortFunc(rows, func(a, b ListingRow) int {
			return cmp.Or(strings.Compare(a.NameKey, b.NameKey), strings.Compare(a.ID, b.ID))
		})
		l.rows = rows
		l.numberTags()
	}
	s.mu.Lock()
	s.listings[tenantID] = l
	s.mu.Unlock()
	return l, nil
}

// memSearch answers a search without text from the listing, exactly as the
// store's SQL does (store.CatalogRepo.Search; TestMemorySearchIsTheSQLSearch
// compares them): the same filters, order, page, counts and tag facets. It
// reports false for what it does not answer: text, or the newest first
// (created_at's stored form orders differently from its time on SQLite).
func (l *listing) search(spec Spec) ([]string, Counts, bool) {
	c := Counts{Categories: map[string]int{}}
	if !l.ok || len(spec.Terms) > 0 || spec.Sort == SortNewest {
		return nil, c, false
	}
	q := spec.Query
	base := func(r *ListingRow) bool {
		return (q.MinPrice < 0 || r.Price >= q.MinPrice) && (q.MaxPrice < 0 || r.Price <= q.MaxPrice) &&
			(!q.InStock || r.InStock) && (q.Rx != "only" || r.Rx) && (q.Rx != "none" || !r.Rx) && (!q.HSA || r.HSA)
	}
	inCategory := func(r *ListingRow) bool { return spec.CategoryID == "" || r.CategoryID == spec.CategoryID }
	// The tag filter's number, when it names a tag without a comma (a
	// slug, as ParseQuery checks): a row has it when its numbers do.
	tagID, byNumber := -1, q.Tag != "" && !strings.Contains(q.Tag, ",")
	if byNumber {
		if i := slices.Index(l.tagNames, q.Tag); i >= 0 {
			tagID = i
		}
	}
	hasTag := func(i int) bool {
		switch {
		case q.Tag == "":
			return true
		case byNumber:
			return slices.Contains(l.rowTags[i], tagID)
		default:
			return strings.Contains(","+l.rows[i].Tags+",", ","+q.Tag+",")
		}
	}
	var page []*ListingRow
	tags := make([]int, len(l.tagNames))
	for i := range l.rows {
		r := &l.rows[i]
		if !base(r) {
			continue
		}
		cat, tag := inCategory(r), hasTag(i)
		if tag {
			if r.CategoryID != "" {
				c.Categories[r.CategoryID]++
			}
		}
		if cat {
			for _, t := range l.rowTags[i] {
				tags[t]++
			}
		}
		if cat && tag {
			c.Total++
			if r.InStock {
				c.InStock++
			}
			if r.Rx {
				c.Rx++
			}
			if r.HSA {
				c.HSA++
			}
			page = append(page, r)
		}
	}
	switch q.Sort {
	case SortPriceAsc:
		slices.SortStableFunc(page, func(a, b *ListingRow) int { return cmp.Compare(a.Price, b.Price) })
	case SortPriceDesc:
		slices.SortStableFunc(page, func(a, b *ListingRow) int { return cmp.Compare(b.Price, a.Price) })
	}
	per := max(q.PerPage, 1)
	from := (max(q.Page, 1) - 1) * per
	var ids []string
	for i := from; i < len(page) && i < from+per; i++ {
		ids = append(ids, page[i].ID)
	}
	facets := make([]Facet, 0, len(tags))
	for t, n := range tags {
		if n > 0 {
			facets = append(facets, Facet{Value: l.tagNames[t], Label: l.tagNames[t], Count: n})
		}
	}
	slices.SortFunc(facets, func(a, b Facet) int { return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Value, b.Value)) })
	if len(facets) > 0 {
		c.Tags = facets[:min(len(facets), MaxTagFacets)]
	}
	return ids, c, true
}
