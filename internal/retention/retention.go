// Package retention keeps each tenant's retention rules (how long each type
// of record is kept after a patient's account is closed, never below the legal
// minimum) and disposes of patients whose retention has ended: it destroys
// their data key through the vault (crypto-shredding: every copy of their PHI,
// live, replicated or backed up, becomes unreadable; the shred ledger keeps it
// so after a restore) and records a disposal certificate.
package retention

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// The record types a rule can name. A patient's records all sit under their
// one data key, so a patient is disposed of when the longest of them ends.
const (
	Documentation = "documentation" // clinical and compliance documentation
	Orders        = "orders"        // orders, invoices, payments
	Messages      = "messages"      // secure messages
	Profile       = "profile"       // account and contact details
)

// RecordTypes lists the record types, in order.
func RecordTypes() []string { return []string{Documentation, Orders, Messages, Profile} }

// day is the unit rules are kept in.
const day = 24 * time.Hour

// LegalMinimum is the shortest a tenant may keep a record type: HIPAA
// documentation six years (45 CFR 164.316(b)(2)); the others have no federal
// minimum here, and default to it (a tenant may lower them to a year).
func LegalMinimum(recordType string) time.Duration {
	if recordType == Documentation {
		return 6 * 365 * day
	}
	return 365 * day
}

// defaultKeep is a record type's period when the tenant set none.
func defaultKeep(string) time.Duration { return 6 * 365 * day }

// Rule is how long a tenant keeps a record type after an account closes.
type Rule struct {
	TenantID, RecordType string
	Keep                 time.Duration
	UpdatedAt            time.Time
}

// Closed is a patient account closed (disabled) at ClosedAt and not yet
// disposed of.
type Closed struct {
	TenantID, Subject string
	ClosedAt          time.Time
	// DeletionDue is when the patient's verified request to delete their
	// data lets it be destroyed (zero when they made none), and
	// DeletionRule the rule that says so: see DeletionPlan.
	DeletionDue  time.Time
	DeletionRule string
}

// Certificate records one disposal: who (Actor), what (the subject's
// records of every type, under Rule), when, and how (Method). It holds ids
// and rule text, never PHI.
type Certificate struct {
	ID, TenantID, Subject   string
	ClosedAt, RetainedUntil time.Time
	DisposedAt              time.Time
	Actor, Method, Rule     string
}

// Method is how Salve disposes of a patient's data.
const Method = "crypto-shredding: the subject's AES-256-GCM data key destroyed in the PHI store and recorded in the shred ledger (replayed on every restore)"

// Store is the retention storage (internal/store.Retention).
type Store interface {
	Rules(ctx context.Context, tenantID string) ([]Rule, error)
	PutRule(ctx context.Context, r Rule) error
	// Closed lists closed patient accounts with no certificate, closed
	// before closedBefore or with a deletion request due at now, oldest
	// first, at most limit.
	Closed(ctx context.Context, closedBefore, now time.Time, limit int) ([]Closed, error)
	// AddDeletionRequest records a patient's verified deletion request and
	// when it lets their data be destroyed under which rule; a second one
	// changes nothing.
	AddDeletionRequest(ctx context.Context, tenantID, subject string, verifiedAt, disposeAfter time.Time, rule string) error
	// HeldTypes lists the record types with a legal hold (see LegalHold)
	// a subject has records of.
	HeldTypes(ctx context.Context, tenantID, subject string) ([]string, error)
	AddCertificate(ctx context.Context, c Certificate) error
	Certificates(ctx context.Context, tenantID string) ([]Certificate, error)
}

// Shredder destroys a subject's data key (the vault).
type Shredder interface {
	Shred(ctx context.Context, tenantID, subject, reason string) error
}

// Service applies the rules.
type Service struct {
	store Store
	shred Shredder
	clock clock.Clock
}

// New returns the service.
func New(s Store, shred Shredder, c clock.Clock) *Service {
	if c == nil {
		c = clock.System{}
	}
	return &Service{store: s, shred: shred, clock: c}
}

// SetRule sets how long tenantID keeps recordType after an account closes.
// A period below the legal minimum, or an unknown record type, is refused
// and changes nothing.
func (s *Service) SetRule(ctx context.Context, tenantID, recordType string, keep time.Duration) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := CheckRule(recordType, keep); err != nil {
		return err
	}
	return s.store.PutRule(ctx, Rule{TenantID: tenantID, RecordType: recordType, Keep: keep, UpdatedAt: s.clock.Now()})
}

// CheckRule refuses what SetRule would refuse: an unknown record type, a
// period below the legal minimum or not in whole days (a change request is
// checked before anyone is asked to approve it).
func CheckRule(recordType string, keep time.Duration) error {
	if !slices.Contains(RecordTypes(), recordType) {
		return apperr.Errorf(apperr.Invalid, "unknown record type %q: use one of %v", recordType, RecordTypes())
	}
	// Why: disposing of records the law says to keep is itself a violation,
	// and cannot be undone; the floor is enforced here, not left to setup.
	if keep < LegalMinimum(recordType) {
		return apperr.Errorf(apperr.Invalid, "%s must be kept at least %d days (the legal minimum)", recordType, int(LegalMinimum(recordType)/day))
	}
	if keep%day != 0 {
		return apperr.Errorf(apperr.Invalid, "retention is set in whole days")
	}
	return nil
}

// Period is how long a tenant keeps a closed patient's data: the longest of
// its record types' periods (each its rule or the default, never below the
// minimum), since all of a patient's records go with their one key.
func (s *Service) Period(ctx context.Context, tenantID string) (time.Duration, string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rules, err := s.store.Rules(ctx, tenantID)
	if err != nil {
		return 0, "", err
	}
	longest, which := time.Duration(0), ""
	for _, t := range RecordTypes() {
		keep := defaultKeep(t)
		for _, r := range rules {
			if r.RecordType == t {
				keep = r.Keep
			}
		}
		keep = max(keep, LegalMinimum(t))
		if keep > longest {
			longest, which = keep, t
		}
	}
	return longest, fmt.Sprintf("%s kept %d days after the account closed", which, int(longest/day)), nil
}

// Dispose disposes of every closed patient whose retention period has
// ended (at most limit per call) and returns how many. Each disposal is
// audited by the vault (which records the shred before it happens) and
// certified; a failure stops the run and the next run retries.
func (s *Service) Dispose(ctx context.Context, limit int) (int, error) {
	now := s.clock.Now()
	// No rule is shorter than the shortest minimum: nobody closed since is due.
	closed, err := s.store.Closed(ctx, now.Add(-LegalMinimum(Profile)), now, limit)
	if err != nil {
		return 0, err
	}
	periods := map[string]time.Duration{}
	rules := map[string]string{}
	n := 0
	for _, c := range closed {
		p, ok := periods[c.TenantID]
		if !ok {
			if p, rules[c.TenantID], err = s.Period(ctx, c.TenantID); err != nil {
				return n, err
			}
			periods[c.TenantID] = p
		}
		until, rule, actor := c.ClosedAt.Add(p), rules[c.TenantID], "retention.dispose"
		if !c.DeletionDue.IsZero() && c.DeletionDue.Before(until) {
			until, rule = c.DeletionDue, c.DeletionRule
		}
		if now.Before(until) {
			continue
		}
		reason := "retention period ended"
		if rule != rules[c.TenantID] {
			reason = "deletion request of the patient"
		}
		jctx := access.WithActor(ctx, access.System(actor, c.TenantID))
		if err := s.shred.Shred(jctx, c.TenantID, c.Subject, reason); err != nil {
			return n, fmt.Errorf("dispose of a subject: %w", err)
		}
		cert := Certificate{ID: id.New(), TenantID: c.TenantID, Subject: c.Subject, ClosedAt: c.ClosedAt, RetainedUntil: until,
			DisposedAt: s.clock.Now(), Actor: "system job " + actor, Method: Method, Rule: rule}
		if err := s.store.AddCertificate(ctx, cert); err != nil {
			return n, fmt.Errorf("disposal certificate: %w", err)
		}
		n++
	}
	return n, nil
}

// Certificates lists a tenant's disposal certificates, newest first.
func (s *Service) Certificates(ctx context.Context, tenantID string) ([]Certificate, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Certificates(ctx, tenantID)
}

// Effective is a record type's period as it applies: the tenant's rule or
// the default, with the legal minimum beside it.
type Effective struct {
	RecordType  string
	KeepDays    int
	MinimumDays int
	SetByTenant bool
	UpdatedAt   time.Time
}

// Rules lists every record type's period for tenantID, in RecordTypes order.
func (s *Service) Rules(ctx context.Context, tenantID string) ([]Effective, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	rules, err := s.store.Rules(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Effective, 0, len(RecordTypes()))
	for _, t := range RecordTypes() {
		e := Effective{RecordType: t, KeepDays: int(max(defaultKeep(t), LegalMinimum(t)) / day), MinimumDays: int(LegalMinimum(t) / day)}
		for _, r := range rules {
			if r.RecordType == t {
				e.KeepDays, e.SetByTenant, e.UpdatedAt = int(max(r.Keep, LegalMinimum(t))/day), true, r.UpdatedAt
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Certificate returns one of tenantID's disposal certificates; another
// tenant's, or none, is NotFound.
func (s *Service) Certificate(ctx context.Context, tenantID, certID string) (Certificate, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	certs, err := s.store.Certificates(ctx, tenantID)
	if err != nil {
		return Certificate{}, err
	}
	for _, c := range certs {
		if c.ID == certID {
			return c, nil
		}
	}
	return Certificate{}, apperr.NotFoundError()
}
