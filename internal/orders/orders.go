// Package orders is the order: placed from a cart at checkout, paid through a
// payment gateway, and moved through its states to delivery. An order is PHI
// (what a person buys says something about their health), so it lives in the
// PHI store with its items, shipping address and totals sealed by the vault
// under the patient; every view and every change is audited. Stock is
// reserved in the catalog store with the order id as idempotency key.
//
// The service is built on what it declares here: its Store (orders in the
// PHI store), Stock (holds in the catalog store), the Catalog and Promotions
// it prices from, and the vault (phi.Vault) and audit log (audit.Appender) it seals and records through; internal/store implements the storage, and
// the server wires it all.
package orders

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/tenant"
)

// Status is where an order is in its life.
type Status string

// The statuses.
const (
	PendingPayment Status = "pending_payment"
	Paid           Status = "paid"
	AwaitingRx     Status = "awaiting_rx"
	Ready          Status = "ready"
	Shipped        Status = "shipped"
	Delivered      Status = "delivered"
	Cancelled      Status = "cancelled"
	Refunded       Status = "refunded"
)

// transitions are the moves the state machine allows.
var transitions = map[Status][]Status{
	PendingPayment: {Paid, Cancelled},
	Paid:           {AwaitingRx, Ready, Cancelled, Refunded},
	AwaitingRx:     {Ready, Cancelled, Refunded},
	Ready:          {Shipped, Cancelled, Refunded},
	Shipped:        {Delivered, Refunded},
	Delivered:      {Refunded},
}

// CanMove reports whether the state machine allows from → to.
func CanMove(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Open reports whether the order is still under way.
func (s Status) Open() bool {
	return s == PendingPayment || s == Paid || s == AwaitingRx || s == Ready || s == Shipped
}

// Label is the status as a customer reads it.
func (s Status) Label() string {
	return map[Status]string{PendingPayment: "Waiting for payment", Paid: "Paid", AwaitingRx: "Waiting for prescription verification",
		Ready: "Being prepared", Shipped: "Shipped", Delivered: "Delivered", Cancelled: "Cancelled", Refunded: "Refunded"}[s]
}

// ReservationTTL is how long stock waits for an unpaid order before the
// background job gives it back.
const ReservationTTL = 30 * time.Minute

// InvoiceTTL is how long stock waits for an order paid by invoice.
const InvoiceTTL = 14 * 24 * time.Hour

// Item is one line of an order, with the price it was sold at.
type Item struct {
	VariantID, ProductID, Slug, Name, VariantName, SKU string
	Quantity, UnitPrice                                int64
	RequiresPrescription                               bool
	// HSAFSAEligible is the catalog's flag when the order was placed: the
	// item is payable from a health savings or flexible spending account,
	// and so is listed on the order's HSA/FSA receipt.
	HSAFSAEligible bool
}

// Total is the line's total.
func (i Item) Total() int64 { return i.Quantity * i.UnitPrice }

// Label is the product's name with the variant's.
func (i Item) Label() string {
	if i.VariantName == "" {
		return i.Name
	}
	return i.Name + " — " + i.VariantName
}

// Address is a shipping address. It is PHI: sealed with the order.
type Address struct {
	Name, Line1, Line2, City, Region, PostalCode string
}

// Details is the sealed part of an order.
type Details struct {
	Quote
	Address Address
}

// Order is an order opened for someone allowed to see it.
type Order struct {
	ID, Reference, UserID string
	Status                Status
	Gateway               string
	// ChargeID is the gateway's id for the payment (Stripe: the Checkout
	// session while unpaid, then the PaymentIntent).
	ChargeID  string
	CreatedAt time.Time
	Details
	// Shipment is the carrier and tracking number once shipped; nil before.
	Shipment *Shipment
}

// Contacts finds the email address of a person, for order emails.
type Contacts func(ctx context.Context, tenantID, userID string) (string, error)

// Record is an order as the PHI store keeps it: what the queue, the jobs and
// payment reconciliation need in the clear, and the Details sealed by the
// vault under UserID (DetailsCT: the store never sees what is in it).
type Record struct {
	ID, TenantID, UserID, Reference string
	Status                          Status
	Gateway, ChargeID               string
	DetailsCT                       []byte
	// ShipmentCT is the sealed Shipment; nil until the order ships.
	ShipmentCT           []byte
	CreatedAt, UpdatedAt time.Time
}

// Store keeps orders in the PHI store (internal/store.Orders).
type Store interface {
	// Insert stores a new order; a taken reference is a Conflict
	// (apperr.ErrDuplicate).
	Insert(ctx context.Context, r Record) error
	// ByID returns an order of a tenant, or NotFound.
	ByID(ctx context.Context, tenantID, orderID string) (Record, error)
	// ByOwner returns a person's orders, newest first, at most limit.
	ByOwner(ctx context.Context, tenantID, userID string, limit int) ([]Record, error)
	// SetStatus moves an order from one status to another, recording
	// chargeID unless it is empty; a Conflict (apperr.ErrStale) when the
	// order is no longer in from (another request moved it first).
	SetStatus(ctx context.Context, tenantID, orderID string, from, to Status, chargeID string, now time.Time) error
	// SetCharge records the gateway's id for an order's payment while the
	// order stays in status (a Conflict, apperr.ErrStale, if it moved).
	SetCharge(ctx context.Context, tenantID, orderID string, status Status, chargeID string, now time.Time) error
	// Queue returns a tenant's orders in any of statuses (at most every
	// status there is), newest first, at most limit; after, when not empty,
	// is the id of the last order of the previous page.
	Queue(ctx context.Context, tenantID string, statuses []Status, after string, limit int) ([]QueueItem, error)
	// SetShipment records the sealed shipment of a shipped order; a
	// Conflict (apperr.ErrStale) when the order is not shipped.
	SetShipment(ctx context.Context, tenantID, orderID string, ct []byte, now time.Time) error
	// Unpaid returns a gateway's orders in every tenant still waiting for
	// payment that were placed before the given time, oldest first, at most
	// limit.
	Unpaid(ctx context.Context, gateway string, before time.Time, limit int) ([]Record, error)
}

// StockItem is a quantity of one variant to hold for an order.
type StockItem struct {
	VariantID string
	Quantity  int64
	Label     string // for the error message when it runs short
}

// ExpiredOrder is an order whose held stock was not paid for in time.
type ExpiredOrder struct{ TenantID, OrderID string }

// PromoUse is an order's use of a promotion code, counted with its stock
// hold: the code and the discount it gave in the order's currency (no
// person, no item). The zero value is no code.
type PromoUse struct {
	PromotionID string
	Discount    int64
	Currency    string
}

// Stock holds, confirms and gives back variant stock in the catalog store
// (internal/store.Stock); the order id is the idempotency key of every call.
// It is apart from Store because the catalog store holds no PHI: a hold
// names an order id and variants, never a person.
type Stock interface {
	// Reserve takes the items out of stock for an order, all or nothing,
	// holding them until expires, and counts the use of a promotion code
	// (if use names one; with the discount it gave) in the same transaction. Reserving again for the same order changes
	// nothing. A short item is a Conflict naming it; a code used up
	// meanwhile is an Invalid error on the code field.
	Reserve(ctx context.Context, tenantID, orderID string, items []StockItem, use PromoUse, now, expires time.Time) error
	// Confirm makes an order's held stock final (the order was paid).
	Confirm(ctx context.Context, tenantID, orderID string, now time.Time) error
	// Release puts an order's stock and its use of a promotion code back;
	// releasing twice, even at once, gives it back once.
	Release(ctx context.Context, tenantID, orderID string, now time.Time) error
	// Expired returns up to limit orders whose held stock expired before now.
	Expired(ctx context.Context, now time.Time, limit int) ([]ExpiredOrder, error)
	// HeldBefore returns, in order id order, up to limit orders after the
	// order id after whose stock is still held by a hold made before cutoff.
	HeldBefore(ctx context.Context, cutoff time.Time, after string, limit int) ([]ExpiredOrder, error)
}

// Catalog is what orders are priced from: variants with their current
// catalog data (internal/store.Carts, or cart.Service).
type Catalog interface {
	// Variants returns the lines of the given variants with quantity 0, in
	// any order; unknown ids are left out.
	Variants(ctx context.Context, tenantID string, ids []string) ([]cart.Line, error)
}

// Promotions finds the promotion code typed at checkout (promo.Service).
type Promotions interface {
	// ByCode returns a tenant's promotion by its code as typed, or an Invalid
	// error on the code field for a code that does not exist.
	ByCode(ctx context.Context, tenantID, code string) (*promo.Promotion, error)
}

// Service places and moves orders.
type Service struct {
	orders Store
	// shipTax is Deps.ShipTax.
	shipTax ShipTax
	// changed is Deps.Changed.
	changed  func(ctx context.Context, tenantID, orderID string, to Status)
	stock    Stock
	promos   Promotions
	catalog  Catalog
	vault    phi.Vault
	audit    audit.Appender
	outbox   Enqueuer
	contacts Contacts
	gateways map[string]payment.Gateway
	names    []string
	bought   func(ctx context.Context, tenantID, userID string, variantIDs []string) error
	links    func(ctx context.Context, tenantID string) Links
	facts    func(ctx context.Context, tenantID, patientID string) (access.Facts, error)
	rx       Prescriptions
	invoices InvoicePages
	offered  func(ctx context.Context, tenantID string) []string
	intake   func(ctx context.Context, tenantID, userID string, productIDs []string) error
	// returns and returnRules are Deps.Returns and Deps.ReturnRules.
	returns     ReturnStore
	returnRules func(ctx context.Context, tenantID string) ReturnRules
	clock       clock.Clock
	log         *slog.Logger
}

// Enqueuer queues an email (internal/outbox).
type Enqueuer interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service is built on.
type Deps struct {
	// Orders are the orders in the PHI store; Stock the stock holds in the
	// catalog store. Two stores, kept apart: the catalog store holds no PHI.
	Orders Store
	Stock  Stock
	// Catalog and Promotions are what orders are priced from.
	Catalog    Catalog
	Promotions Promotions
	// ShipTax are the tenant's shipping and tax settings orders are
	// priced with; nil prices with the defaults (shiptax.Defaults).
	ShipTax  ShipTax
	Vault    phi.Vault
	Audit    audit.Appender
	Outbox   Enqueuer
	Contacts Contacts
	Gateways []payment.Gateway
	// Offered, if set, names the gateways a brand offers among Gateways (its
	// payment_gateways policy, inherited from its organisation); nil offers
	// every one.
	Offered func(ctx context.Context, tenantID string) []string
	// Bought, if set, is told what a person just paid for (their wish list
	// loses those items).
	Bought func(ctx context.Context, tenantID, userID string, variantIDs []string) error
	// Links names a tenant's shop and its address, for emails sent by jobs
	// (payment reconciliation), where there is no request to take them from.
	Links func(ctx context.Context, tenantID string) Links
	// Facts, if set, looks up what the policy needs beyond the actor
	// (grants.Service.Facts: a break-glass grant), for reads; without it
	// only the patient and the order staff roles read orders.
	Facts func(ctx context.Context, tenantID, patientID string) (access.Facts, error)
	// Prescriptions, if set, covers prescription lines with verified
	// prescriptions (rx.Service): a covered order leaves awaiting_rx by
	// itself. Without it a pharmacist releases each by hand.
	Prescriptions Prescriptions
	// Changed, if set, is told of each status change a customer hears of
	// (the outgoing webhooks: order paid, shipped), with ids only.
	Changed func(ctx context.Context, tenantID, orderID string, to Status)
	// InvoicePages, if set, lets an order placed by invoice be paid later
	// on the hosted page of the first gateway that has one (PaymentPage).
	// Without it such orders are paid by invoice only.
	InvoicePages InvoicePages
	// Intake, if set, refuses checkout while the patient has not completed
	// an intake questionnaire a product of the order needs
	// (forms.Service.Intake; issue 18).
	Intake func(ctx context.Context, tenantID, userID string, productIDs []string) error
	// Returns, if set, keeps returns (issue 18 point 2); without it the
	// shop takes no returns online.
	Returns ReturnStore
	// ReturnRules, if set, reads a tenant's return rules (tenant settings);
	// without it DefaultReturnRules apply.
	ReturnRules func(ctx context.Context, tenantID string) ReturnRules
	Clock       clock.Clock
	Log         *slog.Logger
}

// New returns the order service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	s := &Service{shipTax: d.ShipTax, orders: d.Orders, stock: d.Stock, promos: d.Promotions, catalog: d.Catalog, vault: d.Vault,
		audit: d.Audit, outbox: d.Outbox, contacts: d.Contacts, gateways: map[string]payment.Gateway{}, bought: d.Bought, links: d.Links, facts: d.Facts, rx: d.Prescriptions, invoices: d.InvoicePages, offered: d.Offered, intake: d.Intake, returns: d.Returns, returnRules: d.ReturnRules, clock: d.Clock, log: d.Log, changed: d.Changed}
	for _, g := range d.Gateways {
		s.gateways[g.Name()] = g
		s.names = append(s.names, g.Name())
	}
	return s
}

// Gateways returns the payment gateways in the order they are offered.
func (s *Service) Gateways() []payment.Gateway {
	out := make([]payment.Gateway, 0, len(s.names))
	for _, n := range s.names {
		out = append(out, s.gateways[n])
	}
	return out
}

// GatewaysFor returns the gateways a brand offers at checkout, in the
// server's order: those its payment_gateways policy names (Deps.Offered).
func (s *Service) GatewaysFor(ctx context.Context, tenantID string) []payment.Gateway {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.offered == nil {
		return s.Gateways()
	}
	names := s.offered(ctx, tenantID)
	out := make([]payment.Gateway, 0, len(names))
	for _, n := range s.names {
		if slices.Contains(names, n) {
			out = append(out, s.gateways[n])
		}
	}
	return out
}

// offers reports whether a brand offers a gateway at checkout.
func (s *Service) offers(ctx context.Context, tenantID, name string) bool {
	ctx = tenant.WithScope(ctx, tenantID)
	for _, g := range s.GatewaysFor(ctx, tenantID) {
		if g.Name() == name {
			return true
		}
	}
	return false
}

// ItemRef is a variant and quantity to order.
type ItemRef struct {
	VariantID string
	Quantity  int64
}

// PlaceRequest is a checkout.
type PlaceRequest struct {
	TenantID, UserID string
	Items            []ItemRef
	Address          Address
	Shipping, Region string
	Gateway          string
	// PromoCode is a promotion code typed at checkout; empty for none.
	PromoCode string
	// Brand and BaseURL make the confirmation email's text and link.
	Brand, BaseURL string
}

// QuoteItems prices items from the catalog now, with a promotion code if
// one is given (an unknown, expired or used-up code is a clear error).
func (s *Service) QuoteItems(ctx context.Context, tenantID string, items []ItemRef, shipping, region, code string) (*Quote, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	q, _, err := s.quote(ctx, tenantID, items, shipping, region, code)
	return q, err
}

func (s *Service) quote(ctx context.Context, tenantID string, items []ItemRef, shipping, region, code string) (*Quote, *promo.Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var p *promo.Promotion
	if strings.TrimSpace(code) != "" {
		var err error
		if p, err = s.promos.ByCode(ctx, tenantID, code); err != nil {
			return nil, nil, err
		}
	}
	ids := make([]string, 0, len(items))
	for _, it := range items {
		ids = append(ids, it.VariantID)
	}
	vs, err := s.catalog.Variants(ctx, tenantID, ids)
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]cart.Line{}
	for _, v := range vs {
		byID[v.VariantID] = v
	}
	lines := make([]cart.Line, 0, len(items))
	for _, it := range items {
		l, ok := byID[it.VariantID]
		if !ok {
			return nil, nil, apperr.New(apperr.Invalid, "An item in your cart is no longer for sale. Remove it and try again.")
		}
		l.Quantity = it.Quantity
		lines = append(lines, l)
	}
	st, err := s.Settings(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	q, err := Price(lines, shipping, region, st, p, s.clock.Now())
	return q, p, err
}

// ShipTax reads a tenant's shipping and tax settings (shiptax.Service).
type ShipTax interface {
	Settings(ctx context.Context, tenantID string) (*shiptax.Settings, error)
}

// Settings are the shipping and tax settings the tenant's orders are priced
// with, for the checkout form.
func (s *Service) Settings(ctx context.Context, tenantID string) (*shiptax.Settings, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.shipTax == nil {
		return shiptax.Defaults(), nil
	}
	return s.shipTax.Settings(ctx, tenantID)
}

// usZIP is a US ZIP code: five digits, optionally a hyphen and four more.
var usZIP = regexp.MustCompile(`^[0-9]{5}(-[0-9]{4})?$`)

// CheckAddress validates a shipping address; the error names each field.
func CheckAddress(a *Address) error {
	trim := func(p *string) { *p = strings.TrimSpace(*p) }
	for _, p := range []*string{&a.Name, &a.Line1, &a.Line2, &a.City, &a.Region, &a.PostalCode} {
		trim(p)
	}
	fields := map[string]string{}
	need := func(name, v, msg string, limit int) {
		switch {
		case v == "":
			fields[name] = msg
		case utf8.RuneCountInString(v) > limit || strings.ContainsAny(v, "\r\n\x00"):
			fields[name] = "This is too long."
		}
	}
	need("name", a.Name, "Enter the name to ship to.", 100)
	need("line1", a.Line1, "Enter the street address.", 200)
	if utf8.RuneCountInString(a.Line2) > 200 {
		fields["line2"] = "This is too long."
	}
	need("city", a.City, "Enter the city.", 100)
	need("postal_code", a.PostalCode, "Enter the ZIP code.", 20)
	// Every region Salve ships to is a US state, DC or territory
	// (shiptax.RegionName), so the postal code is a US ZIP code: five
	// digits, or ZIP+4. When regions of other countries are added, this
	// check goes by the region's country. Whether the tenant ships there
	// is the quote's check (its shipping zones).
	if _, ok := fields["postal_code"]; !ok && !usZIP.MatchString(a.PostalCode) {
		fields["postal_code"] = "Enter a 5-digit ZIP code, such as 10001 or 10001-1234."
	}
	if _, ok := shiptax.RegionName(a.Region); !ok {
		fields["region"] = "Choose your state."
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	return nil
}

// decide checks that the actor in ctx may act on userID's orders.
func (s *Service) decide(ctx context.Context, tenantID, userID string, act access.Action) (access.Decision, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.decideClass(ctx, tenantID, userID, access.DataOrders, act)
}

// decideClass checks that the actor in ctx may act on userID's orders seen
// as data of class: orders (what was bought), or billing (what was charged,
// paid and refunded, and receipts).
func (s *Service) decideClass(ctx context.Context, tenantID, userID string, class access.DataClass, act access.Action) (access.Decision, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return access.Decision{}, apperr.DeniedError(access.ErrDenied)
	}
	var facts access.Facts
	if s.facts != nil && act == access.Read {
		// Why reads only: a break-glass grant (or a proxy's scope) opens
		// a patient's orders to be read; placing or changing them for
		// someone else is no part of any grant.
		f, err := s.facts(ctx, tenantID, userID)
		if err != nil {
			return access.Decision{}, err
		}
		facts = f
	}
	d := access.Decide(a, access.Request{TenantID: tenantID, PatientID: userID, Class: class, Action: act}, facts, s.clock.Now())
	if err := d.Err(); err != nil {
		return d, apperr.DeniedError(err)
	}
	return d, nil
}

// Place places an order: prices its items from the catalog, reserves stock
// under the new order's id, stores the order sealed, charges the gateway
// (idempotency key: the order id) and, once paid, confirms the stock and
// queues the confirmation email. An order with a prescription item waits in
// awaiting_rx. Out of stock is a Conflict and leaves no order and no charge.
func (s *Service) Place(ctx context.Context, req PlaceRequest) (*Order, error) {
	d, err := s.decide(ctx, req.TenantID, req.UserID, access.Write)
	if err != nil {
		return nil, err
	}
	g, ok := s.gateways[req.Gateway]
	// Why checked here as well as on the page: a brand that stopped
	// offering a gateway must not take an order through it from an old form.
	if !ok || !s.offers(ctx, req.TenantID, req.Gateway) {
		return nil, apperr.InvalidFields("Choose how to pay.", map[string]string{"gateway": "Choose how to pay."})
	}
	if err := CheckAddress(&req.Address); err != nil {
		return nil, err
	}
	q, p, err := s.quote(ctx, req.TenantID, req.Items, req.Shipping, req.Address.Region, req.PromoCode)
	if err != nil {
		return nil, err
	}
	if err := s.CheckIntake(ctx, req.TenantID, req.UserID, q); err != nil {
		return nil, err
	}
	var use PromoUse
	if p != nil {
		use = PromoUse{PromotionID: p.ID, Discount: q.Discount, Currency: q.Currency}
	}
	now := s.clock.Now()
	o := &Order{ID: id.NewAt(now), UserID: req.UserID, Status: PendingPayment, Gateway: g.Name(), CreatedAt: now,
		Details: Details{Quote: *q, Address: req.Address}}
	ttl := ReservationTTL
	if _, ok := g.(payment.Redirector); ok {
		ttl = HostedHold
	} else if g.Name() == "invoice" {
		ttl = InvoiceTTL
	}
	items := make([]StockItem, 0, len(q.Items))
	for _, it := range q.Items {
		items = append(items, StockItem{VariantID: it.VariantID, Quantity: it.Quantity, Label: it.Label()})
	}
	// Hold the stock and store the order within placeWindow of now (the
	// hold's time): ReleaseLeftovers counts on it to tell a checkout in
	// flight from one that died.
	wctx, cancel := context.WithTimeout(ctx, placeWindow)
	if err := s.stock.Reserve(wctx, req.TenantID, o.ID, items, use, now, now.Add(ttl)); err != nil {
		cancel()
		return nil, err
	}
	if err := s.insert(wctx, req.TenantID, o, d.Purpose); err != nil {
		cancel()
		return nil, errors.Join(err, s.stock.Release(context.WithoutCancel(ctx), req.TenantID, o.ID, now))
	}
	cancel()
	links := Links{Brand: req.Brand, BaseURL: req.BaseURL}
	if rd, ok := g.(payment.Redirector); ok {
		// Paid on the gateway's page: the order waits in pending_payment for
		// the gateway's signed word (PaymentEvent) or reconciliation.
		if _, err := s.startHosted(ctx, req.TenantID, o, rd, links); err != nil {
			s.log.WarnContext(ctx, "payment page not made", "order", o.ID, "gateway", g.Name(), "err", err)
			if cerr := s.move(context.WithoutCancel(ctx), req.TenantID, o, Cancelled, "", d.Purpose); cerr != nil {
				return nil, cerr
			}
			return nil, apperr.New(apperr.Unavailable, "The card payment service could not be reached, and nothing was charged. Try again in a moment, or choose another way to pay.")
		}
		return o, nil
	}
	ch, err := g.Charge(ctx, payment.Request{IdempotencyKey: o.ID, Reference: o.Reference, Amount: q.Total, Currency: q.Currency})
	if err != nil && !errors.Is(err, payment.ErrDeclined) {
		if ck, ok := g.(payment.Checker); ok {
			// The answer may have been lost after the money was taken: ask
			// before cancelling, so a charged order is never cancelled.
			c, cerr := ck.Check(ctx, payment.Lookup{OrderID: o.ID})
			switch {
			case cerr != nil:
				// Not known either way: the order stays pending_payment and
				// reconciliation settles it (ReconcilePayments).
				s.log.WarnContext(ctx, "payment outcome unknown; left for reconciliation", "order", o.ID, "gateway", g.Name(), "err", err)
				return o, nil //nolint:nilerr // unknown is not failed: the order stays pending for reconciliation
			case c.Paid:
				ch, err = c, nil
			}
		}
	}
	if err != nil {
		s.log.WarnContext(ctx, "payment failed", "order", o.ID, "gateway", g.Name(), "err", err)
		if cerr := s.move(context.WithoutCancel(ctx), req.TenantID, o, Cancelled, "", d.Purpose); cerr != nil {
			return nil, cerr
		}
		return nil, apperr.New(apperr.Invalid, "The payment did not go through, and nothing was charged. Check your payment details and try again.")
	}
	if ch.Paid {
		if err := s.settle(context.WithoutCancel(ctx), req.TenantID, o, ch.ID, d.Purpose, links); err != nil {
			return nil, err
		}
	} else {
		// Paid later, by invoice: the order is confirmed now, with the way
		// to its invoice (checkout promised one).
		s.invoiceEmail(context.WithoutCancel(ctx), req.TenantID, o, links)
	}
	return o, nil
}

// Links are what an order email needs to name the shop and link to it.
type Links struct{ Brand, BaseURL string }

// settle marks a charged order paid: the stock confirmed, awaiting_rx when
// an item needs a prescription, the wish list told, the email queued. A
// failure to mark it paid is logged loudly (ids only) and returned; the
// order stays pending_payment, and reconciliation asks the gateway again
// before the hold could cancel it.
func (s *Service) settle(ctx context.Context, tenantID string, o *Order, chargeID string, purpose access.Purpose, links Links) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.move(ctx, tenantID, o, Paid, chargeID, purpose); err != nil {
		s.log.ErrorContext(ctx, "charged order not marked paid", "order", o.ID, "reference", o.Reference, "charge", chargeID, "err", err)
		return err
	}
	if o.NeedsRx {
		if err := s.move(ctx, tenantID, o, AwaitingRx, "", purpose); err != nil {
			return err
		}
		// Covered by prescriptions already verified: on to preparation. A
		// failure leaves the order waiting for a pharmacist (ids logged).
		if _, err := s.cover(ctx, tenantID, o, purpose); err != nil {
			s.log.ErrorContext(ctx, "prescriptions not checked for a paid order", "order", o.ID, "err", err)
		}
	}
	if s.bought != nil {
		ids := make([]string, 0, len(o.Items))
		for _, it := range o.Items {
			ids = append(ids, it.VariantID)
		}
		if err := s.bought(ctx, tenantID, o.UserID, ids); err != nil {
			s.log.ErrorContext(ctx, "wish list not updated", "order", o.ID, "err", err)
		}
	}
	s.emailQuietly(ctx, tenantID, o, links)
	return nil
}

// insert seals and stores a new order, with a fresh reference.
func (s *Service) insert(ctx context.Context, tenantID string, o *Order, purpose access.Purpose) error {
	ctx = tenant.WithScope(ctx, tenantID)
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{o.UserID}, Action: access.Write,
		Purpose: purpose, Resource: "order", ResourceID: o.ID, AuditAction: "order.create"})
	if err != nil {
		return err
	}
	body, err := json.Marshal(o.Details)
	if err != nil {
		return fmt.Errorf("order details: %w", err)
	}
	ct, err := h.SealBytes(o.UserID, "orders", "details_ct", o.ID, body)
	if err != nil {
		return err
	}
	for range 5 {
		o.Reference = NewReference()
		err = s.orders.Insert(ctx, Record{ID: o.ID, TenantID: tenantID, UserID: o.UserID, Reference: o.Reference,
			Status: o.Status, Gateway: o.Gateway, DetailsCT: ct, CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt})
		if !errors.Is(err, apperr.ErrDuplicate) {
			return err
		}
	}
	return err
}

// referenceAlphabet leaves out letters and digits that look alike.
const referenceAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewReference returns a random order reference such as A1B2-C3D4: short
// enough to read on the phone, and saying nothing about the order.
func NewReference() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 9)
	for i, c := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, referenceAlphabet[int(c)%len(referenceAlphabet)])
	}
	return string(out)
}

// move takes an order to a new status, records the transition in the audit
// log and keeps the stock in step: confirmed when paid, given back when
// cancelled, or refunded before it shipped.
func (s *Service) move(ctx context.Context, tenantID string, o *Order, to Status, chargeID string, purpose access.Purpose) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !CanMove(o.Status, to) {
		return apperr.New(apperr.Conflict, fmt.Sprintf("An order that is %q cannot become %q.", o.Status.Label(), to.Label()))
	}
	now := s.clock.Now()
	// Audited first: a change that cannot be recorded does not happen.
	if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "order." + string(to),
		ResourceID: o.ID, Purpose: purpose, Detail: string(o.Status) + "->" + string(to)}); err != nil {
		return fmt.Errorf("audit order transition: %w", err)
	}
	if err := s.orders.SetStatus(ctx, tenantID, o.ID, o.Status, to, chargeID, now); err != nil {
		if errors.Is(err, apperr.ErrStale) {
			return apperr.New(apperr.Conflict, "The order changed meanwhile. Reload the page and try again.")
		}
		return err
	}
	from := o.Status
	o.Status = to
	switch {
	case to == Paid:
		return s.stock.Confirm(ctx, tenantID, o.ID, now)
	case to == Cancelled || (to == Refunded && from != Shipped && from != Delivered):
		return s.stock.Release(ctx, tenantID, o.ID, now)
	}
	return nil
}

// List returns a person's orders, newest first, opened under one audited
// access for the whole list.
func (s *Service) List(ctx context.Context, tenantID, userID string) ([]*Order, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.ListAs(ctx, tenantID, userID, access.DataOrders)
}

// May reports (nil) whether the actor in ctx may read userID's orders as
// data of class, reading nothing of them; a denial is NotFound.
func (s *Service) May(ctx context.Context, tenantID, userID string, class access.DataClass) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.decideClass(ctx, tenantID, userID, class, access.Read); err != nil {
		return apperr.NotFoundError()
	}
	return nil
}

// ListAs is List decided on a data class: access.DataOrders (List), or
// access.DataBilling for a person's bills and receipts. Why a class: a
// proxy granted billing but not orders may see what was charged and paid
// (the orders are what the bills are made of), and the audit log names the
// view (order.list or billing.list).
func (s *Service) ListAs(ctx context.Context, tenantID, userID string, class access.DataClass) ([]*Order, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.decideClass(ctx, tenantID, userID, class, access.Read)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	rows, err := s.orders.ByOwner(ctx, tenantID, userID, 200)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "order", AuditAction: auditName(class, "list")})
	if err != nil {
		return nil, err
	}
	out := make([]*Order, 0, len(rows))
	for _, r := range rows {
		o, err := open(h, r)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// Get returns one order for the actor in ctx. Another person's order, another
// tenant's and an unknown id are the same NotFound (DESIGN §2.4). Every view
// is audited.
func (s *Service) Get(ctx context.Context, tenantID, orderID string) (*Order, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.GetAs(ctx, tenantID, orderID, access.DataOrders)
}

// auditName names a view of orders in the audit log by its data class.
func auditName(class access.DataClass, view string) string {
	if class == access.DataBilling {
		return "billing." + view
	}
	return "order." + view
}

// GetAs is Get decided on a data class: access.DataOrders (Get), or
// access.DataBilling for an order's receipt (see ListAs).
func (s *Service) GetAs(ctx context.Context, tenantID, orderID string, class access.DataClass) (*Order, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(orderID) {
		return nil, apperr.NotFoundError()
	}
	r, err := s.orders.ByID(ctx, tenantID, orderID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, err
	}
	d, err := s.decideClass(ctx, tenantID, r.UserID, class, access.Read)
	if err != nil {
		if a, ok := access.ActorFrom(ctx); ok {
			// A denial is recorded, without the order's owner as a subject
			// being disclosed to anyone.
			_ = s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, ActorID: a.ID, Action: auditName(class, "read"),
				ResourceID: orderID, Outcome: audit.Denied, Detail: "not the actor's order"})
		}
		return nil, apperr.NotFoundError()
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "order", ResourceID: r.ID, AuditAction: auditName(class, "read")})
	if err != nil {
		return nil, err
	}
	return open(h, r)
}

func open(h phi.Handle, r Record) (*Order, error) {
	body, err := h.OpenBytes(r.UserID, "orders", "details_ct", r.ID, r.DetailsCT)
	if err != nil {
		return nil, err
	}
	o := &Order{ID: r.ID, Reference: r.Reference, UserID: r.UserID, Status: r.Status, Gateway: r.Gateway, ChargeID: r.ChargeID,
		CreatedAt: r.CreatedAt}
	if err := phi.DecodeJSON(body.Reveal(), &o.Details); err != nil {
		return nil, fmt.Errorf("order %s details: %w", r.ID, err)
	}
	if r.ShipmentCT != nil {
		b, err := h.OpenBytes(r.UserID, "orders", "shipment_ct", r.ID, r.ShipmentCT)
		if err != nil {
			return nil, err
		}
		o.Shipment = &Shipment{}
		if err := phi.DecodeJSON(b.Reveal(), o.Shipment); err != nil {
			return nil, fmt.Errorf("order %s shipment: %w", r.ID, err)
		}
	}
	return o, nil
}

// Move takes an order to a new status for the actor in ctx (staff with
// write access to orders, or a job), audited.
func (s *Service) Move(ctx context.Context, tenantID, orderID string, to Status) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(orderID) {
		return apperr.NotFoundError()
	}
	r, err := s.orders.ByID(ctx, tenantID, orderID)
	if apperr.Is(err, apperr.NotFound) {
		return apperr.NotFoundError()
	}
	if err != nil {
		return err
	}
	d, err := s.decide(ctx, tenantID, r.UserID, access.Write)
	if err != nil {
		return apperr.NotFoundError()
	}
	o := &Order{ID: r.ID, UserID: r.UserID, Status: r.Status}
	return s.move(ctx, tenantID, o, to, "", d.Purpose)
}

// placeWindow bounds the step of Place that holds stock and then stores the
// order (two stores, so two transactions): when it runs out the order is not
// stored and the hold is given back. LeftoverGrace relies on it.
const placeWindow = 30 * time.Second

// LeftoverGrace is how old a hold with no stored order must be before
// ReleaseLeftovers gives its stock back. Why a grace and not "no order":
// Place holds the stock (catalog store) before it stores the order (PHI
// store), so a hold without an order is also what a checkout in flight looks
// like, in this process or in another replica on the same stores. That step
// has at most placeWindow from the hold's time to store its order, so a hold
// older than LeftoverGrace without an order belongs to an attempt that died
// (kill -9, a crash, a lost connection) and will never get one. The margin
// over placeWindow covers clocks of replicas that differ by seconds.
const LeftoverGrace = 2 * time.Minute

// ReleaseLeftovers gives back the stock of holds that have no stored order
// and are older than LeftoverGrace: what a process killed in the middle of
// checkouts leaves behind. Server start-up runs it, and so does a job every
// minute (a replica that died leaves them while others run on). It returns
// how many orders' holds it released.
func (s *Service) ReleaseLeftovers(ctx context.Context) (int, error) {
	cutoff := s.clock.Now().Add(-LeftoverGrace)
	n, after := 0, ""
	for {
		held, err := s.stock.HeldBefore(ctx, cutoff, after, 100)
		if err != nil {
			return n, err
		}
		for _, h := range held {
			after = h.OrderID
			jctx := access.WithActor(ctx, access.System("orders.release_leftovers", h.TenantID))
			_, err := s.orders.ByID(jctx, h.TenantID, h.OrderID)
			if err == nil {
				continue // the order's own hold: expiry or payment settles it
			}
			if !apperr.Is(err, apperr.NotFound) {
				return n, err
			}
			if err := s.stock.Release(jctx, h.TenantID, h.OrderID, s.clock.Now()); err != nil {
				return n, err
			}
			s.log.InfoContext(ctx, "released stock held for an order never stored", "order", h.OrderID)
			n++
		}
		if len(held) < 100 {
			return n, nil
		}
	}
}

// ExpireReservations cancels unpaid orders whose stock hold ran out and
// gives the stock back; the background job runs it. It returns how many.
func (s *Service) ExpireReservations(ctx context.Context) (int, error) {
	exp, err := s.stock.Expired(ctx, s.clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range exp {
		jctx := access.WithActor(ctx, access.System("orders.expire", e.TenantID))
		r, err := s.orders.ByID(jctx, e.TenantID, e.OrderID)
		switch {
		case apperr.Is(err, apperr.NotFound):
			// Stock held for an order that was never stored: give it back.
			err = s.stock.Release(jctx, e.TenantID, e.OrderID, s.clock.Now())
		case err == nil && r.Status == PendingPayment:
			var paid bool
			if paid, err = s.reconcile(ctx, r); err != nil {
				// Why: a gateway that cannot say whether the order was paid
				// must not lead to cancelling an order that was: the hold
				// stays until it can.
				s.log.WarnContext(ctx, "unpaid order not cancelled: its gateway did not answer", "order", r.ID, "gateway", r.Gateway, "err", err)
				continue
			}
			if !paid {
				o := &Order{ID: r.ID, Reference: r.Reference, UserID: r.UserID, Status: PendingPayment}
				if err = s.move(jctx, e.TenantID, o, Cancelled, "", access.PurposeSystem); err == nil {
					s.emailQuietly(jctx, e.TenantID, o, s.linksFor(jctx, e.TenantID))
				}
			}
		case err == nil:
			// Paid meanwhile: the hold is the order's, confirm it.
			err = s.stock.Confirm(jctx, e.TenantID, e.OrderID, s.clock.Now())
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
