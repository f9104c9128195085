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

func newTenant(slug string, hosts ...string) *tenant.Tenant {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return &tenant.Tenant{ID: id.New(), Slug: slug, Name: "Tenant " + slug, Hostnames: hosts,
		Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}
}

func TestTenantsRoundTrip(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		repo := store.NewTenants(testkit.OpenStore(t, e, store.Catalog))

		a := newTenant("alpha", "alpha.example", "www.alpha.example")
		a.Logo = tenant.Logo{ContentType: "image/png", Data: []byte{1, 2, 3}, SHA256: "abc"}
		a.SecurityContact = "security@alpha.example"
		if err := repo.Create(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, err := repo.ByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != a.Name || len(got.Hostnames) != 2 || got.Logo.SHA256 != "abc" || string(got.Logo.Data) != "\x01\x02\x03" ||
			!got.CreatedAt.Equal(a.CreatedAt) || got.SecurityContact != a.SecurityContact || got.IsDefault {
			t.Fatalf("round trip: %+v", got)
		}
		if got, err := repo.BySlug(ctx, "alpha"); err != nil || got.ID != a.ID {
			t.Fatalf("BySlug: %v %v", got, err)
		}

		// Duplicate slug and duplicate host names are clear errors, and change nothing.
		dup := newTenant("alpha", "other.example")
		if err := repo.Create(ctx, dup); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("duplicate slug: %v", err)
		}
		b := newTenant("beta", "www.alpha.example")
		if err := repo.Create(ctx, b); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("duplicate host: %v", err)
		}
		if _, err := repo.BySlug(ctx, "beta"); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a failed create must leave nothing behind: %v", err)
		}

		b = newTenant("beta", "beta.example")
		b.IsDefault = true
		if err := repo.Create(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := repo.SetDefault(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		list, err := repo.List(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Slug != "alpha" || !list[0].IsDefault || list[1].IsDefault || len(list[0].Hostnames) != 2 {
			t.Fatalf("List: %+v %+v", list[0], list[1])
		}

		a.Name = "Alpha Health"
		a.Hostnames = []string{"alpha.example"}
		a.UpdatedAt = a.UpdatedAt.Add(time.Second)
		if err := repo.Update(ctx, a); err != nil {
			t.Fatal(err)
		}
		got, _ = repo.ByID(ctx, a.ID)
		if got.Name != "Alpha Health" || len(got.Hostnames) != 1 {
			t.Fatalf("update: %+v", got)
		}

		for _, missing := range []string{id.New(), "not-a-uuid"} {
			if _, err := repo.ByID(ctx, missing); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("ByID(%q): %v", missing, err)
			}
			if err := repo.SetDefault(ctx, missing); !apperr.Is(err, apperr.NotFound) {
				t.Fatalf("SetDefault(%q): %v", missing, err)
			}
		}
		ghost := newTenant("ghost")
		if err := repo.Update(ctx, ghost); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("Update of missing: %v", err)
		}
	})
}
