package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/store"
)

// KeyedVault is the vault as the prescription seed uses it: access to PHI,
// and the blind index that finds the demo's accounts by their address.
type KeyedVault interface {
	phi.Vault
	phi.Indexer
}

// demoPaper is the uploaded paper of the demo's prescriptions: a minimal PDF.
var demoPaper = []byte("%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
	"trailer<</Root 1 0 R>>\n%%EOF\n")

// SeedPrescriptions gives the demo patient two prescriptions, uploaded and
// verified by the demo pharmacist: one with refills left whose refill falls
// due in a few days, and one that expired last month. It does nothing when
// the patient has prescriptions already (an earlier run), or when the demo
// accounts do not exist. It runs after SeedPeople, with the vault open.
//
// Why through the prescription service with a clock in the past, and not
// rows written here: the records are sealed, audited and shaped exactly as
// real ones, and an expired prescription can only have been verified before
// it expired.
func SeedPrescriptions(ctx context.Context, catalogDB, phiDB *store.DB, v KeyedVault, al audit.Appender, auth rx.Authorizer, now time.Time) error {
	t, err := store.NewTenants(catalogDB).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	users := store.NewUsers(phiDB)
	idOf := func(role access.Role) (string, error) {
		i := slices.IndexFunc(People, func(p Person) bool { return p.Role == role })
		u, err := users.ByEmail(ctx, t.ID, accounts.EmailIndex(v, t.ID, People[i].Email))
		return u.ID, err
	}
	patientID, err := idOf(access.RolePatient)
	if err != nil {
		return fmt.Errorf("demo patient: %w", err)
	}
	pharmacistID, err := idOf(access.RolePharmacist)
	if err != nil {
		return fmt.Errorf("demo pharmacist: %w", err)
	}
	patient := access.WithActor(ctx, access.Actor{ID: patientID, Role: access.RolePatient, TenantID: t.ID})
	pharmacist := access.WithActor(ctx, access.Actor{ID: pharmacistID, Role: access.RolePharmacist, TenantID: t.ID})
	rxStore := store.NewRx(phiDB)
	if have, err := rxStore.ByOwner(ctx, t.ID, patientID, 1); err != nil || len(have) > 0 {
		return err
	}
	products, err := catalog.NewService(store.NewCatalogRepo(catalogDB), clock.System{}).AllProducts(ctx, t.ID)
	if err != nil {
		return err
	}
	var rxProducts []*catalog.Product
	for _, p := range products {
		if p.RequiresPrescription && p.Status == catalog.StatusActive && len(p.Variants) > 0 {
			rxProducts = append(rxProducts, p)
		}
	}
	if len(rxProducts) < 2 {
		return errors.New("demo prescriptions: the catalog has fewer than two prescription products")
	}
	day := 24 * time.Hour
	for i, s := range []struct {
		at             time.Time // when it was uploaded and verified
		refills, days  int
		issued, expiry time.Time
	}{
		// Verified 27 days ago with a 30-day supply: the refill is due in 3 days.
		{at: now.Add(-27 * day), refills: 3, days: 30, issued: now.Add(-30 * day), expiry: now.Add(335 * day)},
		// Verified 13 months ago, valid a year: expired last month.
		{at: now.Add(-400 * day), refills: 1, days: 90, issued: now.Add(-401 * day), expiry: now.Add(-36 * day)},
	} {
		p := rxProducts[i]
		svc := rx.New(rx.Deps{Store: rxStore, Vault: v, Audit: al, Auth: auth, Catalog: store.NewCarts(catalogDB), Clock: clock.NewFake(s.at)})
		sub, err := svc.Submit(patient, t.ID, patientID, rx.Submission{File: demoPaper})
		if err != nil {
			return fmt.Errorf("demo prescription: %w", err)
		}
		if _, err := svc.Decide(pharmacist, t.ID, sub.ID, rx.Verification{Version: sub.Version, Drug: drugName(p.Name), Strength: strength(p),
			Quantity: 30, Refills: s.refills, Prescriber: "Dr Ana Rivera, Riverside Family Practice", DaysSupply: s.days,
			IssuedOn: s.issued.Format("2006-01-02"), ExpiresOn: s.expiry.Format("2006-01-02"), VariantID: p.Variants[0].ID}); err != nil {
			return fmt.Errorf("demo prescription: %w", err)
		}
	}
	return nil
}

// drugName is a product's name without a trailing strength ("Atorvastatin").
func drugName(name string) string {
	f := strings.Fields(name)
	for i, w := range f {
		if i > 0 && w != "" && w[0] >= '0' && w[0] <= '9' {
			return strings.Join(f[:i], " ")
		}
	}
	return name
}

// strength is the strength in a product's or variant's name ("20 mg"), or
// "as labelled".
func strength(p *catalog.Product) string {
	for _, s := range []string{p.Variants[0].Name, p.Name} {
		f := strings.Fields(s)
		for i, w := range f {
			if w != "" && w[0] >= '0' && w[0] <= '9' {
				return strings.Join(f[i:], " ")
			}
		}
	}
	return "as labelled"
}
