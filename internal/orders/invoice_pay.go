package orders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/tenant"
)

// InvoiceGateway is the name of the gateway of orders paid by invoice
// (payment.Invoice).
const InvoiceGateway = "invoice"

// pageMargin is how long a payment page must still have before it is
// handed out again: less, and a new page is made.
const pageMargin = 5 * time.Minute

// InvoicePage is a payment page made for an order placed by invoice.
type InvoicePage struct {
	TenantID, OrderID string
	// Attempt counts the pages made for the order, from 1: a page expires,
	// and paying later needs a new one.
	Attempt   int
	Gateway   string
	SessionID string // the gateway's id for the page
	ExpiresAt time.Time
	CreatedAt time.Time
}

// InvoicePages keeps the payment pages of orders placed by invoice
// (store.InvoicePayments).
type InvoicePages interface {
	// Latest returns the newest page made for an order, or NotFound.
	Latest(ctx context.Context, tenantID, orderID string) (InvoicePage, error)
	// Add records a new page; an attempt already taken is
	// apperr.ErrDuplicate (another request made it first).
	Add(ctx context.Context, p InvoicePage) error
	// SetSession records the gateway's id for a page.
	SetSession(ctx context.Context, tenantID, orderID string, attempt int, sessionID string) error
	// Started reports whether a page on gateway was made for an order.
	Started(ctx context.Context, tenantID, orderID, gateway string) (bool, error)
	// SwitchGateway records that an order waiting for payment on gateway
	// from is paid through gateway to (apperr.ErrStale if it moved).
	SwitchGateway(ctx context.Context, tenantID, orderID, from, to string, now time.Time) error
	// Unchecked returns pages, in every tenant, expired before the given
	// time and never asked about, whose order still waits for payment by
	// invoice; at most limit.
	Unchecked(ctx context.Context, before time.Time, limit int) ([]InvoicePage, error)
	// MarkChecked records that the gateway was asked about a page.
	MarkChecked(ctx context.Context, tenantID, orderID string, attempt int, now time.Time) error
}

// online returns the gateway that pays invoices online: the first one
// offered with a hosted payment page, or nil.
func (s *Service) online() payment.Redirector {
	if s.invoices == nil {
		return nil
	}
	for _, n := range s.names {
		if rd, ok := s.gateways[n].(payment.Redirector); ok {
			return rd
		}
	}
	return nil
}

// PaysInvoicesOnline reports whether orders placed by invoice can be paid
// later on a gateway's hosted page (a gateway with one is configured).
func (s *Service) PaysInvoicesOnline() bool { return s.online() != nil }

// Outstanding is what is still owed on an order: its total while it waits
// for payment, nothing once paid or cancelled. An order is paid whole, in
// one payment (Salve takes no part payments), so no more can be asked.
func Outstanding(o *Order) int64 {
	if o.Status != PendingPayment {
		return 0
	}
	return o.Total
}

// invoicePaymentPage returns the hosted payment page for an unpaid order
// placed by invoice. Only the order's owner, or a proxy granted billing,
// gets it (read as billing data); anyone else gets the same NotFound as for
// a missing order. Two requests get the same page while it is open, so
// the order can be paid only once.
func (s *Service) invoicePaymentPage(ctx context.Context, tenantID, orderID string, links Links) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	// Why billing and not orders: paying a bill is what a proxy granted
	// billing is for; the page shows the amount and reference only.
	o, err := s.GetAs(ctx, tenantID, orderID, access.DataBilling)
	if err != nil {
		return "", err
	}
	switch o.Status {
	case PendingPayment:
	case Cancelled:
		return "", apperr.New(apperr.Conflict, "This order was cancelled, so nothing is due. Reorder it from its page if you still need it.")
	default:
		return "", apperr.New(apperr.Conflict, "This invoice is already paid: nothing is due.")
	}
	rd := s.online()
	if rd == nil {
		return "", apperr.New(apperr.Conflict, "This shop does not take card payments online yet. Pay the invoice as it says, quoting the reference "+o.Reference+".")
	}
	amount := Outstanding(o)
	if amount <= 0 {
		return "", apperr.New(apperr.Conflict, "Nothing is due on this order.")
	}
	now := s.clock.Now()
	if !now.Add(HostedTTL).Before(o.CreatedAt.Add(InvoiceTTL)) {
		// Why: a page still open after the order's stock hold ends could
		// take money for an order cancelled meanwhile.
		return "", apperr.New(apperr.Conflict, "This invoice is about to close and can no longer be paid online. Contact us, quoting the reference "+o.Reference+".")
	}
	p, err := s.invoicePage(ctx, tenantID, o.ID, rd.Name(), now)
	if err != nil {
		return "", err
	}
	back := strings.TrimSuffix(links.BaseURL, "/") + "/account/orders/" + o.ID + "/receipt"
	h, err := rd.StartCheckout(ctx, payment.Request{IdempotencyKey: o.ID, Attempt: "invoice-" + strconv.Itoa(p.Attempt),
		Reference: o.Reference, Amount: amount, Currency: o.Currency, ExpiresAt: p.ExpiresAt}, back+"?paid=1", back)
	if err != nil {
		s.log.WarnContext(ctx, "invoice payment page not made", "order", o.ID, "gateway", rd.Name(), "err", err)
		return "", apperr.New(apperr.Unavailable, "The card payment service could not be reached. Try again in a moment.")
	}
	if p.SessionID != h.ID {
		if err := s.invoices.SetSession(ctx, tenantID, o.ID, p.Attempt, h.ID); err != nil {
			return "", err
		}
	}
	return h.URL, nil
}

// invoicePage returns the open payment page of an order, or claims a new
// attempt when there is none (or it closes within pageMargin). Every input
// of the gateway's page is derived from the claim, so a racing request that
// loses the claim asks the gateway for exactly the same page.
func (s *Service) invoicePage(ctx context.Context, tenantID, orderID, gateway string, now time.Time) (InvoicePage, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	p, err := s.invoices.Latest(ctx, tenantID, orderID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return p, err
	}
	if err == nil && p.Gateway == gateway && now.Add(pageMargin).Before(p.ExpiresAt) {
		return p, nil
	}
	// Whole seconds: the gateway keeps the expiry in seconds, and a retry
	// must send the same one.
	next := InvoicePage{TenantID: tenantID, OrderID: orderID, Attempt: p.Attempt + 1, Gateway: gateway,
		ExpiresAt: now.Add(HostedTTL).Truncate(time.Second), CreatedAt: now}
	err = s.invoices.Add(ctx, next)
	if errors.Is(err, apperr.ErrDuplicate) {
		return s.invoices.Latest(ctx, tenantID, orderID)
	}
	return next, err
}

// invoiceEvent applies a gateway's verified word about an order placed by
// invoice and paid on that gateway's page. A page that expired changes
// nothing (the invoice stays due); a payment settles the order once, and
// the order is then the gateway's (so a refund goes back by it); a payment
// for an order settled or cancelled meanwhile is given back.
func (s *Service) invoiceEvent(ctx context.Context, tenantID, gateway string, r Record, out payment.Outcome, links Links) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !out.Paid {
		return nil
	}
	o, err := s.openForPayment(ctx, tenantID, r)
	if err != nil {
		return err
	}
	if out.Amount != o.Total || !strings.EqualFold(out.Currency, o.Currency) {
		// Why: the order is worth what Salve priced, not what a message says.
		s.log.ErrorContext(ctx, "invoice payment amount differs from the order; not marked paid", "order", o.ID, "reference", o.Reference)
		return s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "order.payment_mismatch",
			ResourceID: o.ID, Purpose: access.PurposePayment, Outcome: audit.Denied, Severity: audit.High,
			Detail: "the paid amount or currency differs from the invoice's"})
	}
	return s.invoiceSettle(ctx, tenantID, gateway, r, o, out.ChargeID, links)
}

// invoiceSettle settles an invoice order paid on gateway's page (chargeID:
// the payment), or gives the payment back when the order was settled or
// cancelled meanwhile.
func (s *Service) invoiceSettle(ctx context.Context, tenantID, gateway string, r Record, o *Order, chargeID string, links Links) error {
	ctx = tenant.WithScope(ctx, tenantID)
	o.Gateway = gateway
	switch r.Status {
	case PendingPayment:
		// Audited first, like every change to an order.
		if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "order.invoice_paid_online",
			ResourceID: o.ID, Purpose: access.PurposePayment, Detail: "invoice paid on " + gateway}); err != nil {
			return fmt.Errorf("audit invoice payment: %w", err)
		}
		if err := s.invoices.SwitchGateway(ctx, tenantID, o.ID, InvoiceGateway, gateway, s.clock.Now()); err != nil {
			return err
		}
		err := s.settle(ctx, tenantID, o, chargeID, access.PurposePayment, links)
		if apperr.Is(err, apperr.Conflict) {
			// Moved meanwhile (customer service marked it paid as this
			// payment came): unless it was this payment, it is a second one.
			if cur, rerr := s.orders.ByID(ctx, tenantID, o.ID); rerr == nil && cur.Status != PendingPayment && cur.ChargeID != chargeID {
				return s.refundSecond(ctx, tenantID, gateway, o, chargeID)
			}
		}
		return err
	case Cancelled:
		return s.refundLate(ctx, tenantID, o, chargeID)
	}
	// Paid already, by other means (staff marked the invoice paid when a
	// transfer came): this second payment is given back.
	return s.refundSecond(ctx, tenantID, gateway, o, chargeID)
}

// refundSecond gives back a payment on gateway for an invoice order settled
// by other means: the order is paid once.
func (s *Service) refundSecond(ctx context.Context, tenantID, gateway string, o *Order, chargeID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	rf, ok := s.gateways[gateway].(payment.Refunder)
	if !ok || chargeID == "" {
		s.log.ErrorContext(ctx, "second payment for a paid invoice cannot be refunded automatically", "order", o.ID, "reference", o.Reference)
		return nil
	}
	if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "order.duplicate_payment_refund",
		ResourceID: o.ID, Purpose: access.PurposePayment, Detail: "paid online after the invoice was settled"}); err != nil {
		return fmt.Errorf("audit duplicate refund: %w", err)
	}
	if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: chargeID, Amount: o.Total, Currency: o.Currency, IdempotencyKey: "dup-" + chargeID}); err != nil {
		return err
	}
	s.log.WarnContext(ctx, "refunded a second payment for a paid invoice", "order", o.ID, "reference", o.Reference)
	return nil
}

// reconcileInvoices asks the gateway about invoice payment pages that
// expired while their order still waits: a payment whose webhook never came
// settles the order. Each page is asked about once (an expired page cannot
// be paid any more); a gateway that cannot be reached is asked again on the
// next run.
func (s *Service) reconcileInvoices(ctx context.Context) (int, error) {
	if s.invoices == nil {
		return 0, nil
	}
	pages, err := s.invoices.Unchecked(ctx, s.clock.Now(), 100)
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, p := range pages {
		ok, err := s.reconcileInvoice(ctx, p)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			n++
		}
		errs = append(errs, s.invoices.MarkChecked(ctx, p.TenantID, p.OrderID, p.Attempt, s.clock.Now()))
	}
	return n, errors.Join(errs...)
}

// reconcileInvoice asks about one page and settles its order if it was paid.
func (s *Service) reconcileInvoice(ctx context.Context, p InvoicePage) (bool, error) {
	ck, ok := s.gateways[p.Gateway].(payment.Checker)
	if !ok {
		return false, nil
	}
	c, err := ck.Check(ctx, payment.Lookup{OrderID: p.OrderID, ChargeID: p.SessionID})
	if err != nil || !c.Paid {
		return false, err
	}
	ctx = access.WithActor(ctx, access.System("payment.reconcile", p.TenantID))
	r, err := s.orders.ByID(ctx, p.TenantID, p.OrderID)
	if err != nil {
		return false, err
	}
	o, err := s.openForPayment(ctx, p.TenantID, r)
	if err != nil {
		return false, err
	}
	if err := s.invoiceSettle(ctx, p.TenantID, p.Gateway, r, o, c.ID, s.linksFor(ctx, p.TenantID)); err != nil {
		return false, err
	}
	s.log.InfoContext(ctx, "reconciled a paid invoice", "order", o.ID, "gateway", p.Gateway)
	return true, nil
}
