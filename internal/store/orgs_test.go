package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestOrganisationSettingsInherit: a value set at the organisation flows to
// every brand that inherits it and not to one that overrides it; a parent
// brand's value comes before the organisation's; reset restores inheritance.
func TestOrganisationSettingsInherit(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		repo := store.NewTenants(testkit.OpenStore(t, e, store.Catalog))
		now := time.Now().UTC().Truncate(time.Microsecond)
		org := &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: now, UpdatedAt: now}
		if err := repo.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		if err := repo.CreateOrg(ctx, &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Again", CreatedAt: now, UpdatedAt: now}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("duplicate organisation slug: %v", err)
		}
		diabetes := newTenant("diabetes", "diabetes.localhost")
		diabetes.OrgID = org.ID
		travel := newTenant("travel", "travel.localhost")
		travel.OrgID = org.ID
		flat := newTenant("flat", "flat.localhost")
		flat.Theme = tenant.Theme{Primary: "#333333", Accent: "#0b7a75"}
		for _, b := range []*tenant.Tenant{diabetes, travel, flat} {
			if err := repo.Create(ctx, b); err != nil {
				t.Fatal(err)
			}
		}
		kids := newTenant("kids", "kids.localhost")
		kids.OrgID, kids.ParentID = org.ID, diabetes.ID
		if err := repo.Create(ctx, kids); err != nil {
			t.Fatal(err)
		}

		// The organisation sets a colour and a sender; travel overrides the colour.
		mustSet(t, repo, org.ID, tenant.SetPrimaryColor, "#114477")
		mustSet(t, repo, org.ID, tenant.SetFooter, "A Care Group brand")
		mustSet(t, repo, travel.ID, tenant.SetPrimaryColor, "#0A3D2E") // normalised to lower case
		mustSet(t, repo, diabetes.ID, tenant.SetFooter, "Diabetes care since 1990")

		got := brands(t, repo)
		if th := got["diabetes"].Theme.Primary; th != "#114477" {
			t.Errorf("diabetes inherits the organisation's colour: %s", th)
		}
		if r := got["diabetes"].Settings[tenant.SetPrimaryColor]; !r.Inherited() || r.From != "organisation" || r.FromSlug != "group" {
			t.Errorf("diabetes colour source: %+v", r)
		}
		if r := got["travel"].Settings[tenant.SetPrimaryColor]; r.Inherited() || r.Value != "#0a3d2e" || got["travel"].Theme.Primary != "#0a3d2e" {
			t.Errorf("travel overrides: %+v %s", r, got["travel"].Theme.Primary)
		}
		if got["travel"].Setting(tenant.SetFooter) != "A Care Group brand" {
			t.Errorf("travel inherits the footer")
		}
		if r := got["kids"].Settings[tenant.SetFooter]; r.From != "parent" || r.FromSlug != "diabetes" || r.Value != "Diabetes care since 1990" {
			t.Errorf("kids inherits its parent brand's footer first: %+v", r)
		}
		if got["kids"].Theme.Primary != "#114477" {
			t.Errorf("kids inherits the organisation's colour through its parent: %s", got["kids"].Theme.Primary)
		}
		if got["flat"].Theme.Primary != "#333333" || got["flat"].Setting(tenant.SetFooter) != "" {
			t.Errorf("a brand outside the organisation keeps its own colours and inherits nothing: %+v", got["flat"].Settings)
		}

		// A change at the parent shows on every brand that inherits it, not on one that overrides it.
		mustSet(t, repo, org.ID, tenant.SetPrimaryColor, "#552200")
		got = brands(t, repo)
		if got["diabetes"].Theme.Primary != "#552200" || got["kids"].Theme.Primary != "#552200" || got["travel"].Theme.Primary != "#0a3d2e" {
			t.Errorf("after the parent's change: diabetes %s kids %s travel %s", got["diabetes"].Theme.Primary, got["kids"].Theme.Primary, got["travel"].Theme.Primary)
		}
		// Reset restores inheritance.
		if err := repo.ResetSetting(ctx, travel.ID, tenant.SetPrimaryColor, time.Now()); err != nil {
			t.Fatal(err)
		}
		if got = brands(t, repo); got["travel"].Theme.Primary != "#552200" || !got["travel"].Settings[tenant.SetPrimaryColor].Inherited() {
			t.Errorf("reset to inherited: %+v", got["travel"].Settings[tenant.SetPrimaryColor])
		}

		// The organisation's logo shows on brands without their own; saving
		// such a brand does not make the logo its own.
		org.Logo = tenant.Logo{ContentType: "image/png", Data: []byte{1}, SHA256: "orglogo"}
		org.UpdatedAt = now
		if err := repo.UpdateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		d, err := repo.BySlug(ctx, "diabetes")
		if err != nil || d.Logo.SHA256 != "orglogo" || !d.LogoInherited {
			t.Fatalf("inherited logo: %+v %v", d.Logo, err)
		}
		if err := repo.Update(ctx, d); err != nil {
			t.Fatal(err)
		}
		org.Logo = tenant.Logo{}
		if err := repo.UpdateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		if d, _ := repo.BySlug(ctx, "diabetes"); d.Logo.SHA256 != "" {
			t.Errorf("saving a brand kept the organisation's logo as its own: %+v", d.Logo)
		}

		// Bad values and bad links are clear errors that change nothing.
		for _, c := range []struct{ key, value string }{
			{tenant.SetPrimaryColor, "teal"}, {tenant.SetFooter, "two\nlines"}, {"no_such_key", "1"},
		} {
			if err := repo.SetSetting(ctx, org.ID, c.key, c.value, now); !apperr.Is(err, apperr.Invalid) {
				t.Errorf("set %s=%q: %v", c.key, c.value, err)
			}
		}
		if err := repo.SetSetting(ctx, id.New(), tenant.SetFooter, "x", now); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("setting for nobody: %v", err)
		}
		loop, _ := repo.BySlug(ctx, "diabetes")
		loop.ParentID = kids.ID // kids inherits from diabetes: a loop
		if err := repo.Update(ctx, loop); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a parent loop must be refused: %v", err)
		}
		stray := newTenant("stray", "stray.localhost")
		stray.ParentID = diabetes.ID // a parent without the organisation
		if err := repo.Create(ctx, stray); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("a parent from another organisation must be refused: %v", err)
		}
	})
}

func mustSet(t *testing.T, repo *store.Tenants, owner, key, value string) {
	t.Helper()
	if err := repo.SetSetting(context.Background(), owner, key, value, time.Now()); err != nil {
		t.Fatalf("set %s: %v", key, err)
	}
}

func brands(t *testing.T, repo *store.Tenants) map[string]*tenant.Tenant {
	t.Helper()
	ts, err := repo.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string]*tenant.Tenant)
	for _, x := range ts {
		out[x.Slug] = x
	}
	return out
}
