// Package marketing is a patient's authorization to use their health data
// for marketing (45 CFR 164.508(a)(3)), and the promotions targeted with it.
//
// A patient signs an authorization per purpose at /account/privacy: the
// purpose's text as shown, their typed name, the date and an assent, with
// an optional expiry; they revoke it there at any time. Both are audited.
// A promotion with a targeting rule from health data (promo.Target: a lab
// test flagged high, a prescribed drug) is offered on the dashboard only to
// a patient who has a current authorization for health-based offers and
// whose data matches; everyone else sees only untargeted offers. Whether a
// person has a current authorization is read afresh on every dashboard
// view: nothing caches it, so a revocation takes effect on the next view.
//
// A store manager sees how many people a targeted promotion may reach,
// never who: a count, withheld below portal.MinShown.
package marketing

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/tenant"
)

// Purpose is one use of health data a patient may authorize, with the text
// they sign.
type Purpose struct {
	Key, Title, Text string
}

// HealthOffers is the purpose targeted promotions need.
const HealthOffers = "health_offers"

// Purposes are the purposes a patient may authorize. Why a fixed list in
// code: the text a patient signs must not change under their signature, so
// a new wording is a new purpose, and the signature keeps the text it
// was given with.
var Purposes = []Purpose{{
	Key:   HealthOffers,
	Title: "Offers based on my health data",
	Text: "I allow this shop to use my lab results and prescriptions to choose offers for products " +
		"that may help me, shown on my dashboard. The shop may be paid by the makers of those products. " +
		"My data is not sold or given to anyone for this. I do not have to sign this to be served, and " +
		"I can revoke it here at any time; revoking does not undo offers already shown.",
}}

// PurposeOf returns a purpose by key.
func PurposeOf(key string) (Purpose, bool) {
	for _, p := range Purposes {
		if p.Key == key {
			return p, true
		}
	}
	return Purpose{}, false
}

// Signature is the sealed part of an authorization.
type Signature struct {
	Name string `json:"name"`
	// PurposeText is the text as it was signed.
	PurposeText string `json:"purpose_text"`
	SignedOn    string `json:"signed_on"`
	Assent      bool   `json:"assent"`
}

// Record is an authorization as the PHI store keeps it.
type Record struct {
	ID, TenantID, PatientID, Purpose string
	SignedAt                         time.Time
	// ExpiresAt is zero for no expiry; RevokedAt zero while not revoked.
	ExpiresAt, RevokedAt time.Time
	SignatureCT          []byte
}

// Current reports whether the authorization holds at now.
func (r Record) Current(now time.Time) bool {
	return r.RevokedAt.IsZero() && (r.ExpiresAt.IsZero() || now.Before(r.ExpiresAt))
}

// Store keeps authorizations in the PHI store
// (internal/store.MarketingAuthorizations).
type Store interface {
	// Insert stores a new authorization.
	Insert(ctx context.Context, r Record) error
	// ByPatient returns a patient's authorizations, newest first.
	ByPatient(ctx context.Context, tenantID, patientID string) ([]Record, error)
	// Current returns whether the patient has a current authorization for
	// the purpose at now: one indexed query, never cached.
	Current(ctx context.Context, tenantID, patientID, purpose string, now time.Time) (bool, error)
	// Revoke marks a patient's authorization revoked at now; NotFound when
	// there is no such current one of theirs.
	Revoke(ctx context.Context, tenantID, patientID, authID string, now time.Time) error
	// Authorized returns the patients with a current authorization for the
	// purpose at now, at most limit.
	Authorized(ctx context.Context, tenantID, purpose string, now time.Time, limit int) ([]string, error)
}

// Labs lists a patient's released lab reports (labs.Service).
type Labs interface {
	List(ctx context.Context, tenantID, patientID string, limit int) ([]*labs.Report, int, int, error)
}

// Prescriptions lists a patient's prescriptions (rx.Service).
type Prescriptions interface {
	List(ctx context.Context, tenantID, userID string) ([]*rx.Prescription, error)
}

// Promotions lists a tenant's promotions (promo.Service).
type Promotions interface {
	List(ctx context.Context, tenantID string) ([]promo.Promotion, error)
}

// Deps are what the service is built on.
type Deps struct {
	Store         Store
	Vault         phi.Vault
	Audit         audit.Appender
	Labs          Labs
	Prescriptions Prescriptions
	Promotions    Promotions
	Clock         clock.Clock
}

// Service grants and revokes authorizations and targets promotions.
type Service struct {
	d Deps
	// targets caches each tenant's active targeted promotions (catalog
	// data, no PHI) for TargetsTTL, so that a dashboard view of a shop
	// without any costs no statement. Why only these: the authorization is
	// read afresh on every view, so a revocation is never held by a cache.
	mu      sync.Mutex
	targets map[string]cachedTargets
}

type cachedTargets struct {
	at   time.Time
	list []promo.Promotion
}

// TargetsTTL is how long a tenant's targeted promotions are cached: a new
// targeted promotion shows on dashboards at most this much later.
const TargetsTTL = 30 * time.Second

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	return &Service{d: d, targets: map[string]cachedTargets{}}
}

// activeTargets returns a tenant's targeted promotions active at now.
func (s *Service) activeTargets(ctx context.Context, tenantID string, now time.Time) ([]promo.Promotion, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	s.mu.Lock()
	c, ok := s.targets[tenantID]
	s.mu.Unlock()
	if !ok || now.Sub(c.at) >= TargetsTTL || now.Before(c.at) {
		all, err := s.d.Promotions.List(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		c = cachedTargets{at: now}
		for _, p := range all {
			if p.Targeted() {
				c.list = append(c.list, p)
			}
		}
		s.mu.Lock()
		s.targets[tenantID] = c
		s.mu.Unlock()
	}
	var out []promo.Promotion
	for _, p := range c.list {
		if p.Active(now) {
			out = append(out, p)
		}
	}
	return out, nil
}

// Now is the service's time.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// self checks that the actor in ctx is the patient themselves. Why not a
// proxy: an authorization is the individual's own signature (164.508(c)),
// and a proxy grant in Salve shares data classes, it does not make the
// proxy a personal representative who may sign for them.
func self(ctx context.Context, tenantID, patientID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RolePatient || a.ID != patientID || a.TenantID != tenantID {
		return a, apperr.NotFoundError()
	}
	return a, nil
}

// Grant is an authorization as typed.
type Grant struct {
	Purpose string
	// Name is the signature: the patient's name typed.
	Name string
	// SignedOn is the date typed beside it (YYYY-MM-DD), which must be
	// today; ExpiresOn an optional end date.
	SignedOn, ExpiresOn string
	Assent              bool
}

// MaxName is the longest signature.
const MaxName = 120

// Grant records the patient's signed authorization for a purpose: sealed
// signature, audited. A purpose already authorized is a Conflict; bad input
// an Invalid error per field, storing nothing.
func (s *Service) Grant(ctx context.Context, tenantID, patientID string, g Grant) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := self(ctx, tenantID, patientID); err != nil {
		return err
	}
	now := s.d.Clock.Now()
	fields := map[string]string{}
	p, ok := PurposeOf(g.Purpose)
	if !ok {
		return apperr.NotFoundError()
	}
	name := strings.TrimSpace(g.Name)
	switch {
	case name == "":
		fields["name"] = "Type your full name to sign."
	case utf8.RuneCountInString(name) > MaxName || strings.ContainsAny(name, "\r\n\x00"):
		fields["name"] = "This is too long."
	}
	today := now.UTC().Format(time.DateOnly)
	if strings.TrimSpace(g.SignedOn) != today {
		fields["signed_on"] = "Enter today's date, " + today + "."
	}
	var expires time.Time
	if e := strings.TrimSpace(g.ExpiresOn); e != "" {
		d, err := time.Parse(time.DateOnly, e)
		switch {
		case err != nil:
			fields["expires_on"] = "Enter a date such as 2027-12-31, or leave it empty."
		case !d.After(now):
			fields["expires_on"] = "The end must be after today."
		default:
			expires = d.AddDate(0, 0, 1) // through the whole day named
		}
	}
	if !g.Assent {
		fields["assent"] = "Tick the box to say you agree; without it nothing is signed."
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	cur, err := s.d.Store.Current(ctx, tenantID, patientID, p.Key, now)
	if err != nil {
		return err
	}
	if cur {
		return apperr.New(apperr.Conflict, "You have already authorized this. Revoke it first to sign it again.")
	}
	r := Record{ID: id.NewAt(now), TenantID: tenantID, PatientID: patientID, Purpose: p.Key, SignedAt: now, ExpiresAt: expires}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Write, Purpose: access.PurposeSelf,
		Resource: "marketing_authorization", ResourceID: r.ID, AuditAction: "marketing_authorization.grant", Detail: "purpose=" + p.Key})
	if err != nil {
		return err
	}
	raw, err := json.Marshal(Signature{Name: name, PurposeText: p.Text, SignedOn: today, Assent: true})
	if err != nil {
		return fmt.Errorf("authorization: %w", err)
	}
	if r.SignatureCT, err = h.SealBytes(patientID, "marketing_authorizations", "signature_ct", r.ID, raw); err != nil {
		return err
	}
	return s.d.Store.Insert(ctx, r)
}

// Revoke revokes one of the patient's current authorizations, audited
// first (fail closed).
func (s *Service) Revoke(ctx context.Context, tenantID, patientID, authID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := self(ctx, tenantID, patientID)
	if err != nil {
		return err
	}
	now := s.d.Clock.Now()
	if err := s.d.Audit.Append(ctx, audit.Entry{Time: now, ActorID: a.ID, ActorRole: a.Role, TenantID: tenantID, Subjects: []string{patientID},
		Action: "marketing_authorization.revoke", ResourceType: "marketing_authorization", ResourceID: authID, Purpose: access.PurposeSelf,
		Outcome: audit.Allowed}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return s.d.Store.Revoke(ctx, tenantID, patientID, authID, now)
}

// Authorization is one authorization opened for its patient.
type Authorization struct {
	ID      string
	Purpose Purpose
	Signature
	SignedAt, ExpiresAt, RevokedAt time.Time
	Current                        bool
}

// Entry is one purpose on the privacy page: the current authorization, if
// any, and the past ones.
type Entry struct {
	Purpose Purpose
	Current *Authorization
	Past    []*Authorization
}

// Page opens the patient's authorizations per purpose, for themselves only:
// one audited vault access.
func (s *Service) Page(ctx context.Context, tenantID, patientID string) ([]Entry, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := self(ctx, tenantID, patientID); err != nil {
		return nil, err
	}
	recs, err := s.d.Store.ByPatient(ctx, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, len(Purposes))
	for i, p := range Purposes {
		out[i].Purpose = p
	}
	if len(recs) == 0 {
		return out, nil
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read, Purpose: access.PurposeSelf,
		Resource: "marketing_authorization", AuditAction: "marketing_authorization.list", Detail: fmt.Sprintf("rows=%d", len(recs))})
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	for _, r := range recs {
		raw, err := h.OpenBytes(patientID, "marketing_authorizations", "signature_ct", r.ID, r.SignatureCT)
		if err != nil {
			return nil, err
		}
		au := &Authorization{ID: r.ID, SignedAt: r.SignedAt, ExpiresAt: r.ExpiresAt, RevokedAt: r.RevokedAt, Current: r.Current(now)}
		if err := json.Unmarshal(raw.Reveal(), &au.Signature); err != nil {
			return nil, fmt.Errorf("authorization %s: %w", r.ID, err)
		}
		for i := range out {
			if out[i].Purpose.Key != r.Purpose {
				continue
			}
			au.Purpose = out[i].Purpose
			if au.Current && out[i].Current == nil {
				out[i].Current = au
			} else {
				out[i].Past = append(out[i].Past, au)
			}
		}
	}
	return out, nil
}

// Matches reports whether a patient's health data matches a promotion's
// rule, read through the domains' services for the actor in ctx (each
// decides and audits its read).
func (s *Service) Matches(ctx context.Context, tenantID, patientID string, t promo.Target) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	switch t.Kind {
	case promo.TargetLabHigh:
		reps, _, _, err := s.d.Labs.List(ctx, tenantID, patientID, labs.ListLimit)
		if err != nil {
			return false, err
		}
		for _, r := range reps {
			for _, o := range r.Observations {
				if o.LOINC == t.Code && (o.Flag == labs.High || o.Flag == labs.Critical) {
					return true, nil
				}
			}
		}
	case promo.TargetRxDrug:
		list, err := s.d.Prescriptions.List(ctx, tenantID, patientID)
		if err != nil {
			return false, err
		}
		for _, p := range list {
			if p.Status == rx.Verified && strings.Contains(strings.ToLower(p.Drug), t.Code) {
				return true, nil
			}
		}
	}
	return false, nil
}

// Offer wraps the dashboard's offer widget (fallback, the untargeted deal):
// for the patient themselves with a current authorization for health-based
// offers, the first active targeted promotion their data matches comes
// first; anyone else (no authorization, a revoked or expired one, a proxy
// looking at the dashboard) gets the untargeted offer only, and no health
// data is read for marketing.
func (s *Service) Offer(fallback portal.Source) portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		if sum, ok, err := s.targeted(ctx, tenantID, patientID); err != nil || ok {
			return sum, err
		}
		if fallback == nil {
			return portal.Summary{}, nil
		}
		return fallback.Summary(ctx, tenantID, patientID)
	})
}

func (s *Service) targeted(ctx context.Context, tenantID, patientID string) (portal.Summary, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if a, ok := access.ActorFrom(ctx); !ok || a.Role != access.RolePatient || a.ID != patientID || a.TenantID != tenantID {
		return portal.Summary{}, false, nil // not the patient themselves: see Offer
	}
	now := s.d.Clock.Now()
	cands, err := s.activeTargets(ctx, tenantID, now)
	if err != nil {
		return portal.Summary{}, false, err
	}
	if len(cands) == 0 {
		return portal.Summary{}, false, nil
	}
	// Why read on every view: a revocation must take effect on the next
	// page view, so no copy of this answer is kept anywhere (a read with
	// this request's session, WithCurrent, is this view's own read).
	ok, read := currentRead(ctx, tenantID, patientID)
	if !read {
		var err error
		if ok, err = s.d.Store.Current(ctx, tenantID, patientID, HealthOffers, now); err != nil {
			return portal.Summary{}, false, err
		}
	}
	if !ok {
		return portal.Summary{}, false, nil
	}
	for _, p := range cands {
		m, err := s.Matches(ctx, tenantID, patientID, p.Target)
		if err != nil {
			return portal.Summary{}, false, err
		}
		if !m {
			continue
		}
		// Why an event of its own: the reads that matched are audited as
		// the patient's own, and this says they were used for marketing,
		// under which authorization; without it recorded, no offer (the
		// widget shows its error, fail closed).
		if err := s.d.Audit.Append(ctx, audit.Entry{Time: now, ActorID: patientID, ActorRole: access.RolePatient, TenantID: tenantID,
			Subjects: []string{patientID}, Action: "marketing.offer", ResourceType: "promotion", ResourceID: p.ID, Purpose: access.PurposeSelf,
			Outcome: audit.Allowed, Detail: "authorization=" + HealthOffers}); err != nil {
			return portal.Summary{}, false, apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now. Try again in a minute.")
		}
		off := fmt.Sprintf("%d%% off", p.Value)
		if p.Kind == promo.Fixed {
			off = fmt.Sprintf("%d.%02d %s off", p.Value/100, p.Value%100, p.Currency)
		}
		return portal.Summary{Total: 1, Note: "Chosen with your permission", Lines: []portal.Line{{
			Title:  "Use code " + p.Code + ": " + off,
			Detail: "Chosen from your health data because you allowed it. You can withdraw that on your privacy page.",
			Href:   "/account/privacy", Badge: "For you",
		}}}, true, nil
	}
	return portal.Summary{}, false, nil
}

// MaxReach is the most authorized patients a reach count looks at.
const MaxReach = 10000

// Reach is how many people a promotion may reach.
type Reach struct {
	// Shown is false when the count is below portal.MinShown and withheld.
	Shown bool
	Count int
}

// Reach counts the patients a targeted promotion may reach (a current
// authorization for health-based offers and matching data), for a store
// manager or an admin: a count only, withheld below portal.MinShown so
// that nobody can be singled out. The matching reads health data as the
// system (each read audited as such), and the count itself is audited as
// the manager's.
func (s *Service) Reach(ctx context.Context, tenantID string, p promo.Promotion) (Reach, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleStoreManager && a.Role != access.RoleAdmin) || p.TenantID != tenantID || !p.Targeted() {
		return Reach{}, apperr.NotFoundError()
	}
	now := s.d.Clock.Now()
	if err := s.d.Audit.Append(ctx, audit.Entry{Time: now, ActorID: a.ID, ActorRole: a.Role, TenantID: tenantID,
		Action: "promotion.reach", ResourceType: "promotion", ResourceID: p.ID, Purpose: access.PurposeOperations, Outcome: audit.Allowed}); err != nil {
		return Reach{}, apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not counted. Try again in a minute.")
	}
	ids, err := s.d.Store.Authorized(ctx, tenantID, HealthOffers, now, MaxReach)
	if err != nil {
		return Reach{}, err
	}
	sys := access.WithActor(context.WithoutCancel(ctx), access.System("marketing.reach", tenantID))
	n := 0
	for _, pid := range ids {
		m, err := s.Matches(sys, tenantID, pid, p.Target)
		if err != nil {
			return Reach{}, err
		}
		if m {
			n++
		}
	}
	if n < portal.MinShown {
		return Reach{}, nil
	}
	return Reach{Shown: true, Count: n}, nil
}

// currentKey is the context key of an authorization read this request read
// already.
type currentKey struct{}

// readCurrent is whether a patient's health-offers authorization was current
// when this request read it.
type readCurrent struct {
	tenantID, patientID string
	ok                  bool
}

// WithCurrent returns ctx carrying whether the patient has a current
// authorization for health-based offers (HealthOffers), as this request read
// it already with the session (signin.Extras): the offer then reads no row
// of its own, a statement fewer on every dashboard view. Why safe: it is
// this request's read (a revocation still takes effect on the next view),
// dropped with the request, and only the patient's own view uses it.
func WithCurrent(ctx context.Context, tenantID, patientID string, ok bool) context.Context {
	return context.WithValue(ctx, currentKey{}, &readCurrent{tenantID: tenantID, patientID: patientID, ok: ok})
}

// currentRead returns what WithCurrent put in ctx for this tenant and
// patient; read is false when there is nothing for them.
func currentRead(ctx context.Context, tenantID, patientID string) (ok, read bool) {
	r, _ := ctx.Value(currentKey{}).(*readCurrent)
	if r == nil || r.tenantID != tenantID || r.patientID != patientID {
		return false, false
	}
	return r.ok, true
}
