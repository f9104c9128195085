// Package changes is the two-person rule for security-relevant settings:
// a change to one (a staff member's role, a retention rule, single sign-on,
// ...) is first requested, with a reason, and takes effect only when a
// second person approves it; nobody approves their own request, and a
// rejected request leaves the setting as it was. Every change is kept with
// its before and after (secrets masked), requester, approver, reason and
// time, and so is each software version a process starts with.
//
// A single-admin install is not locked out: the operator at the server's
// console (the CLI, which can read the keys and the databases anyway)
// confirms a change explicitly, and that confirmation is recorded as the
// second person, audited, never skipped silently (Service.ApplyAsOperator).
package changes

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
)

// Status is where a change stands.
type Status string

// The statuses of a change.
const (
	Pending  Status = "pending"  // requested, waiting for a second person
	Applied  Status = "applied"  // approved and in effect
	Rejected Status = "rejected" // refused; the setting was left as it was
	Failed   Status = "failed"   // approved, but applying it failed; nothing changed
	Recorded Status = "recorded" // a fact recorded as it happened (a software version)
)

// Operator is the approver recorded when the operator confirms a change at
// the console (salve changes approve --as-operator, or a CLI command that
// changes a setting).
const Operator = "operator (confirmed at the console)"

// The kinds of setting governed today (the composition root gives each its
// Kind: how to read, check and apply it).
const (
	KindRetentionRule = "retention.rule"
	KindStaffRole     = "staff.role"
	KindSSO           = "sso"
	// KindSessionLimits is a tenant's own session limits (idle for staff
	// and patients, absolute), only ever stricter than the server's.
	KindSessionLimits = "session.limits"
	// KindOrgSessionLimits is an organisation's session limits (target: the
	// organisation), inherited by its brands that set none.
	KindOrgSessionLimits = "org.session.limits"
	// KindWorkingHours is a tenant's working hours (time zone, first and
	// last hour) for the activity review's off-hours rule.
	KindWorkingHours = "activity.working_hours"
	// KindBrandPolicy is a brand's approved policy other than the session
	// lengths (target: the setting's key, tenant.PolicyKeys; one field named
	// by the key, "" to inherit again): the payment gateways offered and
	// the break-glass policy.
	KindBrandPolicy = "brand.policy"
)

// VersionKind is the kind of the software version records.
const VersionKind = "software.version"

// Mask is what a secret value shows as in a change record.
const Mask = "•••• (secret)"

// Change is one requested, decided or recorded change. Before and After
// hold the setting's fields as text, secrets already masked; they never
// hold PHI (settings are not about patients).
type Change struct {
	ID, TenantID string
	// Kind names the setting (Kind.Name); Target which one (a record type,
	// a staff member's id, the tenant).
	Kind, Target  string
	Before, After map[string]string
	Reason        string
	// RequestedBy and DecidedBy are actor ids (a staff member's id, or
	// Operator, or a system job); the roles beside them as they were.
	RequestedBy   string
	RequestedRole access.Role
	RequestedAt   time.Time
	Status        Status
	DecidedBy     string
	DecidedRole   access.Role
	DecidedAt     time.Time
	Note          string
	// payload is what applying sets; kept only while pending and never
	// for a kind with secrets (those are applied by the operator at once).
	Payload map[string]string
}

// Kind is one kind of security-relevant setting: how to read it now, check
// a proposed value and apply it.
type Kind struct {
	Name, Title string
	// Secrets are fields whose values are masked in the record.
	Secrets []string
	// TargetIsPerson: the target is a staff member's id, who may neither
	// request nor approve a change of their own account.
	TargetIsPerson bool
	// Current returns the setting's fields now.
	Current func(ctx context.Context, tenantID, target string) (map[string]string, error)
	// Check refuses a value that Apply would refuse, before anyone is
	// asked to approve it (nil: no check beyond Apply's).
	Check func(ctx context.Context, tenantID, target string, after map[string]string) error
	// Apply sets the setting to c.Payload (c.TenantID, c.Target; the
	// requester in c, for a setting that must be applied in their name).
	Apply func(ctx context.Context, c Change) error
}

// Store keeps changes (internal/store.Changes).
type Store interface {
	Add(ctx context.Context, c Change) error
	Get(ctx context.Context, tenantID, id string) (Change, error)
	// Decide moves a pending change to status (with the decision's fields
	// and before) and reports whether it was still pending: two approvers
	// at once, and only one wins.
	Decide(ctx context.Context, c Change) (bool, error)
	// SetStatus records the outcome of applying an approved change.
	SetStatus(ctx context.Context, tenantID, id string, s Status, note string) error
	// List returns a tenant's changes and the installation's (tenant ""),
	// newest first, at most limit.
	List(ctx context.Context, tenantID string, limit int) ([]Change, error)
	// LastOf returns the newest change of a kind in a tenant ("" for the
	// installation); NotFound if none.
	LastOf(ctx context.Context, tenantID, kind string) (Change, error)
}

// Service requests, approves, rejects and lists changes.
type Service struct {
	store Store
	audit audit.Appender
	clock clock.Clock
	kinds map[string]Kind
}

// New returns the service with the kinds of setting it governs.
func New(s Store, a audit.Appender, c clock.Clock, kinds ...Kind) *Service {
	if c == nil {
		c = clock.System{}
	}
	svc := &Service{store: s, audit: a, clock: c, kinds: map[string]Kind{}}
	for _, k := range kinds {
		svc.kinds[k.Name] = k
	}
	return svc
}

// Kinds lists the governed kinds by name.
func (s *Service) Kinds() []string { return slices.Sorted(maps.Keys(s.kinds)) }

// Title is a kind's human name ("" if unknown).
func (s *Service) Title(kind string) string {
	if kind == VersionKind {
		return "Software version"
	}
	return s.kinds[kind].Title
}

// approverRoles may approve changes. Why admin and compliance: the issue's
// two-person rule puts a second admin, or the compliance officer who runs
// compliance, between a request and its effect; no other role governs
// security settings.
var approverRoles = []access.Role{access.RoleAdmin, access.RoleCompliance}

// Request records a request to change a setting; it takes effect only when
// a second person approves it. A value the setting would refuse, an empty
// reason or no change at all is refused and nothing is recorded.
func (s *Service) Request(ctx context.Context, tenantID, kind, target string, after map[string]string, reason string) (Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	actor, ok := access.ActorFrom(ctx)
	if !ok {
		return Change{}, apperr.NotFoundError()
	}
	// Why: only those who govern security settings ask to change them
	// (the routes say so too; this holds for any other caller).
	if !slices.Contains(approverRoles, actor.Role) {
		return Change{}, apperr.NotFoundError()
	}
	k, err := s.prepare(ctx, tenantID, kind, target, after, reason)
	if err != nil {
		return Change{}, err
	}
	if k.TargetIsPerson && target == actor.ID {
		return Change{}, apperr.New(apperr.Invalid, "You cannot change your own account here; ask another administrator.")
	}
	before, err := k.Current(ctx, tenantID, target)
	if err != nil {
		return Change{}, err
	}
	// Why: a pending secret would have to wait in the database to be
	// applied later; a new secret is set by the operator at once instead
	// (ApplyAsOperator). A request may leave a secret as it is: empty, or
	// the mask Current shows, both mean "keep".
	after = maps.Clone(after)
	for _, f := range k.Secrets {
		if v := after[f]; v != "" && v != before[f] {
			return Change{}, apperr.Errorf(apperr.Invalid, "%s: a new %s is set by the operator at the console (see salve --help), which records the change; leave it empty here to keep it", k.Title, f)
		}
		if old, ok := before[f]; ok {
			after[f] = old
		} else {
			delete(after, f)
		}
	}
	if maps.Equal(before, after) {
		return Change{}, apperr.Errorf(apperr.Invalid, "This is the setting already: nothing to change.")
	}
	c := Change{ID: id.New(), TenantID: tenantID, Kind: kind, Target: target, Before: before, After: maps.Clone(after),
		Reason: strings.TrimSpace(reason), RequestedBy: actor.ID, RequestedRole: actor.Role, RequestedAt: s.clock.Now(),
		Status: Pending, Payload: maps.Clone(after)}
	if err := s.event(ctx, c, "change.request"); err != nil {
		return Change{}, err
	}
	if err := s.store.Add(ctx, c); err != nil {
		return Change{}, err
	}
	return c, nil
}

// prepare finds the kind and checks the proposed value and reason.
func (s *Service) prepare(ctx context.Context, tenantID, kind, target string, after map[string]string, reason string) (Kind, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	k, ok := s.kinds[kind]
	if !ok {
		return Kind{}, apperr.Errorf(apperr.Invalid, "unknown kind of setting %q: use one of %v", kind, s.Kinds())
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len(reason) > 500 || strings.ContainsAny(reason, "\r\n") {
		return Kind{}, apperr.InvalidFields("Say why, in one line (up to 500 characters): the approver and the record need it.",
			map[string]string{"reason": "Say why this change is needed."})
	}
	if k.Check != nil {
		if err := k.Check(ctx, tenantID, target, after); err != nil {
			return Kind{}, err
		}
	}
	return k, nil
}

// Approve applies a pending change as its second person. The requester
// cannot approve their own change; only admins and compliance officers
// approve. If applying fails the change is marked failed and the setting
// is as it was.
func (s *Service) Approve(ctx context.Context, tenantID, changeID, note string) (Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, k, err := s.decide(ctx, tenantID, changeID, note, Applied)
	if err != nil {
		return Change{}, err
	}
	if err := k.Apply(ctx, c); err != nil {
		msg := apperr.SafeMessage(err)
		if serr := s.store.SetStatus(ctx, tenantID, c.ID, Failed, msg); serr != nil {
			return Change{}, serr
		}
		return Change{}, err
	}
	// The payload has done its work: a decided change keeps its record only.
	if err := s.store.SetStatus(ctx, tenantID, c.ID, Applied, ""); err != nil {
		return Change{}, err
	}
	c.Payload = nil
	return c, nil
}

// Reject refuses a pending change; the setting stays as it was. The
// requester may withdraw their own.
func (s *Service) Reject(ctx context.Context, tenantID, changeID, note string) (Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, _, err := s.decide(ctx, tenantID, changeID, note, Rejected)
	return c, err
}

func (s *Service) decide(ctx context.Context, tenantID, changeID, note string, to Status) (Change, Kind, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	actor, ok := access.ActorFrom(ctx)
	if !ok {
		return Change{}, Kind{}, apperr.NotFoundError()
	}
	c, err := s.store.Get(ctx, tenantID, changeID)
	if err != nil {
		return Change{}, Kind{}, err
	}
	k, ok := s.kinds[c.Kind]
	if !ok || c.Status != Pending {
		return Change{}, Kind{}, apperr.Errorf(apperr.Conflict, "This change was already decided (%s).", c.Status)
	}
	note = strings.TrimSpace(note)
	if len(note) > 500 || strings.ContainsAny(note, "\r\n") {
		return Change{}, Kind{}, apperr.InvalidFields("Keep the note to one line of up to 500 characters.", map[string]string{"note": "One line, up to 500 characters."})
	}
	operator := actor.ID == Operator
	if !operator && !slices.Contains(approverRoles, actor.Role) {
		return Change{}, Kind{}, apperr.NotFoundError()
	}
	// Why: the two-person rule. One person's mistake or malice must not
	// reach a security setting alone; withdrawing one's own request is fine.
	if to == Applied && actor.ID == c.RequestedBy {
		return Change{}, Kind{}, apperr.New(apperr.Forbidden, "You requested this change, so you cannot approve it: another admin or the compliance officer must.")
	}
	// Why: approving a change of one's own account (a promotion) is the
	// same conflict as requesting it.
	if to == Applied && k.TargetIsPerson && actor.ID == c.Target {
		return Change{}, Kind{}, apperr.New(apperr.Forbidden, "This change is about your own account, so you cannot approve it: another admin or the compliance officer must.")
	}
	// The before is taken again now: what the approval actually changes.
	if c.Before, err = k.Current(ctx, tenantID, c.Target); err != nil {
		return Change{}, Kind{}, err
	}
	c.Status, c.DecidedBy, c.DecidedRole, c.DecidedAt, c.Note = to, actor.ID, actor.Role, s.clock.Now(), note
	action := "change.approve"
	if to == Rejected {
		action = "change.reject"
	}
	if err := s.event(ctx, c, action); err != nil {
		return Change{}, Kind{}, err
	}
	won, err := s.store.Decide(ctx, c)
	if err != nil {
		return Change{}, Kind{}, err
	}
	if !won {
		return Change{}, Kind{}, apperr.New(apperr.Conflict, "Someone else decided this change a moment ago.")
	}
	return c, k, nil
}

// ApplyAsOperator applies a change the operator confirmed at the console
// (a single-admin install, or a setting only the console sets, such as a
// secret): recorded with the operator as requester and approver, audited,
// secrets masked.
func (s *Service) ApplyAsOperator(ctx context.Context, tenantID, kind, target string, after map[string]string, reason string) (Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	k, err := s.prepare(ctx, tenantID, kind, target, after, reason)
	if err != nil {
		return Change{}, err
	}
	before, err := k.Current(ctx, tenantID, target)
	if err != nil {
		return Change{}, err
	}
	now := s.clock.Now()
	c := Change{ID: id.New(), TenantID: tenantID, Kind: kind, Target: target, Before: mask(k, before, nil), After: mask(k, after, before),
		Reason: strings.TrimSpace(reason), RequestedBy: Operator, RequestedRole: access.RoleSystem, RequestedAt: now,
		Status: Applied, DecidedBy: Operator, DecidedRole: access.RoleSystem, DecidedAt: now, Note: "confirmed at the console"}
	octx := access.WithActor(ctx, access.Actor{ID: Operator, Role: access.RoleSystem, TenantID: tenantID})
	if err := s.event(octx, c, "change.operator"); err != nil {
		return Change{}, err
	}
	applied := c
	applied.Payload = after
	if err := k.Apply(octx, applied); err != nil {
		return Change{}, err
	}
	if err := s.store.Add(ctx, c); err != nil {
		return Change{}, err
	}
	return c, nil
}

// ApproveAsOperator approves a pending change with the operator at the
// console as the second person (the single-admin install).
func (s *Service) ApproveAsOperator(ctx context.Context, tenantID, changeID, note string) (Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	octx := access.WithActor(ctx, access.Actor{ID: Operator, Role: access.RoleSystem, TenantID: tenantID})
	if note == "" {
		note = "confirmed at the console"
	}
	return s.Approve(octx, tenantID, changeID, note)
}

// RejectAsOperator rejects a pending change at the console.
func (s *Service) RejectAsOperator(ctx context.Context, tenantID, changeID, note string) (Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	octx := access.WithActor(ctx, access.Actor{ID: Operator, Role: access.RoleSystem, TenantID: tenantID})
	return s.Reject(octx, tenantID, changeID, note)
}

// mask replaces the secret fields' values: "(unchanged)" when the value
// equals the one before, so the record says whether the secret changed
// without holding it.
func mask(k Kind, v, before map[string]string) map[string]string {
	out := maps.Clone(v)
	for _, f := range k.Secrets {
		val, ok := out[f]
		if !ok || val == "" {
			continue
		}
		out[f] = Mask
		if before != nil && before[f] == val {
			out[f] = Mask + " unchanged"
		}
	}
	return out
}

// RecordVersion records the software version a process starts with when it
// differs from the last one recorded (the first start, or an upgrade or
// downgrade); it reports whether it recorded one.
func (s *Service) RecordVersion(ctx context.Context, version string) (bool, error) {
	last, err := s.store.LastOf(ctx, "", VersionKind)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return false, err
	}
	if err == nil && last.After["version"] == version {
		return false, nil
	}
	now := s.clock.Now()
	c := Change{ID: id.New(), Kind: VersionKind, Target: "salve", After: map[string]string{"version": version},
		Before: map[string]string{}, Reason: "a process started with this version", RequestedBy: "system:start", RequestedRole: access.RoleSystem,
		RequestedAt: now, Status: Recorded, DecidedBy: "system:start", DecidedRole: access.RoleSystem, DecidedAt: now}
	if err == nil {
		c.Before["version"] = last.After["version"]
		c.Reason = "upgrade: the version running differs from the last recorded"
	}
	if err := s.event(access.WithActor(ctx, access.System("start", "")), c, "change.version"); err != nil {
		return false, err
	}
	return true, s.store.Add(ctx, c)
}

// Current returns a governed setting's fields now (for a form that asks to
// change it).
func (s *Service) Current(ctx context.Context, tenantID, kind, target string) (map[string]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	k, ok := s.kinds[kind]
	if !ok {
		return nil, apperr.Errorf(apperr.Invalid, "unknown kind of setting %q", kind)
	}
	return k.Current(ctx, tenantID, target)
}

// List returns a tenant's changes with the installation's, newest first.
func (s *Service) List(ctx context.Context, tenantID string, limit int) ([]Change, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return s.store.List(ctx, tenantID, limit)
}

// event audits a step; the detail names the kind and target, never values
// (a secret's, or anything else's).
func (s *Service) event(ctx context.Context, c Change, action string) error {
	ctx = tenant.WithScope(ctx, c.TenantID)
	err := s.audit.Append(ctx, audit.Entry{TenantID: c.TenantID, Action: action, ResourceType: "change", ResourceID: c.ID,
		Severity: audit.High, Purpose: access.PurposeOperations, Detail: "kind=" + c.Kind + " target=" + c.Target})
	if err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}
