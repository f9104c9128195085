package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// MessageTeams serve the admin's page of message teams (issue 16): the
// teams patients write to (customer service, the pharmacy, a care team) and
// their members. Apart from Handlers so that the feature is one
// constructor and one Routes call in the server.
type MessageTeams struct {
	site     *web.Site
	messages *messaging.Service
	page     *render.Page
}

// NewMessageTeams returns the page; a missing template fails here.
func NewMessageTeams(site *web.Site, m *messaging.Service) (*MessageTeams, error) {
	h := &MessageTeams{site: site, messages: m}
	if err := site.Pages(map[string]**render.Page{"admin/message_teams": &h.page}); err != nil {
		return nil, err
	}
	return h, nil
}

// Routes registers the page and its forms. Why Admin routes (the admin
// role, signed in with MFA): who reads patients' messages is decided here,
// like roles on the staff accounts page.
func (h *MessageTeams) Routes(rt *httpx.Router) {
	rt.Handle(access.Admin, "GET /admin/messages/teams", h.show)
	rt.Handle(access.Admin, "POST /admin/messages/teams", h.create)
	rt.Handle(access.Admin, "POST /admin/messages/teams/{id}/members", h.addMember)
	rt.Handle(access.Admin, "POST /admin/messages/teams/{id}/members/{user}/remove", h.removeMember)
}

// teamsData is the page.
type teamsData struct {
	Form  *web.Form
	Teams []messaging.TeamView
	Staff []messaging.Member
	Kinds []messaging.TeamKind
}

// show renders GET /admin/messages/teams: each team with its kind and
// members (a remove button each, an add form), and the new-team form.
func (h *MessageTeams) show(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{Done: map[string]string{"created": "The team is added. Add its members below.", "added": "The member is added.",
		"removed": "The member is taken off the team."}[r.URL.Query().Get("done")]}
	return h.render(w, r, http.StatusOK, f)
}

func (h *MessageTeams) render(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	teams, staff, err := h.messages.Teams(r.Context(), tenant.FromContext(r.Context()).ID)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.page, status, "Message teams", teamsData{Form: f, Teams: teams, Staff: staff, Kinds: messaging.Kinds})
}

// fail shows the page again with an error, or returns the error.
func (h *MessageTeams) fail(w http.ResponseWriter, r *http.Request, f *web.Form, err error) error {
	status, err := f.Fail(err)
	if err != nil {
		return err
	}
	return h.render(w, r, status, f)
}

// create adds a team: POST /admin/messages/teams (name, kind).
func (h *MessageTeams) create(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if _, err := h.messages.CreateTeam(r.Context(), tenant.FromContext(r.Context()).ID, f.Value("name"), messaging.TeamKind(f.Value("kind"))); err != nil {
		return h.fail(w, r, f, err)
	}
	http.Redirect(w, r, "/admin/messages/teams?done=created", http.StatusSeeOther)
	return nil
}

// addMember puts a member of staff on a team: POST
// /admin/messages/teams/{id}/members (member).
func (h *MessageTeams) addMember(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.messages.AddMember(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), f.Value("member")); err != nil {
		return h.fail(w, r, f, err)
	}
	http.Redirect(w, r, "/admin/messages/teams?done=added", http.StatusSeeOther)
	return nil
}

// removeMember takes a member off a team: POST
// /admin/messages/teams/{id}/members/{user}/remove.
func (h *MessageTeams) removeMember(w http.ResponseWriter, r *http.Request) error {
	if err := h.messages.RemoveMember(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), r.PathValue("user")); err != nil {
		return err
	}
	http.Redirect(w, r, "/admin/messages/teams?done=removed", http.StatusSeeOther)
	return nil
}
