package admin

import (
	"context"
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// BrandSettings sets and resets a brand's inheritable settings (the store's
// tenant repository); Refresh reloads the tenants so this process shows the
// change at once (other replicas at their resolver's next reload).
type BrandSettings interface {
	SetSetting(ctx context.Context, ownerID, key, value string, now time.Time) error
	ResetSetting(ctx context.Context, ownerID, key string, now time.Time) error
}

// brandRow is one setting on the brand page.
type brandRow struct {
	Def      tenant.SettingDef
	Resolved tenant.Resolved
	// Value is what the form shows: the value typed after a refused save,
	// else the effective value.
	Value string
}

// brandData is the brand settings page.
type brandData struct {
	State formState
	Rows  []brandRow
	// InOrg reports that the brand belongs to an organisation, so unset
	// values are inherited from it.
	InOrg bool
}

// showBrand shows the brand's inheritable settings, each with its value and
// where it comes from, a form to set it here and, when set here, a button
// to reset it to inherited: GET /admin/brand.
func (h *Handlers) showBrand(w http.ResponseWriter, r *http.Request) error {
	return h.brand(w, r, nil, "", "")
}

func (h *Handlers) brand(w http.ResponseWriter, r *http.Request, failed error, key, typed string) error {
	t := tenant.FromContext(r.Context())
	d := brandData{State: stateFrom(r, failed), InOrg: t.OrgID != ""}
	for _, def := range tenant.SettingDefs {
		row := brandRow{Def: def, Resolved: t.Settings[def.Key], Value: t.Setting(def.Key)}
		if def.Key == key {
			row.Value = typed
		}
		d.Rows = append(d.Rows, row)
	}
	return h.render(w, r, h.brandView, "Brand", d, failed)
}

// setBrandSetting sets one setting at this brand (an override of what it
// inherits): POST /admin/brand/{key}. A refused value changes nothing and
// shows the form again with the reason.
func (h *Handlers) setBrandSetting(w http.ResponseWriter, r *http.Request) error {
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
		return h.brand(w, r, errApproved(key), key, value)
	}
	t := tenant.FromContext(r.Context())
	if err := h.Brand.SetSetting(r.Context(), t.ID, key, value, time.Now().UTC()); err != nil {
		return h.brand(w, r, err, key, value)
	}
	return h.brandSaved(w, r)
}

// resetBrandSetting removes this brand's own value, so the setting is
// inherited again: POST /admin/brand/{key}/reset.
func (h *Handlers) resetBrandSetting(w http.ResponseWriter, r *http.Request) error {
	key := r.PathValue("key")
	def, ok := tenant.SettingDefByKey(key)
	if !ok {
		return apperr.NotFoundError()
	}
	if def.Approved {
		return h.brand(w, r, errApproved(key), "", "")
	}
	if err := h.Brand.ResetSetting(r.Context(), tenant.FromContext(r.Context()).ID, key, time.Now().UTC()); err != nil {
		return err
	}
	return h.brandSaved(w, r)
}

func (h *Handlers) brandSaved(w http.ResponseWriter, r *http.Request) error {
	if h.RefreshTenants != nil {
		if err := h.RefreshTenants(r.Context()); err != nil {
			return err
		}
	}
	return seeOther(w, r, "/admin/brand", "saved")
}

// errApproved refuses to set or reset an approved setting (the session
// lengths) from this page. Why: a longer session is a weaker automatic
// logoff, so a brand changes it only through a request that a second
// person approves (/admin/compliance/changes); the organisation's value is
// set by the operator.
func errApproved(key string) error {
	return apperr.InvalidFields("This setting changes only through an approved request.",
		map[string]string{key: "Ask for the change under Changes (/admin/compliance/changes); it applies when a second person approves."})
}
