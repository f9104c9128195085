package admin

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/compliance"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// ComplianceSource is the compliance report and the data-flow diagram of
// the running system (internal/server.Compliance).
type ComplianceSource interface {
	Report(ctx context.Context, tenantIDs ...string) (compliance.Report, error)
	// Diagram returns DOT and SVG (compliance.ErrNoDot when Graphviz is
	// missing: the DOT text is shown instead).
	Diagram(ctx context.Context) (string, []byte, error)
}

// changeRow is one change as the page shows it.
type changeRow struct {
	changes.Change
	Title          string
	Fields         []fieldChange
	RequestedByYou bool
	Requester      string
	Decider        string
}

// fieldChange is one field's before and after.
type fieldChange struct{ Name, Before, After string }

// changesData is the changes page.
type changesData struct {
	Form    *web.Form
	Pending []changeRow
	History []changeRow
	// Limits are the tenant's session limits now (minutes), for the form
	// that asks to change them; nil when the server does not govern them.
	Limits map[string]string
	// LimitsForm is that form after a refused request.
	LimitsForm *web.Form
	// SSO is the tenant's single sign-on now (the secret masked), for the
	// form that asks to change it; nil when not governed here.
	SSO map[string]string
	// SSOForm is that form after a refused request.
	SSOForm *web.Form
	// Hours are the working hours now (zone, start_hour, end_hour) for the
	// activity review's off-hours rule; HoursForm that form refused.
	Hours     map[string]string
	HoursForm *web.Form
	// Policies are the brand policies (ways to pay, break-glass) with
	// their values now, each with its form.
	Policies []policyRow
}

// showChanges lists the pending requests, with approve and reject, and the
// record of every change: GET /admin/compliance/changes.
func (h *Handlers) showChanges(w http.ResponseWriter, r *http.Request) error {
	return h.changesPage(w, r, http.StatusOK, &web.Form{})
}

// who names an actor without PHI: their role and the start of their id,
// or "you".
func who(id string, role access.Role, me string) string {
	switch {
	case id == me:
		return "you"
	case id == changes.Operator || strings.HasPrefix(id, "system:"):
		return id
	}
	short := id
	if len(short) > 8 {
		short = short[:8]
	}
	return string(role) + " " + short
}

func (h *Handlers) changesPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	me, _ := access.ActorFrom(r.Context())
	list, err := h.people.Changes.List(r.Context(), t.ID, 500)
	if err != nil {
		return err
	}
	data := changesData{Form: f, LimitsForm: &web.Form{}, SSOForm: &web.Form{}, HoursForm: &web.Form{}}
	if f != nil && f.Values != nil && f.Values.Has("start_hour") {
		data.HoursForm, data.Form = f, &web.Form{}
	}
	if slices.Contains(h.people.Changes.Kinds(), changes.KindWorkingHours) {
		if data.Hours, err = h.people.Changes.Current(r.Context(), t.ID, changes.KindWorkingHours, "hours"); err != nil {
			return err
		}
	}
	// The session limits' and single sign-on's own forms, refused: their
	// errors and values go there.
	if f != nil && f.Values != nil && f.Values.Has("staff_idle_minutes") {
		data.LimitsForm, data.Form = f, &web.Form{}
	}
	if f != nil && f.Values != nil && f.Values.Has("sso_form") {
		data.SSOForm, data.Form = f, &web.Form{}
	}
	if slices.Contains(h.people.Changes.Kinds(), changes.KindSSO) {
		if data.SSO, err = h.people.Changes.Current(r.Context(), t.ID, changes.KindSSO, t.ID); err != nil {
			return err
		}
	}
	if slices.Contains(h.people.Changes.Kinds(), changes.KindSessionLimits) {
		if data.Limits, err = h.people.Changes.Current(r.Context(), t.ID, changes.KindSessionLimits, "sessions"); err != nil {
			return err
		}
	}
	if slices.Contains(h.people.Changes.Kinds(), changes.KindBrandPolicy) {
		for _, key := range tenant.PolicyKeys {
			cur, err := h.people.Changes.Current(r.Context(), t.ID, changes.KindBrandPolicy, key)
			if err != nil {
				return err
			}
			def, _ := tenant.SettingDefByKey(key)
			row := policyRow{Key: key, Label: def.Label, Help: def.Help, Value: cur[key], Form: &web.Form{}}
			if f != nil && f.Values != nil && f.Value("key") == key {
				row.Form, data.Form = f, &web.Form{}
				row.Value = f.Value("value")
			}
			data.Policies = append(data.Policies, row)
		}
	}
	for _, c := range list {
		row := changeRow{Change: c, Title: h.people.Changes.Title(c.Kind), RequestedByYou: c.RequestedBy == me.ID,
			Requester: who(c.RequestedBy, c.RequestedRole, me.ID), Decider: who(c.DecidedBy, c.DecidedRole, me.ID)}
		names := map[string]bool{}
		for k := range c.Before {
			names[k] = true
		}
		for k := range c.After {
			names[k] = true
		}
		for _, n := range slices.Sorted(maps.Keys(names)) {
			row.Fields = append(row.Fields, fieldChange{Name: n, Before: c.Before[n], After: c.After[n]})
		}
		if c.Status == changes.Pending {
			data.Pending = append(data.Pending, row)
		} else {
			data.History = append(data.History, row)
		}
	}
	return h.site.Render(w, r, h.changesView, status, "Changes", data)
}
