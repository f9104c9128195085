// Package cart is the shopping cart: a list of variants and quantities kept
// for a browser, priced from the catalog every time it is read.
//
// A cart belongs to a browser, never to a person: it is keyed by the hash of a
// random token in a cookie and holds no user id, so it lives in the catalog
// store, which holds no PHI (DESIGN §2.2). At checkout its items are copied
// into an order sealed in the PHI store and the cart is emptied.
//
// A signed-in patient's cart is also kept as a saved cart in the PHI store
// (internal/savedcart), so that it follows them to another device. The cart
// knows nothing of that person: it hands every change to a Mirror, which
// decides from the request's actor whether there is a saved cart to update.
// See docs/orders.md.
package cart

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxQuantity is the most of one variant a cart takes: a typo guard.
const MaxQuantity = 99

// MaxLines is the most distinct variants in one cart.
const MaxLines = 50

// Line is one variant in a cart (or an order being placed), with its current
// catalog data.
type Line struct {
	VariantID   string
	ProductID   string
	Slug        string
	Name        string // the product's name
	VariantName string
	SKU         string
	Price       int64 // minor units, from the catalog: the price of one
	// PriceBreaks are the variant's volume prices, from the catalog.
	PriceBreaks []catalog.PriceBreak
	Currency    string
	Quantity    int64
	Stock       int64
	// RequiresPrescription puts the order on hold for verification.
	RequiresPrescription bool
	// HSAFSAEligible: payable from a health savings or flexible spending
	// account (the catalog's flag); the order keeps it for HSA/FSA receipts.
	HSAFSAEligible bool
	// Active is false when the product was withdrawn from sale.
	Active bool
	// WeightGrams is one unit's shipping weight (0: unknown), for
	// shipping rates by weight.
	WeightGrams int64
}

// UnitPrice is what one unit costs at the line's quantity: the variant's
// volume price break for that quantity, or its price.
func (l Line) UnitPrice() int64 { return catalog.UnitPrice(l.Price, l.PriceBreaks, l.Quantity) }

// Total is the line's unit price times its quantity.
func (l Line) Total() int64 { return l.UnitPrice() * l.Quantity }

// Label is the product's name with the variant's, if it has one.
func (l Line) Label() string {
	if l.VariantName == "" {
		return l.Name
	}
	return l.Name + " — " + l.VariantName
}

// Cart is a browser's cart.
type Cart struct {
	Lines    []Line
	Subtotal int64
	Currency string
	Count    int64 // items, all quantities added
}

// Store keeps carts (internal/store.Carts).
type Store interface {
	// Variants returns the lines of the given variants with quantity 0, in
	// any order; unknown ids are left out.
	Variants(ctx context.Context, tenantID string, ids []string) ([]Line, error)
	// Lines returns a cart's lines, oldest first.
	Lines(ctx context.Context, tenantID, tokenHash string) ([]Line, error)
	// SetQuantity sets a variant's quantity in a cart (creating the cart), or
	// removes the variant when qty is 0.
	SetQuantity(ctx context.Context, tenantID, tokenHash, variantID string, qty int64, now time.Time) error
	// Clear empties a cart.
	Clear(ctx context.Context, tenantID, tokenHash string) error
	// Replace makes a cart hold exactly items (creating it), in one
	// transaction; lines already there keep their place.
	Replace(ctx context.Context, tenantID, tokenHash string, items []Item, now time.Time) error
	// Bind marks a cart as a signed-in patient's (its items are in their
	// saved cart), creating it; Bound reports it. Neither names anyone.
	Bind(ctx context.Context, tenantID, tokenHash string, now time.Time) error
	Bound(ctx context.Context, tenantID, tokenHash string) (bool, error)
}

// Item is a variant and a quantity, without catalog data: what a saved cart
// keeps and what a Mirror receives.
type Item struct {
	VariantID string `json:"v"`
	Quantity  int64  `json:"q"`
}

// Change is what a Mirror applies to its copy: first, when Clear is set, it
// empties the copy; then it sets the quantity of every item of Set (0
// removes the variant).
type Change struct {
	Clear bool
	Set   []Item
}

// Mirror keeps a copy of the cart of the person signed in on the request
// (internal/savedcart: a patient's saved cart in the PHI store). The cart
// passes it each change as a Change rather than the whole cart, so that the
// copy also keeps what the same person added on another device meanwhile.
type Mirror interface {
	// Mirrors reports whether the request in ctx has a copy to keep (a
	// signed-in patient); the cart does no extra work otherwise.
	Mirrors(ctx context.Context) bool
	// Apply changes the copy.
	Apply(ctx context.Context, tenantID string, c Change) error
}

// Service is the cart's rules over a Store.
type Service struct {
	store  Store
	clock  clock.Clock
	mirror Mirror
	log    *slog.Logger
}

// NewService returns the cart service.
func NewService(s Store, c clock.Clock) *Service {
	if c == nil {
		c = clock.System{}
	}
	return &Service{store: s, clock: c}
}

// Mirrored returns a cart service that passes every change of a signed-in
// patient's cart to m. A failure of m never undoes or fails the change of the
// browser's cart (which holds no PHI and has already happened): it is logged
// to log with ids only, and the next change or sign-in brings the copy level.
func (s *Service) Mirrored(m Mirror, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	return &Service{store: s.store, clock: s.clock, mirror: m, log: log}
}

// mirrors reports whether changes in ctx go to the mirror.
func (s *Service) mirrors(ctx context.Context) bool {
	return s.mirror != nil && s.mirror.Mirrors(ctx)
}

// apply passes a change to the mirror, if it takes it, and logs a failure.
func (s *Service) apply(ctx context.Context, tenantID, token string, c Change) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !s.mirrors(ctx) {
		return
	}
	if err := s.mirror.Apply(ctx, tenantID, c); err != nil {
		// No PHI here: the error carries ids and causes, never items.
		s.log.ErrorContext(ctx, "saved cart not updated", "tenant", tenantID, "err", err)
	}
	if ValidToken(token) {
		if err := s.store.Bind(ctx, tenantID, HashToken(token), s.clock.Now()); err != nil {
			s.log.ErrorContext(ctx, "cart not bound", "tenant", tenantID, "err", err)
		}
	}
}

// Variants returns the lines of the given variants with their current
// catalog data and quantity 0, in any order; unknown ids are left out.
func (s *Service) Variants(ctx context.Context, tenantID string, ids []string) ([]Line, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Variants(ctx, tenantID, ids)
}

// NewToken returns a fresh random cart token for a cookie.
func NewToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// ValidToken reports whether s looks like a token from NewToken.
func ValidToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == 32
}

// HashToken is what the store keeps of a token: a stolen database does not
// give anyone a cookie that opens the cart.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Get returns the cart of a token, priced now. An empty token is an empty cart.
func (s *Service) Get(ctx context.Context, tenantID, token string) (*Cart, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c := &Cart{}
	if !ValidToken(token) {
		return c, nil
	}
	lines, err := s.store.Lines(ctx, tenantID, HashToken(token))
	if err != nil {
		return nil, err
	}
	c.Lines = lines
	for _, l := range lines {
		c.Subtotal += l.Total()
		c.Count += l.Quantity
		if c.Currency == "" {
			c.Currency = l.Currency
		}
	}
	return c, nil
}

// ParseQuantity reads a quantity typed into a form.
func ParseQuantity(s string) (int64, error) {
	var q int64
	if _, err := fmt.Sscan(s, &q); err != nil || fmt.Sprint(q) != s {
		return 0, apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": "Enter a whole number."})
	}
	return q, nil
}

// Add adds qty of a variant to the cart. An unknown or withdrawn variant, a
// quantity below 1 and more than the stock are refused and change nothing.
func (s *Service) Add(ctx context.Context, tenantID, token, variantID string, qty int64) error {
	ctx = tenant.WithScope(ctx, tenantID)
	set, err := s.set(ctx, tenantID, token, variantID, qty, true)
	if err == nil {
		s.apply(ctx, tenantID, token, Change{Set: []Item{set}})
	}
	return err
}

// AddAll adds several items (an order again, a shopping list) and reports how
// many went in. Items that cannot be bought now (withdrawn, sold out, too
// many) are skipped; any other error stops. The mirror gets one change for
// all of them.
func (s *Service) AddAll(ctx context.Context, tenantID, token string, items []Item) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var done []Item
	var err error
	for _, it := range items {
		set, e := s.set(ctx, tenantID, token, it.VariantID, it.Quantity, true)
		if e == nil {
			done = append(done, set)
			continue
		}
		if !apperr.Is(e, apperr.Invalid) {
			err = e
			break
		}
	}
	if len(done) > 0 {
		s.apply(ctx, tenantID, token, Change{Set: done})
	}
	return len(done), err
}

// Update sets the quantity of a variant already in the cart; 0 removes it.
func (s *Service) Update(ctx context.Context, tenantID, token, variantID string, qty int64) error {
	ctx = tenant.WithScope(ctx, tenantID)
	set, err := s.set(ctx, tenantID, token, variantID, qty, false)
	if err == nil {
		s.apply(ctx, tenantID, token, Change{Set: []Item{set}})
	}
	return err
}

// set changes one line and returns the line's new quantity.
func (s *Service) set(ctx context.Context, tenantID, token, variantID string, qty int64, add bool) (Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	done, err := s.setLine(ctx, tenantID, token, variantID, qty, add)
	return Item{VariantID: variantID, Quantity: done}, err
}

func (s *Service) setLine(ctx context.Context, tenantID, token, variantID string, qty int64, add bool) (int64, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !ValidToken(token) {
		// No cart: nothing in it to change.
		return 0, apperr.NotFoundError()
	}
	if !id.Valid(variantID) {
		return 0, apperr.InvalidFields("That product is not for sale.", map[string]string{"variant": "Choose a product option."})
	}
	if qty < 0 || (add && qty == 0) {
		return 0, apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": "Enter a quantity of at least 1."})
	}
	hash := HashToken(token)
	lines, err := s.store.Lines(ctx, tenantID, hash)
	if err != nil {
		return 0, err
	}
	var have int64
	found := false
	for _, l := range lines {
		if l.VariantID == variantID {
			have, found = l.Quantity, true
		}
	}
	if !add && !found {
		return 0, apperr.NotFoundError()
	}
	if qty == 0 {
		return 0, s.store.SetQuantity(ctx, tenantID, hash, variantID, 0, s.clock.Now())
	}
	vs, err := s.store.Variants(ctx, tenantID, []string{variantID})
	if err != nil {
		return 0, err
	}
	if len(vs) == 0 || !vs[0].Active {
		return 0, apperr.InvalidFields("That product is not for sale.", map[string]string{"variant": "Choose a product option."})
	}
	v := vs[0]
	want := qty
	if add {
		want += have
	}
	switch {
	case !found && len(lines) >= MaxLines:
		return 0, apperr.New(apperr.Invalid, fmt.Sprintf("A cart holds at most %d different products.", MaxLines))
	case want > MaxQuantity:
		return 0, apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": fmt.Sprintf("At most %d of one item.", MaxQuantity)})
	case want > v.Stock:
		msg := fmt.Sprintf("Only %d left in stock.", v.Stock)
		if v.Stock == 0 {
			msg = "This item is out of stock."
		}
		return 0, apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": msg})
	}
	for _, l := range lines {
		if l.Currency != v.Currency {
			return 0, apperr.New(apperr.Invalid, "A cart holds items of one currency.")
		}
	}
	return want, s.store.SetQuantity(ctx, tenantID, hash, variantID, want, s.clock.Now())
}

// Clear empties the cart of a token (after checkout): a signed-in
// patient's saved cart is emptied too.
func (s *Service) Clear(ctx context.Context, tenantID, token string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if ValidToken(token) {
		if err := s.store.Clear(ctx, tenantID, HashToken(token)); err != nil {
			return err
		}
	}
	s.apply(ctx, tenantID, token, Change{Clear: true})
	return nil
}

// Forget empties the browser's cart and leaves the mirror's copy as it is:
// at sign-out the cart stays saved for the person but leaves the browser.
func (s *Service) Forget(ctx context.Context, tenantID, token string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !ValidToken(token) {
		return nil
	}
	return s.store.Clear(ctx, tenantID, HashToken(token))
}

// Items returns what the cart of a token holds, without prices.
func (s *Service) Items(ctx context.Context, tenantID, token string) ([]Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !ValidToken(token) {
		return nil, nil
	}
	lines, err := s.store.Lines(ctx, tenantID, HashToken(token))
	if err != nil {
		return nil, err
	}
	out := make([]Item, 0, len(lines))
	for _, l := range lines {
		out = append(out, Item{VariantID: l.VariantID, Quantity: l.Quantity})
	}
	return out, nil
}

// Merge joins the browser's cart with saved (a signed-in patient's saved
// cart) and writes the result to the browser's cart and, when it differs
// from saved, to the mirror; it returns the result. A variant in both keeps
// the larger quantity, not the sum, so that signing in twice does not double
// anything. Quantities are capped at MaxQuantity and at the stock; unknown,
// withdrawn and sold-out variants are dropped, and so are lines beyond
// MaxLines or in another currency than the first line kept. The browser's
// lines come first, in their order, then the saved ones. A mirror failure is
// returned after the browser's cart is written.
func (s *Service) Merge(ctx context.Context, tenantID, token string, saved []Item) ([]Item, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !ValidToken(token) {
		return nil, apperr.NotFoundError()
	}
	hash := HashToken(token)
	lines, err := s.store.Lines(ctx, tenantID, hash)
	if err != nil {
		return nil, err
	}
	bound, err := s.store.Bound(ctx, tenantID, hash)
	if err != nil {
		return nil, err
	}
	if bound {
		// Why: a bound cart's items are already in the saved cart of the
		// patient who changed it, who may be someone else (their session
		// ended here without signing out). Merging would hand that person's
		// intended purchases to this account; the saved cart alone is kept.
		lines = nil
	}
	var order []string
	want := map[string]int64{}
	put := func(v string, q int64) {
		if q < 1 {
			return
		}
		if _, ok := want[v]; !ok {
			order = append(order, v)
		}
		want[v] = max(want[v], q)
	}
	for _, l := range lines {
		put(l.VariantID, l.Quantity)
	}
	for _, it := range saved {
		if id.Valid(it.VariantID) {
			put(it.VariantID, it.Quantity)
		}
	}
	byID := map[string]Line{}
	if len(order) > 0 {
		vs, err := s.store.Variants(ctx, tenantID, order)
		if err != nil {
			return nil, err
		}
		for _, v := range vs {
			byID[v.VariantID] = v
		}
	}
	result := []Item{}
	currency := ""
	for _, v := range order {
		l, ok := byID[v]
		if !ok || !l.Active || l.Stock < 1 || len(result) >= MaxLines || (currency != "" && l.Currency != currency) {
			continue
		}
		currency = l.Currency
		result = append(result, Item{VariantID: v, Quantity: min(want[v], MaxQuantity, l.Stock)})
	}
	if err := s.store.Replace(ctx, tenantID, hash, result, s.clock.Now()); err != nil {
		return nil, err
	}
	if s.mirrors(ctx) {
		if err := s.store.Bind(ctx, tenantID, hash, s.clock.Now()); err != nil {
			return result, err
		}
	}
	if !slices.Equal(result, saved) && s.mirrors(ctx) {
		if err := s.mirror.Apply(ctx, tenantID, Change{Clear: true, Set: result}); err != nil {
			return result, err
		}
	}
	return result, nil
}
