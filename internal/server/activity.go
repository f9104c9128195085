package server

import (
	"bytes"
	"context"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/activity"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// ActivityReview is the review of audit activity (issue 19, item 6) over a
// process's audit and PHI stores: the findings of a period, and the audit
// events behind a finding. It opens no sealed field: colleagues' records
// are found by comparing the email blind index of staff and patient
// accounts, never an address.
type ActivityReview struct {
	stores *Stores
}

// NewActivityReview returns the activity review of the stores.
func NewActivityReview(stores *Stores) *ActivityReview { return &ActivityReview{stores: stores} }

// MaxEvents bounds the events one view lists.
const MaxEvents = 500

// officer checks the actor. Why the compliance officer alone: the audit
// log records what admins do too; the people whose access is reviewed do
// not review it (separation of duties, DESIGN §1: compliance reads audit
// metadata).
func officer(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || a.Role != access.RoleCompliance {
		return apperr.NotFoundError()
	}
	return nil
}

// viewed records that the officer looked at the audit log: reading the log
// is itself access worth knowing of. Why fail closed: an unrecorded look
// at who read what must not happen.
func (a *ActivityReview) viewed(ctx context.Context, tenantID, action, detail string, subjects ...string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := a.stores.AuditLog.Append(ctx, audit.Entry{TenantID: tenantID, Action: action, ResourceType: "audit",
		Purpose: access.PurposeCompliance, Detail: detail, Subjects: subjects}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not shown. Try again in a minute.")
	}
	return nil
}

// Findings analyses the tenant's audit events with from <= time < to.
func (a *ActivityReview) Findings(ctx context.Context, tenantID string, from, to time.Time) ([]activity.Finding, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := officer(ctx, tenantID); err != nil {
		return nil, err
	}
	if err := a.viewed(ctx, tenantID, "audit.activity_review", "from="+from.UTC().Format(time.RFC3339)+" to="+to.UTC().Format(time.RFC3339)); err != nil {
		return nil, err
	}
	var recs []audit.Record
	err := a.stores.AuditLog.Each(ctx, from, to, func(r audit.Record) error {
		if r.TenantID == tenantID {
			recs = append(recs, r)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	opts := activity.Defaults()
	// The tenant's own working hours, in its time zone (through approvals).
	if opts.Zone, opts.WorkStart, opts.WorkEnd, err = workingHours(ctx, store.NewWorkingHours(a.stores.PHI), tenantID); err != nil {
		return nil, err
	}
	if opts.Colleagues, err = a.colleagues(ctx, tenantID); err != nil {
		return nil, err
	}
	return activity.Analyze(recs, opts), nil
}

// colleagues maps the subject ids that are colleagues' own records to their
// staff account: each staff account, and each patient account with the
// same email blind index as a staff account (a staff member who is also a
// patient).
func (a *ActivityReview) colleagues(ctx context.Context, tenantID string) (map[string]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rows, err := store.NewUsers(a.stores.PHI).List(ctx, tenantID, "", 100000)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	var staff [][2]any
	for _, u := range rows {
		if u.Role.Staff() {
			out[u.ID] = u.ID
			staff = append(staff, [2]any{u.ID, u.EmailBidx})
		}
	}
	for _, u := range rows {
		if u.Role != access.RolePatient || len(u.EmailBidx) == 0 {
			continue
		}
		for _, s := range staff {
			if bytes.Equal(s[1].([]byte), u.EmailBidx) {
				out[u.ID] = s[0].(string)
			}
		}
	}
	return out, nil
}

// Events lists the tenant's audit events matching q (its TenantID is set
// here), newest first, at most MaxEvents.
func (a *ActivityReview) Events(ctx context.Context, tenantID string, q audit.Query) ([]audit.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := officer(ctx, tenantID); err != nil {
		return nil, err
	}
	q.TenantID, q.Newest, q.Limit = tenantID, true, MaxEvents
	var subjects []string
	if q.Subject != "" {
		subjects = []string{q.Subject}
	}
	if err := a.viewed(ctx, tenantID, "audit.events_view", "actor="+q.ActorID, subjects...); err != nil {
		return nil, err
	}
	return a.stores.AuditLog.Find(ctx, q)
}
