package catalog

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/salvehealth/salve/internal/apperr"
)

// Search limits.
const (
	DefaultPerPage = 24
	MaxPerPage     = 100
	MaxTerms       = 8
	maxTermLen     = 40
	maxQueryLen    = 200
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortName      = "name"
	SortPriceAsc  = "price_asc"
	SortPriceDesc = "price_desc"
	SortNewest    = "newest"
)

// Query is a catalog search: text, filters, sort and page.
type Query struct {
	Text     string
	Category string // category slug
	Tag      string
	MinPrice int64 // minor units; -1: no bound
	MaxPrice int64 // minor units; -1: no bound
	InStock  bool
	Rx       string // "": any, "only": prescription only, "none": no prescription
	HSA      bool   // HSA/FSA eligible only
	Sort     string
	Page     int // from 1
	PerPage  int
}

// ParseQuery reads a query from URL parameters: q, category, tag, min_price and
// max_price (as 12.50), in_stock=1, rx=only|none, hsa=1, sort, page and limit
// (or per_page). Mistakes are Invalid errors naming the parameter.
func ParseQuery(v url.Values) (Query, error) {
	q := Query{Text: strings.TrimSpace(v.Get("q")), Category: v.Get("category"), Tag: v.Get("tag"),
		MinPrice: -1, MaxPrice: -1, Sort: v.Get("sort"), Page: 1, PerPage: DefaultPerPage}
	f := map[string]string{}
	if len(q.Text) > maxQueryLen {
		f["q"] = "Search for at most 200 characters."
	}
	if q.Category != "" && !ValidSlug(q.Category) {
		f["category"] = "Unknown category."
	}
	if q.Tag != "" && !ValidSlug(q.Tag) {
		f["tag"] = "Unknown tag."
	}
	for _, k := range []string{"min_price", "max_price"} {
		s := v.Get(k)
		if s == "" {
			continue
		}
		n, err := ParsePrice(s)
		if err != nil || n < 0 {
			f[k] = "Enter a price such as 12.50."
			continue
		}
		if k == "min_price" {
			q.MinPrice = n
		} else {
			q.MaxPrice = n
		}
	}
	if q.MinPrice >= 0 && q.MaxPrice >= 0 && q.MinPrice > q.MaxPrice {
		f["max_price"] = "The highest price is below the lowest."
	}
	q.InStock = truthy(v.Get("in_stock"))
	q.HSA = truthy(v.Get("hsa"))
	switch rx := v.Get("rx"); rx {
	case "", "any":
	case "only", "none":
		q.Rx = rx
	default:
		f["rx"] = "Use rx=only or rx=none."
	}
	switch {
	case q.Sort == "":
		q.Sort = SortRelevance
	case ValidSort(q.Sort):
	default:
		f["sort"] = "Sort by relevance, name, price_asc, price_desc or newest."
	}
	if s := v.Get("page"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 10000 {
			f["page"] = "Use a page number from 1."
		}
		q.Page = n
	}
	limit := v.Get("limit")
	if limit == "" {
		limit = v.Get("per_page")
	}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPerPage {
			f["limit"] = "Use a limit from 1 to 100."
		}
		q.PerPage = n
	}
	if len(f) > 0 {
		return Query{}, apperr.InvalidFields("The search has mistakes.", f)
	}
	return q, nil
}

// ValidSort reports whether s is one of the sort orders.
func ValidSort(s string) bool {
	switch s {
	case SortRelevance, SortName, SortPriceAsc, SortPriceDesc, SortNewest:
		return true
	}
	return false
}

func truthy(s string) bool { return s == "1" || s == "true" || s == "on" || s == "yes" }

// Values writes the query back as URL parameters in a fixed order, leaving out
// defaults: the canonical form, used as a cache key and for links.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.Text != "" {
		v.Set("q", q.Text)
	}
	if q.Category != "" {
		v.Set("category", q.Category)
	}
	if q.Tag != "" {
		v.Set("tag", q.Tag)
	}
	if q.MinPrice >= 0 {
		v.Set("min_price", FormatDecimal(q.MinPrice))
	}
	if q.MaxPrice >= 0 {
		v.Set("max_price", FormatDecimal(q.MaxPrice))
	}
	if q.InStock {
		v.Set("in_stock", "1")
	}
	if q.Rx != "" {
		v.Set("rx", q.Rx)
	}
	if q.HSA {
		v.Set("hsa", "1")
	}
	if q.Sort != "" && q.Sort != SortRelevance {
		v.Set("sort", q.Sort)
	}
	if q.PerPage != 0 && q.PerPage != DefaultPerPage {
		v.Set("limit", strconv.Itoa(q.PerPage))
	}
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	return v
}

// Encode is Values().Encode(), the query's URL parameters sorted by name,
// written without building the map: a catalog page writes one for each of
// its filter and page links (TestQueryEncodeIsValuesEncode compares them).
func (q Query) Encode() string {
	var b strings.Builder
	q.encode(&b, 0)
	return b.String()
}

// URL is path with the query's parameters (Encode), if any.
func (q Query) URL(path string) string {
	var b strings.Builder
	b.Grow(len(path) + 64)
	b.WriteString(path)
	b.WriteByte('?')
	if !q.encode(&b, b.Len()) {
		return path
	}
	return b.String()
}

// encode writes the parameters to b, whose first start bytes are not
// theirs, and reports whether there were any.
func (q Query) encode(b *strings.Builder, start int) bool {
	add := func(k, v string) {
		if b.Len() > start {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(v))
	}
	// In the order of the names, as url.Values.Encode sorts them.
	if q.Category != "" {
		add("category", q.Category)
	}
	if q.HSA {
		add("hsa", "1")
	}
	if q.InStock {
		add("in_stock", "1")
	}
	if q.PerPage != 0 && q.PerPage != DefaultPerPage {
		add("limit", strconv.Itoa(q.PerPage))
	}
	if q.MaxPrice >= 0 {
		add("max_price", FormatDecimal(q.MaxPrice))
	}
	if q.MinPrice >= 0 {
		add("min_price", FormatDecimal(q.MinPrice))
	}
	if q.Page > 1 {
		add("page", strconv.Itoa(q.Page))
	}
	if q.Text != "" {
		add("q", q.Text)
	}
	if q.Rx != "" {
		add("rx", q.Rx)
	}
	if q.Sort != "" && q.Sort != SortRelevance {
		add("sort", q.Sort)
	}
	if q.Tag != "" {
		add("tag", q.Tag)
	}
	return b.Len() > start
}

// FormatDecimal formats minor units as "1299.50" (for forms and files).
func FormatDecimal(minor int64) string { return decimal(minor, false) }

// Terms splits search text into at most MaxTerms normalized words: accents
// removed, lower case, letters and digits only. Both engines index and search
// these same words, which is what makes their results the same.
func Terms(text string) []string {
	words := strings.Fields(Normalize(text))
	if len(words) > MaxTerms {
		words = words[:MaxTerms]
	}
	for i, w := range words {
		if len(w) > maxTermLen {
			words[i] = w[:maxTermLen]
		}
	}
	return words
}

// Normalize turns text into space-separated lower-case ASCII words: accents are
// removed and every other character separates words.
func Normalize(text string) string {
	var b strings.Builder
	space := true
	for _, r := range norm.NFD.String(text) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return strings.TrimSpace(b.String())
}

// SearchDoc is the text a product is found by.
func SearchDoc(p *Product, category string) string {
	parts := []string{p.Name, p.Brand, p.Summary, strings.Join(p.Tags, " "), category, p.Description}
	for _, v := range p.Variants {
		parts = append(parts, v.SKU, v.Name)
	}
	return Normalize(strings.Join(parts, " "))
}

// Spec is a query as the store runs it: the text as normalized terms (Terms)
// and the category as an id. The store does all of it in SQL (matching,
// filters, order, page and counts), so a search costs a bounded number of
// statements and rows read whatever the catalog's size.
type Spec struct {
	Query
	Terms      []string
	CategoryID string // "" for any
}

// Counts are what the store counts for a search: the total, and the facets
// as the store knows them (category ids, tag slugs).
type Counts struct {
	Total int
	// Categories counts results by category id under every filter but the
	// category's own, so that the list offers the other categories.
	Categories map[string]int
	// Tags are the MaxTagFacets most frequent tags of the results under every
	// filter but the tag's own, by count then tag.
	Tags    []Facet
	InStock int
	Rx      int
	HSA     int
}

// MaxTagFacets is how many tags a search offers as facets.
const MaxTagFacets = 15

// Facet is one value of a facet and how many results have it.
type Facet struct {
	Value string // slug
	Label string
	Count int
}

// Facets are the counts shown beside results.
type Facets struct {
	Categories []Facet
	Tags       []Facet
	InStock    int
	Rx         int
	HSA        int
}

// Results is one page of a search.
type Results struct {
	Query    Query
	Total    int
	Pages    int
	Products []*Product
	Facets   Facets
	// Categories are all the tenant's categories, for names and links.
	Categories []Category
	// Corrected is the text searched instead when the text as typed found
	// nothing and a spelling correction of it did ("vitamn" -> "vitamin");
	// "" otherwise.
	Corrected string
}
