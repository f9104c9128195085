package orders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// HostedTTL is how long a payment page takes payments. The order's stock is
// held for HostedHold, longer, so that a payment made in the page's last
// minute still finds its stock when the gateway's word arrives.
const (
	HostedTTL  = 35 * time.Minute
	HostedHold = 60 * time.Minute
)

// ReconcileAfter is how old an unpaid order is before reconciliation asks
// its gateway whether it was paid after all.
const ReconcileAfter = 2 * time.Minute

// startHosted makes (or, for the same order, finds again) the gateway's
// payment page and records its id with the order. Every input is derived
// from the order, so a retry asks the gateway for exactly the same page
// (idempotency keys refuse changed parameters).
func (s *Service) startHosted(ctx context.Context, tenantID string, o *Order, rd payment.Redirector, links Links) (payment.Hosted, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	base := strings.TrimSuffix(links.BaseURL, "/") + "/account/orders/" + o.ID
	h, err := rd.StartCheckout(ctx, payment.Request{IdempotencyKey: o.ID, Reference: o.Reference, Amount: o.Total, Currency: o.Currency,
		ExpiresAt: o.CreatedAt.Add(HostedTTL)}, base+"?paid=1", base)
	if err != nil {
		return h, err
	}
	if o.ChargeID != h.ID {
		if err := s.orders.SetCharge(ctx, tenantID, o.ID, o.Status, h.ID, s.clock.Now()); err != nil {
			return h, err
		}
		o.ChargeID = h.ID
	}
	return h, nil
}

// PaysOnPage reports whether an order's gateway takes the payment on its
// own page (the order page then offers "Pay now" while it is unpaid).
func (s *Service) PaysOnPage(o *Order) bool {
	if o.Gateway == InvoiceGateway {
		// An invoice is paid later on the online gateway's page, if any.
		return s.PaysInvoicesOnline()
	}
	_, ok := s.gateways[o.Gateway].(payment.Redirector)
	return ok
}

// PaymentPage returns where to send the browser to pay an unpaid order: the
// gateway's hosted page. Only the order's owner (or their proxy) gets it;
// anyone else gets the same NotFound as for a missing order. An order placed
// by invoice is paid on the online gateway's page (invoicePaymentPage).
func (s *Service) PaymentPage(ctx context.Context, tenantID, orderID string, links Links) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if id.Valid(orderID) {
		// The gateway is in the clear: which way to pay is decided before
		// the order is opened, each way deciding access itself.
		if r, err := s.orders.ByID(ctx, tenantID, orderID); err == nil && r.Gateway == InvoiceGateway {
			return s.invoicePaymentPage(ctx, tenantID, orderID, links)
		}
	}
	o, err := s.Get(ctx, tenantID, orderID)
	if err != nil {
		return "", err
	}
	rd, ok := s.gateways[o.Gateway].(payment.Redirector)
	switch {
	case !ok:
		return "", apperr.NotFoundError()
	case o.Status != PendingPayment || !s.clock.Now().Before(o.CreatedAt.Add(HostedTTL)):
		return "", apperr.New(apperr.Conflict, "This order can no longer be paid here. If it was cancelled, reorder it from its page.")
	}
	h, err := s.startHosted(ctx, tenantID, o, rd, links)
	if err != nil {
		s.log.WarnContext(ctx, "payment page not made", "order", o.ID, "gateway", o.Gateway, "err", err)
		return "", apperr.New(apperr.Unavailable, "The card payment service could not be reached. Try again in a moment.")
	}
	return h.URL, nil
}

// ErrBadEvent is a message that does not come from the gateway (a bad or
// missing signature, or one too old): it changes nothing.
var ErrBadEvent = errors.New("payment event refused")

// PaymentEvent applies a gateway's signed message about an order: paid
// moves it on (and a payment for an order cancelled meanwhile is refunded);
// an expired or failed payment cancels an unpaid order. The message is
// verified first, and each outcome is idempotent by the order's status, so a
// replayed or repeated event changes nothing. An event for an order of
// another tenant or none is acknowledged and ignored.
func (s *Service) PaymentEvent(ctx context.Context, tenantID, gateway string, payload []byte, signature string, links Links) error {
	ctx = tenant.WithScope(ctx, tenantID)
	rd, ok := s.gateways[gateway].(payment.Redirector)
	if !ok {
		return apperr.NotFoundError()
	}
	out, err := rd.Verify(payload, signature)
	if err != nil {
		// Why: anyone can post here; only the gateway's signature makes a
		// message worth acting on. The error text stays in the log.
		s.log.WarnContext(ctx, "payment event refused", "gateway", gateway, "err", err)
		return apperr.Wrap(ErrBadEvent, apperr.Invalid, "The signature does not verify.")
	}
	if out.OrderID == "" || !id.Valid(out.OrderID) || (!out.Paid && !out.Failed) {
		return nil
	}
	ctx = access.WithActor(ctx, access.System("payment."+gateway, tenantID))
	r, err := s.orders.ByID(ctx, tenantID, out.OrderID)
	if apperr.Is(err, apperr.NotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if r.Gateway == InvoiceGateway && s.invoices != nil {
		// Why only with a page of ours on record: a signed message about an
		// invoice order Salve never sent to this gateway is not a payment.
		ok, err := s.invoices.Started(ctx, tenantID, r.ID, gateway)
		if err != nil {
			return err
		}
		if ok {
			return s.invoiceEvent(ctx, tenantID, gateway, r, out, links)
		}
	}
	if r.Gateway != gateway {
		s.log.WarnContext(ctx, "payment event for an order of another gateway", "order", r.ID, "gateway", gateway)
		return nil
	}
	return s.apply(ctx, tenantID, r, out, links)
}

// apply acts on a verified outcome for an order.
func (s *Service) apply(ctx context.Context, tenantID string, r Record, out payment.Outcome, links Links) error {
	ctx = tenant.WithScope(ctx, tenantID)
	status := r.Status
	if out.Failed {
		if status != PendingPayment {
			return nil
		}
		o := &Order{ID: r.ID, Reference: r.Reference, UserID: r.UserID, Status: status}
		if err := s.move(ctx, tenantID, o, Cancelled, "", access.PurposePayment); err != nil {
			return err
		}
		s.emailQuietly(ctx, tenantID, o, links)
		return nil
	}
	o, err := s.openForPayment(ctx, tenantID, r)
	if err != nil {
		return err
	}
	if out.Amount != o.Total || !strings.EqualFold(out.Currency, o.Currency) {
		// Why: the order is worth what Salve priced, not what a message says;
		// a mismatch is for a person to look at, never a reason to ship.
		s.log.ErrorContext(ctx, "payment amount differs from the order; not marked paid", "order", o.ID, "reference", o.Reference)
		return s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "order.payment_mismatch",
			ResourceID: o.ID, Purpose: access.PurposePayment, Outcome: audit.Denied, Severity: audit.High,
			Detail: "the paid amount or currency differs from the order's"})
	}
	switch status {
	case PendingPayment:
		return s.settle(ctx, tenantID, o, out.ChargeID, access.PurposePayment, links)
	case Cancelled:
		return s.refundLate(ctx, tenantID, o, out.ChargeID)
	}
	return nil // already paid: a repeated event
}

// refundLate gives back a payment that arrived for an order cancelled
// meanwhile (its hold ran out, its stock went back on sale).
func (s *Service) refundLate(ctx context.Context, tenantID string, o *Order, chargeID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	rf, ok := s.gateways[o.Gateway].(payment.Refunder)
	if !ok || chargeID == "" {
		s.log.ErrorContext(ctx, "payment for a cancelled order cannot be refunded automatically", "order", o.ID, "reference", o.Reference)
		return nil
	}
	// Audited first, like every change to an order.
	if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "order.late_payment_refund",
		ResourceID: o.ID, Purpose: access.PurposePayment, Detail: "paid after the order was cancelled"}); err != nil {
		return fmt.Errorf("audit late refund: %w", err)
	}
	if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: chargeID, Amount: o.Total, Currency: o.Currency, IdempotencyKey: "late-" + o.ID}); err != nil {
		return err
	}
	s.log.WarnContext(ctx, "refunded a payment for a cancelled order", "order", o.ID, "reference", o.Reference)
	return nil
}

// openForPayment opens an order for the payment system (audited, purpose
// payment): settling needs its total and whether it needs a prescription.
func (s *Service) openForPayment(ctx context.Context, tenantID string, r Record) (*Order, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Read,
		Purpose: access.PurposePayment, Resource: "order", ResourceID: r.ID, AuditAction: "order.read"})
	if err != nil {
		return nil, err
	}
	return open(h, r)
}

// ReconcilePayments asks the gateways about orders still unpaid a while
// after they were placed: an order whose money was taken while Salve did
// not hear of it (an answer lost, a webhook missed, marking it paid failed)
// is settled. The background job runs it; it returns how many it settled.
func (s *Service) ReconcilePayments(ctx context.Context) (int, error) {
	n := 0
	var errs []error
	for name, g := range s.gateways {
		if _, ok := g.(payment.Checker); !ok {
			continue
		}
		rows, err := s.orders.Unpaid(ctx, name, s.clock.Now().Add(-ReconcileAfter), 100)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, r := range rows {
			if _, hosted := g.(payment.Redirector); hosted && s.clock.Now().Before(r.CreatedAt.Add(HostedTTL)) {
				// Its payment page is still open: the patient may be paying.
				continue
			}
			ok, err := s.reconcile(ctx, r)
			if ok {
				n++
			}
			errs = append(errs, err)
		}
	}
	// Invoices paid later online whose page expired unheard of.
	k, err := s.reconcileInvoices(ctx)
	return n + k, errors.Join(append(errs, err)...)
}

// reconcile asks an unpaid order's gateway about it and settles it if paid.
func (s *Service) reconcile(ctx context.Context, r Record) (bool, error) {
	ck, ok := s.gateways[r.Gateway].(payment.Checker)
	if !ok {
		return false, nil
	}
	c, err := ck.Check(ctx, payment.Lookup{OrderID: r.ID, ChargeID: r.ChargeID})
	if err != nil || !c.Paid {
		return false, err
	}
	ctx = access.WithActor(ctx, access.System("payment.reconcile", r.TenantID))
	o, err := s.openForPayment(ctx, r.TenantID, r)
	if err != nil {
		return false, err
	}
	if err := s.settle(ctx, r.TenantID, o, c.ID, access.PurposePayment, s.linksFor(ctx, r.TenantID)); err != nil {
		return false, err
	}
	s.log.InfoContext(ctx, "reconciled a paid order", "order", o.ID, "gateway", r.Gateway)
	return true, nil
}

// linksFor names a tenant's shop for emails sent without a request (jobs).
func (s *Service) linksFor(ctx context.Context, tenantID string) Links {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.links == nil {
		return Links{}
	}
	return s.links(ctx, tenantID)
}
