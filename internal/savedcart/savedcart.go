// Package savedcart is a signed-in patient's saved cart: the copy of their
// cart kept in the PHI store so that it follows them to another device.
//
// The browser's cart (internal/cart) stays in the catalog store with no
// person. While a patient is signed in, every change of it is applied here
// too (Service is the cart's Mirror), and at sign-in the two are merged
// (cart.Service.Merge). What a person means to buy for their health is PHI,
// so the items are sealed by the vault under the patient and every read and
// write is decided by access.Decide (class orders) and audited, as for lists.
package savedcart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// table and column name the sealed field in its associated data.
const (
	table  = "saved_carts"
	column = "items_ct"
)

// attempts is how often a change is tried when another device wrote the
// saved cart between its read and its write.
const attempts = 3

// Record is a patient's saved cart as the PHI store keeps it: ItemsCT is
// sealed by the vault under UserID, and Version counts its writes.
type Record struct {
	TenantID, UserID string
	ItemsCT          []byte
	Version          int64
	UpdatedAt        time.Time
}

// Store keeps saved carts in the PHI store (internal/store.SavedCarts).
type Store interface {
	// Get returns a person's saved cart, or NotFound when they have none.
	Get(ctx context.Context, tenantID, userID string) (Record, error)
	// Put stores a saved cart read at version read (0: there was none; below
	// 0: write over whatever is there). When another write came first,
	// nothing changes and the error is a Conflict (apperr.ErrStale).
	Put(ctx context.Context, tenantID, userID string, itemsCT []byte, read int64, now time.Time) error
}

// Service keeps saved carts.
type Service struct {
	store Store
	vault phi.Vault
	clock clock.Clock
}

var _ cart.Mirror = (*Service)(nil)

// New returns the saved cart service on its store in the PHI store.
func New(s Store, v phi.Vault, c clock.Clock) *Service {
	if c == nil {
		c = clock.System{}
	}
	return &Service{store: s, vault: v, clock: c}
}

// decide checks that the actor in ctx may act on userID's saved cart:
// a patient, on their own. Anything else is the same NotFound.
//
// Why narrower than orders (which staff may read for their work): a saved
// cart is not an order, nothing is fulfilled or verified from it, so no staff
// role has a purpose for it (minimum necessary), and proxies shop in their
// own cart.
func (s *Service) decide(ctx context.Context, tenantID, userID string, act access.Action) (access.Purpose, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient || a.ID != userID {
		return "", apperr.NotFoundError()
	}
	d := access.Decide(a, access.Request{TenantID: tenantID, PatientID: userID, Class: access.DataOrders, Action: act}, access.Facts{}, s.clock.Now())
	if !d.Allowed {
		return "", apperr.NotFoundError()
	}
	return d.Purpose, nil
}

func (s *Service) handle(ctx context.Context, tenantID, userID string, act access.Action, purpose access.Purpose, what string) (phi.Handle, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: act, Purpose: purpose,
		Resource: "saved_cart", ResourceID: userID, AuditAction: "saved_cart." + what})
}

func open(h phi.Handle, r Record) ([]cart.Item, error) {
	b, err := h.OpenBytes(r.UserID, table, column, r.UserID, r.ItemsCT)
	if err != nil {
		return nil, err
	}
	var items []cart.Item
	if err := json.Unmarshal(b.Reveal(), &items); err != nil {
		return nil, fmt.Errorf("saved cart of %s: %w", r.UserID, err)
	}
	return items, nil
}

// Get returns a person's saved cart under one audited read (nothing, and no
// read, when they have none).
func (s *Service) Get(ctx context.Context, tenantID, userID string) ([]cart.Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.decide(ctx, tenantID, userID, access.Read)
	if err != nil {
		return nil, err
	}
	r, err := s.store.Get(ctx, tenantID, userID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	h, err := s.handle(ctx, tenantID, userID, access.Read, purpose, "read")
	if err != nil {
		return nil, err
	}
	return open(h, r)
}

// Mirrors reports whether the actor in ctx is a patient: only a patient's
// own cart is saved. Why not staff: staff shop for nobody through the
// storefront, and a member of staff's cart would otherwise become PHI kept
// under their account for no purpose.
func (s *Service) Mirrors(ctx context.Context) bool {
	a, ok := access.ActorFrom(ctx)
	return ok && a.Role == access.RolePatient && !a.IsSystem()
}

// Apply changes the saved cart of the patient in ctx: it opens and seals it
// under one audited write. When another device wrote it meanwhile, the change
// is applied again to what that device wrote.
func (s *Service) Apply(ctx context.Context, tenantID string, c cart.Change) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return apperr.NotFoundError()
	}
	userID := a.ID
	purpose, err := s.decide(ctx, tenantID, userID, access.Write)
	if err != nil {
		return err
	}
	h, err := s.handle(ctx, tenantID, userID, access.Write, purpose, "update")
	if err != nil {
		return err
	}
	for range attempts {
		var items []cart.Item
		read := int64(-1) // a clear needs nothing that is there: write over it
		if !c.Clear {
			r, err := s.store.Get(ctx, tenantID, userID)
			switch {
			case apperr.Is(err, apperr.NotFound):
				read = 0
			case err != nil:
				return err
			default:
				read = r.Version
				if items, err = open(h, r); err != nil {
					return err
				}
			}
		}
		items = apply(items, c.Set)
		body, err := json.Marshal(items)
		if err != nil {
			return fmt.Errorf("saved cart: %w", err)
		}
		ct, err := h.SealBytes(userID, table, column, userID, body)
		if err != nil {
			return err
		}
		err = s.store.Put(ctx, tenantID, userID, ct, read, s.clock.Now())
		if !errors.Is(err, apperr.ErrStale) {
			return err
		}
	}
	return fmt.Errorf("saved cart of %s: %w", userID, apperr.ErrStale)
}

// apply sets the quantities of set in items (0 removes); new variants go at
// the end, up to cart.MaxLines.
func apply(items, set []cart.Item) []cart.Item {
	items = slices.Clone(items)
	if items == nil {
		items = []cart.Item{}
	}
	for _, it := range set {
		i := slices.IndexFunc(items, func(x cart.Item) bool { return x.VariantID == it.VariantID })
		switch {
		case it.Quantity <= 0 && i >= 0:
			items = slices.Delete(items, i, i+1)
		case it.Quantity <= 0:
		case i >= 0:
			items[i].Quantity = min(it.Quantity, cart.MaxQuantity)
		case len(items) < cart.MaxLines:
			items = append(items, cart.Item{VariantID: it.VariantID, Quantity: min(it.Quantity, cart.MaxQuantity)})
		}
	}
	return items
}
