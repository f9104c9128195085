package admin

import (
	"net/http"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Care for patients of sister brands (issue 20 point 4): the admin of a
// brand sees the patients of the organisation's other brands who consented
// (at /account/sharing) to share with this brand, and assigns or removes the
// care relationship a member of this brand's staff needs to open what was
// shared (grants.AddSharedCare, RemoveSharedCare; the access rule is
// access.Decide's sister-brand rule). Why the admin: care assignments are
// an operational decision, the admin's for the brand's own patients too
// (grants.AddCare). The page lists patients by id and brand with what they
// share, never their names: an admin holds no patient data.

// sharedCareMember is one member of this brand's staff caring for a patient.
type sharedCareMember struct{ ID, Label string }

// sharedCareRow is one consenting patient.
type sharedCareRow struct {
	BrandID, BrandName, PatientID string
	Classes                       []string
	Since                         time.Time
	Care                          []sharedCareMember
}

// sharedCareData is the page.
type sharedCareData struct {
	Form  *web.Form
	Rows  []sharedCareRow
	Staff []sharedCareMember
}

// careRoles are the staff roles that read something of a patient's record
// (patients.Roles): care given to anyone else opens nothing.
var careRoles = []access.Role{access.RoleClinician, access.RolePharmacist, access.RoleCustomerService}

// showSharedCare is GET /admin/shared-care.
func (h *Handlers) showSharedCare(w http.ResponseWriter, r *http.Request) error {
	return h.sharedCarePage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) sharedCarePage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	list, err := h.people.Grants.SharedCare(r.Context(), t.ID)
	if err != nil {
		return err
	}
	staff, _, err := h.people.Accounts.StaffList(r.Context(), t.ID)
	if err != nil {
		return err
	}
	d := sharedCareData{Form: f}
	label := map[string]string{}
	for _, a := range staff {
		l := a.Email.Reveal() + " (" + string(a.Role) + ")"
		label[a.ID] = l
		if slices.Contains(careRoles, a.Role) && a.Status == accounts.StatusActive {
			d.Staff = append(d.Staff, sharedCareMember{ID: a.ID, Label: l})
		}
	}
	names := h.sisterNames(t)
	for _, p := range list {
		row := sharedCareRow{BrandID: p.PatientTenantID, BrandName: names[p.PatientTenantID], PatientID: p.PatientID, Since: p.Since}
		if row.BrandName == "" {
			continue
		}
		for _, c := range p.Scopes {
			row.Classes = append(row.Classes, c.Label())
		}
		for _, sid := range p.Care {
			l := label[sid]
			if l == "" {
				l = "Organisation staff " + sid
			}
			row.Care = append(row.Care, sharedCareMember{ID: sid, Label: l})
		}
		d.Rows = append(d.Rows, row)
	}
	return h.site.Render(w, r, h.sharedCareView, status, "Care for shared records", d)
}

// assignSharedCare is POST /admin/shared-care (brand, patient, staff): a
// patient without a live consent to share with this brand is the 404 of
// absence.
func (h *Handlers) assignSharedCare(w http.ResponseWriter, r *http.Request) error {
	return h.changeSharedCare(w, r, true)
}

// removeSharedCare is POST /admin/shared-care/remove (brand, patient, staff).
func (h *Handlers) removeSharedCare(w http.ResponseWriter, r *http.Request) error {
	return h.changeSharedCare(w, r, false)
}

func (h *Handlers) changeSharedCare(w http.ResponseWriter, r *http.Request, add bool) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	brand, pid, sid := f.Value("brand"), f.Value("patient"), f.Value("staff")
	if h.sisterNames(t)[brand] == "" || !id.Valid(pid) {
		return apperr.NotFoundError()
	}
	if !id.Valid(sid) {
		status, err := f.Fail(apperr.InvalidFields("Choose a member of staff.", map[string]string{"staff": "Choose someone from the list."}))
		if err != nil {
			return err
		}
		return h.sharedCarePage(w, r, status, f)
	}
	if add {
		err = h.people.Grants.AddSharedCare(r.Context(), t.ID, sid, brand, pid)
	} else {
		err = h.people.Grants.RemoveSharedCare(r.Context(), t.ID, sid, brand, pid)
	}
	if err != nil {
		return err
	}
	done := "Care assigned: they can now open what the patient shares that their role reads."
	if !add {
		done = "Care removed: they no longer open this patient's shared record."
	}
	return h.sharedCarePage(w, r, http.StatusOK, &web.Form{Done: done})
}

// sisterNames names the other brands of t's organisation, by id.
func (h *Handlers) sisterNames(t *tenant.Tenant) map[string]string {
	out := map[string]string{}
	if h.OrgBrands == nil || t == nil || t.OrgID == "" {
		return out
	}
	for _, b := range h.OrgBrands(t.OrgID) {
		if b.ID != t.ID && b.OrgID == t.OrgID {
			out[b.ID] = b.Name
		}
	}
	return out
}
