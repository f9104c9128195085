package catalog

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/salvehealth/salve/internal/tenant"
)

// Words that generated products are made of (Generate). A two-word search of
// them, such as "zinc gummies", matches a few hundred of 100,000 products,
// as a real search in a large catalog does.
var (
	genBrands = []string{"Acme", "Verdant", "Northwell", "Solace", "Medica", "Purely", "Hale", "Vitalis",
		"Carewell", "Brightly", "Evercare", "Nordic", "Apex", "Kindred", "Meadow", "Summit"}
	genKinds = []string{"Vitamin C", "Vitamin D3", "Zinc", "Magnesium", "Calcium", "Omega 3", "Probiotic", "Melatonin",
		"Ibuprofen", "Acetaminophen", "Allergy Relief", "Glucose", "Lancet", "Bandage", "Thermometer",
		"Compression", "Saline", "Antacid", "Sunscreen", "Lotion", "Electrolyte", "Fiber", "Iron", "Biotin",
		"Turmeric", "Elderberry", "Collagen", "Protein", "Cough", "Nasal", "Eye Care", "Sleep"}
	genForms = []string{"Tablets", "Capsules", "Gummies", "Softgels", "Drops", "Spray", "Cream", "Powder",
		"Strips", "Monitor", "Wipes", "Patch", "Syrup", "Gel", "Kit", "Sleeve"}
	genAdjectives = []string{"Extra Strength", "Daily", "Gentle", "Advanced", "Junior", "Sugar Free",
		"Rapid Release", "Sensitive", "Night", "Original"}
	genTags = []string{"immune", "bone", "energy", "sleep", "pain", "allergy", "diabetes", "first-aid",
		"skin", "digestion", "heart", "kids", "senior", "vegan", "travel"}
)

// Generate makes n products from a fixed seed for load tests and benchmarks
// (salve catalog generate): names such as "Verdant Zinc Gentle Gummies 60
// count", spread over the given category ids (none when empty), with tags,
// one to three variants, prices from 1.99 to 199.99, some out of stock, some
// needing a prescription. first numbers them so that batches made one after
// another have distinct slugs and SKUs. The same arguments make the same
// products (but new ids).
func Generate(seed uint64, first, n int, categoryIDs []string) []*Product {
	// Why math/rand: generated products must be the same for the same seed
	// (reproducible benchmarks); nothing secret comes from this generator.
	r := rand.New(rand.NewPCG(seed, uint64(first))) //nolint:gosec // reproducible test data, not a secret

	pick := func(s []string) string { return s[r.IntN(len(s))] }
	out := make([]*Product, 0, n)
	for i := first; i < first+n; i++ {
		brand, kind, form, adj := pick(genBrands), pick(genKinds), pick(genForms), pick(genAdjectives)
		count := []int{10, 30, 60, 90, 120}[r.IntN(5)]
		name := fmt.Sprintf("%s %s %s %s %d count", brand, kind, adj, form, count)
		tags := []string{pick(genTags)}
		if t := pick(genTags); t != tags[0] {
			tags = append(tags, t)
		}
		p := &Product{
			Name: name, Slug: fmt.Sprintf("%s-%d", Slugify(name), i), Brand: brand, Tags: tags,
			Summary:              fmt.Sprintf("%s %s from %s, %d per pack.", adj, strings.ToLower(kind+" "+form), brand, count),
			Description:          fmt.Sprintf("%s %s %s. Generated product number %d for load tests.", brand, kind, strings.ToLower(form), i),
			RequiresPrescription: r.IntN(20) == 0,
			HSAFSAEligible:       r.IntN(3) > 0,
			Status:               StatusActive,
		}
		if len(categoryIDs) > 0 {
			p.CategoryID = categoryIDs[r.IntN(len(categoryIDs))]
		}
		base := int64(199 + r.IntN(19800))
		for v := range 1 + r.IntN(3) {
			stock := int64(r.IntN(50))
			if r.IntN(5) == 0 {
				stock = 0
			}
			p.Variants = append(p.Variants, Variant{SKU: fmt.Sprintf("GEN-%07d-%d", i, v), Name: fmt.Sprintf("Pack of %d", v+1),
				Price: base * int64(v+1), Currency: "USD", Stock: stock, Position: v})
		}
		out = append(out, p)
	}
	return out
}

// GenerateProducts adds n generated products (Generate) to a tenant in
// transactions of batch products, spread over its categories, calling progress
// after each with the number saved so far. Products from an earlier run are
// kept: numbering continues after the tenant's product count.
func (s *Service) GenerateProducts(ctx context.Context, tenantID string, n, batch int, progress func(done int)) error {
	ctx = tenant.WithScope(ctx, tenantID)
	cats, err := s.store.Categories(ctx, tenantID)
	if err != nil {
		return err
	}
	var catIDs []string
	for _, c := range cats {
		catIDs = append(catIDs, c.ID)
	}
	all, err := s.store.ProductWords(ctx, tenantID)
	if err != nil {
		return err
	}
	first := len(all)/3 + 1 // ProductWords gives three texts per product
	for done := 0; done < n; {
		size := min(batch, n-done)
		ps := Generate(1, first+done, size, catIDs)
		for _, p := range ps {
			if err := s.Prepare(tenantID, p); err != nil {
				return err
			}
		}
		if err := s.SaveProducts(ctx, tenantID, ps); err != nil {
			return err
		}
		done += size
		if progress != nil {
			progress(done)
		}
	}
	return nil
}
