package demo

import (
	"context"
	"fmt"
	"image/color"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// The demo organisation and its brands (issue 20, white label): the demo
// pharmacy (TenantSlug) is its diabetes-care brand, at localhost and
// DiabetesHost; the travel clinic is a second brand at TravelHost with its
// own logo, colours, email sender and catalog. Both names under .localhost
// resolve to loopback in browsers, so both brands open on one demo.
const (
	OrgSlug      = "salve-care"
	TravelSlug   = "travel"
	DiabetesHost = "diabetes.localhost"
	TravelHost   = "travel.localhost"
)

// orgSettings are what the organisation sets and both brands inherit unless
// they override it: the diabetes brand inherits all of them.
var orgSettings = [][2]string{
	{tenant.SetPrimaryColor, "#1f4e79"},
	{tenant.SetAccentColor, "#0b7a75"},
	{tenant.SetFooter, "Salve Care Group: a demo, not a real pharmacy or clinic."},
	{tenant.SetEmailSenderName, "Salve Care Group"},
	{tenant.SetEmailSenderAddress, "care@salve-demo.example"},
}

// travelSettings are the travel brand's overrides.
var travelSettings = [][2]string{
	{tenant.SetPrimaryColor, "#5b2a86"},
	{tenant.SetAccentColor, "#a34712"},
	{tenant.SetEmailSenderName, "Salve Travel Clinic"},
	{tenant.SetEmailSenderAddress, "travel@salve-demo.example"},
}

// SeedBrands puts the demo pharmacy into the demo organisation (adding
// DiabetesHost to its host names) and creates the travel brand with its
// catalog, unless they exist; it reports whether it changed anything. A
// data directory from before the organisation gets it on its next start.
func SeedBrands(ctx context.Context, catalogDB *store.DB, clk clock.Clock) (bool, error) {
	repo := store.NewTenants(catalogDB)
	now := clk.Now()
	changed := false
	org, err := repo.OrgBySlug(ctx, OrgSlug)
	if apperr.Is(err, apperr.NotFound) {
		org = &tenant.Organisation{ID: id.NewAt(now), Slug: OrgSlug, Name: "Salve Care Group", CreatedAt: now, UpdatedAt: now}
		if err := repo.CreateOrg(ctx, org); err != nil {
			return false, fmt.Errorf("demo organisation: %w", err)
		}
		for _, s := range orgSettings {
			if err := repo.SetSetting(ctx, org.ID, s[0], s[1], now); err != nil {
				return false, fmt.Errorf("demo organisation %s: %w", s[0], err)
			}
		}
		changed = true
	} else if err != nil {
		return false, err
	}
	pharmacy, err := repo.BySlug(ctx, TenantSlug)
	if err != nil {
		return false, err
	}
	if pharmacy.OrgID == "" || !slices.Contains(pharmacy.Hostnames, DiabetesHost) {
		if pharmacy.OrgID == "" {
			pharmacy.OrgID = org.ID
		}
		if !slices.Contains(pharmacy.Hostnames, DiabetesHost) {
			pharmacy.Hostnames = append(pharmacy.Hostnames, DiabetesHost)
		}
		pharmacy.UpdatedAt = now
		if err := repo.Update(ctx, pharmacy); err != nil {
			return false, fmt.Errorf("demo pharmacy into its organisation: %w", err)
		}
		changed = true
	}
	travel, err := repo.BySlug(ctx, TravelSlug)
	if apperr.Is(err, apperr.NotFound) {
		travel = &tenant.Tenant{ID: id.NewAt(now), Slug: TravelSlug, Name: "Salve Travel Clinic", Hostnames: []string{TravelHost},
			Theme: tenant.DefaultTheme, OrgID: org.ID, CreatedAt: now, UpdatedAt: now}
		if err := travel.SetLogo(TravelLogo()); err != nil {
			return false, fmt.Errorf("demo travel logo: %w", err)
		}
		travel.Normalize()
		if err := travel.Validate(); err != nil {
			return false, err
		}
		if err := repo.Create(ctx, travel); err != nil {
			return false, fmt.Errorf("demo travel brand: %w", err)
		}
		for _, s := range travelSettings {
			if err := repo.SetSetting(ctx, travel.ID, s[0], s[1], now); err != nil {
				return false, fmt.Errorf("demo travel brand %s: %w", s[0], err)
			}
		}
		changed = true
	} else if err != nil {
		return false, err
	}
	svc := catalog.NewService(store.NewCatalogRepo(catalogDB), clk)
	seeded, err := seedTravelCatalog(ctx, svc, travel.ID)
	if err != nil {
		return false, fmt.Errorf("demo travel catalog: %w", err)
	}
	legal, err := SeedLegalPages(ctx, svc, travel.ID)
	if err != nil {
		return false, err
	}
	shared, err := seedOrgCatalog(ctx, catalogDB, clk, org.ID, pharmacy.ID, travel.ID)
	if err != nil {
		return false, fmt.Errorf("demo organisation catalog: %w", err)
	}
	return changed || seeded || legal || shared, nil
}

// orgProducts are the demo organisation's shared catalog, in the format of
// demoProducts: the last field lists the brands that sell it ("both" or
// "pharmacy"); the travel clinic sells the sanitiser at a price of its own
// (travelPrices).
var orgProducts = []string{
	"Care Group Hand Sanitiser Gel|Salve Care|hygiene,travel|100 ml:399:300,500 ml:999:120|both",
	"Care Group Blister Plasters|Salve Care|blisters,walking|10 plasters:649:200|both",
	"Care Group Reusable Water Bottle|Salve Care|water,travel|750 ml:1499:80|both",
	"Care Group Glucose Tablets|Salve Care|glucose,diabetes|50 tablets:549:150|pharmacy",
}

// travelPrices are the travel clinic's own prices, by organisation SKU.
var travelPrices = map[string]string{"ORG-CARE-GROUP-HAND-SANITISER-GEL-1": "4.49"}

// seedOrgCatalog fills the organisation's empty shared catalog and makes
// both brands choose from it: the first products in both, the glucose
// tablets in the pharmacy only, the sanitiser at the travel clinic's own
// price. An organisation with products is left alone.
func seedOrgCatalog(ctx context.Context, db *store.DB, clk clock.Clock, orgID, pharmacyID, travelID string) (bool, error) {
	repo := store.NewOrgCatalogRepo(db)
	svc := catalog.NewService(repo, clk)
	have, err := svc.AllProducts(ctx, orgID)
	if err != nil || len(have) > 0 {
		return false, err
	}
	var ps []*catalog.Product
	sellers := map[*catalog.Product]string{}
	for i, line := range orgProducts {
		fields := strings.Split(line, "|")
		p, err := demoProduct(strings.Join(fields[:len(fields)-1], "|")+"|hsa", i+1, "first-aid", "First aid", "first-aid")
		if err != nil {
			return false, err
		}
		for j := range p.Variants {
			p.Variants[j].SKU = fmt.Sprintf("ORG-%s-%d", strings.ToUpper(catalog.Slugify(p.Name)), j+1)
		}
		if err := svc.Prepare(orgID, p); err != nil {
			return false, fmt.Errorf("product %s: %w", p.Name, err)
		}
		ps = append(ps, p)
		sellers[p] = fields[len(fields)-1]
	}
	if err := svc.SaveProducts(ctx, orgID, ps); err != nil {
		return false, err
	}
	now := clk.Now()
	for _, p := range ps {
		brands := []string{pharmacyID}
		if sellers[p] == "both" {
			brands = append(brands, travelID)
		}
		for _, b := range brands {
			if err := repo.Choose(ctx, b, p.ID, true, now); err != nil {
				return false, fmt.Errorf("choose %s: %w", p.Name, err)
			}
		}
		for _, v := range p.Variants {
			if price, ok := travelPrices[v.SKU]; ok {
				minor, err := catalog.ParseBrandPrice(price)
				if err != nil {
					return false, err
				}
				if err := repo.SetPrice(ctx, travelID, v.ID, minor, now); err != nil {
					return false, fmt.Errorf("travel price of %s: %w", v.SKU, err)
				}
			}
		}
	}
	return true, nil
}

// travelCategories and travelProducts are the travel clinic's own catalog,
// in the format of demoCategories and demoProducts; it also sells part of
// the organisation's shared catalog (orgProducts).
var travelCategories = [][3]string{
	{"travel-medicines", "Travel medicines", "Medicines for the trip: malaria, altitude, motion sickness and upset stomachs. Prescription items are checked by our clinicians."},
	{"essentials", "Travel essentials", "Insect repellent, sun protection, first aid and safe water, packed for the road."},
}

var travelProducts = map[string]string{
	"travel-medicines": `Malaria Prevention Tablets (Atovaquone/Proguanil)|Generic|malaria,prescription|12 tablets:4599:60,24 tablets:8499:40|rx
Travellers' Diarrhoea Treatment (Azithromycin)|Generic|diarrhoea,antibiotic|3 tablets:2499:50|rx
Altitude Sickness Prevention (Acetazolamide)|Generic|altitude,prescription|10 tablets:1999:40|rx
Motion Sickness Tablets|CalmSea|motion sickness,nausea|12 tablets:699:120|
Oral Rehydration Salts|HydraLyte|rehydration,diarrhoea|10 sachets:899:150|hsa
Antihistamine Tablets, Non-Drowsy|ClearDay|allergy|30 tablets:1099:100|hsa`,
	"essentials": `Insect Repellent 50% DEET|TrekGuard|mosquito,repellent|100 ml:1299:200|hsa
Permethrin Clothing Treatment|TrekGuard|mosquito,clothing|250 ml:1599:80|
Sunscreen SPF 50, Water Resistant|SunSafe|sun|100 ml:999:180,200 ml:1699:90|hsa
Travel First Aid Kit|Salve Travel|first aid,kit|Compact:2499:60,Family:3999:30|hsa
Water Purification Tablets|PureDrop|water|50 tablets:1199:140|
Compression Travel Socks|FlightFit|flight,circulation|S/M:1499:70,L/XL:1499:70|hsa`,
}

// seedTravelCatalog fills the travel brand's empty catalog: two categories,
// a dozen products, a landing page and a menu. A brand with products is left
// alone; it reports whether it seeded.
func seedTravelCatalog(ctx context.Context, svc *catalog.Service, tenantID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	hits, err := svc.AllProducts(ctx, tenantID)
	if err != nil || len(hits) > 0 {
		return false, err
	}
	var ps []*catalog.Product
	for i, c := range travelCategories {
		cat := &catalog.Category{TenantID: tenantID, Slug: c[0], Name: c[1], Description: c[2], Position: i}
		if err := svc.SaveCategory(ctx, cat); err != nil {
			return false, fmt.Errorf("category %s: %w", c[0], err)
		}
		for j, line := range strings.Split(travelProducts[c[0]], "\n") {
			p, err := demoProduct(line, j+1, c[0], c[1], cat.ID)
			if err != nil {
				return false, err
			}
			if err := svc.Prepare(tenantID, p); err != nil {
				return false, fmt.Errorf("product %s: %w", p.Name, err)
			}
			ps = append(ps, p)
		}
	}
	if err := svc.SaveProducts(ctx, tenantID, ps); err != nil {
		return false, err
	}
	page := &catalog.Page{TenantID: tenantID, Slug: "before-you-fly", Title: "Before you fly", Published: true,
		Body: "Six weeks before a trip is the time to plan your travel health.\n\n" +
			"- [Malaria prevention](/products?q=malaria), prescribed after a short questionnaire\n- [Insect repellent and clothing treatment](/categories/essentials)\n" +
			"- [Travel medicines](/categories/travel-medicines) for altitude, motion sickness and upset stomachs\n"}
	if err := svc.SavePage(ctx, page); err != nil {
		return false, err
	}
	menu := "Shop all | /products\nTravel medicines | /categories/travel-medicines\nEssentials | /categories/essentials\nBefore you fly | /pages/before-you-fly\n"
	if err := svc.SaveMenu(ctx, tenantID, menu); err != nil {
		return false, err
	}
	return true, nil
}

// TravelLogo draws the travel clinic's logo: a white globe with a meridian
// and parallels on a rounded purple square, made here so that nothing is
// fetched.
func TravelLogo() []byte {
	return drawLogo(color.NRGBA{0x5b, 0x2a, 0x86, 0xff}, func(x, y int) bool {
		dx, dy := x-32, y-32
		d2 := dx*dx + dy*dy
		switch {
		case d2 <= 22*22 && d2 >= 19*19: // the globe's rim
			return true
		case d2 < 19*19 && (dx >= -1 && dx <= 1 || dy >= -1 && dy <= 1 || dy >= 9 && dy <= 10 || dy >= -10 && dy <= -9):
			return true // meridian, equator, parallels
		case d2 < 19*19 && 4*dx*dx+dy*dy <= 10*10*4 && 4*dx*dx+dy*dy >= 8*8*4:
			return true // the curved meridians
		}
		return false
	})
}
