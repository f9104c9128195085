package catalog_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

func newService(t testing.TB, e store.Engine) (*catalog.Service, string) {
	t.Helper()
	repo, tid := newRepo(t, e)
	return catalog.NewService(repo, clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))), tid
}

// newRepo opens a catalog store with one tenant.
func newRepo(t testing.TB, e store.Engine) (*store.CatalogRepo, string) {
	t.Helper()
	db := testkit.OpenStore(t, e, store.Catalog)
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	ten := &tenant.Tenant{ID: id.New(), Slug: "t", Name: "T", Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
	if err := store.NewTenants(db).Create(context.Background(), ten); err != nil {
		t.Fatal(err)
	}
	return store.NewCatalogRepo(db), ten.ID
}

// seed adds three categories and a fixed set of products.
func seed(t *testing.T, svc *catalog.Service, tid string) map[string]string {
	t.Helper()
	ctx := context.Background()
	cats := map[string]string{}
	for i, name := range []string{"Vitamins", "Diabetes care", "First aid"} {
		c := &catalog.Category{TenantID: tid, Name: name, Position: i}
		if err := svc.SaveCategory(ctx, c); err != nil {
			t.Fatal(err)
		}
		cats[c.Slug] = c.ID
	}
	type row struct {
		name, cat, tags string
		price, stock    int64
		rx, hsa         bool
	}
	rows := []row{
		{"Vitamin D3 1000 IU", "vitamins", "bone,immune", 899, 10, false, true},
		{"Vitamin C 500 mg", "vitamins", "immune", 599, 0, false, true},
		{"Vitamin B12 Complex", "vitamins", "energy", 1299, 5, false, false},
		{"Multivitamin Women's", "vitamins", "daily", 1599, 3, false, true},
		{"Glucose Meter Pro", "diabetes-care", "glucose,meter", 3999, 2, false, true},
		{"Glucose Test Strips (50)", "diabetes-care", "glucose,strips", 2499, 40, false, true},
		{"Insulin Glargine Pen", "diabetes-care", "insulin", 8999, 7, true, true},
		{"Lancets 100 count", "diabetes-care", "glucose", 699, 0, false, true},
		{"Adhesive Bandages", "first-aid", "wound", 399, 100, false, true},
		{"Antiseptic Wipes", "first-aid", "wound,clean", 499, 12, false, false},
		{"Café Crème Lotion", "", "skin", 1099, 1, false, false},
		{"Amoxicillin 500 mg", "", "antibiotic", 1999, 9, true, false},
	}
	for _, r := range rows {
		p := &catalog.Product{Name: r.name, CategoryID: cats[r.cat], Tags: strings.Split(r.tags, ","),
			RequiresPrescription: r.rx, HSAFSAEligible: r.hsa, Summary: "About " + r.name,
			Variants: []catalog.Variant{{SKU: catalog.Slugify(r.name), Price: r.price, Stock: r.stock}}}
		if err := svc.SaveProduct(ctx, tid, p); err != nil {
			t.Fatalf("%s: %v", r.name, err)
		}
	}
	return cats
}

var searches = []string{
	"q=vit", "q=vitamin+d", "q=GLUC", "q=gluc&sort=price_desc", "q=cafe", "q=crème", "q=500", "q=mg+500",
	"category=vitamins", "category=diabetes-care&in_stock=1", "rx=only", "rx=none&hsa=1", "tag=glucose",
	"min_price=5&max_price=20", "sort=price_asc&limit=5&page=2", "sort=name", "q=zzz", "q=strips+50",
	"q=%22%3Cscript%3E", "q=vit&category=first-aid", "category=nope",
}

func summarize(r *catalog.Results) string {
	var names []string
	for _, p := range r.Products {
		names = append(names, p.Name)
	}
	var facets []string
	for _, f := range r.Facets.Categories {
		facets = append(facets, fmt.Sprintf("%s=%d", f.Value, f.Count))
	}
	for _, f := range r.Facets.Tags {
		facets = append(facets, fmt.Sprintf("#%s=%d", f.Value, f.Count))
	}
	return fmt.Sprintf("total=%d pages=%d [%s] facets{%s} stock=%d rx=%d hsa=%d", r.Total, r.Pages,
		strings.Join(names, "; "), strings.Join(facets, " "), r.Facets.InStock, r.Facets.Rx, r.Facets.HSA)
}

// TestSearchIsTheSameOnBothEngines runs the same searches on each engine and
// compares every result, facet count and order.
func TestSearchIsTheSameOnBothEngines(t *testing.T) {
	got := map[store.Engine][]string{}
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		svc, tid := newService(t, e)
		seed(t, svc, tid)
		for _, s := range searches {
			v, _ := url.ParseQuery(s)
			q, err := catalog.ParseQuery(v)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			r, err := svc.Search(context.Background(), tid, q)
			if err != nil {
				t.Fatalf("%s: %v", s, err)
			}
			got[e] = append(got[e], s+" -> "+summarize(r))
		}
		res := got[e]
		want := map[int]string{
			0:  "total=4 ",                                   // vit: a word prefix; the category name "Vitamins" counts
			4:  "[Café Crème Lotion]",                        // accents folded
			5:  "[Café Crème Lotion]",                        // in the query too
			16: "total=0 ",                                   // nothing
			20: "total=0 ",                                   // unknown category
			10: "[Amoxicillin 500 mg; Insulin Glargine Pen]", // rx only, by relevance then name
		}
		for i, w := range want {
			if !strings.Contains(res[i], w) {
				t.Errorf("%s\n want it to contain %q", res[i], w)
			}
		}
	})
	if a, b := got[store.SQLite], got[store.Postgres]; a != nil && b != nil {
		for i := range a {
			if a[i] != b[i] {
				t.Errorf("engines differ:\n sqlite:   %s\n postgres: %s", a[i], b[i])
			}
		}
	}
}

// TestSearchFirstPageWhenNamesTie: generated products whose names all hold the
// word searched (equal relevance) come in the same order on both
// engines: the shorter name first, then by name. Before, the engines' own
// text ranks (bm25, ts_rank) ordered them, and differently.
func TestSearchFirstPageWhenNamesTie(t *testing.T) {
	got := map[store.Engine]string{}
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		svc, tid := newService(t, e)
		ctx := context.Background()
		if err := svc.GenerateProducts(ctx, tid, 600, 600, nil); err != nil {
			t.Fatal(err)
		}
		r, err := svc.Search(ctx, tid, catalog.Query{Text: "gummies", MinPrice: -1, MaxPrice: -1, Sort: catalog.SortRelevance, Page: 1, PerPage: 10})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Products) < 2 {
			t.Fatalf("%d products", len(r.Products))
		}
		var names []string
		for i, p := range r.Products {
			names = append(names, p.Name)
			if i > 0 {
				a, b := r.Products[i-1].Name, p.Name
				if len(a) > len(b) || (len(a) == len(b) && strings.ToLower(a) > strings.ToLower(b)) {
					t.Errorf("%q before %q", a, b)
				}
			}
		}
		got[e] = strings.Join(names, "; ")
	})
	if a, b := got[store.SQLite], got[store.Postgres]; a != "" && b != "" && a != b {
		t.Errorf("engines differ:\n sqlite:   %s\n postgres: %s", a, b)
	}
}

// TestProductRules covers bad input: nothing bad is saved.
func TestProductRules(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		svc, tid := newService(t, e)
		ctx := context.Background()
		bad := []*catalog.Product{
			{Name: "", Variants: []catalog.Variant{{SKU: "A", Price: 1}}},
			{Name: "Neg price", Variants: []catalog.Variant{{SKU: "A", Price: -1}}},
			{Name: "Neg stock", Variants: []catalog.Variant{{SKU: "A", Price: 1, Stock: -5}}},
			{Name: "No variants"},
			{Name: "Dup SKU", Variants: []catalog.Variant{{SKU: "A", Price: 1}, {SKU: "a", Price: 2}}},
			{Name: "Bad slug", Slug: "Not A Slug", Variants: []catalog.Variant{{SKU: "A", Price: 1}}},
			{Name: "Bad currency", Variants: []catalog.Variant{{SKU: "A", Price: 1, Currency: "dollars"}}},
		}
		for _, p := range bad {
			if err := svc.SaveProduct(ctx, tid, p); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("%s: err %v, want invalid", p.Name, err)
			}
		}
		v0, _ := svc.Version(ctx, tid)
		ok := &catalog.Product{Name: "Good", Description: "Hi <script>x</script> **bold**", Variants: []catalog.Variant{{SKU: "G1", Price: 100, Stock: 1}}}
		if err := svc.SaveProduct(ctx, tid, ok); err != nil {
			t.Fatal(err)
		}
		if v1, _ := svc.Version(ctx, tid); v1 <= v0 {
			t.Fatalf("version did not move: %d -> %d", v0, v1)
		}
		if strings.Contains(ok.DescriptionHTML, "<script>") || !strings.Contains(ok.DescriptionHTML, "<strong>bold</strong>") {
			t.Fatalf("description html %q", ok.DescriptionHTML)
		}
		dupSlug := &catalog.Product{Name: "Good", Variants: []catalog.Variant{{SKU: "G2", Price: 100}}}
		if err := svc.SaveProduct(ctx, tid, dupSlug); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("duplicate slug: %v", err)
		}
		dupSKU := &catalog.Product{Name: "Other", Variants: []catalog.Variant{{SKU: "G1", Price: 100}}}
		if err := svc.SaveProduct(ctx, tid, dupSKU); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("SKU of another product: %v", err)
		}
		all, err := svc.AllProducts(ctx, tid)
		if err != nil || len(all) != 1 {
			t.Fatalf("products after bad input: %d %v", len(all), err)
		}
		if _, err := svc.PublicProduct(ctx, tid, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("unknown product: %v", err)
		}
		if err := svc.SetStatus(ctx, tid, ok.ID, catalog.StatusArchived); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.PublicProduct(ctx, tid, "good"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("archived product is public: %v", err)
		}
		if r, _ := svc.Search(ctx, tid, catalog.Query{MinPrice: -1, MaxPrice: -1}); r.Total != 0 {
			t.Fatalf("archived product is listed")
		}
	})
}

func TestParseQueryRejectsMistakes(t *testing.T) {
	for _, s := range []string{"limit=0", "limit=101", "page=-1", "sort=evil", "rx=maybe", "min_price=abc", "min_price=10&max_price=5", "category=..%2F"} {
		v, _ := url.ParseQuery(s)
		if _, err := catalog.ParseQuery(v); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: %v", s, err)
		}
	}
	v, _ := url.ParseQuery("q=a&sort=relevance&limit=24&page=1&in_stock=1")
	q, err := catalog.ParseQuery(v)
	if err != nil || q.Values().Encode() != "in_stock=1&q=a" {
		t.Fatalf("canonical form: %q %v", q.Values().Encode(), err)
	}
	if got := catalog.Terms("Vitamin-D3, 1000 IU! Café"); !slices.Equal(got, []string{"vitamin", "d3", "1000", "iu", "cafe"}) {
		t.Fatalf("terms %q", got)
	}
}

// FuzzImport feeds arbitrary files to the CSV import: it must never panic, and
// a file it refuses must change nothing.
func FuzzImport(f *testing.F) {
	head := "slug,name,brand,category,tags,requires_prescription,hsa_fsa_eligible,status,summary,description,sku,variant,price,currency,stock\n"
	for _, s := range []string{"", head, head + "a,A,,,,,,,,,S1,,1.00,USD,1\n", head + "\"x\n", "sku,price\n1,2", head + "a,A,,,,,,,,,S1,,-1,USD,-1\n",
		head + "a,A,,,,,,,,,S1,,1.999,usd,1e9\n", "\ufeff" + head + ",,,,,,,,,,,,,,\n"} {
		f.Add(s)
	}
	svc, tid := newService(f, store.SQLite)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data string) {
		v0, _ := svc.Version(ctx, tid)
		if _, err := svc.Import(ctx, tid, strings.NewReader(data)); err != nil {
			if v1, _ := svc.Version(ctx, tid); v1 != v0 {
				t.Fatalf("a refused file changed the catalog: %v", err)
			}
		}
	})
}

func TestPrices(t *testing.T) {
	for in, want := range map[string]int64{"12.99": 1299, "12": 1200, "12.5": 1250, "$1,299.00": 129900, " 0.07 ": 7, "-3": -300, "1.": 100} {
		if got, err := catalog.ParsePrice(in); err != nil || got != want {
			t.Errorf("ParsePrice(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", ".", "abc", "1.234", "1e3", "12.9x", "9999999999"} {
		if _, err := catalog.ParsePrice(in); err == nil {
			t.Errorf("ParsePrice(%q) accepted", in)
		}
	}
	if got := catalog.FormatPrice(129900, "USD"); got != "$1,299.00" || catalog.FormatDecimal(-123456789) != "-1234567.89" {
		t.Errorf("FormatPrice = %q", got)
	}
	if got := catalog.FormatPrice(5, "EUR"); got != "€0.05" {
		t.Errorf("FormatPrice = %q", got)
	}
}

// TestSearchCorrectsTypos: a misspelled product name finds the product on
// both engines and says what was searched instead; a word that is no one's
// typo finds nothing.
func TestSearchCorrectsTypos(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		svc, tid := newService(t, e)
		seed(t, svc, tid)
		ctx := context.Background()
		for text, want := range map[string]string{"glucsoe metr": "glucose meter", "insuln": "insulin", "amoxicilin": "amoxicillin"} {
			r, err := svc.Search(ctx, tid, catalog.Query{Text: text, MinPrice: -1, MaxPrice: -1, Sort: catalog.SortRelevance})
			if err != nil {
				t.Fatal(err)
			}
			if r.Corrected != want || r.Total == 0 {
				t.Errorf("%q: corrected %q total %d, want %q", text, r.Corrected, r.Total, want)
			}
		}
		r, err := svc.Search(ctx, tid, catalog.Query{Text: "qwxzv", MinPrice: -1, MaxPrice: -1})
		if err != nil || r.Total != 0 || r.Corrected != "" {
			t.Fatalf("nonsense: total %d corrected %q err %v", r.Total, r.Corrected, err)
		}
	})
}

// TestSearchTermsStartWords: a term finds every word it starts, wherever
// the word is in a product's text, including a product's new words after an
// edit and a term that starts more words than SQLite expands into (matched
// as a prefix there); a term that starts no word finds nothing. Both
// engines.
func TestSearchTermsStartWords(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		svc, tid := newService(t, e)
		ctx := context.Background()
		save := func(p *catalog.Product) {
			t.Helper()
			if err := svc.SaveProduct(ctx, tid, p); err != nil {
				t.Fatal(err)
			}
		}
		save(&catalog.Product{Name: "Aloe Gel", Variants: []catalog.Variant{{SKU: "G1", Price: 100, Stock: 1}}})
		save(&catalog.Product{Name: "Cooling Gels", Variants: []catalog.Variant{{SKU: "G2", Price: 100, Stock: 1}}})
		edited := &catalog.Product{Name: "Plain Cream", Variants: []catalog.Variant{{SKU: "G3", Price: 100, Stock: 1}}}
		save(edited)
		for i := range 12 {
			save(&catalog.Product{Name: fmt.Sprintf("Item %d", i), Description: fmt.Sprintf("Pack wordy%c%c", 'a'+i, 'a'+i),
				Variants: []catalog.Variant{{SKU: fmt.Sprintf("W%d", i), Price: 100, Stock: 1}}})
		}
		total := func(text string) int {
			t.Helper()
			r, err := svc.Search(ctx, tid, catalog.Query{Text: text, MinPrice: -1, MaxPrice: -1, Sort: catalog.SortRelevance})
			if err != nil {
				t.Fatal(err)
			}
			return r.Total
		}
		if n := total("gel"); n != 2 {
			t.Errorf("gel finds %d, want Gel and Gels", n)
		}
		edited.Description = "With gelatine."
		save(edited)
		if n := total("gel"); n != 3 {
			t.Errorf("gel after the edit finds %d, want 3 (gelatine in a description)", n)
		}
		if n := total("gels cooling"); n != 1 {
			t.Errorf("gels cooling finds %d, want 1", n)
		}
		if n := total("wordy pack"); n != 12 {
			t.Errorf("wordy pack finds %d, want all 12 (more words than a term expands into)", n)
		}
		if n := total("wordyc"); n != 1 {
			t.Errorf("wordyc finds %d, want 1", n)
		}
		if n := total("gel qqqzz"); n != 0 {
			t.Errorf("gel qqqzz finds %d, want none", n)
		}
	})
}

// TestSearchPriceIsTheCardPrice: the price filter and sort use the price a
// product's card shows (its cheapest variant), and pages follow each other
// without gaps or repeats, on both engines.
func TestSearchPriceIsTheCardPrice(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		svc, tid := newService(t, e)
		ctx := context.Background()
		p := &catalog.Product{Name: "Two sizes", Variants: []catalog.Variant{{SKU: "BIG", Price: 5000, Stock: 1}, {SKU: "SMALL", Price: 900, Stock: 1}}}
		if err := svc.SaveProduct(ctx, tid, p); err != nil {
			t.Fatal(err)
		}
		r, _ := svc.Search(ctx, tid, catalog.Query{MinPrice: -1, MaxPrice: 1000})
		if r.Total != 1 {
			t.Fatalf("max 10.00 finds %d, want the product from 9.00", r.Total)
		}
		if r, _ := svc.Search(ctx, tid, catalog.Query{MinPrice: 1000, MaxPrice: -1}); r.Total != 0 {
			t.Fatalf("min 10.00 finds %d, want none: the product is sold from 9.00", r.Total)
		}
		if err := svc.GenerateProducts(ctx, tid, 60, 30, nil); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		last := int64(-1)
		for page := 1; page <= 7; page++ {
			r, err := svc.Search(ctx, tid, catalog.Query{Text: "count", MinPrice: -1, MaxPrice: -1, Sort: catalog.SortPriceAsc, Page: page, PerPage: 10})
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != 60 {
				t.Fatalf("total %d, want 60", r.Total)
			}
			for _, p := range r.Products {
				price, _ := p.MinPrice()
				if seen[p.ID] || price < last {
					t.Fatalf("page %d: %s repeated or out of price order", page, p.Name)
				}
				seen[p.ID], last = true, price
			}
		}
		if len(seen) != 60 {
			t.Fatalf("pages showed %d products, want 60", len(seen))
		}
	})
}

// TestSearchKeepsProductsPerVersion: a search's page comes from the products
// kept at the catalog version after the first search (one statement), and a
// change, on this replica at once and on another within the version's second,
// shows in the next search.
func TestSearchKeepsProductsPerVersion(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		db := testkit.OpenStore(t, e, store.Catalog)
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		ten := &tenant.Tenant{ID: id.New(), Slug: "t", Name: "T", Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
		ctx := context.Background()
		if err := store.NewTenants(db).Create(ctx, ten); err != nil {
			t.Fatal(err)
		}
		clk := clock.NewFake(now)
		svc := catalog.NewService(store.NewCatalogRepo(db), clk)
		other := catalog.NewService(store.NewCatalogRepo(db), clk) // another replica
		cat := &catalog.Category{TenantID: ten.ID, Slug: "zinc", Name: "Zinc"}
		if err := svc.SaveCategory(ctx, cat); err != nil {
			t.Fatal(err)
		}
		p := &catalog.Product{Name: "Zinc Gummies", CategoryID: cat.ID, Variants: []catalog.Variant{{SKU: "Z1", Price: 900, Stock: 1}}}
		if err := svc.SaveProduct(ctx, ten.ID, p); err != nil {
			t.Fatal(err)
		}
		price := func(s *catalog.Service, maxPrice int64) (int64, string) {
			t.Helper()
			r, err := s.Search(ctx, ten.ID, catalog.Query{Text: "zinc", Category: "zinc", MinPrice: -1, MaxPrice: maxPrice})
			if err != nil || len(r.Products) != 1 || len(r.Categories) != 1 {
				t.Fatalf("search: %v, %d products", err, len(r.Products))
			}
			pr, _ := r.Products[0].MinPrice()
			return pr, r.Categories[0].Name
		}
		if got, _ := price(svc, 100000); got != 900 {
			t.Fatalf("price %d, want 900", got)
		}
		before := db.Statements()
		if got, _ := price(svc, 100001); got != 900 {
			t.Fatalf("price %d, want 900", got)
		}
		if n := db.Statements() - before; n != 1 {
			t.Errorf("a search with its products kept ran %d statements, want 1", n)
		}
		p.Variants[0].Price = 700
		if err := svc.SaveProduct(ctx, ten.ID, p); err != nil {
			t.Fatal(err)
		}
		if got, _ := price(svc, 100002); got != 700 {
			t.Fatalf("after a price change the search shows %d, want 700", got)
		}
		if got, _ := price(other, 100003); got != 700 {
			t.Fatalf("the other replica shows %d, want 700", got)
		}
		// A change through this replica reaches the other within a second.
		p.Variants[0].Price = 650
		if err := svc.SaveProduct(ctx, ten.ID, p); err != nil {
			t.Fatal(err)
		}
		cat.Name = "Zinc and more"
		if err := svc.SaveCategory(ctx, cat); err != nil {
			t.Fatal(err)
		}
		clk.Advance(2 * time.Second)
		if got, name := price(other, 100004); got != 650 || name != "Zinc and more" {
			t.Fatalf("the other replica shows %d in %q, want 650 in the renamed category", got, name)
		}
	})
}

// TestMemorySearchIsTheSQLSearch compares, on each engine, every search
// without text that memory answers (memsearch.go) with the store's SQL for
// the same spec: ids in order, total, category, flag and tag counts. The
// catalog mixes categories, none, tags, none, draft products, upper case and
// accented names, equal names and equal prices.
func TestMemorySearchIsTheSQLSearch(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		db := testkit.OpenStore(t, e, store.Catalog)
		now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
		ten := &tenant.Tenant{ID: id.New(), Slug: "t", Name: "T", Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
		ctx := context.Background()
		if err := store.NewTenants(db).Create(ctx, ten); err != nil {
			t.Fatal(err)
		}
		repo := store.NewCatalogRepo(db)
		svc := catalog.NewService(repo, clock.NewFake(now))
		tid := ten.ID
		cats := seed(t, svc, tid)
		if err := svc.GenerateProducts(ctx, tid, 150, 50, nil); err != nil {
			t.Fatal(err)
		}
		for i, name := range []string{"ZINC Upper", "zinc lower", "Éclair Vitamins", "Same Name", "Same Name", "Ärzte Set"} {
			p := &catalog.Product{Name: name, Slug: fmt.Sprintf("x-%d", i), Variants: []catalog.Variant{{SKU: fmt.Sprintf("X%d", i), Price: 599, Stock: int64(i % 2)}}}
			if i == 5 {
				p.Status = catalog.StatusDraft
			}
			if err := svc.SaveProduct(ctx, tid, p); err != nil {
				t.Fatal(err)
			}
		}
		catIDs := []string{""}
		for _, c := range cats {
			catIDs = append(catIDs, c)
		}
		n := 0
		for _, catID := range catIDs {
			for _, tag := range []string{"", "glucose", "immune", "nope"} {
				for _, f := range []catalog.Query{{MinPrice: -1, MaxPrice: -1}, {MinPrice: 500, MaxPrice: 2000}, {MinPrice: -1, MaxPrice: 100000, InStock: true},
					{MinPrice: 700, MaxPrice: -1, Rx: "none", HSA: true}, {MinPrice: -1, MaxPrice: -1, Rx: "only"}} {
					for _, sort := range []string{catalog.SortRelevance, catalog.SortName, catalog.SortPriceAsc, catalog.SortPriceDesc} {
						for _, pg := range [][2]int{{1, 24}, {2, 7}, {40, 5}} {
							q := f
							q.Tag, q.Sort, q.Page, q.PerPage = tag, sort, pg[0], pg[1]
							spec := catalog.Spec{Query: q, CategoryID: catID}
							ids, c, ok, err := catalog.MemSearch(ctx, svc, tid, spec)
							if err != nil || !ok {
								t.Fatalf("memory search: %v, %v", ok, err)
							}
							ids2, c2, err := repo.Search(ctx, tid, spec)
							if err != nil {
								t.Fatal(err)
							}
							got, want := fmt.Sprintf("%v %+v", ids, c), fmt.Sprintf("%v %+v", ids2, c2)
							if got != want {
								t.Fatalf("%+v in %q:\nmemory %s\nSQL    %s", q, catID, got, want)
							}
							n++
						}
					}
				}
			}
		}
		if _, _, ok, _ := catalog.MemSearch(ctx, svc, tid, catalog.Spec{Query: catalog.Query{MinPrice: -1, MaxPrice: -1, Sort: catalog.SortNewest}}); ok {
			t.Error("memory answered the newest first")
		}
		t.Logf("%d searches the same", n)
	})
}

// TestKeptProductsAreBounded pages through more products than a tenant may
// keep: every page is whole and in order, and what is kept stays bounded
// (and counted right).
func TestKeptProductsAreBounded(t *testing.T) {
	svc, tid := newService(t, store.SQLite)
	ctx := context.Background()
	if err := svc.GenerateProducts(ctx, tid, 1150, 1150, nil); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for page := 1; page <= 12; page++ {
		r, err := svc.Search(ctx, tid, catalog.Query{Text: "count", MinPrice: -1, MaxPrice: -1, Sort: catalog.SortName, Page: page, PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		if want := min(100, 1150-(page-1)*100); len(r.Products) != want {
			t.Fatalf("page %d has %d products, want %d", page, len(r.Products), want)
		}
		for _, p := range r.Products {
			if seen[p.ID] {
				t.Fatalf("page %d repeats %s", page, p.Name)
			}
			seen[p.ID] = true
		}
		if n := catalog.KeptProducts(svc); n < 0 || n > 1024 {
			t.Fatalf("after page %d the service keeps %d products", page, n)
		}
	}
}

// TestSearchWhileSaving searches from several goroutines while products are
// saved (run with -race): what the service keeps per version is shared.
func TestSearchWhileSaving(t *testing.T) {
	svc, tid := newService(t, store.SQLite)
	ctx := context.Background()
	if err := svc.GenerateProducts(ctx, tid, 100, 100, nil); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 30 {
				q := catalog.Query{MinPrice: -1, MaxPrice: -1, Page: 1 + i%3, PerPage: 10}
				if g%2 == 1 {
					q.Text = "count"
				}
				r, err := svc.Search(ctx, tid, q)
				if err == nil && len(r.Products) == 0 {
					err = fmt.Errorf("search %d found nothing", i)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for i := range 10 {
		p := &catalog.Product{Name: fmt.Sprintf("Saved %d count", i), Variants: []catalog.Variant{{SKU: fmt.Sprintf("SV%d", i), Price: 100, Stock: 1}}}
		if err := svc.SaveProduct(ctx, tid, p); err != nil {
			t.Fatal(err)
		}
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
