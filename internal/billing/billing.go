// Package billing is what a person was charged, paid and refunded, read from
// their orders: the statement of /account/billing with its balance due, the
// itemized receipt of an order, and the HSA/FSA receipt that lists only the
// items payable from a health savings or flexible spending account (the
// catalog's hsa_fsa_eligible flag, kept on each order item), for one order or
// a calendar year, as data for an HTML page and as a PDF.
//
// Billing is its own data class (access.DataBilling): every read goes
// through orders.Service.ListAs/GetAs with that class, which decides access
// (the patient, a proxy granted billing, staff whose role reads billing) and
// opens the orders under one audited vault access named billing.list or
// billing.read. A denial is the same NotFound as a missing order.
package billing

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/tenant"
)

// Orders reads a person's orders as billing data (orders.Service).
type Orders interface {
	ListAs(ctx context.Context, tenantID, userID string, class access.DataClass) ([]*orders.Order, error)
	GetAs(ctx context.Context, tenantID, orderID string, class access.DataClass) (*orders.Order, error)
	// List reads the orders as the orders data class (what the order
	// widgets read); May decides a class without reading anything.
	List(ctx context.Context, tenantID, userID string) ([]*orders.Order, error)
	May(ctx context.Context, tenantID, userID string, class access.DataClass) error
	// PaysOnPage reports whether an order's gateway takes payment on its
	// own page (an unpaid one is paid at /account/orders/{id}/pay).
	PaysOnPage(o *orders.Order) bool
}

// Merchant is who sold: the name and postal address printed on receipts.
type Merchant struct {
	Name    string
	Address string
}

// Deps are what the service is built on.
type Deps struct {
	Orders Orders
	// Merchant names a tenant's business for its receipts (the server takes
	// the tenant's name and the address of its first location).
	Merchant func(ctx context.Context, tenantID string) (Merchant, error)
	// Methods are the payment gateways' labels by name ("Pay by invoice").
	Methods map[string]string
	Clock   clock.Clock
}

// Service reads bills and receipts.
type Service struct {
	orders   Orders
	merchant func(ctx context.Context, tenantID string) (Merchant, error)
	methods  map[string]string
	clock    clock.Clock
}

// New returns the billing service.
func New(d Deps) *Service {
	if d.Merchant == nil {
		d.Merchant = func(context.Context, string) (Merchant, error) { return Merchant{}, nil }
	}
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	return &Service{orders: d.Orders, merchant: d.Merchant, methods: d.Methods, clock: d.Clock}
}

// Kind is what an entry of a statement records.
type Kind string

// The kinds of entries.
const (
	Charge    Kind = "charge"    // an order was placed: its total is owed
	Payment   Kind = "payment"   // the order was paid
	Refund    Kind = "refund"    // the payment was given back
	Cancelled Kind = "cancelled" // the order was cancelled: nothing is owed
)

// Label is the kind as a person reads it.
func (k Kind) Label() string {
	return map[Kind]string{Charge: "Charge", Payment: "Payment", Refund: "Refund", Cancelled: "Cancelled"}[k]
}

// Entry is one line of a statement. Amount is positive for what is owed
// (a charge) and negative for what settles or gives back (a payment, a
// refund); a cancelled order's line is zero.
type Entry struct {
	Date               time.Time
	Kind               Kind
	OrderID, Reference string
	Amount             int64
	Currency           string
	Method             string
}

// Invoice is an order still waiting for its payment.
type Invoice struct {
	OrderID, Reference string
	Date               time.Time
	Amount             int64
	Currency           string
	// PayOnPage: it can be paid now on the gateway's hosted page
	// (/account/orders/{id}/pay); otherwise it is paid by invoice, quoting
	// the reference.
	PayOnPage bool
	// ByInvoice: placed to be paid by invoice (it may also be paid online,
	// PayOnPage, when the shop has an online gateway).
	ByInvoice bool
	Method    string
}

// Statement is a person's bills: every entry newest first, the totals, and
// what is still due.
type Statement struct {
	Entries                 []Entry
	Charged, Paid, Refunded int64
	Balance                 int64 // owed now: the unpaid orders' totals
	Currency                string
	Open                    []Invoice // unpaid orders, newest first
	Orders                  int
	HSAYears                []int // years with HSA/FSA-eligible purchases, newest first
	LatestInvoice           *Invoice
	// MixedCurrencies: orders in more than one currency (the totals then
	// add amounts of the first only in spirit; each entry names its own).
	MixedCurrencies bool
}

// paid reports whether an order in this status was paid.
func paid(s orders.Status) bool {
	switch s {
	case orders.Paid, orders.AwaitingRx, orders.Ready, orders.Shipped, orders.Delivered, orders.Refunded:
		return true
	}
	return false
}

// Method is how an order was paid, as a receipt names it: the gateway's
// label. Why not the card's brand and last four digits: Salve never holds
// them (cards are typed on the gateway's page), and a receipt names only
// what Salve knows.
func (s *Service) Method(o *orders.Order) string {
	if l, ok := s.methods[o.Gateway]; ok && l != "" {
		return l
	}
	return o.Gateway
}

// Statement returns the bills of userID for the actor in ctx; another
// person's (without a grant of billing) is NotFound.
func (s *Service) Statement(ctx context.Context, tenantID, userID string) (*Statement, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	list, err := s.orders.ListAs(ctx, tenantID, userID, access.DataBilling)
	if err != nil {
		return nil, err
	}
	return s.statement(list), nil
}

func (s *Service) statement(list []*orders.Order) *Statement {
	st := &Statement{Orders: len(list)}
	for _, o := range list {
		if st.Currency == "" {
			st.Currency = o.Currency
		} else if st.Currency != o.Currency {
			st.MixedCurrencies = true
		}
		m := s.Method(o)
		e := Entry{Date: o.CreatedAt, OrderID: o.ID, Reference: o.Reference, Currency: o.Currency, Method: m}
		switch o.Status {
		case orders.Cancelled:
			// Why one zero line: whether a cancelled order had been paid (and
			// was then given back) is not kept with it; either way nothing is
			// owed and nothing was kept.
			c := e
			c.Kind = Cancelled
			st.Entries = append(st.Entries, c)
			continue
		case orders.PendingPayment:
			inv := Invoice{OrderID: o.ID, Reference: o.Reference, Date: o.CreatedAt, Amount: o.Total, Currency: o.Currency,
				PayOnPage: s.orders.PaysOnPage(o), ByInvoice: o.Gateway == orders.InvoiceGateway, Method: m}
			st.Open = append(st.Open, inv)
			st.Balance += o.Total
		}
		if o.Status == orders.Refunded {
			r := e
			r.Kind, r.Amount = Refund, -o.Total
			st.Entries = append(st.Entries, r)
			st.Refunded += o.Total
		}
		if paid(o.Status) {
			p := e
			p.Kind, p.Amount = Payment, -o.Total
			st.Entries = append(st.Entries, p)
			st.Paid += o.Total
		}
		c := e
		c.Kind, c.Amount = Charge, o.Total
		st.Entries = append(st.Entries, c)
		st.Charged += o.Total
		for _, it := range o.Items {
			if y := o.CreatedAt.Year(); it.HSAFSAEligible && !slices.Contains(st.HSAYears, y) {
				st.HSAYears = append(st.HSAYears, y)
			}
		}
	}
	if len(st.Open) > 0 {
		st.LatestInvoice = &st.Open[0]
	}
	return st
}

// Receipt is an order's itemized receipt.
type Receipt struct {
	Merchant Merchant
	Order    *orders.Order
	Method   string
	// Paid is false while the order waits for payment (the receipt then
	// says so: it is an invoice, not proof of payment).
	Paid     bool
	Refunded bool
	// PayOnPage: unpaid, and payable now on the gateway's hosted page
	// (/account/orders/{id}/pay); unpaid otherwise is paid by invoice.
	PayOnPage bool
}

// Receipt returns an order's receipt for the actor in ctx; another person's
// order (without a grant of billing), another tenant's and an unknown id
// are the same NotFound.
func (s *Service) Receipt(ctx context.Context, tenantID, orderID string) (*Receipt, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	o, err := s.orders.GetAs(ctx, tenantID, orderID, access.DataBilling)
	if err != nil {
		return nil, err
	}
	m, err := s.merchant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return &Receipt{Merchant: m, Order: o, Method: s.Method(o), Paid: paid(o.Status), Refunded: o.Status == orders.Refunded,
		PayOnPage: o.Status == orders.PendingPayment && s.orders.PaysOnPage(o)}, nil
}

// HSAItem is one eligible item on an HSA/FSA receipt.
type HSAItem struct {
	Date                 time.Time
	Reference            string
	Description          string
	Quantity, UnitPrice  int64
	Amount               int64
	Currency             string
	RequiresPrescription bool
}

// HSAReceipt is what a plan administrator asks for to reimburse a purchase
// from an HSA or FSA: the merchant, the patient, the date of each purchase,
// each eligible item with its amount, and the eligible total. Items that
// are not eligible are left out entirely.
type HSAReceipt struct {
	Merchant Merchant
	Patient  string
	// Period says what is covered: "Order A1B2-C3D4" or "Year 2026".
	Period string
	// Reference is the order's, for a receipt of one order.
	Reference string
	Items     []HSAItem
	Total     int64
	Currency  string
	Issued    time.Time
}

// eligible lists the eligible, paid and not refunded items of orders.
// Why paid only: a receipt for reimbursement is proof of a purchase; an
// unpaid, cancelled or refunded order was not one.
func eligible(r *HSAReceipt, list []*orders.Order) {
	for _, o := range list {
		if !paid(o.Status) || o.Status == orders.Refunded {
			continue
		}
		for _, it := range o.Items {
			if !it.HSAFSAEligible {
				continue
			}
			r.Items = append(r.Items, HSAItem{Date: o.CreatedAt, Reference: o.Reference, Description: it.Label(), Quantity: it.Quantity,
				UnitPrice: it.UnitPrice, Amount: it.Total(), Currency: o.Currency, RequiresPrescription: it.RequiresPrescription})
			r.Total += it.Total()
			r.Currency = o.Currency
		}
	}
}

// HSAOrder returns the HSA/FSA receipt of one order for the actor in ctx
// (NotFound as for Receipt). The patient's name printed on it is the
// order's ship-to name, opened with the order (no other record is read).
func (s *Service) HSAOrder(ctx context.Context, tenantID, orderID string) (*HSAReceipt, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	o, err := s.orders.GetAs(ctx, tenantID, orderID, access.DataBilling)
	if err != nil {
		return nil, err
	}
	m, err := s.merchant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	r := &HSAReceipt{Merchant: m, Patient: o.Address.Name, Period: "Order " + o.Reference, Reference: o.Reference, Currency: o.Currency, Issued: s.clock.Now()}
	eligible(r, []*orders.Order{o})
	return r, nil
}

// HSAYear returns the HSA/FSA receipt of every eligible purchase of userID
// in a calendar year (UTC), oldest first; patient is the name to print.
func (s *Service) HSAYear(ctx context.Context, tenantID, userID string, year int, patient string) (*HSAReceipt, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.clock.Now()
	if year < 2000 || year > now.Year() {
		return nil, apperr.NotFoundError()
	}
	list, err := s.orders.ListAs(ctx, tenantID, userID, access.DataBilling)
	if err != nil {
		return nil, err
	}
	m, err := s.merchant(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var in []*orders.Order
	for i := len(list) - 1; i >= 0; i-- {
		if list[i].CreatedAt.UTC().Year() == year {
			in = append(in, list[i])
		}
	}
	r := &HSAReceipt{Merchant: m, Patient: patient, Period: "Year " + strconv.Itoa(year), Issued: now}
	eligible(r, in)
	return r, nil
}
