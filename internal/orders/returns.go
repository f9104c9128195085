package orders

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// ReturnStatus is where a return is in its life.
type ReturnStatus string

// The return statuses: requested by the patient, approved (or rejected) by
// customer service, received back, refunded.
const (
	ReturnRequested ReturnStatus = "requested"
	ReturnApproved  ReturnStatus = "approved"
	ReturnRejected  ReturnStatus = "rejected"
	ReturnReceived  ReturnStatus = "received"
	ReturnRefunded  ReturnStatus = "refunded"
)

// Label is the status as a patient reads it.
func (s ReturnStatus) Label() string {
	return map[ReturnStatus]string{ReturnRequested: "Requested: we will answer soon", ReturnApproved: "Approved: send the items back",
		ReturnRejected: "Not accepted", ReturnReceived: "Received: refund on its way", ReturnRefunded: "Refunded"}[s]
}

// ReturnRules are a tenant's return rules (tenant settings, see
// tenant.SetReturnWindowDays): kept to three explicit switches so a patient
// and staff can tell in advance what is returnable.
type ReturnRules struct {
	// WindowDays is how many days after delivery a return may be requested;
	// 0 takes no returns.
	WindowDays int
	// Prescription: prescription items may be returned (default no: a
	// dispensed medicine cannot be resold or safely taken back).
	Prescription bool
	// Opened: items the patient says were opened may be returned (default
	// no: opened personal-care items cannot be resold).
	Opened bool
}

// DefaultReturnRules apply when a tenant sets nothing.
var DefaultReturnRules = ReturnRules{WindowDays: 30}

// ReturnLine is one order line (by position) in a return.
type ReturnLine struct {
	Line     int    `json:"line"`
	Label    string `json:"label"`
	Quantity int64  `json:"quantity"`
	Opened   bool   `json:"opened"`
	// Units are the positions of the line's units this return holds
	// (order_return_units); Amount is their refund, fixed when requested.
	Units  []int `json:"units"`
	Amount int64 `json:"amount"`
}

// ReturnDetails is the sealed part of a return.
type ReturnDetails struct {
	Lines  []ReturnLine `json:"lines"`
	Reason string       `json:"reason"`
	// Resellable is staff's word at receipt: the items went back to stock.
	Resellable bool `json:"resellable,omitempty"`
}

// Return is a return opened for someone allowed to see it.
type Return struct {
	ID, OrderID, UserID string
	Status              ReturnStatus
	Currency            string
	Refunded            int64
	CreatedAt           time.Time
	ReturnDetails
}

// Amount is what the return refunds.
func (r *Return) Amount() int64 {
	var n int64
	for _, l := range r.Lines {
		n += l.Amount
	}
	return n
}

// ReturnRecord is a return as the PHI store keeps it.
type ReturnRecord struct {
	ID, TenantID, OrderID, UserID string
	Status                        ReturnStatus
	DetailsCT                     []byte
	Refunded                      int64
	CreatedAt, UpdatedAt          time.Time
}

// ReturnUnit is one unit of an order line held by a return.
type ReturnUnit struct {
	Line, Unit int
}

// ReturnStore keeps returns in the PHI store (internal/store.Returns).
type ReturnStore interface {
	// Units returns the units of an order's lines held by returns that were
	// not rejected.
	Units(ctx context.Context, tenantID, orderID string) ([]ReturnUnit, error)
	// Insert stores a return and claims its units in one transaction; a
	// unit claimed meanwhile is apperr.ErrDuplicate and stores nothing.
	Insert(ctx context.Context, r ReturnRecord, units []ReturnUnit) error
	// ByID returns a return of a tenant, or NotFound.
	ByID(ctx context.Context, tenantID, returnID string) (ReturnRecord, error)
	// ByOrder returns an order's returns, oldest first.
	ByOrder(ctx context.Context, tenantID, orderID string) ([]ReturnRecord, error)
	// SetStatus moves a return from one status to another (recording
	// refunded when to is refunded; freeing its units when rejected); a
	// Conflict (apperr.ErrStale) when it is no longer in from.
	SetStatus(ctx context.Context, tenantID, returnID string, from, to ReturnStatus, refunded int64, now time.Time) error
	// RefundedTotal is what an order's returns refunded.
	RefundedTotal(ctx context.Context, tenantID, orderID string) (int64, error)
	// SetDetails replaces a return's sealed details.
	SetDetails(ctx context.Context, tenantID, returnID string, ct []byte, now time.Time) error
	// Open returns up to limit of a tenant's returns that wait for staff
	// (requested, approved, received), oldest first, with their order's
	// reference: what is in the clear only.
	Open(ctx context.Context, tenantID string, limit int) ([]ReturnQueueItem, error)
}

// ReturnQueueItem is a return waiting for staff, as the returns queue shows
// it: no sealed detail, so listing reveals nothing bought.
type ReturnQueueItem struct {
	ID, OrderID, Reference string
	Status                 ReturnStatus
	CreatedAt              time.Time
}

// ReturnQueue returns the tenant's returns that wait for staff work, oldest
// first, at most limit. The same role check as Queue: order staff of the
// tenant only. It opens no sealed details and needs no vault access.
func (s *Service) ReturnQueue(ctx context.Context, tenantID string, limit int) ([]ReturnQueueItem, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	// Why a role check here and not only on the route: the queue spans every
	// patient of the tenant, for the roles whose work is orders.
	if !ok || a.TenantID != tenantID || !slices.Contains(StaffRoles, a.Role) {
		return nil, apperr.DeniedError(access.ErrDenied)
	}
	if s.returns == nil {
		return nil, nil
	}
	return s.returns.Open(ctx, tenantID, limit)
}

// Restocker puts returned, resellable units back in stock (internal/store.Stock).
type Restocker interface {
	Restock(ctx context.Context, tenantID string, items []StockItem) error
}

// LineNet is what was charged for an order line net of the promotion's
// discount: the discount is shared out in proportion to the lines' totals,
// rounded up, so the lines' nets never add up to more than was charged for
// the items.
func (q *Quote) LineNet(i int) int64 {
	t := q.Items[i].Total()
	if q.Discount <= 0 || q.Subtotal <= 0 {
		return t
	}
	share := (q.Discount*t + q.Subtotal - 1) / q.Subtotal
	return max(t-share, 0)
}

// unitsAmount is the refund of the given units of a line whose net is net
// over qty units: unit u is worth net*(u+1)/qty - net*u/qty, so all units
// add up to exactly net and any set of them to no more.
func unitsAmount(net, qty int64, units []int) int64 {
	var n int64
	for _, u := range units {
		n += net*int64(u+1)/qty - net*int64(u)/qty
	}
	return n
}

// ReturnRequest is a patient's request: per order line (by position), the
// units to return and whether the item was opened, and the reason.
type ReturnRequest struct {
	Quantities map[int]int64
	Opened     map[int]bool
	Reason     string
	Links      Links
}

// MaxReturnReason bounds the reason's length.
const MaxReturnReason = 1000

// rules returns the tenant's return rules.
func (s *Service) rulesFor(ctx context.Context, tenantID string) ReturnRules {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.returnRules == nil {
		return DefaultReturnRules
	}
	return s.returnRules(ctx, tenantID)
}

// ReturnEligibility says whether an order may have a return requested now,
// and why not. Lines lists per line whether it may be returned and how many
// units are left to return.
type ReturnEligibility struct {
	Open   bool
	Why    string
	Until  time.Time
	Rules  ReturnRules
	Left   []int64
	Reason []string // per line: why it cannot be returned, or ""
}

// Eligibility is ReturnEligibility for an order the caller has opened.
func (s *Service) Eligibility(ctx context.Context, tenantID string, o *Order, deliveredAt time.Time) (*ReturnEligibility, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.returns == nil {
		return &ReturnEligibility{Why: "This shop does not take returns online."}, nil
	}
	rules := s.rulesFor(ctx, tenantID)
	e := &ReturnEligibility{Rules: rules, Until: deliveredAt.AddDate(0, 0, rules.WindowDays)}
	switch {
	case o.Status != Delivered:
		e.Why = "Items can be returned once the order is delivered."
		return e, nil
	case rules.WindowDays <= 0:
		e.Why = "This shop does not take returns."
		return e, nil
	case s.clock.Now().After(e.Until):
		e.Why = "The time to return items of this order (" + strconv.Itoa(rules.WindowDays) + " days after delivery) has passed."
		return e, nil
	}
	units, err := s.returns.Units(ctx, tenantID, o.ID)
	if err != nil {
		return nil, err
	}
	for i, it := range o.Items {
		taken := int64(0)
		for _, u := range units {
			if u.Line == i {
				taken++
			}
		}
		e.Left = append(e.Left, max(it.Quantity-taken, 0))
		why := ""
		if it.RequiresPrescription && !rules.Prescription {
			why = "Prescription items cannot be returned."
		}
		e.Reason = append(e.Reason, why)
		if why == "" && it.Quantity > taken {
			e.Open = true
		}
	}
	if !e.Open {
		e.Why = "Nothing of this order is left to return."
	}
	return e, nil
}

// DeliveredAt is when a delivered order was delivered: its last status
// change (a delivered order only changes again when refunded).
func (s *Service) DeliveredAt(ctx context.Context, tenantID, orderID string) (time.Time, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.orders.ByID(ctx, tenantID, orderID)
	if err != nil {
		return time.Time{}, err
	}
	return r.UpdatedAt, nil
}

// RequestReturn records a patient's return of some units of some lines of
// their delivered order, within the tenant's window and rules. Only the
// patient asks: why, a return sends goods back and money to the card that
// paid, a choice for the buyer (a proxy or staff member hears the same
// NotFound as for a missing order). Bad input is an Invalid error per field
// and changes nothing; units returned meanwhile by another request are a
// Conflict.
func (s *Service) RequestReturn(ctx context.Context, tenantID, orderID string, req ReturnRequest) (*Return, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.returns == nil || !id.Valid(orderID) {
		return nil, apperr.NotFoundError()
	}
	a, _ := access.ActorFrom(ctx)
	r, err := s.orders.ByID(ctx, tenantID, orderID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, err
	}
	if a.ID != r.UserID || a.TenantID != tenantID {
		return nil, apperr.NotFoundError()
	}
	d, err := s.decide(ctx, tenantID, r.UserID, access.Write)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "order", ResourceID: r.ID, AuditAction: "return.create"})
	if err != nil {
		return nil, err
	}
	o, err := open(h, r)
	if err != nil {
		return nil, err
	}
	e, err := s.Eligibility(ctx, tenantID, o, r.UpdatedAt)
	if err != nil {
		return nil, err
	}
	if !e.Open {
		return nil, apperr.New(apperr.Conflict, e.Why)
	}
	fields := map[string]string{}
	req.Reason = strings.TrimSpace(req.Reason)
	switch {
	case req.Reason == "":
		fields["reason"] = "Say why you are returning the items."
	case utf8.RuneCountInString(req.Reason) > MaxReturnReason:
		fields["reason"] = "Keep the reason under 1000 characters."
	}
	units, err := s.returns.Units(ctx, tenantID, o.ID)
	if err != nil {
		return nil, err
	}
	taken := map[ReturnUnit]bool{}
	for _, u := range units {
		taken[u] = true
	}
	var lines []ReturnLine
	var claims []ReturnUnit
	for line := range req.Quantities {
		if line < 0 || line >= len(o.Items) {
			return nil, apperr.New(apperr.Invalid, "That line is not in this order.")
		}
	}
	for i, it := range o.Items {
		q := req.Quantities[i]
		if q == 0 {
			continue
		}
		f := "qty-" + strconv.Itoa(i)
		switch {
		case q < 0 || q > e.Left[i]:
			fields[f] = fmt.Sprintf("Choose from 0 to %d.", e.Left[i])
			continue
		case e.Reason[i] != "":
			fields[f] = e.Reason[i]
			continue
		case req.Opened[i] && !e.Rules.Opened:
			fields[f] = "Opened items cannot be returned."
			continue
		}
		l := ReturnLine{Line: i, Label: it.Label(), Quantity: q, Opened: req.Opened[i]}
		for u := 0; u < int(it.Quantity) && int64(len(l.Units)) < q; u++ {
			if !taken[ReturnUnit{i, u}] {
				l.Units = append(l.Units, u)
				claims = append(claims, ReturnUnit{i, u})
			}
		}
		if int64(len(l.Units)) < q {
			// Why: Eligibility counted the units left before another
			// return's claim committed, and Units read after it; a line
			// short of free units would be a return that claims nothing,
			// so that the same unit could be returned (and refunded)
			// twice. Refused as the losing claim of a race is.
			return nil, apperr.New(apperr.Conflict, claimedMeanwhile)
		}
		l.Amount = unitsAmount(o.LineNet(i), it.Quantity, l.Units)
		lines = append(lines, l)
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Check the return: some of it cannot be accepted.", fields)
	}
	if len(lines) == 0 {
		return nil, apperr.InvalidFields("Choose at least one item to return.", map[string]string{"qty-0": "Choose how many to return."})
	}
	slices.SortFunc(lines, func(a, b ReturnLine) int { return a.Line - b.Line })
	ret := &Return{ID: id.New(), OrderID: o.ID, UserID: o.UserID, Status: ReturnRequested, Currency: o.Currency,
		CreatedAt: s.clock.Now(), ReturnDetails: ReturnDetails{Lines: lines, Reason: req.Reason}}
	ct, err := sealReturn(h, ret)
	if err != nil {
		return nil, err
	}
	err = s.returns.Insert(ctx, ReturnRecord{ID: ret.ID, TenantID: tenantID, OrderID: o.ID, UserID: o.UserID, Status: ReturnRequested,
		DetailsCT: ct, CreatedAt: ret.CreatedAt, UpdatedAt: ret.CreatedAt}, claims)
	if errors.Is(err, apperr.ErrDuplicate) {
		return nil, apperr.New(apperr.Conflict, claimedMeanwhile)
	}
	if err != nil {
		return nil, err
	}
	s.returnEmail(ctx, tenantID, o, ReturnRequested, req.Links)
	return ret, nil
}

// claimedMeanwhile is the answer to a return whose units another return
// claimed first.
const claimedMeanwhile = "Some of these items were just put in another return. Reload the order and try again."

func sealReturn(h phi.Handle, r *Return) ([]byte, error) {
	body, err := json.Marshal(r.ReturnDetails)
	if err != nil {
		return nil, fmt.Errorf("return details: %w", err)
	}
	return h.SealBytes(r.UserID, "order_returns", "details_ct", r.ID, body)
}

func openReturn(h phi.Handle, r ReturnRecord, currency string) (*Return, error) {
	body, err := h.OpenBytes(r.UserID, "order_returns", "details_ct", r.ID, r.DetailsCT)
	if err != nil {
		return nil, err
	}
	out := &Return{ID: r.ID, OrderID: r.OrderID, UserID: r.UserID, Status: r.Status, Refunded: r.Refunded, CreatedAt: r.CreatedAt, Currency: currency}
	if err := json.Unmarshal(body.Reveal(), &out.ReturnDetails); err != nil {
		return nil, fmt.Errorf("return %s: %w", r.ID, err)
	}
	return out, nil
}

// Returns returns an order's returns for the actor in ctx, who has opened
// the order (o): the same access decision as the order's, audited as
// return.read.
func (s *Service) Returns(ctx context.Context, tenantID string, o *Order) ([]*Return, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.returns == nil {
		return nil, nil
	}
	d, err := s.decide(ctx, tenantID, o.UserID, access.Read)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	rows, err := s.returns.ByOrder(ctx, tenantID, o.ID)
	if err != nil || len(rows) == 0 {
		return nil, err
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{o.UserID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "order", ResourceID: o.ID, AuditAction: "return.read"})
	if err != nil {
		return nil, err
	}
	out := make([]*Return, 0, len(rows))
	for _, r := range rows {
		ret, err := openReturn(h, r, o.Currency)
		if err != nil {
			return nil, err
		}
		out = append(out, ret)
	}
	return out, nil
}

// ReturnStep is one thing staff do to a return.
type ReturnStep string

// The return steps.
const (
	ReturnStepApprove ReturnStep = "approve"
	ReturnStepReject  ReturnStep = "reject"
	ReturnStepReceive ReturnStep = "receive"
	ReturnStepRefund  ReturnStep = "refund"
)

// ReturnSteps lists the steps in the order the staff page offers them.
var ReturnSteps = []ReturnStep{ReturnStepApprove, ReturnStepReject, ReturnStepReceive, ReturnStepRefund}

type returnRule struct {
	from  []ReturnStatus
	to    ReturnStatus
	roles []access.Role
	label string
}

// returnRules say who takes each step. Why these roles: customer service
// decides on a return and moves money (as for order refunds); fulfillment
// (and customer service) take in the parcel. Pharmacists have no part.
var returnRules = map[ReturnStep]returnRule{
	ReturnStepApprove: {from: []ReturnStatus{ReturnRequested}, to: ReturnApproved, roles: []access.Role{access.RoleCustomerService}, label: "Approve return"},
	ReturnStepReject: {from: []ReturnStatus{ReturnRequested, ReturnApproved}, to: ReturnRejected, roles: []access.Role{access.RoleCustomerService},
		label: "Reject return"},
	ReturnStepReceive: {from: []ReturnStatus{ReturnApproved}, to: ReturnReceived, roles: []access.Role{access.RoleFulfillment, access.RoleCustomerService},
		label: "Items received"},
	ReturnStepRefund: {from: []ReturnStatus{ReturnReceived}, to: ReturnRefunded, roles: []access.Role{access.RoleCustomerService}, label: "Refund return"},
}

// Label is the step's button text.
func (st ReturnStep) Label() string { return returnRules[st].label }

// Valid reports whether st is a known step.
func (st ReturnStep) Valid() bool { _, ok := returnRules[st]; return ok }

// Allowed reports whether a role may take the step on a return in status
// from; AdvanceReturn checks the same rule.
func (st ReturnStep) Allowed(role access.Role, from ReturnStatus) bool {
	r, ok := returnRules[st]
	return ok && slices.Contains(r.roles, role) && slices.Contains(r.from, from)
}

// ReturnAdvanced is the outcome of a return step.
type ReturnAdvanced struct {
	Status ReturnStatus
	// ManualRefund: the order was paid by a gateway that cannot refund by
	// itself (an invoice): staff return the money by hand.
	ManualRefund bool
}

// AdvanceReturn takes one step on a return of an order for the member of
// staff in ctx. resellable matters for receive: the units go back to stock.
// The same rules as Advance: not order staff, another tenant's, another
// order's return and an unknown id are NotFound; a role the step does not
// allow is Forbidden; a step from the wrong status is a Conflict. A refund
// asks the gateway per line with the idempotency key
// "return-<return id>-<line>", each for the amount fixed at the request
// (never above the line's net), before the status moves: a repeated or
// concurrent refund refunds once.
func (s *Service) AdvanceReturn(ctx context.Context, tenantID, orderID, returnID string, step ReturnStep, resellable bool, n Links) (*ReturnAdvanced, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rule, ok := returnRules[step]
	if !ok || s.returns == nil || !id.Valid(orderID) || !id.Valid(returnID) {
		return nil, apperr.NotFoundError()
	}
	a, _ := access.ActorFrom(ctx)
	// Why first: returns are order staff's work; anyone else hears NotFound.
	if !slices.Contains(StaffRoles, a.Role) {
		return nil, apperr.DeniedError(access.ErrDenied)
	}
	rr, err := s.returns.ByID(ctx, tenantID, returnID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && rr.OrderID != orderID) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, err
	}
	r, err := s.orders.ByID(ctx, tenantID, orderID)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	d, err := s.decide(ctx, tenantID, r.UserID, access.Write)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	if !slices.Contains(rule.roles, a.Role) {
		if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, ActorID: a.ID, Subjects: []string{r.UserID},
			Action: "return." + string(step), ResourceID: returnID, Purpose: d.Purpose, Outcome: audit.Denied, Detail: "role " + string(a.Role)}); err != nil {
			return nil, fmt.Errorf("audit refused return step: %w", err)
		}
		return nil, apperr.New(apperr.Forbidden, "Your role may not take this step on returns: that is for "+roleNames(rule.roles)+".")
	}
	if !slices.Contains(rule.from, rr.Status) {
		return nil, apperr.New(apperr.Conflict, fmt.Sprintf("A return that is %q cannot take this step.", rr.Status.Label()))
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "order", ResourceID: r.ID, AuditAction: "return." + string(step)})
	if err != nil {
		return nil, err
	}
	o, err := open(h, r)
	if err != nil {
		return nil, err
	}
	ret, err := openReturn(h, rr, o.Currency)
	if err != nil {
		return nil, err
	}
	out := &ReturnAdvanced{Status: rule.to}
	var refunded int64
	if step == ReturnStepRefund {
		if out.ManualRefund, err = s.refundReturn(ctx, tenantID, o, ret, d.Purpose); err != nil {
			return nil, err
		}
		refunded = ret.Amount()
	}
	if err := s.returns.SetStatus(ctx, tenantID, rr.ID, rr.Status, rule.to, refunded, s.clock.Now()); err != nil {
		if errors.Is(err, apperr.ErrStale) {
			return nil, apperr.New(apperr.Conflict, "The return changed meanwhile. Reload the page and try again.")
		}
		return nil, err
	}
	if step == ReturnStepReceive && resellable {
		if err := s.restock(ctx, tenantID, o, ret, h); err != nil {
			// The return is received either way; the stock is counted by
			// hand (ids logged).
			s.log.ErrorContext(ctx, "returned items not restocked", "order", o.ID, "return", ret.ID, "err", err)
		}
	}
	s.returnEmail(ctx, tenantID, o, rule.to, n)
	return out, nil
}

// restock puts a received return's units back in stock and records that
// they were resellable. Only the request that moved the return to received
// gets here (the status change is conditional), so units go back once.
// Why opened and prescription units never go back: they cannot be resold.
func (s *Service) restock(ctx context.Context, tenantID string, o *Order, ret *Return, h phi.Handle) error {
	ctx = tenant.WithScope(ctx, tenantID)
	rs, ok := s.stock.(Restocker)
	if !ok {
		return nil
	}
	var items []StockItem
	for _, l := range ret.Lines {
		it := o.Items[l.Line]
		if l.Opened || it.RequiresPrescription {
			continue
		}
		items = append(items, StockItem{VariantID: it.VariantID, Quantity: l.Quantity})
	}
	if len(items) == 0 {
		return nil
	}
	if err := rs.Restock(ctx, tenantID, items); err != nil {
		return err
	}
	ret.Resellable = true
	ct, err := sealReturn(h, ret)
	if err != nil {
		return err
	}
	return s.returns.SetDetails(ctx, tenantID, ret.ID, ct, s.clock.Now())
}

// refundReturn gives back a return's lines through the order's gateway, one
// refund per line with its own idempotency key; audited first.
func (s *Service) refundReturn(ctx context.Context, tenantID string, o *Order, ret *Return, purpose access.Purpose) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rf, ok := s.gateways[o.Gateway].(payment.Refunder)
	if !ok || o.ChargeID == "" {
		return true, nil
	}
	if err := s.audit.Append(ctx, audit.Entry{ResourceType: "order", TenantID: tenantID, Subjects: []string{o.UserID}, Action: "payment.refund",
		ResourceID: o.ID, Purpose: purpose, Detail: o.Gateway + " return " + ret.ID}); err != nil {
		return false, fmt.Errorf("audit refund: %w", err)
	}
	for _, l := range ret.Lines {
		// Why checked again here: the amount was fixed at the request; it
		// must still be within the line's net, whatever happened since.
		if l.Amount <= 0 || l.Amount > o.LineNet(l.Line) {
			if l.Amount <= 0 {
				continue
			}
			return false, apperr.New(apperr.Conflict, "This return asks for more than was charged for a line; nothing was refunded.")
		}
		if _, err := rf.Refund(ctx, payment.RefundRequest{ChargeID: o.ChargeID, Amount: l.Amount, Currency: o.Currency,
			IdempotencyKey: "return-" + ret.ID + "-" + strconv.Itoa(l.Line)}); err != nil {
			s.log.WarnContext(ctx, "return refund failed", "order", o.ID, "return", ret.ID, "gateway", o.Gateway, "err", err)
			return false, apperr.Wrap(err, apperr.Unavailable, "The payment processor did not refund the return. Try again in a few minutes: lines already refunded are not refunded twice.")
		}
	}
	return false, nil
}

// returnEmail tells the patient their return's new status: the brand, the
// order's reference and a link, never what is returned (notify.ReturnStatus).
func (s *Service) returnEmail(ctx context.Context, tenantID string, o *Order, st ReturnStatus, n Links) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.outbox == nil || s.contacts == nil || n.Brand == "" || n.BaseURL == "" {
		return
	}
	sys := access.WithActor(ctx, access.System("orders.return_email", tenantID))
	err := func() error {
		to, err := s.contacts(sys, tenantID, o.UserID)
		if err != nil {
			return err
		}
		msg, err := notify.Compose(notify.ReturnStatus, to, notify.Params{Brand: n.Brand,
			Link: strings.TrimSuffix(n.BaseURL, "/") + "/account/orders", Reference: o.Reference, Status: string(st)})
		if err != nil {
			return err
		}
		return s.outbox.Enqueue(sys, tenantID, o.UserID, notify.ReturnStatus, msg)
	}()
	if err != nil {
		s.log.ErrorContext(ctx, "return email not queued", "order", o.ID, "err", err)
	}
}
