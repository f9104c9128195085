package portal

import (
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/phi"
	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// dashboardData is the dashboard page.
type dashboardData struct {
	dash.Dashboard
	// ForID and ForEmail name the person the viewer acts for; empty on the
	// viewer's own dashboard.
	ForID, ForEmail string
	// People are the others the viewer may act for (the switcher).
	People []personLink
}

// personLink is one entry of the switcher: an id in the link, the address
// (opened for this page) in its text.
type personLink struct{ ID, Email string }

// showDashboard renders the signed-in patient's own dashboard: GET /account.
// Staff have no dashboard here: their home is /staff, and /account is
// their profile.
func (h *Handlers) showDashboard(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if sess.Role != access.RolePatient {
		http.Redirect(w, r, "/account/profile", http.StatusSeeOther)
		return nil
	}
	return h.dashboardOf(w, r, sess.UserID, nil)
}

// showDashboardFor renders the dashboard of someone who granted the
// signed-in patient proxy access: GET /account/for/{patient}. Why a path:
// which record is shown is then in the address (an id, never PHI), so a
// reload, a bookmark or a second tab can never show one person's widgets
// under another's banner, and no session state has to be kept. Only the
// widgets of the granted classes are shown; an id without a grant (or
// unknown, or the viewer's own) is the same 404 as a missing record.
func (h *Handlers) showDashboardFor(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	pid := r.PathValue("patient")
	if !id.Valid(pid) || pid == sess.UserID {
		return apperr.NotFoundError()
	}
	classes, err := h.grants.Readable(r.Context(), tenant.FromContext(r.Context()).ID, pid)
	if err != nil {
		return err
	}
	return h.dashboardOf(w, r, pid, classes)
}

// dashboardOf renders patient's dashboard for the signed-in patient; classes
// are what they may read of it (nil: it is their own).
func (h *Handlers) dashboardOf(w http.ResponseWriter, r *http.Request, patientID string, classes []access.DataClass) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	allowed := func(access.DataClass) bool { return true }
	if classes != nil {
		allowed = func(c access.DataClass) bool { return slices.Contains(classes, c) }
	}
	// What the session's lookup read with it (signin.Extras), each a
	// statement this view need not run: whom the viewer may act for (none,
	// for most), their layout, their marketing authorization, their data
	// key's row (used only when the dashboard is their own).
	x := sess.Extras
	var others []grants.ActingFor
	if !x.Read || x.ProxyGrants > 0 {
		if others, err = h.grants.ActingFor(r.Context()); err != nil {
			return err
		}
	}
	var d dashboardData
	for _, g := range others {
		if g.PatientID == patientID {
			d.ForID, d.ForEmail = g.PatientID, g.Email.Reveal()
			continue
		}
		d.People = append(d.People, personLink{ID: g.PatientID, Email: g.Email.Reveal()})
	}
	if classes != nil && d.ForID == "" {
		// The grant ended between the two look-ups.
		return apperr.NotFoundError()
	}
	ctx := r.Context()
	if u, ok := sess.User(); ok {
		// The profile widget opens the viewer's own row, which the session
		// lookup read for this request already: one statement fewer a view.
		// Why safe here: a view changes nothing, so the row is as current as
		// a second read would be.
		ctx = accounts.WithRow(ctx, u)
	}
	if x.Read {
		var l dash.Layout
		if x.Layout != nil {
			l = dash.Layout{Widgets: x.Layout.Widgets, Hidden: x.Layout.Hidden}
		}
		ctx = dash.WithLayout(ctx, t.ID, sess.UserID, l, x.Layout != nil)
		ctx = marketing.WithCurrent(ctx, t.ID, sess.UserID, x.HealthOffers)
		ctx = phi.WithKeyRow(ctx, x.Key)
	}
	d.Dashboard, err = h.dashboard.Dashboard(ctx, dash.View{TenantID: t.ID, ViewerID: sess.UserID, PatientID: patientID,
		Allowed: allowed}, h.sources)
	if err != nil {
		return err
	}
	h.opened(r, dash.PageDashboard)
	title := "Your dashboard"
	if d.ForID != "" {
		// Why not their address: a page title is kept in the browser's
		// history, where no PHI may go; the page itself says whose it is.
		title = "Shared dashboard"
	}
	return h.render(w, r, h.pages.dashboard, http.StatusOK, title, d)
}

// opened counts an open of a page or widget for the tenant's PHI-free
// insights (in memory: it never fails or slows the page).
func (h *Handlers) opened(r *http.Request, key string) {
	if h.dashboard != nil {
		h.dashboard.Opened(tenant.FromContext(r.Context()).ID, key)
	}
}
