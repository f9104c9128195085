package rx

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// pharmacist checks that the actor is a pharmacist of the tenant. Why a role
// check on top of the policy: clinicians may read prescriptions of their
// patients, but only a pharmacist works the queue, opens the uploaded paper
// and decides; anyone else hears the same NotFound as for a missing record.
func pharmacist(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || a.Role != access.RolePharmacist {
		return apperr.DeniedError(access.ErrDenied)
	}
	return nil
}

// QueueItem is a prescription in the pharmacist's queue: only what is
// stored in the clear (the queue opens no one's record).
type QueueItem struct {
	ID        string
	Source    Source
	Status    Status
	CreatedAt time.Time
}

// Queue returns the tenant's prescriptions waiting for a pharmacist, oldest
// first.
func (s *Service) Queue(ctx context.Context, tenantID string, limit int) ([]QueueItem, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := pharmacist(ctx, tenantID); err != nil {
		return nil, err
	}
	rows, err := s.d.Store.Queue(ctx, tenantID, Pending, limit)
	if err != nil {
		return nil, err
	}
	out := make([]QueueItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, QueueItem{ID: r.ID, Source: r.Source, Status: r.Status, CreatedAt: r.CreatedAt})
	}
	return out, nil
}

// ForPharmacist returns a prescription for the pharmacist in ctx, audited;
// anyone else gets NotFound.
func (s *Service) ForPharmacist(ctx context.Context, tenantID, rxID string) (*Prescription, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := pharmacist(ctx, tenantID); err != nil {
		return nil, apperr.NotFoundError()
	}
	return s.Get(ctx, tenantID, rxID)
}

// Document is an uploaded prescription opened for a pharmacist.
type Document struct {
	ContentType string
	Data        phi.Bytes
}

// Document opens the uploaded file of a prescription for a pharmacist of
// the tenant, audited (rx.document); anyone else, a prescription without an
// upload and an unknown id are the same NotFound.
func (s *Service) Document(ctx context.Context, tenantID, rxID string) (*Document, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := pharmacist(ctx, tenantID); err != nil {
		return nil, apperr.NotFoundError()
	}
	r, d, err := s.authorized(ctx, tenantID, rxID, access.Read)
	if err != nil {
		return nil, err
	}
	up, err := s.d.Store.Upload(ctx, tenantID, r.ID)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "prescription", ResourceID: r.ID, AuditAction: "rx.document"})
	if err != nil {
		return nil, err
	}
	data, err := h.OpenBytes(r.UserID, "rx_uploads", "data_ct", r.ID, up.DataCT)
	if err != nil {
		return nil, err
	}
	return &Document{ContentType: up.ContentType, Data: data}, nil
}

// Verification is what a pharmacist records: the prescription's contents,
// then verify (Reject false) or reject with a reason the patient sees.
type Verification struct {
	// Version is the version the pharmacist's page showed.
	Version             int64
	Reject              bool
	Reason              string
	Drug, Strength      string
	Quantity, Refills   int
	Prescriber          string
	IssuedOn, ExpiresOn string // 2006-01-02
	DaysSupply          int
	VariantID           string
}

const dateLayout = "2006-01-02"

// Decide verifies or rejects a pending prescription for the pharmacist in
// ctx. Bad input is an Invalid error naming each field and changes nothing.
// Two pharmacists deciding at once: the first decision is kept and the
// second is a Conflict. A verification then lets the patient's waiting
// orders move on.
func (s *Service) Decide(ctx context.Context, tenantID, rxID string, v Verification) (*Prescription, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := pharmacist(ctx, tenantID); err != nil {
		return nil, apperr.NotFoundError()
	}
	r, d, err := s.authorized(ctx, tenantID, rxID, access.Write)
	if err != nil {
		return nil, err
	}
	if r.Status != Pending || r.Version != v.Version {
		return nil, apperr.New(apperr.Conflict, "Another pharmacist decided this prescription meanwhile. Reload the page to see the decision.")
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "prescription", ResourceID: r.ID, AuditAction: "rx.decide"})
	if err != nil {
		return nil, err
	}
	p, err := open(h, r)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	dec := Decision{Status: Verified}
	a, _ := access.ActorFrom(ctx)
	dec.DecidedBy = a.ID
	if v.Reject {
		reason, ok := oneLine(v.Reason, 500)
		if reason == "" || !ok {
			return nil, apperr.InvalidFields("Say why it is rejected: the patient reads it.",
				map[string]string{"reason": "Enter a reason of at most 500 characters."})
		}
		dec.Status, p.Reason = Rejected, reason
	} else {
		if err := s.check(ctx, tenantID, now, v, &p.Details, &dec); err != nil {
			return nil, err
		}
	}
	if dec.DetailsCT, err = seal(h, r.UserID, r.ID, p.Details); err != nil {
		return nil, err
	}
	if err := s.d.Store.Decide(ctx, tenantID, r.ID, v.Version, dec, now); err != nil {
		if errors.Is(err, apperr.ErrStale) {
			return nil, apperr.New(apperr.Conflict, "Another pharmacist decided this prescription meanwhile. Reload the page to see the decision.")
		}
		return nil, err
	}
	p.Status, p.FillsLeft, p.DaysSupply, p.ExpiresAt, p.Version, p.UpdatedAt = dec.Status, dec.FillsLeft, dec.DaysSupply, dec.ExpiresAt, v.Version+1, now
	if dec.Status == Verified && s.d.Verified != nil {
		// The decision stands whatever happens to the orders: they are
		// covered again when the next pharmacist or payment comes by.
		if err := s.d.Verified(ctx, tenantID, r.UserID); err != nil {
			s.d.Log.ErrorContext(ctx, "waiting orders not released after a verification", "prescription", r.ID, "err", err)
		}
	}
	return p, nil
}

// check validates a verification into the details and the decision.
func (s *Service) check(ctx context.Context, tenantID string, now time.Time, v Verification, det *Details, dec *Decision) error {
	ctx = tenant.WithScope(ctx, tenantID)
	fields := map[string]string{}
	text := func(name, val string, limit int, msg string) string {
		t, ok := oneLine(val, limit)
		switch {
		case t == "":
			fields[name] = msg
		case !ok:
			fields[name] = "This is too long."
		}
		return t
	}
	det.Drug = text("drug", v.Drug, 200, "Enter the drug.")
	det.Strength = text("strength", v.Strength, 100, "Enter the strength, such as 10 mg.")
	det.Prescriber = text("prescriber", v.Prescriber, 200, "Enter the prescriber.")
	if v.Quantity < 1 || v.Quantity > 10000 {
		fields["quantity"] = "Enter a quantity from 1 to 10000."
	}
	if v.Refills < 0 || v.Refills > 99 {
		fields["refills"] = "Enter the refills, from 0 to 99."
	}
	if v.DaysSupply < 1 || v.DaysSupply > 365 {
		fields["days_supply"] = "Enter how many days one fill lasts, from 1 to 365."
	}
	issued, err := time.Parse(dateLayout, strings.TrimSpace(v.IssuedOn))
	if err != nil {
		fields["issued_on"] = "Enter the issue date."
	} else if issued.After(now) {
		fields["issued_on"] = "The issue date cannot be in the future."
	}
	expires, err := time.Parse(dateLayout, strings.TrimSpace(v.ExpiresOn))
	_, badIssue := fields["issued_on"]
	switch {
	case err != nil:
		fields["expires_on"] = "Enter the expiry date."
	case !expires.AddDate(0, 0, 1).After(now):
		fields["expires_on"] = "This prescription has already expired: reject it instead."
	case !badIssue && !expires.After(issued):
		fields["expires_on"] = "The expiry date must be after the issue date."
	}
	det.VariantID = strings.TrimSpace(v.VariantID)
	lines, err := s.d.Catalog.Variants(ctx, tenantID, []string{det.VariantID})
	if err != nil {
		return err
	}
	if len(lines) != 1 || !lines[0].RequiresPrescription {
		fields["variant"] = "Choose the prescription product it covers."
	} else {
		det.ProductID = lines[0].ProductID
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	det.Quantity, det.Refills, det.IssuedOn, det.Reason = v.Quantity, v.Refills, issued.Format(dateLayout), ""
	// The first fill and each refill: 2 refills are 3 fills.
	dec.FillsLeft, dec.DaysSupply = v.Refills+1, v.DaysSupply
	// Valid through the whole expiry day (UTC).
	dec.ExpiresAt = expires.AddDate(0, 0, 1)
	return nil
}
