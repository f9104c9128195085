package admin

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// The organisation's own page (issue 20 points 1, 2 and 4):
// /admin/organisation shows the organisation of the person's brand, its
// brands (host names, parent), its settings (each with the value set at
// the organisation, else Salve's default, and which brands override it) with
// set and "reset to Salve's default", and its organisation roles.
//
// Who: only a person holding an organisation-level role of that
// organisation, as the brand switcher knows it (web.ActingFrom): an
// organisation admin sees and changes everything on it, an organisation
// store manager the settings (not the roles), as a brand's store manager
// does on /admin/brand. Why not a brand's own admin: a brand-level role
// stays within its brand, and a setting of the organisation reaches every
// sister brand that inherits it. Everyone else, and every person of another
// organisation, gets the 404 of absence. The session lengths change at the
// organisation only through a request a second person approves, as at a
// brand (see requestOrgSessionLimits). Every change is written to the audit
// log of the brand the person acts in before it is made; where the log
// cannot be written the change is refused.

// OrgStore reads an organisation and sets its settings (store.Tenants).
type OrgStore interface {
	ListOrgs(ctx context.Context) ([]*tenant.Organisation, error)
	SetSetting(ctx context.Context, ownerID, key, value string, now time.Time) error
	ResetSetting(ctx context.Context, ownerID, key string, now time.Time) error
}

// orgBrand is one brand on the page.
type orgBrand struct {
	ID, Name, Slug, Parent string
	Hosts                  []string
	Current                bool
}

// orgRow is one setting on the page.
type orgRow struct {
	Def tenant.SettingDef
	// Set reports a value set at the organisation; Value is it (or the
	// value typed after a refused save), Default Salve's.
	Set        bool
	Value      string
	Overridden []string // slugs of the brands that set their own (or a parent's)
}

// orgRoleRow is one organisation role: the account id, its brand and role
// (no addresses: the page is about roles, and `salve org role list` shows the
// same).
type orgRoleRow struct {
	UserID, BrandName, BrandID string
	Role                       access.Role
	Since                      time.Time
}

// orgData is the page.
type orgData struct {
	State      formState
	Roles      *web.Form
	Org        *tenant.Organisation
	Brands     []orgBrand
	Rows       []orgRow
	OrgRoles   []orgRoleRow
	Admin      bool
	CanApprove bool
	RoleNames  []access.Role
	// BrandOptions are the brands an organisation role's account may be of.
	BrandOptions []orgBrand
}

// orgAccess returns the person's organisation and whether they are its
// admin; anyone without an organisation role of a manager or admin gets
// the 404.
func (h *Handlers) orgAccess(r *http.Request) (*tenant.Organisation, bool, error) {
	acting, ok := web.ActingFrom(r.Context())
	if !ok || h.Orgs == nil || (acting.OrgRole != access.RoleAdmin && acting.OrgRole != access.RoleStoreManager) || acting.Home.OrgID == "" {
		return nil, false, apperr.DeniedError(errors.New("no organisation role"))
	}
	orgs, err := h.Orgs.ListOrgs(r.Context())
	if err != nil {
		return nil, false, err
	}
	for _, o := range orgs {
		if o.ID == acting.Home.OrgID {
			return o, acting.OrgRole == access.RoleAdmin, nil
		}
	}
	return nil, false, apperr.DeniedError(errors.New("no such organisation"))
}

// showOrg is GET /admin/organisation.
func (h *Handlers) showOrg(w http.ResponseWriter, r *http.Request) error {
	return h.orgPage(w, r, nil, "", "", nil)
}

func (h *Handlers) orgPage(w http.ResponseWriter, r *http.Request, failed error, key, typed string, roles *web.Form) error {
	org, admin, err := h.orgAccess(r)
	if err != nil {
		return err
	}
	if roles == nil {
		roles = &web.Form{}
	}
	cur := tenant.FromContext(r.Context())
	d := orgData{State: stateFrom(r, failed), Roles: roles, Org: org, Admin: admin, RoleNames: staffRoles,
		CanApprove: h.people != nil && h.people.Changes != nil && slices.Contains(h.people.Changes.Kinds(), OrgSessionLimitsKind)}
	brands := h.OrgBrands(org.ID)
	slug := map[string]string{}
	for _, b := range brands {
		slug[b.ID] = b.Slug
	}
	for _, b := range brands {
		d.BrandOptions = append(d.BrandOptions, orgBrand{ID: b.ID, Name: b.Name})
		d.Brands = append(d.Brands, orgBrand{Name: b.Name, Slug: b.Slug, Parent: slug[b.ParentID], Hosts: b.Hostnames, Current: b.ID == cur.ID})
	}
	for _, def := range tenant.SettingDefs {
		v, set := org.Settings[def.Key]
		row := orgRow{Def: def, Set: set, Value: v}
		if !set {
			row.Value = def.Default
		}
		if def.Key == key {
			row.Value = typed
		}
		for _, b := range brands {
			if rs := b.Settings[def.Key]; rs.From == "brand" || rs.From == "parent" {
				row.Overridden = append(row.Overridden, b.Slug)
			}
		}
		d.Rows = append(d.Rows, row)
	}
	if admin && h.people != nil && h.people.Grants != nil {
		list, err := h.people.Grants.OrgRoles(r.Context(), org.ID)
		if err != nil {
			return err
		}
		names := map[string]string{}
		for _, b := range brands {
			names[b.ID] = b.Name
		}
		for _, or := range list {
			d.OrgRoles = append(d.OrgRoles, orgRoleRow{UserID: or.UserID, BrandID: or.TenantID, BrandName: names[or.TenantID], Role: or.Role, Since: or.CreatedAt})
		}
	}
	status := http.StatusOK
	if failed != nil || roles.Message != "" {
		status = http.StatusBadRequest
	}
	if failed != nil && !apperr.Is(failed, apperr.Invalid) {
		return failed
	}
	return h.site.Render(w, r, h.orgView, status, "Organisation", d)
}

// orgEvent records a change on the organisation's page in the audit log of
// the brand the person acts in, before the change is made.
func (h *Handlers) orgEvent(ctx context.Context, org *tenant.Organisation, action, detail string) error {
	if h.Audit == nil {
		return apperr.Wrap(errors.New("no audit log"), apperr.Unavailable, "Salve cannot record this right now, so it was not done.")
	}
	return accounts.Record(ctx, h.Audit, audit.Entry{TenantID: tenant.FromContext(ctx).ID, Action: action, ResourceType: "organisation",
		ResourceID: org.ID, Purpose: access.PurposeOperations, Detail: detail})
}

// setOrgSetting is POST /admin/organisation/settings/{key}: the value every
// brand that does not override it inherits. A refused value changes nothing
// and shows the form again with the reason.
func (h *Handlers) setOrgSetting(w http.ResponseWriter, r *http.Request) error {
	org, _, err := h.orgAccess(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	key, value := r.PathValue("key"), f.Value("value")
	def, ok := tenant.SettingDefByKey(key)
	if !ok {
		return apperr.NotFoundError()
	}
	if def.Approved {
		return h.orgPage(w, r, errOrgApproved(key), key, value, nil)
	}
	norm, err := tenant.CheckSetting(key, value)
	if err != nil {
		return h.orgPage(w, r, err, key, value, nil)
	}
	if err := h.orgEvent(r.Context(), org, "org.setting.set", "key="+key); err != nil {
		return err
	}
	if err := h.Orgs.SetSetting(r.Context(), org.ID, key, norm, time.Now().UTC()); err != nil {
		return h.orgPage(w, r, err, key, value, nil)
	}
	return h.orgSaved(w, r, "saved")
}

// resetOrgSetting is POST /admin/organisation/settings/{key}/reset: the
// organisation sets no value, so its brands fall back to Salve's default.
func (h *Handlers) resetOrgSetting(w http.ResponseWriter, r *http.Request) error {
	org, _, err := h.orgAccess(r)
	if err != nil {
		return err
	}
	key := r.PathValue("key")
	def, ok := tenant.SettingDefByKey(key)
	if !ok {
		return apperr.NotFoundError()
	}
	if def.Approved {
		return h.orgPage(w, r, errOrgApproved(key), "", "", nil)
	}
	if err := h.orgEvent(r.Context(), org, "org.setting.reset", "key="+key); err != nil {
		return err
	}
	if err := h.Orgs.ResetSetting(r.Context(), org.ID, key, time.Now().UTC()); err != nil {
		return err
	}
	return h.orgSaved(w, r, "saved")
}

func (h *Handlers) orgSaved(w http.ResponseWriter, r *http.Request, done string) error {
	if h.RefreshTenants != nil {
		if err := h.RefreshTenants(r.Context()); err != nil {
			return err
		}
	}
	return seeOther(w, r, "/admin/organisation", done)
}

// errOrgApproved refuses to set an approved setting (the session lengths)
// directly: see requestOrgSessionLimits.
func errOrgApproved(key string) error {
	return apperr.InvalidFields("This setting changes only through an approved request.",
		map[string]string{key: "Ask for the change with the session lengths form below; it applies when a second person approves."})
}

// grantOrgRole is POST /admin/organisation/roles (brand, email, role): an
// organisation admin gives a staff account of one of the organisation's
// brands an organisation role (grants.GrantOrgRole, audited in that
// brand). An organisation store manager gets the 404.
func (h *Handlers) grantOrgRole(w http.ResponseWriter, r *http.Request) error {
	org, admin, err := h.orgAccess(r)
	if err != nil {
		return err
	}
	if !admin {
		return apperr.DeniedError(errors.New("not the organisation's admin"))
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	brand := h.orgBrand(org.ID, f.Value("brand"))
	if brand == nil {
		brand = &tenant.Tenant{}
	}
	if _, err := h.people.Grants.GrantOrgRole(r.Context(), org.ID, brand.ID, strings.TrimSpace(f.Value("email")), access.Role(f.Value("role"))); err != nil {
		if apperr.Is(err, apperr.NotFound) || brand.ID == "" {
			err = apperr.InvalidFields("No staff account with that address in that brand.", map[string]string{"email": "Check the address and the brand."})
		}
		if _, err := f.Fail(err); err != nil {
			return err
		}
		return h.orgPage(w, r, nil, "", "", f)
	}
	return h.orgSaved(w, r, "saved")
}

// revokeOrgRole is POST /admin/organisation/roles/{user}/revoke: an
// organisation admin takes an organisation role away. A role of another
// organisation, or none, is the 404.
func (h *Handlers) revokeOrgRole(w http.ResponseWriter, r *http.Request) error {
	org, admin, err := h.orgAccess(r)
	if err != nil {
		return err
	}
	uid := r.PathValue("user")
	if !admin || !id.Valid(uid) {
		return apperr.NotFoundError()
	}
	if err := h.people.Grants.RevokeOrgRoleOf(r.Context(), org.ID, uid); err != nil {
		return err
	}
	return h.orgSaved(w, r, "saved")
}

// orgBrand returns the organisation's brand with an id, or nil.
func (h *Handlers) orgBrand(orgID, brandID string) *tenant.Tenant {
	for _, b := range h.OrgBrands(orgID) {
		if b.ID == brandID && b.OrgID == orgID {
			return b
		}
	}
	return nil
}

// OrgSessionLimitsKind is the approved change of an organisation's session
// lengths.
const OrgSessionLimitsKind = changes.KindOrgSessionLimits

// requestOrgSessionLimits is POST /admin/organisation/session-limits
// (staff_idle_minutes, patient_idle_minutes, absolute_minutes, reason): the
// organisation's admin asks to change the session lengths every inheriting
// brand follows. Nothing changes until a second admin or the compliance
// officer of the brand they act in approves it under Changes
// (/admin/compliance/changes). An organisation store manager gets the 404:
// session lengths are security settings.
func (h *Handlers) requestOrgSessionLimits(w http.ResponseWriter, r *http.Request) error {
	org, admin, err := h.orgAccess(r)
	if err != nil {
		return err
	}
	if !admin {
		return apperr.DeniedError(errors.New("not the organisation's admin"))
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	after := map[string]string{tenant.SetStaffIdleMinutes: f.Value(tenant.SetStaffIdleMinutes), tenant.SetPatientIdleMinutes: f.Value(tenant.SetPatientIdleMinutes),
		tenant.SetAbsoluteMinutes: f.Value(tenant.SetAbsoluteMinutes)}
	if _, err := h.people.Changes.Request(r.Context(), tenant.FromContext(r.Context()).ID, OrgSessionLimitsKind, org.ID, after, f.Value("reason")); err != nil {
		if _, err := f.Fail(err); err != nil {
			return err
		}
		return h.orgPage(w, r, nil, "", "", f)
	}
	return seeOther(w, r, "/admin/organisation", "requested")
}
