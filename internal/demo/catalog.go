package demo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"strings"
	"sync"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// SeedCatalog fills an empty catalog with the demo categories, about 200
// products, and a landing page and menu. A tenant that has products already
// is left alone; it reports whether it seeded. The products' drawn images are
// not made here: drawing them is most of the seeding's work, so the demo
// serves first and SeedImages adds them after.
func SeedCatalog(ctx context.Context, svc *catalog.Service, tenantID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	hits, err := svc.AllProducts(ctx, tenantID)
	if err != nil {
		return false, err
	}
	if len(hits) > 0 {
		return false, nil
	}
	catIDs := map[string]string{}
	for i, c := range demoCategories {
		cat := &catalog.Category{TenantID: tenantID, Slug: c[0], Name: c[1], Description: c[2], Position: i}
		if err := svc.SaveCategory(ctx, cat); err != nil {
			return false, fmt.Errorf("demo category %s: %w", c[0], err)
		}
		catIDs[c[0]] = cat.ID
	}
	var ps []*catalog.Product
	for _, c := range demoCategories {
		for i, line := range strings.Split(demoProducts[c[0]], "\n") {
			p, err := demoProduct(line, i+1, c[0], c[1], catIDs[c[0]])
			if err != nil {
				return false, err
			}
			if err := svc.Prepare(tenantID, p); err != nil {
				return false, fmt.Errorf("demo product %s: %w", p.Name, err)
			}
			ps = append(ps, p)
		}
	}
	if err := svc.SaveProducts(ctx, tenantID, ps); err != nil {
		return false, err
	}
	page := &catalog.Page{TenantID: tenantID, Slug: "diabetes-month", Title: "Diabetes care, delivered", Published: true,
		Body: "Everything you need to manage diabetes at home, with free delivery on test strips.\n\n" +
			"## What we stock\n\n- [Glucose meters and test strips](/categories/diabetes-care)\n- Pen needles, lancets and sharps containers\n- [Prescription insulin](/products?q=insulin&rx=only), verified by our pharmacists\n\n" +
			"**Most diabetes supplies are HSA/FSA eligible.** [See all eligible items](/products?hsa=1&category=diabetes-care)."}
	if err := svc.SavePage(ctx, page); err != nil {
		return false, err
	}
	menu := "Shop all | /products\nVitamins | /categories/vitamins\nDiabetes care | /categories/diabetes-care\nPrescriptions | /categories/prescription\nDiabetes month | /pages/diabetes-month\n"
	if err := svc.SaveMenu(ctx, tenantID, menu); err != nil {
		return false, err
	}
	return true, nil
}

// SeedImages draws and adds the picture of every demo product (of both
// brands) in a demo category that has none yet, on workers goroutines, and returns how many it
// added. Each image is stored as soon as it is drawn, so a demo stopped
// half-way (ctx ended) finishes the rest on its next start; a product whose
// image an admin deleted in another category is left alone.
func SeedImages(ctx context.Context, catalogDB *store.DB, clk clock.Clock, workers int) (int, error) {
	svc := catalog.NewService(store.NewCatalogRepo(catalogDB), clk)
	type job struct {
		tenantID, category string
		p                  *catalog.Product
	}
	var todo []job
	for _, slug := range []string{TenantSlug, TravelSlug} {
		t, err := store.NewTenants(catalogDB).BySlug(ctx, slug)
		if apperr.Is(err, apperr.NotFound) && slug == TravelSlug {
			continue // seeded by a later start
		}
		if err != nil {
			return 0, err
		}
		cats, err := svc.Categories(ctx, t.ID)
		if err != nil {
			return 0, err
		}
		slugOf := make(map[string]string, len(cats))
		for _, c := range cats {
			slugOf[c.ID] = c.Slug
		}
		ps, err := svc.AllProducts(ctx, t.ID)
		if err != nil {
			return 0, err
		}
		for _, p := range ps {
			cat := slugOf[p.CategoryID]
			if cat == "" && strings.HasPrefix(p.Slug, "care-group-") {
				// The organisation's shared products (orgProducts) in a brand
				// without their category: drawn as first aid.
				cat = "first-aid"
			}
			if len(p.Images) == 0 && cat != "" {
				todo = append(todo, job{t.ID, cat, p})
			}
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	var (
		mu    sync.Mutex
		added int
		errs  []error
		wg    sync.WaitGroup
	)
	next := make(chan job)
	for range max(workers, 1) {
		wg.Go(func() {
			for j := range next {
				p := j.p
				up, err := catalog.ProcessImage(ProductImage(p.Name, j.category))
				if err == nil {
					err = svc.AddImage(ctx, j.tenantID, p.ID, p.Name, up)
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, fmt.Errorf("demo image %s: %w", p.Name, err))
				} else {
					added++
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, j := range todo {
		select {
		case next <- j:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if len(errs) == 0 && ctx.Err() != nil {
		errs = append(errs, ctx.Err())
	}
	return added, errors.Join(errs...)
}

// demoProduct reads one line of demoProducts.
func demoProduct(line string, num int, catSlug, catName, catID string) (*catalog.Product, error) {
	f := strings.Split(strings.TrimSpace(line), "|")
	if len(f) != 5 {
		return nil, fmt.Errorf("demo product line %q", line)
	}
	p := &catalog.Product{Name: f[0], Brand: f[1], Tags: strings.Split(f[2], ","), CategoryID: catID, Status: catalog.StatusActive,
		RequiresPrescription: strings.Contains(f[4], "rx"), HSAFSAEligible: strings.Contains(f[4], "hsa")}
	for i, v := range strings.Split(f[3], ",") {
		parts := strings.Split(v, ":")
		if len(parts) != 3 {
			return nil, fmt.Errorf("demo variant %q", v)
		}
		price, err1 := strconv.ParseInt(parts[1], 10, 64)
		stock, err2 := strconv.ParseInt(parts[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("demo variant %q", v)
		}
		sku := strings.ToUpper(fmt.Sprintf("%s-%03d-%d", catSlug[:3], num, i+1))
		v := catalog.Variant{SKU: sku, Name: parts[0], Price: price, Currency: "USD", Stock: stock}
		if strings.Contains(p.Name, "Strips") && price >= 1000 {
			// Volume prices on test strips, bought by the box every month.
			v.PriceBreaks = []catalog.PriceBreak{{MinQuantity: 3, UnitPrice: price * 95 / 100}, {MinQuantity: 6, UnitPrice: price * 90 / 100}}
		}
		p.Variants = append(p.Variants, v)
	}
	p.Summary = summaryFor(p, catName)
	p.Description = descriptionFor(p, catSlug)
	return p, nil
}

func summaryFor(p *catalog.Product, catName string) string {
	s := p.Brand + " " + strings.ToLower(catName) + "."
	if p.RequiresPrescription {
		s = "Prescription medicine from " + p.Brand + ". Verified by our pharmacists before it ships."
	}
	return s
}

func descriptionFor(p *catalog.Product, cat string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** by %s.\n\n", p.Name, p.Brand)
	switch cat {
	case "prescription":
		b.WriteString("A valid prescription is required. After you order, a pharmacist checks your prescription with your prescriber; the order ships once it is verified.\n\n- Dispensed by a licensed pharmacy\n- Private, discreet packaging\n- Refill reminders available in your account\n")
	case "vitamins":
		b.WriteString("Third-party tested for purity and potency.\n\n- No artificial colours\n- Gluten free\n- Take with food, as directed on the label\n\n*These statements have not been evaluated by the Food and Drug Administration.*\n")
	case "diabetes-care":
		b.WriteString("Everyday diabetes supplies you can count on.\n\n- Compatible with the matching meter or device where noted\n- Ships in temperature-safe packaging\n- Most items are HSA/FSA eligible\n")
	case "mobility":
		b.WriteString("Built for safety and comfort at home and on the go.\n\n- Latex free\n- Easy to adjust without tools\n- Check the weight capacity on the label before use\n")
	case "first-aid":
		b.WriteString("Be ready for everyday cuts, scrapes and sprains.\n\n- Sterile where marked\n- Store in a cool, dry place\n- Seek medical care for deep or serious wounds\n")
	case "monitors":
		b.WriteString("Accurate readings at home to share with your care team.\n\n- Clinically validated where marked\n- Batteries included\n- Read the instructions before first use\n")
	case "travel-medicines":
		b.WriteString("For the trip, from our travel clinic.\n\n- Start as the label or your clinician says, often before you leave\n- Prescription items are checked by a clinician before they ship\n- Ask us which medicines your destination calls for\n")
	case "essentials":
		b.WriteString("Packed for the road.\n\n- Travel-size where marked\n- Check airline rules for liquids\n- Store out of direct sun\n")
	default:
		b.WriteString("Trusted relief for the whole family.\n\n- Use only as directed\n- Keep out of reach of children\n- Ask a pharmacist if you take other medicines\n")
	}
	return b.String()
}

func hash(s string) uint32 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(s))
	return h.Sum32()
}

// ProductImage draws a product picture (360 x 360 PNG) from its name and
// category: the same input always gives the same image, and nothing is
// fetched. Bottles for medicines and vitamins, a device for meters and
// monitors, a box for supplies, a cross for first aid, a wheel for mobility.
func ProductImage(name, category string) []byte {
	const n = 360
	hsh := hash(name)
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	bg := color.NRGBA{0xf4, 0xf6, 0xf8, 0xff}
	palette := []color.NRGBA{
		{0x1f, 0x4e, 0x79, 0xff}, {0x0b, 0x7a, 0x75, 0xff}, {0xb0, 0x3a, 0x2e, 0xff}, {0x6a, 0x3d, 0x9a, 0xff},
		{0xd9, 0x8c, 0x1f, 0xff}, {0x2e, 0x7d, 0x32, 0xff}, {0x45, 0x5a, 0x64, 0xff}, {0xc2, 0x18, 0x5b, 0xff},
	}
	main := palette[hsh%8]
	accent := palette[(hsh/8)%8]
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	fill := func(x0, y0, x1, y1 int, c color.NRGBA) {
		for y := max(y0, 0); y < min(y1, n); y++ {
			for x := max(x0, 0); x < min(x1, n); x++ {
				img.SetNRGBA(x, y, c)
			}
		}
	}
	circle := func(cx, cy, r int, c color.NRGBA) {
		for y := cy - r; y <= cy+r; y++ {
			for x := cx - r; x <= cx+r; x++ {
				if (x-cx)*(x-cx)+(y-cy)*(y-cy) <= r*r && x >= 0 && y >= 0 && x < n && y < n {
					img.SetNRGBA(x, y, c)
				}
			}
		}
	}
	fill(0, 0, n, n, bg)
	// A soft floor shadow.
	fill(60, 300, 300, 312, color.NRGBA{0xdd, 0xe1, 0xe5, 0xff})
	switch category {
	case "vitamins", "prescription", "pain-relief", "cold-flu", "travel-medicines":
		// A bottle: cap, body, label with stripes.
		fill(140, 60, 220, 100, accent)
		fill(110, 100, 250, 300, main)
		fill(120, 150, 240, 250, white)
		fill(130, 170, 230, 182, accent)
		fill(130, 195, 200, 205, main)
		fill(130, 215, 215, 225, main)
		if category == "prescription" {
			fill(190, 160, 230, 168, color.NRGBA{0xb0, 0x00, 0x20, 0xff})
		}
	case "diabetes-care", "monitors":
		// A device: body, screen with digits, buttons.
		fill(100, 70, 260, 300, main)
		fill(120, 95, 240, 175, color.NRGBA{0xd8, 0xf0, 0xe8, 0xff})
		for i := range 3 {
			d := int(hsh>>(i*4)) % 10
			fill(135+i*35, 110, 160+i*35, 160, color.NRGBA{0x20, 0x30, 0x30, 0xff})
			fill(140+i*35, 115+d%3*10, 155+i*35, 125+d%3*10, color.NRGBA{0xd8, 0xf0, 0xe8, 0xff})
		}
		circle(145, 240, 18, accent)
		circle(215, 240, 18, white)
	case "mobility":
		// A wheel with spokes.
		circle(180, 180, 110, main)
		circle(180, 180, 90, bg)
		fill(172, 80, 188, 280, main)
		fill(80, 172, 280, 188, main)
		circle(180, 180, 20, accent)
	case "first-aid", "essentials":
		// A kit with a cross.
		fill(70, 110, 290, 290, main)
		fill(150, 85, 210, 110, accent)
		fill(160, 140, 200, 260, white)
		fill(120, 180, 240, 220, white)
	default:
		// A tube.
		fill(150, 50, 210, 80, accent)
		fill(130, 80, 230, 300, main)
		fill(140, 140, 220, 200, white)
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
