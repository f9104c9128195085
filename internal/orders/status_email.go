package orders

import (
	"context"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/tenant"
)

// emailed are the statuses a customer hears about: each says something they
// can act on or wait for. (pending_payment is where every order starts.)
var emailed = map[Status]bool{Paid: true, AwaitingRx: true, Ready: true, Shipped: true, Delivered: true, Cancelled: true, Refunded: true}

// statusEmail queues the email that tells the order's owner its new status:
// the brand, the reference, the status in words and a link to sign in —
// nothing bought, no address, no order id (notify.Compose takes nothing
// else). Nothing is sent without Links (a job takes them from Deps.Links).
func (s *Service) statusEmail(ctx context.Context, tenantID string, o *Order, n Links) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.outbox == nil || s.contacts == nil || n.Brand == "" || n.BaseURL == "" || !emailed[o.Status] {
		return nil
	}
	// Why a system actor: the address is read by Salve to send the email,
	// never shown to the member of staff whose step caused it (fulfillment
	// may not read contact data), and the audit log says so.
	sys := access.WithActor(ctx, access.System("orders.status_email", tenantID))
	to, err := s.contacts(sys, tenantID, o.UserID)
	if err != nil {
		return err
	}
	msg, err := notify.Compose(notify.OrderStatus, to, notify.Params{Brand: n.Brand, Link: strings.TrimSuffix(n.BaseURL, "/") + "/account/orders",
		Reference: o.Reference, Status: string(o.Status)})
	if err != nil {
		return err
	}
	return s.outbox.Enqueue(sys, tenantID, o.UserID, notify.OrderStatus, msg)
}

// emailQuietly queues the status email of a change already made: a failure
// is logged (ids only) and does not undo the change.
func (s *Service) emailQuietly(ctx context.Context, tenantID string, o *Order, n Links) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.changed != nil && emailed[o.Status] {
		s.changed(ctx, tenantID, o.ID, o.Status)
	}
	if err := s.statusEmail(ctx, tenantID, o, n); err != nil {
		s.log.ErrorContext(ctx, "order email not queued", "order", o.ID, "err", err)
	}
}

// invoiceEmail queues the email of an order placed to be paid by invoice:
// it confirms the order and links to it, where the invoice is (the amount
// and how to pay). Like every order email it names the brand and the
// reference, nothing bought and no address. Why a link to the order's page
// (its id in the URL): the id is random and says nothing, and the page asks
// for a sign-in and the owner's access like any other.
func (s *Service) invoiceEmail(ctx context.Context, tenantID string, o *Order, n Links) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.outbox == nil || s.contacts == nil || n.Brand == "" || n.BaseURL == "" {
		return
	}
	sys := access.WithActor(ctx, access.System("orders.invoice_email", tenantID))
	err := func() error {
		to, err := s.contacts(sys, tenantID, o.UserID)
		if err != nil {
			return err
		}
		msg, err := notify.Compose(notify.OrderInvoice, to, notify.Params{Brand: n.Brand,
			Link: strings.TrimSuffix(n.BaseURL, "/") + "/account/orders/" + o.ID, Reference: o.Reference})
		if err != nil {
			return err
		}
		return s.outbox.Enqueue(sys, tenantID, o.UserID, notify.OrderInvoice, msg)
	}()
	if err != nil {
		s.log.ErrorContext(ctx, "invoice email not queued", "order", o.ID, "err", err)
	}
}
