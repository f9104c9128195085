package orders

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// StaffRoles are the staff roles whose work needs orders (DESIGN §1):
// customer service, pharmacists and fulfillment. Store managers, admins,
// compliance and clinicians have no order access (access.Decide agrees).
var StaffRoles = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleFulfillment}

// Step is one thing a member of staff does to an order.
type Step string

// The steps, in the order an order meets them.
const (
	StepMarkPaid Step = "mark-paid" // an invoice was paid: pending_payment → paid (→ awaiting_rx)
	StepRelease  Step = "release"   // the prescription is verified: awaiting_rx → ready
	StepPrepare  Step = "prepare"   // paid, nothing to verify: paid → ready
	StepShip     Step = "ship"      // ready → shipped
	StepDeliver  Step = "deliver"   // shipped → delivered
	StepCancel   Step = "cancel"    // before shipping → cancelled (money taken is given back)
	StepRefund   Step = "refund"    // paid .. delivered → refunded
)

// Steps lists every step in the order the staff page offers them.
var Steps = []Step{StepMarkPaid, StepRelease, StepPrepare, StepShip, StepDeliver, StepCancel, StepRefund}

// stepRule is what a step needs and does.
type stepRule struct {
	from  []Status
	to    Status
	roles []access.Role
	label string
}

// stepRules say who may take each step and from where. Why per role and not
// per data class: all three order roles may write orders (access.Decide), but
// only a pharmacist may say that a prescription was verified, only
// fulfillment hands a parcel to the carrier, and only customer service moves
// money (refunds, invoices) or cancels for a customer. The service enforces
// this; the page only hides the buttons a role may not use.
var stepRules = map[Step]stepRule{
	StepMarkPaid: {from: []Status{PendingPayment}, to: Paid, roles: []access.Role{access.RoleCustomerService}, label: "Mark invoice paid"},
	StepRelease:  {from: []Status{AwaitingRx}, to: Ready, roles: []access.Role{access.RolePharmacist}, label: "Prescription verified: release"},
	StepPrepare:  {from: []Status{Paid}, to: Ready, roles: []access.Role{access.RoleFulfillment, access.RoleCustomerService}, label: "Prepare"},
	StepShip:     {from: []Status{Ready}, to: Shipped, roles: []access.Role{access.RoleFulfillment}, label: "Mark shipped"},
	StepDeliver:  {from: []Status{Shipped}, to: Delivered, roles: []access.Role{access.RoleFulfillment, access.RoleCustomerService}, label: "Mark delivered"},
	StepCancel: {from: []Status{PendingPayment, Paid, AwaitingRx, Ready}, to: Cancelled, roles: []access.Role{access.RoleCustomerService},
		label: "Cancel order"},
	StepRefund: {from: []Status{Paid, AwaitingRx, Ready, Shipped, Delivered}, to: Refunded, roles: []access.Role{access.RoleCustomerService},
		label: "Refund"},
}

// Label is the step's button text.
func (st Step) Label() string { return stepRules[st].label }

// Valid reports whether st is a known step.
func (st Step) Valid() bool { _, ok := stepRules[st]; return ok }

// Allowed reports whether a role may take the step on an order in status
// from. Advance checks the same rule; pages use it to choose their buttons.
func (st Step) Allowed(role access.Role, from Status) bool {
	r, ok := stepRules[st]
	return ok && slices.Contains(r.roles, role) && slices.Contains(r.from, from) && CanMove(from, r.to)
}

// QueueStatuses are the statuses the staff queue shows by default: the open
// orders that wait for someone's work (an invoice to be paid, a prescription
// to verify, a parcel to prepare or ship).
var QueueStatuses = []Status{PendingPayment, Paid, AwaitingRx, Ready}

// AllStatuses lists every status.
var AllStatuses = []Status{PendingPayment, Paid, AwaitingRx, Ready, Shipped, Delivered, Cancelled, Refunded}

// QueueItem is an order in the staff queue: only what is stored in the clear.
type QueueItem struct {
	ID, Reference, Gateway string
	Status                 Status
	CreatedAt              time.Time
}

// Queue returns a page of the tenant's orders in any of statuses, newest
// first; after is the last id of the previous page ("" for the first). It
// opens no sealed details: the list shows references and statuses only, so
// it reveals no one's PHI and needs no vault access.
func (s *Service) Queue(ctx context.Context, tenantID string, statuses []Status, after string, limit int) ([]QueueItem, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	// Why a role check here and not only on the route: the queue is every
	// patient's orders of the tenant, for the roles whose work is orders.
	if !ok || a.TenantID != tenantID || !slices.Contains(StaffRoles, a.Role) {
		return nil, apperr.DeniedError(access.ErrDenied)
	}
	if after != "" && !id.Valid(after) {
		return nil, apperr.New(apperr.Invalid, "That page of the queue does not exist.")
	}
	for _, st := range statuses {
		if !slices.Contains(AllStatuses, st) {
			return nil, apperr.New(apperr.Invalid, "Choose a status from the list.")
		}
	}
	return s.orders.Queue(ctx, tenantID, statuses, after, limit)
}

// Advanced is the outcome of a step.
type Advanced struct {
	OrderID string
	Status  Status
	// ManualRefund is set when money was taken through a gateway that cannot
	// give it back by itself (an invoice): staff return it by hand.
	ManualRefund bool
}

// Advance takes one step on an order for the member of staff in ctx: their
// role must be one the step allows (Forbidden otherwise), the state machine
// must allow it (Conflict otherwise), and either failure changes nothing.
// An order the actor may not see, another tenant's and an unknown id are the
// same NotFound. The transition is audited by move; a refund (or a cancel
// after payment) gives back what is left of the charge through the gateway
// first, with the order id as the idempotency key, so a repeated request
// refunds once.
// The customer gets a status email; its failure does not undo the step.
func (s *Service) Advance(ctx context.Context, tenantID, orderID string, step Step, n Links) (*Advanced, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rule, ok := stepRules[step]
	if !ok || !id.Valid(orderID) {
		return nil, apperr.NotFoundError()
	}
	a, _ := access.ActorFrom(ctx)
	// Why before anything else: steps are the work of order staff. A patient
	// (who may write their own order) or a job does not take them here, and
	// hears the same NotFound as for a missing order.
	if !slices.Contains(StaffRoles, a.Role) {
		return nil, apperr.DeniedError(access.ErrDenied)
	}
	r, err := s.orders.ByID(ctx, tenantID, orderID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, err
	}
	d, err := s.decide(ctx, tenantID, r.UserID, access.Write)
	if err != nil {
		if a.ID != "" {
			_ = s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, ActorID: a.ID, Action: "order." + string(step),
				ResourceID: orderID, Outcome: audit.Denied, Detail: "no write access to orders"})
		}
		return nil, apperr.NotFoundError()
	}
	from := r.Status
	if !slices.Contains(rule.roles, a.Role) {
		// The actor may see the order, so saying what they may not do here
		// discloses nothing; the refusal is recorded.
		if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, ActorID: a.ID, Subjects: []string{r.UserID}, Action: "order." + string(step),
			ResourceID: orderID, Purpose: d.Purpose, Outcome: audit.Denied, Detail: "role " + string(a.Role)}); err != nil {
			return nil, fmt.Errorf("audit refused step: %w", err)
		}
		return nil, apperr.New(apperr.Forbidden, fmt.Sprintf("Your role may not %s orders: that is for %s.", stepVerb(step), roleNames(rule.roles)))
	}
	if !slices.Contains(rule.from, from) || !CanMove(from, rule.to) {
		return nil, apperr.New(apperr.Conflict, fmt.Sprintf("An order that is %q cannot be %s.", from.Label(), stepPast(step)))
	}
	if step == StepMarkPaid && r.Gateway != "invoice" {
		// A card payment under way is finished by its gateway, never by hand.
		return nil, apperr.New(apperr.Conflict, "Only an order paid by invoice is marked paid by hand.")
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "order", ResourceID: r.ID, AuditAction: "order.read"})
	if err != nil {
		return nil, err
	}
	o, err := open(h, r)
	if err != nil {
		return nil, err
	}
	if step == StepPrepare && o.NeedsRx {
		// A prescription item never skips the pharmacist.
		return nil, apperr.New(apperr.Conflict, "This order has a prescription item: a pharmacist releases it once the prescription is verified.")
	}
	if step == StepRelease && s.rx != nil {
		// Why: an order line of a prescription product is covered only by a
		// verified, unexpired prescription with a fill left; releasing by
		// hand may not skip that, it only checks again (and uses the fills).
		ok, err := s.cover(ctx, tenantID, o, d.Purpose)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, apperr.New(apperr.Conflict, "No verified prescription with a fill left covers every prescription item of this order yet: verify one in the prescription queue.")
		}
		out := &Advanced{OrderID: o.ID, Status: o.Status}
		s.emailQuietly(ctx, tenantID, o, n)
		return out, nil
	}
	out := &Advanced{}
	if (step == StepRefund || step == StepCancel) && from != PendingPayment {
		if out.ManualRefund, err = s.giveBack(ctx, tenantID, o, d.Purpose); err != nil {
			return nil, err
		}
	}
	if err := s.move(ctx, tenantID, o, rule.to, "", d.Purpose); err != nil {
		return nil, err
	}
	if step == StepMarkPaid && o.NeedsRx {
		if err := s.move(ctx, tenantID, o, AwaitingRx, "", d.Purpose); err != nil {
			return nil, err
		}
		if _, err := s.cover(ctx, tenantID, o, d.Purpose); err != nil {
			s.log.ErrorContext(ctx, "prescriptions not checked for a paid order", "order", o.ID, "err", err)
		}
	}
	out.OrderID, out.Status = o.ID, o.Status
	// The step is done and stays done even if the email fails (ids logged).
	s.emailQuietly(ctx, tenantID, o, n)
	return out, nil
}

// giveBack returns an order's payment through its gateway when the gateway
// can (payment.Refunder); it reports true when it cannot and staff must
// return the money by hand (an invoice). The attempt is audited before the
// gateway is asked; the idempotency key makes a retried or doubled request
// refund once.
func (s *Service) giveBack(ctx context.Context, tenantID string, o *Order, purpose access.Purpose) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rf, ok := s.gateways[o.Gateway].(payment.Refunder)
	if !ok || o.ChargeID == "" {
		return true, nil
	}
	amount := o.Total
	if s.returns != nil {
		// Why: returns may have refunded lines already; the rest is what
		// is left of the charge, never the total again.
		done, err := s.returns.RefundedTotal(ctx, tenantID, o.ID)
		if err != nil {
			return false, err
		}
		amount -= done
	}
	if amount <= 0 {
		return false, nil
	}
	if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "payment.refund",
		ResourceID: o.ID, Purpose: purpose, Detail: o.Gateway}); err != nil {
		return false, fmt.Errorf("audit refund: %w", err)
	}
	if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: o.ChargeID, Amount: amount, Currency: o.Currency,
		IdempotencyKey: o.ID}); err != nil {
		s.log.WarnContext(ctx, "refund failed", "order", o.ID, "gateway", o.Gateway, "err", err)
		return false, apperr.Wrap(err, apperr.Unavailable, "The payment processor did not refund the order, so nothing was changed. Try again in a few minutes.")
	}
	return false, nil
}

func stepVerb(st Step) string {
	return map[Step]string{StepMarkPaid: "mark invoices paid for", StepRelease: "release prescription", StepPrepare: "prepare",
		StepShip: "ship", StepDeliver: "mark delivered", StepCancel: "cancel", StepRefund: "refund"}[st]
}

func stepPast(st Step) string {
	return map[Step]string{StepMarkPaid: "marked paid", StepRelease: "released", StepPrepare: "prepared", StepShip: "shipped",
		StepDeliver: "marked delivered", StepCancel: "cancelled", StepRefund: "refunded"}[st]
}

func roleNames(roles []access.Role) string {
	names := map[access.Role]string{access.RoleCustomerService: "customer service", access.RolePharmacist: "pharmacists",
		access.RoleFulfillment: "fulfillment"}
	out := ""
	for i, r := range roles {
		switch {
		case i == 0:
		case i == len(roles)-1:
			out += " and "
		default:
			out += ", "
		}
		out += names[r]
	}
	return out
}

// CountWaiting returns how many of the tenant's orders wait for work
// (QueueStatuses), counting up to limit: more reports that there are more
// (the staff home shows "99+").
// The same role check as Queue; it opens no sealed details.
func (s *Service) CountWaiting(ctx context.Context, tenantID string, limit int) (n int, more bool, err error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := s.Queue(ctx, tenantID, QueueStatuses, "", limit+1)
	if err != nil {
		return 0, false, err
	}
	if len(rows) > limit {
		return limit, true, nil
	}
	return len(rows), false, nil
}
