package admin

import (
	"net/http"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/web"
)

func vendorInput(f *web.Form) vendors.Input {
	return vendors.Input{Name: f.Value("name"), Service: f.Value("service"), Contact: f.Value("contact"),
		SignedOn: f.Value("signed_on"), ExpiresOn: f.Value("expires_on"), Notes: f.Value("notes")}
}

// addVendor registers a vendor: POST /admin/compliance/vendors (fields
// name, service, contact, signed_on, expires_on, notes). Bad input shows the
// form again with what was typed and changes nothing.
func (h *Handlers) addVendor(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if _, err := h.people.Vendors.Add(r.Context(), t.ID, vendorInput(f)); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.vendorsPage(w, r, status, vendorsData{Form: f})
	}
	return seeOther(w, r, "/admin/compliance/vendors", "added")
}

// updateVendor changes a vendor's details and BAA dates: POST
// /admin/compliance/vendors/{id}. Another tenant's vendor is the plain 404.
func (h *Handlers) updateVendor(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	v, err := h.people.Vendors.Update(r.Context(), t.ID, r.PathValue("id"), vendorInput(f))
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.vendorsPage(w, r, status, vendorsData{Edit: f, EditID: v.ID})
	}
	return seeOther(w, r, "/admin/compliance/vendors", "saved")
}
