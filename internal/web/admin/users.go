package admin

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// staffRow is one line of the staff table.
type staffRow struct {
	ID, Email, Name string
	Role            access.Role
	Status          string
	MFA             bool
	LastLogin       time.Time
	Self            bool
}

// usersData is the users page.
type usersData struct {
	Form       *web.Form
	Staff      []staffRow
	Patients   int
	Roles      []access.Role
	ShowOutbox bool
}

// staffRoles are the roles an admin can give.
var staffRoles = []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleClinician, access.RoleFulfillment,
	access.RoleStoreManager, access.RoleCompliance, access.RoleAdmin}

// showUsers lists the staff with the invitation form.
func (h *Handlers) showUsers(w http.ResponseWriter, r *http.Request) error {
	return h.usersPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) usersPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	me, _ := access.ActorFrom(r.Context())
	staff, patients, err := h.people.Accounts.StaffList(r.Context(), t.ID)
	if err != nil {
		return err
	}
	rows := make([]staffRow, 0, len(staff))
	for _, a := range staff {
		rows = append(rows, staffRow{ID: a.ID, Email: a.Email.Reveal(), Name: a.Name.Reveal(), Role: a.Role, Status: a.Status,
			MFA: a.HasSecondFactor(), LastLogin: a.LastLoginAt, Self: a.ID == me.ID})
	}
	return h.site.Render(w, r, h.users, status, "Users", usersData{Form: f, Staff: rows, Patients: patients, Roles: staffRoles,
		ShowOutbox: h.people.ShowOutbox})
}

// invite creates an invited staff account and emails the invitation.
func (h *Handlers) invite(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if _, err := h.people.Accounts.Invite(r.Context(), t, web.BaseURL(r, t), f.Value("email"), access.Role(f.Value("role"))); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.usersPage(w, r, status, f)
	}
	return h.usersPage(w, r, http.StatusOK, &web.Form{Done: "The invitation was sent."})
}

// setRole gives a staff member another role.
func (h *Handlers) setRole(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	// Why a request: a role is a security setting; it changes only when a
	// second person approves (the two-person rule, internal/changes).
	// Never applied at once without the change service (fail closed).
	if h.people.Changes == nil {
		return errNoChanges
	}
	_, err = h.people.Changes.Request(r.Context(), t.ID, changes.KindStaffRole, r.PathValue("id"),
		map[string]string{"role": f.Value("role")}, f.Value("reason"))
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.usersPage(w, r, status, f)
	}
	return h.usersPage(w, r, http.StatusOK, &web.Form{Done: "The role change was requested. It takes effect when another admin or the compliance officer approves it under Compliance, Changes; that person's sessions then end."})
}

// setDisabled disables or enables a staff account.
func (h *Handlers) setDisabled(disabled bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := web.FormOf(r)
		if err != nil {
			return err
		}
		t := tenant.FromContext(r.Context())
		if err := h.people.Accounts.SetDisabled(r.Context(), t.ID, r.PathValue("id"), disabled, f.Value("reason")); err != nil {
			status, err := f.Fail(err)
			if err != nil {
				return err
			}
			return h.usersPage(w, r, status, f)
		}
		done := "The account was enabled."
		if disabled {
			done = "The account was disabled and signed out everywhere."
		}
		return h.usersPage(w, r, http.StatusOK, &web.Form{Done: done})
	}
}
