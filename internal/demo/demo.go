// Package demo seeds the data that `salve demo` shows: a demo tenant and its
// catalog (about 200 products, whose drawn images SeedImages adds once the
// demo serves), in an organisation with a second brand, a travel clinic with
// a dozen products of its own (SeedBrands); patients and staff as those
// features arrive. Seeding is idempotent:
// a second run finds the data and leaves it alone.
package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// TenantSlug is the demo tenant's slug.
const TenantSlug = "demo"

// Seed creates the demo data unless it exists; it reports whether it created
// any, in the catalog store. The demo tenant and its catalog are seeded
// separately, so a data directory from before the catalog gets its products
// on the next run.
func Seed(ctx context.Context, catalogDB *store.DB, clk clock.Clock) (bool, error) {
	repo := store.NewTenants(catalogDB)
	t, err := repo.BySlug(ctx, TenantSlug)
	created := false
	if apperr.Is(err, apperr.NotFound) {
		if t, err = seedTenant(ctx, repo, clk); err != nil {
			return false, err
		}
		created = true
	} else if err != nil {
		return false, err
	}
	svc := catalog.NewService(store.NewCatalogRepo(catalogDB), clk)
	seeded, err := SeedCatalog(ctx, svc, t.ID)
	if err != nil {
		return false, fmt.Errorf("demo catalog: %w", err)
	}
	legal, err := SeedLegalPages(ctx, svc, t.ID)
	if err != nil {
		return false, err
	}
	promoted, err := SeedPromotions(ctx, promo.NewService(store.NewPromotions(catalogDB), clk), t.ID, clk.Now())
	if err != nil {
		return false, fmt.Errorf("demo promotion: %w", err)
	}
	// White label (issue 20): the pharmacy is one brand of an organisation
	// whose second brand is a travel clinic.
	brands, err := SeedBrands(ctx, catalogDB, clk)
	if err != nil {
		return false, fmt.Errorf("demo brands: %w", err)
	}
	return created || seeded || legal || promoted || brands, nil
}

func seedTenant(ctx context.Context, repo *store.Tenants, clk clock.Clock) (*tenant.Tenant, error) {
	now := clk.Now()
	t := &tenant.Tenant{
		ID: id.NewAt(now), Slug: TenantSlug, Name: "Salve Demo Pharmacy",
		Hostnames: []string{"localhost", "127.0.0.1", "[::1]"},
		Theme:     tenant.Theme{Primary: "#1f4e79", Accent: "#0b7a75"},
		IsDefault: true, CreatedAt: now, UpdatedAt: now,
	}
	if err := t.SetLogo(Logo()); err != nil {
		return nil, fmt.Errorf("demo logo: %w", err)
	}
	t.Normalize()
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if err := repo.Create(ctx, t); err != nil {
		return nil, err
	}
	return t, nil
}

// Logo draws the demo logo: a white cross on a rounded teal square, made here
// so that nothing is fetched.
func Logo() []byte {
	return drawLogo(color.NRGBA{0x0b, 0x7a, 0x75, 0xff}, func(x, y int) bool {
		return (x >= 26 && x < 38 && y >= 12 && y < 52) || (y >= 26 && y < 38 && x >= 12 && x < 52)
	})
}

// drawLogo draws a 64×64 PNG: a square of colour bg with corners rounded to
// a radius of 12, white where glyph says so.
func drawLogo(bg color.NRGBA, glyph func(x, y int) bool) []byte {
	const n = 64
	img := image.NewNRGBA(image.Rect(0, 0, n, n))
	white := color.NRGBA{0xff, 0xff, 0xff, 0xff}
	for y := range n {
		for x := range n {
			// rounded corners of radius 12
			cx, cy := min(max(x, 12), n-13), min(max(y, 12), n-13)
			if (x-cx)*(x-cx)+(y-cy)*(y-cy) > 144 {
				continue
			}
			c := bg
			if glyph(x, y) {
				c = white
			}
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
