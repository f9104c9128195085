package incidents

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// SelectionKind names a query shape for the people affected. The shapes
// are typed and fixed: a free query would let the register read anything.
type SelectionKind string

// The shapes.
const (
	// ByAccount: everyone whose record one account (a staff member's, or
	// a stolen patient login's) accessed in a window.
	ByAccount SelectionKind = "by_account"
	// Everyone: everyone whose record anyone accessed in a window (a
	// compromised server or a lost backup of that period).
	Everyone SelectionKind = "everyone"
)

// Selection is a query of the audit log for the people affected: the
// patients among the subjects of the allowed events in [From, To), of one
// account (ByAccount) or of any (Everyone).
type Selection struct {
	Kind     SelectionKind
	ActorID  string
	From, To time.Time
}

// MaxAffected bounds one selection. A larger incident is a system-wide one
// whose notices go beyond one register entry (substitute notice,
// 164.404(d)(2)); the error says so.
const MaxAffected = 100000

// maxScan bounds the events read for one selection.
const maxScan = 2000000

// Describe says what a selection chose, in words with ids only.
func (q Selection) Describe() string {
	w := q.From.UTC().Format("2006-01-02 15:04") + " to " + q.To.UTC().Format("2006-01-02 15:04") + " UTC"
	if q.Kind == ByAccount {
		return "records accessed by account " + q.ActorID + " from " + w
	}
	return "records accessed by anyone from " + w
}

func (q Selection) check() error {
	fields := map[string]string{}
	switch q.Kind {
	case ByAccount:
		if strings.TrimSpace(q.ActorID) == "" || len(q.ActorID) > 64 {
			fields["actor"] = "Enter the account id whose reads to follow (from the audit log or the staff list)."
		}
	case Everyone:
	default:
		fields["kind"] = "Choose which records to select."
	}
	switch {
	case q.From.IsZero():
		fields["from"] = "Enter when the window starts (YYYY-MM-DDTHH:MM, UTC)."
	case q.To.IsZero():
		fields["to"] = "Enter when the window ends (YYYY-MM-DDTHH:MM, UTC)."
	case !q.To.After(q.From):
		fields["to"] = "The window must end after it starts."
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields; nothing was selected.", fields)
	}
	return nil
}

// subject is what an incident's list of people is sealed under: its own
// key, so it can be shredded on its own.
func subject(incidentID string) string { return "incident:" + incidentID }

// SelectAffected runs a selection over the audit log and keeps its result
// as the incident's people affected (sealed), replacing any earlier one, and
// returns how many. The audit log holds ids only; whether each is a patient
// and their state of residence are looked up here.
func (s *Service) SelectAffected(ctx context.Context, tenantID, incidentID string, q Selection) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	inc, err := s.Get(ctx, tenantID, incidentID)
	if err != nil {
		return 0, err
	}
	if err := q.check(); err != nil {
		return 0, err
	}
	if !inc.NotifiedAt.IsZero() {
		return 0, apperr.InvalidFields("The notices were sent to the people selected; the selection stays as it was.",
			map[string]string{"kind": "Already notified."})
	}
	ids, err := s.subjects(ctx, tenantID, q)
	if err != nil {
		return 0, err
	}
	people := make([]Person, 0, len(ids))
	byState := map[string]int{}
	for _, pid := range ids {
		ok, err := s.d.Patient(ctx, tenantID, pid)
		if err != nil {
			return 0, err
		}
		if !ok {
			continue
		}
		p := Person{ID: pid}
		if s.d.Residence != nil {
			st, err := s.d.Residence(ctx, tenantID, pid)
			if err != nil {
				return 0, err
			}
			p.State = strings.ToUpper(strings.TrimSpace(st))
		}
		byState[p.State]++
		people = append(people, p)
	}
	if len(people) > MaxAffected {
		return 0, apperr.InvalidFields("More than 100,000 people: narrow the window, or handle this incident as a system-wide one.",
			map[string]string{"from": "Too many people."})
	}
	body, err := json.Marshal(people)
	if err != nil {
		return 0, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject(inc.ID)}, Action: access.Write,
		Purpose: access.PurposeCompliance, Resource: "incident_affected", ResourceID: inc.ID, AuditAction: "incident.affected.select", High: true,
		Detail: "kind=" + string(q.Kind) + " count=" + itoa(len(people))})
	if err != nil {
		return 0, err
	}
	ct, err := h.SealBytes(subject(inc.ID), "incidents", "affected_ct", inc.ID, body)
	if err != nil {
		return 0, err
	}
	return len(people), s.d.Store.SetAffected(ctx, tenantID, inc.ID, ct, len(people), byState, q.Describe(), s.d.Clock.Now())
}

// subjects returns the distinct people named by the allowed events of the
// selection, in the order first seen. Subjects that are not people (a
// vendor's or an incident's own key, "kind:id") are left out.
func (s *Service) subjects(ctx context.Context, tenantID string, q Selection) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	seen := map[string]bool{}
	var out []string
	var after int64
	scanned := 0
	for {
		recs, err := s.d.Events.Find(ctx, audit.Query{TenantID: tenantID, ActorID: q.ActorID, From: q.From, To: q.To,
			Outcome: audit.Allowed, After: after, Limit: audit.MaxLimit})
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			after = r.Seq
			for _, sub := range r.Subjects {
				if sub == "" || strings.Contains(sub, ":") || seen[sub] {
					continue
				}
				seen[sub] = true
				out = append(out, sub)
			}
		}
		scanned += len(recs)
		if len(recs) < audit.MaxLimit {
			return out, nil
		}
		if scanned >= maxScan {
			return nil, apperr.InvalidFields("The window holds too many events to select from at once: narrow it.",
				map[string]string{"from": "Narrow the window."})
		}
	}
}

// people opens an incident's sealed list for the actor; the vault records
// the read under auditAction.
func (s *Service) people(ctx context.Context, inc Incident, auditAction, detail string) ([]Person, error) {
	if inc.AffectedCount == 0 {
		return nil, nil
	}
	ct, err := s.d.Store.Affected(ctx, inc.TenantID, inc.ID)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: inc.TenantID, Subjects: []string{subject(inc.ID)}, Action: access.Read,
		Purpose: access.PurposeCompliance, Resource: "incident_affected", ResourceID: inc.ID, AuditAction: auditAction, Detail: detail})
	if err != nil {
		return nil, err
	}
	b, err := h.OpenBytes(subject(inc.ID), "incidents", "affected_ct", inc.ID, ct)
	if err != nil {
		return nil, err
	}
	var out []Person
	if err := json.Unmarshal(b.Reveal(), &out); err != nil {
		return nil, err
	}
	return out, nil
}

// Affected lists the people affected (account ids and states) for the
// compliance officer; the read is audited.
func (s *Service) Affected(ctx context.Context, tenantID, incidentID string) ([]Person, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	inc, err := s.Get(ctx, tenantID, incidentID)
	if err != nil {
		return nil, err
	}
	return s.people(ctx, inc, "incident.affected.read", "")
}

func contains(people []Person, pid string) bool {
	return slices.ContainsFunc(people, func(p Person) bool { return p.ID == pid })
}
