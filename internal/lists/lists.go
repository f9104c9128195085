// Package lists is a patient's wish list and shopping lists. A wish list
// loses an item once it is bought; a shopping list keeps its items and puts
// them all in the cart in one click. Lists are PHI (what someone means to buy
// for their health), so their names and items are sealed by the vault under
// the patient and every read and write is audited.
package lists

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Kinds of list.
const (
	Wish     = "wish"
	Shopping = "shopping"
)

// WishID is the list id that names a person's wish list in forms; it is
// created on first use.
const WishID = "wish"

// MaxItems is the most items a list holds; MaxLists the most lists a person has.
const (
	MaxItems = 100
	MaxLists = 20
)

// Item is a variant and quantity on a list.
type Item struct {
	VariantID string `json:"v"`
	Quantity  int64  `json:"q"`
}

// List is a list opened for its owner.
type List struct {
	ID, Kind, Name string
	Items          []Item
}

// Record is a list as the PHI store keeps it: the kind and owner in the
// clear, the name and items sealed by the vault under UserID.
type Record struct {
	ID, TenantID, UserID, Kind string
	NameCT, ItemsCT            []byte
	CreatedAt, UpdatedAt       time.Time
}

// Store keeps lists in the PHI store (internal/store.Lists).
type Store interface {
	// ByOwner returns a person's lists, the wish list first, then by creation.
	ByOwner(ctx context.Context, tenantID, userID string) ([]Record, error)
	// ByID returns a list of a tenant, or NotFound.
	ByID(ctx context.Context, tenantID, listID string) (Record, error)
	// Insert stores a new list; a second wish list is a Conflict
	// (apperr.ErrDuplicate).
	Insert(ctx context.Context, r Record) error
	// SetItems replaces a list's sealed items.
	SetItems(ctx context.Context, tenantID, listID string, itemsCT []byte, now time.Time) error
}

// Catalog is what lists read from the catalog store: a variant's current
// catalog data, to tell whether it is for sale (cart.Service, or
// internal/store.Carts).
type Catalog interface {
	Variants(ctx context.Context, tenantID string, ids []string) ([]cart.Line, error)
}

// Service keeps lists.
type Service struct {
	store   Store
	catalog Catalog
	vault   phi.Vault
	clock   clock.Clock
}

// New returns the list service on its store in the PHI store and the
// catalog's variants.
func New(s Store, cat Catalog, v phi.Vault, c clock.Clock) *Service {
	if c == nil {
		c = clock.System{}
	}
	return &Service{store: s, catalog: cat, vault: v, clock: c}
}

// decide checks that the actor in ctx may act on userID's lists; anything
// else is the same NotFound.
func (s *Service) decide(ctx context.Context, tenantID, userID string, act access.Action) (access.Purpose, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return "", apperr.NotFoundError()
	}
	d := access.Decide(a, access.Request{TenantID: tenantID, PatientID: userID, Class: access.DataOrders, Action: act}, access.Facts{}, s.clock.Now())
	if !d.Allowed {
		return "", apperr.NotFoundError()
	}
	return d.Purpose, nil
}

func (s *Service) handle(ctx context.Context, tenantID, userID, listID string, act access.Action, purpose access.Purpose, what string) (phi.Handle, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: act, Purpose: purpose,
		Resource: "list", ResourceID: listID, AuditAction: "list." + what})
}

func open(h phi.Handle, r Record) (*List, error) {
	name, err := h.OpenString(r.UserID, "lists", "name_ct", r.ID, r.NameCT)
	if err != nil {
		return nil, err
	}
	items, err := h.OpenBytes(r.UserID, "lists", "items_ct", r.ID, r.ItemsCT)
	if err != nil {
		return nil, err
	}
	l := &List{ID: r.ID, Kind: r.Kind, Name: name.Reveal()}
	if err := json.Unmarshal(items.Reveal(), &l.Items); err != nil {
		return nil, fmt.Errorf("list %s: %w", r.ID, err)
	}
	return l, nil
}

// All returns a person's lists under one audited read; the wish list first.
func (s *Service) All(ctx context.Context, tenantID, userID string) ([]*List, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.decide(ctx, tenantID, userID, access.Read)
	if err != nil {
		return nil, err
	}
	rows, err := s.store.ByOwner(ctx, tenantID, userID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	h, err := s.handle(ctx, tenantID, userID, "", access.Read, purpose, "list")
	if err != nil {
		return nil, err
	}
	out := make([]*List, 0, len(rows))
	for _, r := range rows {
		l, err := open(h, r)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Get returns one of a person's lists ("wish" for the wish list). Anyone
// else's, or an unknown id, is NotFound.
func (s *Service) Get(ctx context.Context, tenantID, userID, listID string) (*List, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.decide(ctx, tenantID, userID, access.Read)
	if err != nil {
		return nil, err
	}
	r, err := s.row(ctx, tenantID, userID, listID)
	if err != nil {
		return nil, err
	}
	h, err := s.handle(ctx, tenantID, userID, r.ID, access.Read, purpose, "read")
	if err != nil {
		return nil, err
	}
	return open(h, r)
}

func (s *Service) row(ctx context.Context, tenantID, userID, listID string) (Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if listID == WishID {
		rows, err := s.store.ByOwner(ctx, tenantID, userID)
		if err != nil {
			return Record{}, err
		}
		for _, r := range rows {
			if r.Kind == Wish {
				return r, nil
			}
		}
		return Record{}, apperr.NotFoundError()
	}
	if !id.Valid(listID) {
		return Record{}, apperr.NotFoundError()
	}
	r, err := s.store.ByID(ctx, tenantID, listID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && r.UserID != userID) {
		return r, apperr.NotFoundError()
	}
	return r, err
}

// Create makes a shopping list.
func (s *Service) Create(ctx context.Context, tenantID, userID, name string) (*List, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 || strings.ContainsAny(name, "\r\n\x00") {
		return nil, apperr.InvalidFields("Check the list's name.", map[string]string{"name": "Enter a name of up to 60 characters."})
	}
	all, err := s.store.ByOwner(ctx, tenantID, userID)
	if err != nil {
		return nil, err
	}
	if len(all) >= MaxLists {
		return nil, apperr.New(apperr.Invalid, fmt.Sprintf("You can keep at most %d lists.", MaxLists))
	}
	return s.insert(ctx, tenantID, userID, Shopping, name)
}

func (s *Service) insert(ctx context.Context, tenantID, userID, kind, name string) (*List, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.decide(ctx, tenantID, userID, access.Write)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	l := &List{ID: id.NewAt(now), Kind: kind, Name: name, Items: []Item{}}
	h, err := s.handle(ctx, tenantID, userID, l.ID, access.Write, purpose, "create")
	if err != nil {
		return nil, err
	}
	nameCT, err := h.SealString(userID, "lists", "name_ct", l.ID, name)
	if err != nil {
		return nil, err
	}
	itemsCT, err := h.SealBytes(userID, "lists", "items_ct", l.ID, []byte("[]"))
	if err != nil {
		return nil, err
	}
	if err := s.store.Insert(ctx, Record{ID: l.ID, TenantID: tenantID, UserID: userID, Kind: kind, NameCT: nameCT, ItemsCT: itemsCT,
		CreatedAt: now, UpdatedAt: now}); err != nil {
		return nil, err
	}
	return l, nil
}

// change opens a list for writing, lets edit change its items, and seals
// them back. The wish list is created on first use.
func (s *Service) change(ctx context.Context, tenantID, userID, listID string, edit func(l *List) error) error {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.decide(ctx, tenantID, userID, access.Write)
	if err != nil {
		return err
	}
	r, err := s.row(ctx, tenantID, userID, listID)
	if apperr.Is(err, apperr.NotFound) && listID == WishID {
		if _, err := s.insert(ctx, tenantID, userID, Wish, "Wish list"); err != nil && !errors.Is(err, apperr.ErrDuplicate) {
			return err
		}
		r, err = s.row(ctx, tenantID, userID, listID)
	}
	if err != nil {
		return err
	}
	h, err := s.handle(ctx, tenantID, userID, r.ID, access.Write, purpose, "update")
	if err != nil {
		return err
	}
	l, err := open(h, r)
	if err != nil {
		return err
	}
	if err := edit(l); err != nil {
		return err
	}
	body, err := json.Marshal(l.Items)
	if err != nil {
		return err
	}
	ct, err := h.SealBytes(userID, "lists", "items_ct", r.ID, body)
	if err != nil {
		return err
	}
	return s.store.SetItems(ctx, tenantID, r.ID, ct, s.clock.Now())
}

// Add puts a variant on a list (or raises its quantity). The variant must be
// for sale now, as the catalog says.
func (s *Service) Add(ctx context.Context, tenantID, userID, listID, variantID string, qty int64) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if qty < 1 || qty > cart.MaxQuantity {
		return apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": fmt.Sprintf("Enter 1 to %d.", cart.MaxQuantity)})
	}
	vs, err := s.catalog.Variants(ctx, tenantID, []string{variantID})
	if err != nil {
		return err
	}
	if len(vs) == 0 || !vs[0].Active {
		return apperr.InvalidFields("That product is not for sale.", map[string]string{"variant": "Choose a product option."})
	}
	return s.change(ctx, tenantID, userID, listID, func(l *List) error {
		for i := range l.Items {
			if l.Items[i].VariantID == variantID {
				l.Items[i].Quantity = min(l.Items[i].Quantity+qty, cart.MaxQuantity)
				return nil
			}
		}
		if len(l.Items) >= MaxItems {
			return apperr.New(apperr.Invalid, fmt.Sprintf("A list holds at most %d items.", MaxItems))
		}
		l.Items = append(l.Items, Item{VariantID: variantID, Quantity: qty})
		return nil
	})
}

// Remove takes a variant off a list.
func (s *Service) Remove(ctx context.Context, tenantID, userID, listID, variantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.change(ctx, tenantID, userID, listID, func(l *List) error {
		l.Items = slices.DeleteFunc(l.Items, func(it Item) bool { return it.VariantID == variantID })
		return nil
	})
}

// Bought takes the bought variants off the person's wish list, if they have
// one (shopping lists keep theirs).
func (s *Service) Bought(ctx context.Context, tenantID, userID string, variantIDs []string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.store.ByOwner(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(rows, func(r Record) bool { return r.Kind == Wish }) {
		return nil
	}
	return s.change(ctx, tenantID, userID, WishID, func(l *List) error {
		l.Items = slices.DeleteFunc(l.Items, func(it Item) bool { return slices.Contains(variantIDs, it.VariantID) })
		return nil
	})
}
