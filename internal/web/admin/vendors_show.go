package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/web"
)

// vendorsData is the compliance page of vendors and BAAs.
type vendorsData struct {
	// Form is the add form; Edit the form of the vendor EditID as sent
	// (after a failed save), so what was typed is kept.
	Form   *web.Form
	Edit   *web.Form
	EditID string
	// Done confirms the last change.
	Done     string
	Overview vendors.Overview
	// CanEdit: the compliance officer (admins see the page without forms).
	CanEdit bool
}

// showVendors shows vendors, their BAAs, the integrations bound to them and
// the attempts refused for want of a current BAA: GET
// /admin/compliance/vendors.
func (h *Handlers) showVendors(w http.ResponseWriter, r *http.Request) error {
	done := map[string]string{"added": "The vendor was added.", "saved": "The vendor was saved.", "uploaded": "The signed BAA was stored (sealed).",
		"bound":          "The integration's vendor was saved.",
		"bind-requested": "The request was recorded; the integration's vendor changes when a second person approves it under Changes."}[r.URL.Query().Get("done")]
	return h.vendorsPage(w, r, http.StatusOK, vendorsData{Form: &web.Form{}, Done: done})
}

func (h *Handlers) vendorsPage(w http.ResponseWriter, r *http.Request, status int, d vendorsData) error {
	t := tenant.FromContext(r.Context())
	o, err := h.people.Vendors.Overview(r.Context(), t.ID)
	if err != nil {
		return err
	}
	a, _ := access.ActorFrom(r.Context())
	d.Overview, d.CanEdit = o, a.Role == access.RoleCompliance
	if d.Form == nil {
		d.Form = &web.Form{}
	}
	return h.site.Render(w, r, h.vendorsView, status, "Vendors and BAAs", d)
}

// Val is what vendor v's edit form shows in field name: what was typed,
// after a failed save of that vendor, else what is on file.
func (d vendorsData) Val(v vendors.Status, name string) string {
	if d.Edit != nil && d.EditID == v.ID && d.Edit.Values != nil {
		return d.Edit.Value(name)
	}
	return map[string]string{"name": v.Name, "service": v.Service, "contact": v.Contact, "signed_on": v.SignedOn,
		"expires_on": v.ExpiresOn, "notes": v.Notes}[name]
}

// Err is the error of field name in vendor v's forms, after a failed save.
func (d vendorsData) Err(v vendors.Status, name string) string {
	if d.Edit != nil && d.EditID == v.ID {
		return d.Edit.Error(name)
	}
	return ""
}

// Open reports whether vendor v's edit form is shown open (after a failed
// save of it).
func (d vendorsData) Open(v vendors.Status) bool { return d.Edit != nil && d.EditID == v.ID }

// EditMessage is the message of a failed save of a vendor.
func (d vendorsData) EditMessage() string {
	if d.Edit == nil {
		return ""
	}
	return d.Edit.Message
}

// vendorField is one input of a vendor's edit form.
type vendorField struct {
	ID, Name, Label, Type, Value, Err string
	Required                          bool
}

// Fields are vendor v's edit form inputs, ids unique on the page.
func (d vendorsData) Fields(v vendors.Status) []vendorField {
	out := make([]vendorField, 0, 6)
	for _, f := range [][3]string{{"name", "Name", "text"}, {"service", "Service it provides", "text"}, {"contact", "Contact for the agreement", "text"},
		{"signed_on", "BAA signed on", "date"}, {"expires_on", "BAA expires on", "date"}, {"notes", "Notes", "text"}} {
		out = append(out, vendorField{ID: "v-" + v.ID + "-" + f[0], Name: f[0], Label: f[1], Type: f[2], Value: d.Val(v, f[0]), Err: d.Err(v, f[0]),
			Required: f[0] == "name" || f[0] == "service" || f[0] == "contact"})
	}
	return out
}
