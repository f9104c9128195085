package orders

import (
	"context"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Prescriptions covers the prescription lines of an order (rx.Service): a
// line is covered only by a verified, unexpired prescription with a fill
// left, and covering uses one fill per line, all or nothing.
type Prescriptions interface {
	// Cover uses the fills for an order's prescription lines (one product
	// id per line) and reports whether every line is covered; covering an
	// order covered before uses nothing more.
	Cover(ctx context.Context, tenantID, userID, orderID string, productIDs []string) (bool, error)
}

// rxProducts are the product ids of an order's prescription lines.
func rxProducts(o *Order) []string {
	var out []string
	for _, it := range o.Items {
		if it.RequiresPrescription {
			out = append(out, it.ProductID)
		}
	}
	return out
}

// cover moves an order that waits for prescriptions on to ready when every
// prescription line is covered (using the fills), and reports whether it
// did. Without a prescription service nothing is covered: a pharmacist
// releases by hand.
func (s *Service) cover(ctx context.Context, tenantID string, o *Order, purpose access.Purpose) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.rx == nil || o.Status != AwaitingRx {
		return false, nil
	}
	// Why as the system: applying the coverage rule is the order service's
	// work, whoever moved the order (customer service marking an invoice
	// paid may not read prescriptions); the vault records it as a job's
	// access, beside the person's own order event.
	sys := access.WithActor(ctx, access.System("orders.cover_rx", tenantID))
	ok, err := s.rx.Cover(sys, tenantID, o.UserID, o.ID, rxProducts(o))
	if err != nil || !ok {
		return false, err
	}
	return true, s.move(ctx, tenantID, o, Ready, "", purpose)
}

// CoverWaiting moves on every order of a patient that waits for a
// prescription and is now covered (a pharmacist just verified one): the
// order goes from awaiting_rx to ready, as the state machine says, using one
// fill per prescription line. The actor in ctx must be allowed to write the
// patient's orders. One query for the patient's orders and one audited
// access for their details.
func (s *Service) CoverWaiting(ctx context.Context, tenantID, patientID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.decide(ctx, tenantID, patientID, access.Write)
	if err != nil {
		return apperr.NotFoundError()
	}
	rows, err := s.orders.ByOwner(ctx, tenantID, patientID, 200)
	if err != nil {
		return err
	}
	var waiting []Record
	for _, r := range rows {
		if r.Status == AwaitingRx {
			waiting = append(waiting, r)
		}
	}
	if len(waiting) == 0 {
		return nil
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "order", AuditAction: "order.cover"})
	if err != nil {
		return err
	}
	// Oldest first: the order that waited longest gets the fills first.
	for i := len(waiting) - 1; i >= 0; i-- {
		o, err := open(h, waiting[i])
		if err != nil {
			return err
		}
		ok, err := s.cover(ctx, tenantID, o, d.Purpose)
		if err != nil {
			return err
		}
		if ok {
			s.emailQuietly(ctx, tenantID, o, s.linksFor(ctx, tenantID))
		}
	}
	return nil
}
