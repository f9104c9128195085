package catalog

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// CSVHeader is the CSV layout of products: one row per variant; rows with the
// same slug are one product, whose fields come from its first row.
var CSVHeader = []string{"slug", "name", "brand", "category", "tags", "requires_prescription", "hsa_fsa_eligible",
	"status", "summary", "description", "sku", "variant", "price", "currency", "stock", "price_breaks"}

// The price_breaks column is optional: "3:8.99;10:7.99" is 8.99 each from 3
// units and 7.99 each from 10 (decimal prices, like the price column); empty
// is none. A file without the column keeps each variant's breaks as they are.

// MaxImportRows bounds an import file.
const MaxImportRows = 20000

// ImportResult says what an import did.
type ImportResult struct {
	Created, Updated, Variants int
}

// ImportError lists the bad rows of a file by line number.
type ImportError struct{ Lines []string }

func (e *ImportError) Error() string { return "bad rows: " + strings.Join(e.Lines, "; ") }

// Import reads products from CSV and saves them in one transaction: a file with
// any bad row changes nothing, and the error names every bad line (up to 50).
// Products are matched by slug (updated, keeping their images) and variants by
// SKU; a product's variants not in the file are removed.
func (s *Service) Import(ctx context.Context, tenantID string, r io.Reader) (*ImportResult, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, importErr([]string{"line 1: the file is empty or not CSV"})
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var problems []string
	for _, h := range []string{"slug", "name", "sku", "price"} {
		if _, ok := col[h]; !ok {
			problems = append(problems, "line 1: the column "+h+" is missing")
		}
	}
	if len(problems) > 0 {
		return nil, importErr(problems)
	}
	cats, err := s.store.Categories(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	catBySlug := map[string]string{}
	for _, c := range cats {
		catBySlug[c.Slug] = c.ID
	}
	existing, err := s.store.AllProducts(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	bySlug := map[string]*Product{}
	for _, p := range existing {
		bySlug[p.Slug] = p
	}

	type group struct {
		p    *Product
		line int
	}
	var order []string
	groups := map[string]*group{}
	add := func(line int, msg string) {
		if len(problems) < 50 {
			problems = append(problems, fmt.Sprintf("line %d: %s", line, msg))
		}
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				add(pe.Line, pe.Err.Error())
			} else {
				add(0, err.Error())
			}
			break
		}
		line, _ := cr.FieldPos(0)
		if line > MaxImportRows+1 {
			add(line, fmt.Sprintf("the file has more than %d rows", MaxImportRows))
			break
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				v := strings.TrimSpace(rec[i])
				// Undo Export's formula guard (csvSafe).
				if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
					v = v[1:]
				}
				return v
			}
			return ""
		}
		slug := strings.ToLower(get("slug"))
		if slug == "" {
			slug = Slugify(get("name"))
		}
		if slug == "" {
			add(line, "give a slug or a name")
			continue
		}
		g := groups[slug]
		if g == nil {
			p := &Product{Slug: slug, Name: get("name"), Brand: get("brand"), Summary: get("summary"),
				Description: get("description"), Status: strings.ToLower(get("status")), Tags: strings.Split(get("tags"), "|")}
			if old := bySlug[slug]; old != nil {
				p.ID, p.CreatedAt, p.Images = old.ID, old.CreatedAt, old.Images
			}
			if c := get("category"); c != "" {
				id, ok := catBySlug[strings.ToLower(c)]
				if !ok {
					add(line, "unknown category "+strconv.Quote(c))
				}
				p.CategoryID = id
			}
			var ok bool
			if p.RequiresPrescription, ok = parseBool(get("requires_prescription")); !ok {
				add(line, "requires_prescription must be true or false")
			}
			if p.HSAFSAEligible, ok = parseBool(get("hsa_fsa_eligible")); !ok {
				add(line, "hsa_fsa_eligible must be true or false")
			}
			g = &group{p: p, line: line}
			groups[slug] = g
			order = append(order, slug)
		}
		v := Variant{SKU: get("sku"), Name: get("variant"), Currency: get("currency")}
		price, err := ParsePrice(get("price"))
		if err != nil {
			add(line, "the price "+strconv.Quote(get("price"))+" is not a number such as 12.99")
		} else if price < 0 {
			add(line, "the price cannot be negative")
		}
		v.Price = price
		if st := get("stock"); st != "" {
			n, err := strconv.ParseInt(st, 10, 64)
			switch {
			case err != nil:
				add(line, "the stock "+strconv.Quote(st)+" is not a whole number")
			case n < 0:
				add(line, "the stock cannot be negative")
			}
			v.Stock = n
		}
		if old := bySlug[slug]; old != nil {
			for _, ov := range old.Variants {
				if strings.EqualFold(ov.SKU, v.SKU) {
					v.ID = ov.ID
					v.PriceBreaks = ov.PriceBreaks
					// The CSV has no weight column: an import keeps the weight set on the product form.
					v.WeightGrams = ov.WeightGrams
				}
			}
		}
		if _, ok := col["price_breaks"]; ok {
			// Checked here, against this row's price, so the error names
			// this line rather than the product's first.
			bs, err := ParsePriceBreaks(get("price_breaks"), true)
			if err == nil && price >= 0 {
				err = ValidatePriceBreaks(price, bs)
			}
			if err != nil {
				add(line, "price_breaks: "+err.Error())
				bs = nil
			}
			v.PriceBreaks = bs
		}
		g.p.Variants = append(g.p.Variants, v)
	}
	res := &ImportResult{}
	var ps []*Product
	for _, slug := range order {
		g := groups[slug]
		if g.p.ID == "" {
			res.Created++
		} else {
			res.Updated++
		}
		res.Variants += len(g.p.Variants)
		if err := s.Prepare(tenantID, g.p); err != nil {
			if e := apperr.As(err); e != nil && len(e.Fields) > 0 {
				keys := make([]string, 0, len(e.Fields))
				for k := range e.Fields {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				for _, k := range keys {
					add(g.line, fmt.Sprintf("%s (%s): %s", slug, k, e.Fields[k]))
				}
			} else {
				add(g.line, err.Error())
			}
		}
		ps = append(ps, g.p)
	}
	if len(problems) > 0 {
		return nil, importErr(problems)
	}
	if len(ps) == 0 {
		return nil, importErr([]string{"line 2: the file has no products"})
	}
	if err := s.SaveProducts(ctx, tenantID, ps); err != nil {
		return nil, err
	}
	return res, nil
}

func importErr(lines []string) error {
	return apperr.Wrap(&ImportError{Lines: lines}, apperr.Invalid, "The file was not imported; nothing changed. Fix these rows: "+strings.Join(lines, "; "))
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "", "false", "no", "0", "n":
		return false, true
	case "true", "yes", "1", "y":
		return true, true
	}
	return false, false
}

// OrgCopies is implemented by a store whose tenants may sell copies of
// their organisation's products (internal/store.CatalogRepo): it returns
// the ids of the tenant's copies.
type OrgCopies interface {
	OrgCopies(ctx context.Context, tenantID string) (map[string]bool, error)
}

// Export writes every product of the tenant as CSV, one row per variant, in the
// layout Import reads. A brand's copies of its organisation's products are
// left out: why, they are not the brand's to import (Import refuses them),
// so a file exported and imported again must not hold them.
func (s *Service) Export(ctx context.Context, tenantID string, w io.Writer) error {
	ctx = tenant.WithScope(ctx, tenantID)
	ps, err := s.store.AllProducts(ctx, tenantID)
	if err != nil {
		return err
	}
	if oc, ok := s.store.(OrgCopies); ok {
		copies, err := oc.OrgCopies(ctx, tenantID)
		if err != nil {
			return err
		}
		ps = slices.DeleteFunc(ps, func(p *Product) bool { return copies[p.ID] })
	}
	cats, err := s.store.Categories(ctx, tenantID)
	if err != nil {
		return err
	}
	catSlug := map[string]string{}
	for _, c := range cats {
		catSlug[c.ID] = c.Slug
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, p := range ps {
		for _, v := range p.Variants {
			rec := []string{p.Slug, p.Name, p.Brand, catSlug[p.CategoryID], strings.Join(p.Tags, "|"),
				strconv.FormatBool(p.RequiresPrescription), strconv.FormatBool(p.HSAFSAEligible), p.Status,
				p.Summary, p.Description, v.SKU, v.Name, FormatDecimal(v.Price), v.Currency, strconv.FormatInt(v.Stock, 10),
				FormatPriceBreaks(v.PriceBreaks, true)}
			for i, f := range rec {
				rec[i] = csvSafe(f)
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe defuses spreadsheet formulas. Why: an exported file is opened in a
// spreadsheet, where a cell starting with = + - @ runs as a formula (CSV
// injection); a leading apostrophe keeps it text.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+@\t\r", rune(s[0])) || strings.HasPrefix(s, "-") && len(s) > 1 && (s[1] < '0' || s[1] > '9') {
		return "'" + s
	}
	return s
}
