// Package catalog is the public product catalog of a tenant: products with
// variants, prices, stock, images, categories, tags and flags; landing pages and
// the navigation menu; search with filters and facets. It holds no PHI: nothing
// here is about a person (DESIGN §2.2), and it imports neither SQL nor HTTP.
package catalog

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/salvehealth/salve/internal/apperr"
)

// Product status values.
const (
	StatusActive   = "active"   // listed and searchable
	StatusDraft    = "draft"    // being prepared; not shown
	StatusArchived = "archived" // withdrawn; not shown, kept for old orders
)

// Limits on what a store manager enters.
const (
	MaxNameLen        = 200
	MaxSummaryLen     = 500
	MaxDescriptionLen = 20000
	MaxTags           = 20
	MaxVariants       = 50
	// MaxPrice is 10 million in minor units (100,000.00): a typo guard.
	MaxPrice = 10_000_000
	MaxStock = 1_000_000
)

// Product is a thing the store sells, in one or more variants.
type Product struct {
	ID       string
	TenantID string
	Slug     string
	Name     string
	Brand    string
	Summary  string
	// Description is markdown as entered; DescriptionHTML is its sanitized
	// rendering, made on save (internal/markup).
	Description     string
	DescriptionHTML string
	CategoryID      string // empty: uncategorized
	Tags            []string
	// RequiresPrescription: the order waits for a pharmacist's verification.
	RequiresPrescription bool
	// HSAFSAEligible: payable from a health savings or flexible spending account.
	HSAFSAEligible bool
	Status         string
	Variants       []Variant
	Images         []Image
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Variant is one buyable version of a product (a size, a strength).
type Variant struct {
	ID        string
	ProductID string
	SKU       string
	Name      string // "60 tablets", "Blue, size M"; empty for the only variant
	Price     int64  // minor units
	Currency  string // ISO 4217, upper case
	Stock     int64
	Position  int
	// PriceBreaks are volume prices below Price, by quantity (may be none).
	PriceBreaks []PriceBreak
	// WeightGrams is one unit's shipping weight, for shipping rates by
	// weight (0: not given; ships as weightless).
	WeightGrams int64
}

// UnitPrice is the price of one unit when qty are bought on one line.
func (v *Variant) UnitPrice(qty int64) int64 { return UnitPrice(v.Price, v.PriceBreaks, qty) }

// Image is a product image; its bytes are served at content-hash URLs.
type Image struct {
	ID        string
	ProductID string
	SHA256    string // of the large rendition; the URL's name
	Alt       string
	Width     int
	Height    int
	Position  int
}

// Category groups products.
type Category struct {
	ID          string
	TenantID    string
	Slug        string
	Name        string
	Description string
	Position    int
}

// Page is a landing page edited by the store manager.
type Page struct {
	ID        string
	TenantID  string
	Slug      string
	Title     string
	Body      string // markdown as entered
	BodyHTML  string // sanitized rendering, made on save
	Published bool
	UpdatedAt time.Time
}

// MenuItem is one link of the navigation menu.
type MenuItem struct {
	Label string
	Href  string
}

// MinPrice returns the lowest variant price and its currency.
func (p *Product) MinPrice() (int64, string) {
	var best int64 = -1
	cur := ""
	for _, v := range p.Variants {
		if best < 0 || v.Price < best {
			best, cur = v.Price, v.Currency
		}
	}
	return max(best, 0), cur
}

// InStock reports whether any variant has stock.
func (p *Product) InStock() bool {
	for _, v := range p.Variants {
		if v.Stock > 0 {
			return true
		}
	}
	return false
}

// TotalStock sums the stock of every variant.
func (p *Product) TotalStock() int64 {
	var n int64
	for _, v := range p.Variants {
		n += v.Stock
	}
	return n
}

var (
	slugRE     = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	skuRE      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/-]{0,63}$`)
	currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// ValidSlug reports whether s is a URL slug: lower-case words joined by dashes.
func ValidSlug(s string) bool { return len(s) <= 100 && slugRE.MatchString(s) }

// Slugify makes a slug from a name: "Vitamin D3 1000 IU" -> "vitamin-d3-1000-iu".
func Slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		switch {
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
			dash = false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > 100 {
		s = strings.Trim(s[:100], "-")
	}
	return s
}

// NormalizeTags lower-cases, trims and de-duplicates tags, keeping their order.
func NormalizeTags(tags []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range tags {
		t = Slugify(t)
		if t == "" || seen[t] {
			continue
		}
		seen[t] = true
		out = append(out, t)
	}
	return out
}

// Normalize tidies a product's fields before validation.
func (p *Product) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	p.Brand = strings.TrimSpace(p.Brand)
	p.Summary = strings.TrimSpace(p.Summary)
	p.Slug = strings.TrimSpace(strings.ToLower(p.Slug))
	if p.Slug == "" {
		p.Slug = Slugify(p.Name)
	}
	if p.Status == "" {
		p.Status = StatusActive
	}
	p.Tags = NormalizeTags(p.Tags)
	for i := range p.Variants {
		v := &p.Variants[i]
		v.SKU = strings.TrimSpace(v.SKU)
		v.Name = strings.TrimSpace(v.Name)
		v.Currency = strings.ToUpper(strings.TrimSpace(v.Currency))
		if v.Currency == "" {
			v.Currency = "USD"
		}
		v.Position = i
	}
}

// Validate checks a product; the error names each bad field.
func (p *Product) Validate() error {
	f := map[string]string{}
	switch {
	case p.Name == "":
		f["name"] = "Enter a name."
	case len(p.Name) > MaxNameLen:
		f["name"] = fmt.Sprintf("Use at most %d characters.", MaxNameLen)
	}
	if !ValidSlug(p.Slug) {
		f["slug"] = "Use lower-case letters, digits and single dashes."
	}
	if len(p.Brand) > MaxNameLen {
		f["brand"] = fmt.Sprintf("Use at most %d characters.", MaxNameLen)
	}
	if len(p.Summary) > MaxSummaryLen {
		f["summary"] = fmt.Sprintf("Use at most %d characters.", MaxSummaryLen)
	}
	if len(p.Description) > MaxDescriptionLen {
		f["description"] = fmt.Sprintf("Use at most %d characters.", MaxDescriptionLen)
	}
	if len(p.Tags) > MaxTags {
		f["tags"] = fmt.Sprintf("Use at most %d tags.", MaxTags)
	}
	switch p.Status {
	case StatusActive, StatusDraft, StatusArchived:
	default:
		f["status"] = "Choose active, draft or archived."
	}
	if len(p.Variants) == 0 {
		f["variants"] = "Add at least one variant with a SKU and a price."
	}
	if len(p.Variants) > MaxVariants {
		f["variants"] = fmt.Sprintf("Use at most %d variants.", MaxVariants)
	}
	skus := map[string]bool{}
	for i, v := range p.Variants {
		key := fmt.Sprintf("variant %d", i+1)
		switch {
		case !skuRE.MatchString(v.SKU):
			f[key] = "The SKU must be 1 to 64 letters, digits, dots, dashes, slashes or underscores."
		case skus[strings.ToUpper(v.SKU)]:
			f[key] = "The SKU " + v.SKU + " appears twice."
		case v.Price < 0:
			f[key] = "The price cannot be negative."
		case v.Price > MaxPrice:
			f[key] = "The price is too large."
		case v.Stock < 0:
			f[key] = "The stock cannot be negative."
		case v.Stock > MaxStock:
			f[key] = "The stock is too large."
		case !currencyRE.MatchString(v.Currency):
			f[key] = "The currency must be a three-letter code such as USD."
		case len(v.Name) > MaxNameLen:
			f[key] = "The variant name is too long."
		}
		if err := ValidatePriceBreaks(v.Price, p.Variants[i].PriceBreaks); err != nil {
			k, msg := priceBreakErr(i, err)
			f[k] = msg
		}
		skus[strings.ToUpper(v.SKU)] = true
	}
	if len(f) > 0 {
		return apperr.InvalidFields("The product has mistakes; see the fields.", f)
	}
	return nil
}

// Validate checks a category.
func (c *Category) Validate() error {
	c.Name = strings.TrimSpace(c.Name)
	c.Slug = strings.TrimSpace(strings.ToLower(c.Slug))
	if c.Slug == "" {
		c.Slug = Slugify(c.Name)
	}
	f := map[string]string{}
	if c.Name == "" || len(c.Name) > MaxNameLen {
		f["name"] = "Enter a name of at most 200 characters."
	}
	if !ValidSlug(c.Slug) {
		f["slug"] = "Use lower-case letters, digits and single dashes."
	}
	if len(c.Description) > MaxSummaryLen {
		f["description"] = "Use at most 500 characters."
	}
	if len(f) > 0 {
		return apperr.InvalidFields("The category has mistakes; see the fields.", f)
	}
	return nil
}

// Validate checks a landing page.
func (p *Page) Validate() error {
	p.Title = strings.TrimSpace(p.Title)
	p.Slug = strings.TrimSpace(strings.ToLower(p.Slug))
	if p.Slug == "" {
		p.Slug = Slugify(p.Title)
	}
	f := map[string]string{}
	if p.Title == "" || len(p.Title) > MaxNameLen {
		f["title"] = "Enter a title of at most 200 characters."
	}
	if !ValidSlug(p.Slug) {
		f["slug"] = "Use lower-case letters, digits and single dashes."
	}
	if len(p.Body) > MaxDescriptionLen {
		f["body"] = "Use at most 20,000 characters."
	}
	if len(f) > 0 {
		return apperr.InvalidFields("The page has mistakes; see the fields.", f)
	}
	return nil
}

// ParseMenu reads a menu from lines "Label | /path". Only same-site paths and
// https links are allowed: the menu is on every page, so a javascript: or
// data: URL there would be an attack on every visitor.
func ParseMenu(text string) ([]MenuItem, error) {
	var out []MenuItem
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		label, href, ok := strings.Cut(line, "|")
		label, href = strings.TrimSpace(label), strings.TrimSpace(href)
		if !ok || label == "" || href == "" || len(label) > 60 || len(href) > 300 {
			return nil, apperr.InvalidFields("The menu has a mistake.", map[string]string{"menu": fmt.Sprintf("Line %d: write \"Label | /path\".", i+1)})
		}
		if !SafeHref(href) {
			return nil, apperr.InvalidFields("The menu has a mistake.", map[string]string{"menu": fmt.Sprintf("Line %d: links must start with / or https://.", i+1)})
		}
		out = append(out, MenuItem{Label: label, Href: href})
	}
	if len(out) > 12 {
		return nil, apperr.InvalidFields("The menu is too long.", map[string]string{"menu": "Use at most 12 links."})
	}
	return out, nil
}

// SafeHref reports whether a link target is a same-site path or an https URL.
func SafeHref(h string) bool {
	if strings.ContainsAny(h, " \t\r\n\"'<>\\") {
		return false
	}
	return (strings.HasPrefix(h, "/") && !strings.HasPrefix(h, "//")) || strings.HasPrefix(h, "https://")
}

// FormatMenu writes a menu back as the lines ParseMenu reads.
func FormatMenu(items []MenuItem) string {
	var b strings.Builder
	for _, it := range items {
		b.WriteString(it.Label + " | " + it.Href + "\n")
	}
	return b.String()
}

// FormatPrice formats minor units for people: 129900 USD -> "$1,299.00".
func FormatPrice(minor int64, currency string) string {
	s := decimal(minor, true)
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	switch currency {
	case "USD", "":
		return sign + "$" + s
	case "EUR":
		return sign + "€" + s
	case "GBP":
		return sign + "£" + s
	default:
		return sign + s + " " + currency
	}
}

// decimal writes minor units as "1299.00", or "1,299.00" with separators.
func decimal(minor int64, separators bool) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	// strconv and one concatenation rather than fmt: every price and price
	// link of a catalog page passes here.
	whole := strconv.FormatInt(minor/100, 10)
	if separators {
		for i := len(whole) - 3; i > 0; i -= 3 {
			whole = whole[:i] + "," + whole[i:]
		}
	}
	cents := minor % 100
	return sign + whole + "." + string([]byte{byte('0' + cents/10), byte('0' + cents%10)})
}

// ParsePrice reads "12.99", "12", "$1,299.00" as minor units.
func ParsePrice(s string) (int64, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "$"))
	s = strings.ReplaceAll(s, ",", "")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" && frac == "" || len(frac) > 2 || len(whole) > 9 {
		return 0, fmt.Errorf("not a price: %q", s)
	}
	var n int64
	for _, r := range whole + (frac + "00")[:2] {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("not a price: %q", s)
		}
		n = n*10 + int64(r-'0')
	}
	if neg {
		n = -n
	}
	return n, nil
}

// LowStock is the stock under which a variant shows as running low ("Only a
// few left") instead of in stock.
const LowStock = 5

// Availability is what the public is told about a variant's stock: a level,
// never the count. Why not the count: exact inventory is the shop's business,
// and a level changes far less often than the count, so selling a unit does
// not have to invalidate every cached page (internal/store.Stock bumps the
// catalog version only when a level changes).
type Availability int

// Availability levels, from none to plenty.
const (
	OutOfStock Availability = iota
	LowOnStock              // 1 to LowStock-1 left
	InStock                 // LowStock or more
)

// AvailabilityOf is the level of a stock count.
func AvailabilityOf(stock int64) Availability {
	switch {
	case stock <= 0:
		return OutOfStock
	case stock < LowStock:
		return LowOnStock
	default:
		return InStock
	}
}

// Label is the level in words, as the product page shows it.
func (a Availability) Label() string {
	switch a {
	case OutOfStock:
		return "Out of stock"
	case LowOnStock:
		return "Only a few left"
	default:
		return "In stock"
	}
}
