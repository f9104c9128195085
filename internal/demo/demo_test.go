package demo_test

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestSeedIsCompleteAndIdempotent seeds the demo on each engine: about 200
// active products in the demo categories, each with a drawn image once
// SeedImages ran; a second run of either changes nothing.
func TestSeedIsCompleteAndIdempotent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := testkit.OpenStore(t, e, store.Catalog)
		stores := &server.Stores{Catalog: db}
		clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		created, err := demo.Seed(ctx, stores.Catalog, clk)
		if err != nil || !created {
			t.Fatalf("seed: %v %v", created, err)
		}
		again, err := demo.Seed(ctx, stores.Catalog, clk)
		if err != nil || again {
			t.Fatalf("second seed: %v %v", again, err)
		}
		// Seeding before listening draws no image: that is most of the work.
		t0, err := store.NewTenants(db).BySlug(ctx, demo.TenantSlug)
		if err != nil {
			t.Fatal(err)
		}
		before, err := catalog.NewService(store.NewCatalogRepo(db), clk).AllProducts(ctx, t0.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range before {
			if len(p.Images) != 0 {
				t.Fatalf("%s has an image before SeedImages: drawn before the demo serves", p.Name)
			}
		}
		// The images come after, once the demo serves; a stop half-way
		// (cancelled) leaves the rest to the next start, which draws only those.
		stopped, cancel := context.WithCancel(ctx)
		cancel()
		if n, err := demo.SeedImages(stopped, stores.Catalog, clk, 2); n != 0 || err == nil {
			t.Fatalf("images with a stopped context: %d %v", n, err)
		}
		n, err := demo.SeedImages(ctx, stores.Catalog, clk, 2)
		if err != nil || n < 190 {
			t.Fatalf("images: %d %v", n, err)
		}
		if n, err := demo.SeedImages(ctx, stores.Catalog, clk, 2); err != nil || n != 0 {
			t.Fatalf("images again: %d %v", n, err)
		}
		t2, err := store.NewTenants(db).BySlug(ctx, demo.TenantSlug)
		if err != nil {
			t.Fatal(err)
		}
		svc := catalog.NewService(store.NewCatalogRepo(db), clk)
		ps, err := svc.AllProducts(ctx, t2.ID)
		if err != nil || len(ps) < 190 || len(ps) > 210 {
			t.Fatalf("%d products, %v", len(ps), err)
		}
		rx, tiered := 0, 0
		for _, p := range ps {
			for _, v := range p.Variants {
				if len(v.PriceBreaks) > 0 {
					tiered++
				}
			}
			if len(p.Images) != 1 || len(p.Variants) == 0 || p.CategoryID == "" {
				t.Fatalf("%s: %d images, %d variants, category %q", p.Name, len(p.Images), len(p.Variants), p.CategoryID)
			}
			if p.RequiresPrescription {
				rx++
			}
		}
		if tiered == 0 {
			t.Fatal("no demo product has volume prices")
		}
		if rx < 20 {
			t.Fatalf("only %d prescription products", rx)
		}
		r, err := svc.Search(ctx, t2.ID, catalog.Query{Text: "test strips", MinPrice: -1, MaxPrice: -1, PerPage: 24})
		if err != nil || r.Total < 3 {
			t.Fatalf("search for test strips: %v %v", r, err)
		}
		checkBrands(t, db, svc)
	})
}

// checkBrands: the demo pharmacy is the diabetes brand of the demo
// organisation (its old host names kept, diabetes.localhost added), and the
// travel clinic is a second brand with its own host, logo, colours, email
// sender and a dozen products with their pictures; the catalogs are apart.
func checkBrands(t *testing.T, db *store.DB, svc *catalog.Service) {
	t.Helper()
	ctx := context.Background()
	repo := store.NewTenants(db)
	org, err := repo.OrgBySlug(ctx, demo.OrgSlug)
	if err != nil {
		t.Fatal(err)
	}
	pharmacy, err := repo.BySlug(ctx, demo.TenantSlug)
	if err != nil {
		t.Fatal(err)
	}
	travel, err := repo.BySlug(ctx, demo.TravelSlug)
	if err != nil {
		t.Fatal(err)
	}
	if pharmacy.OrgID != org.ID || travel.OrgID != org.ID || !pharmacy.IsDefault || travel.IsDefault {
		t.Fatalf("organisation %s: pharmacy in %q (default %v), travel in %q (default %v)", org.ID, pharmacy.OrgID, pharmacy.IsDefault, travel.OrgID, travel.IsDefault)
	}
	for _, h := range []string{"localhost", "127.0.0.1", demo.DiabetesHost} {
		if !slices.Contains(pharmacy.Hostnames, h) {
			t.Errorf("the pharmacy lost or lacks host %s: %v", h, pharmacy.Hostnames)
		}
	}
	if !slices.Equal(travel.Hostnames, []string{demo.TravelHost}) {
		t.Errorf("travel hosts %v", travel.Hostnames)
	}
	if travel.Logo.SHA256 == "" || travel.LogoInherited || travel.Logo.SHA256 == pharmacy.Logo.SHA256 || pharmacy.LogoInherited {
		t.Errorf("logos: travel %q (inherited %v), pharmacy %q", travel.Logo.SHA256, travel.LogoInherited, pharmacy.Logo.SHA256)
	}
	if travel.Theme == pharmacy.Theme || travel.Settings[tenant.SetPrimaryColor].From != "brand" {
		t.Errorf("themes: travel %+v, pharmacy %+v", travel.Theme, pharmacy.Theme)
	}
	// The pharmacy inherits its email sender and footer from the
	// organisation; the travel clinic sends as itself.
	if r := pharmacy.Settings[tenant.SetEmailSenderName]; r.From != "organisation" || r.Value != "Salve Care Group" {
		t.Errorf("pharmacy sender %+v", r)
	}
	if r := pharmacy.Settings[tenant.SetFooter]; r.From != "organisation" || r.Value == "" {
		t.Errorf("pharmacy footer %+v", r)
	}
	if travel.Setting(tenant.SetEmailSenderAddress) != "travel@salve-demo.example" || travel.Settings[tenant.SetFooter].From != "organisation" {
		t.Errorf("travel sender %q, footer %+v", travel.Setting(tenant.SetEmailSenderAddress), travel.Settings[tenant.SetFooter])
	}
	// A dozen of its own and three of the organisation's shared catalog.
	ps, err := svc.AllProducts(ctx, travel.ID)
	if err != nil || len(ps) != 15 {
		t.Fatalf("%d travel products, %v", len(ps), err)
	}
	// The shared products: the sanitiser in both brands, at the travel
	// clinic's own price there; the glucose tablets in the pharmacy only.
	for brand, want := range map[string]int64{pharmacy.ID: 399, travel.ID: 449} {
		p, err := svc.PublicProduct(ctx, brand, "care-group-hand-sanitiser-gel")
		if err != nil || p.Variants[0].Price != want {
			t.Errorf("sanitiser in %s: %+v %v", brand, p, err)
		}
	}
	if _, err := svc.PublicProduct(ctx, pharmacy.ID, "care-group-glucose-tablets"); err != nil {
		t.Errorf("glucose tablets in the pharmacy: %v", err)
	}
	if _, err := svc.PublicProduct(ctx, travel.ID, "care-group-glucose-tablets"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("glucose tablets in the travel clinic: %v", err)
	}
	for _, p := range ps {
		if len(p.Images) != 1 {
			t.Errorf("travel product %s has %d images", p.Name, len(p.Images))
		}
	}
	if r, err := svc.Search(ctx, travel.ID, catalog.Query{Text: "malaria", MinPrice: -1, MaxPrice: -1, PerPage: 24}); err != nil || r.Total < 1 {
		t.Errorf("travel search for malaria: %v %v", r, err)
	}
	if r, err := svc.Search(ctx, travel.ID, catalog.Query{Text: "test strips", MinPrice: -1, MaxPrice: -1, PerPage: 24}); err != nil || r.Total != 0 {
		t.Errorf("the travel clinic finds the pharmacy's test strips: %v %v", r, err)
	}
}

// TestSeedBrandsUpgradesAnOlderDemo: a data directory seeded before the
// organisation (the pharmacy alone, outside any) gets the organisation, the
// diabetes host and the travel brand on its next start, keeping its hosts.
func TestSeedBrandsUpgradesAnOlderDemo(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		db := testkit.OpenStore(t, e, store.Catalog)
		clk := clock.NewFake(time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC))
		old := &tenant.Tenant{ID: id.New(), Slug: demo.TenantSlug, Name: "Salve Demo Pharmacy", Hostnames: []string{"localhost", "127.0.0.1"},
			Theme: tenant.DefaultTheme, IsDefault: true, CreatedAt: clk.Now(), UpdatedAt: clk.Now()}
		if err := store.NewTenants(db).Create(ctx, old); err != nil {
			t.Fatal(err)
		}
		if changed, err := demo.SeedBrands(ctx, db, clk); err != nil || !changed {
			t.Fatalf("upgrade: %v %v", changed, err)
		}
		if changed, err := demo.SeedBrands(ctx, db, clk); err != nil || changed {
			t.Fatalf("second run: %v %v", changed, err)
		}
		p, err := store.NewTenants(db).BySlug(ctx, demo.TenantSlug)
		if err != nil || p.OrgID == "" || !slices.Equal(p.Hostnames, []string{"127.0.0.1", demo.DiabetesHost, "localhost"}) {
			t.Fatalf("pharmacy after the upgrade: %+v %v", p, err)
		}
		if _, err := store.NewTenants(db).BySlug(ctx, demo.TravelSlug); err != nil {
			t.Fatal(err)
		}
	})
}

func TestProductImagesAreDeterministic(t *testing.T) {
	a, b := demo.ProductImage("Vitamin C", "vitamins"), demo.ProductImage("Vitamin C", "vitamins")
	c := demo.ProductImage("Vitamin D", "vitamins")
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatal("images must depend on the name only, and always the same way")
	}
	if _, err := catalog.ProcessImage(a); err != nil {
		t.Fatal(err)
	}
}

// TestPeopleHashesMatchTheirPasswords: each demo account's shipped hash is
// its printed password under the default Argon2 cost (no rehash due), and the
// password passes the rules for its role.
func TestPeopleHashesMatchTheirPasswords(t *testing.T) {
	h := auth.NewHasher(auth.DefaultArgon2())
	for _, p := range demo.People {
		ok, rehash, err := h.Verify(context.Background(), p.Password, p.Hash)
		if err != nil || !ok || rehash {
			t.Errorf("%s: hash matches=%v rehash=%v err=%v", p.Email, ok, rehash, err)
		}
		if err := auth.CheckPassword(p.Password, p.Role.Staff(), auth.PasswordContext{Email: p.Email}); err != nil {
			t.Errorf("%s: password breaks the rules: %v", p.Email, err)
		}
	}
}

// TestSeedPeopleHashesNoPassword: with the default Argon2 cost, the demo's
// accounts are stored with the hashes that ship with the code, so no
// password is hashed before the demo serves; a second run makes none again.
func TestSeedPeopleHashesNoPassword(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
		ten := &tenant.Tenant{ID: id.New(), Slug: demo.TenantSlug, Name: "Salve Demo Pharmacy", Hostnames: []string{"demo.test"},
			Theme: tenant.DefaultTheme, CreatedAt: st.Clock.Now(), UpdatedAt: st.Clock.Now()}
		if err := store.NewTenants(st.Catalog).Create(ctx, ten); err != nil {
			t.Fatal(err)
		}
		svc, err := server.NewServices(st.Config, st.Stores, st.Clock, nil, auth.DefaultArgon2())
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := demo.SeedPeople(ctx, st.Catalog, svc.Accounts); err != nil {
				t.Fatal(err)
			}
		}
		users, err := store.NewUsers(st.PHI).List(ctx, ten.ID, "", 100)
		if err != nil || len(users) != len(demo.People) {
			t.Fatalf("%d demo accounts, %v", len(users), err)
		}
		shipped := map[string]bool{}
		for _, p := range demo.People {
			shipped[p.Hash] = true
		}
		for _, u := range users {
			if !shipped[u.PasswordHash] {
				t.Errorf("%s: a password was hashed at seeding, not taken from demo.People", u.Role)
			}
		}
	})
}

// TestSeedAppointments: the demo patient has two upcoming appointments and
// one past with the demo clinician, booked through the service's rules; a
// second run adds nothing.
func TestSeedAppointments(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
		ten := &tenant.Tenant{ID: id.New(), Slug: demo.TenantSlug, Name: "Salve Demo Pharmacy", Hostnames: []string{"demo.test"},
			Theme: tenant.DefaultTheme, CreatedAt: st.Clock.Now(), UpdatedAt: st.Clock.Now()}
		if err := store.NewTenants(st.Catalog).Create(ctx, ten); err != nil {
			t.Fatal(err)
		}
		svc, err := server.NewServices(st.Config, st.Stores, st.Clock, nil, testkit.TestArgon2)
		if err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedPeople(ctx, st.Catalog, svc.Accounts); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := demo.SeedAppointments(ctx, st.Catalog, st.PHI, svc.Appointments, st.Clock); err != nil {
				t.Fatal(err)
			}
		}
		pats, err := store.NewUsers(st.PHI).List(ctx, ten.ID, access.RolePatient, 1)
		if err != nil || len(pats) != 1 {
			t.Fatal(err)
		}
		me := access.WithActor(ctx, access.Actor{ID: pats[0].ID, Role: access.RolePatient, TenantID: ten.ID})
		up, past, err := svc.Appointments.ForPatient(me, ten.ID, pats[0].ID)
		if err != nil || len(up) != 2 || len(past) != 1 {
			t.Fatalf("%d upcoming, %d past: %v", len(up), len(past), err)
		}
		if up[0].Details.Clinician != "Dr Ana Rivera" || !past[0].Start.Before(st.Clock.Now()) {
			t.Errorf("upcoming %+v, past %v", up[0].Details, past[0].Start)
		}
		sum, err := svc.Appointments.Summary(me, ten.ID, pats[0].ID)
		if err != nil || len(sum.Lines) != 2 {
			t.Errorf("widget %+v %v", sum, err)
		}
	})
}
