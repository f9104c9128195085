// Package cart is the shopping cart: a list of variants and quantities kept
// for a browser, priced from the catalog every time it is read.
//
// A cart belongs to a browser, never to a person: it is keyed by the hash of a
// random token in a cookie and holds no user id, so it lives in the catalog
// store, which holds no PHI (DESIGN §2.2). The same cart follows the browser
// through sign-in (nothing to merge), and at checkout its items are copied into
// an order sealed in the PHI store and the cart is emptied. See docs/orders.md.
package cart

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
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
	// Active is false when the product was withdrawn from sale.
	Active bool
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
}

// Service is the cart's rules over a Store.
type Service struct {
	store Store
	clock clock.Clock
}

// NewService returns the cart service.
func NewService(s Store, c clock.Clock) *Service {
	if c == nil {
		c = clock.System{}
	}
	return &Service{store: s, clock: c}
}

// Store returns the storage, for the order service's pricing.
func (s *Service) Store() Store { return s.store }

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
	return s.set(ctx, tenantID, token, variantID, qty, true)
}

// Update sets the quantity of a variant already in the cart; 0 removes it.
func (s *Service) Update(ctx context.Context, tenantID, token, variantID string, qty int64) error {
	return s.set(ctx, tenantID, token, variantID, qty, false)
}

func (s *Service) set(ctx context.Context, tenantID, token, variantID string, qty int64, add bool) error {
	if !ValidToken(token) {
		// No cart: nothing in it to change.
		return apperr.NotFoundError()
	}
	if !id.Valid(variantID) {
		return apperr.InvalidFields("That product is not for sale.", map[string]string{"variant": "Choose a product option."})
	}
	if qty < 0 || (add && qty == 0) {
		return apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": "Enter a quantity of at least 1."})
	}
	hash := HashToken(token)
	lines, err := s.store.Lines(ctx, tenantID, hash)
	if err != nil {
		return err
	}
	var have int64
	found := false
	for _, l := range lines {
		if l.VariantID == variantID {
			have, found = l.Quantity, true
		}
	}
	if !add && !found {
		return apperr.NotFoundError()
	}
	if qty == 0 {
		return s.store.SetQuantity(ctx, tenantID, hash, variantID, 0, s.clock.Now())
	}
	vs, err := s.store.Variants(ctx, tenantID, []string{variantID})
	if err != nil {
		return err
	}
	if len(vs) == 0 || !vs[0].Active {
		return apperr.InvalidFields("That product is not for sale.", map[string]string{"variant": "Choose a product option."})
	}
	v := vs[0]
	want := qty
	if add {
		want += have
	}
	switch {
	case !found && len(lines) >= MaxLines:
		return apperr.New(apperr.Invalid, fmt.Sprintf("A cart holds at most %d different products.", MaxLines))
	case want > MaxQuantity:
		return apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": fmt.Sprintf("At most %d of one item.", MaxQuantity)})
	case want > v.Stock:
		msg := fmt.Sprintf("Only %d left in stock.", v.Stock)
		if v.Stock == 0 {
			msg = "This item is out of stock."
		}
		return apperr.InvalidFields("Check the quantity.", map[string]string{"quantity": msg})
	}
	for _, l := range lines {
		if l.Currency != v.Currency {
			return apperr.New(apperr.Invalid, "A cart holds items of one currency.")
		}
	}
	return s.store.SetQuantity(ctx, tenantID, hash, variantID, want, s.clock.Now())
}

// Clear empties the cart of a token.
func (s *Service) Clear(ctx context.Context, tenantID, token string) error {
	if !ValidToken(token) {
		return nil
	}
	return s.store.Clear(ctx, tenantID, HashToken(token))
}
