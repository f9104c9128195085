package apps

import (
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// decide takes POST /oauth/authorize (the request's parameters and
// decision=approve or deny): approve sends the app a single-use code, deny
// sends access_denied; either way with the app's state. The request is
// checked again in full, since the form came back from the browser.
func (h *Handlers) decide(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	tid := tenant.FromContext(r.Context()).ID
	p, err := h.oauth.Prepare(r.Context(), tid, request(f.Values))
	if err != nil {
		return h.authorizeError(w, r, err)
	}
	v := url.Values{}
	if p.State != "" {
		v.Set("state", p.State)
	}
	if f.Value("decision") != "approve" {
		v.Set("error", "access_denied")
		v.Set("error_description", "The patient did not allow the app.")
		back(w, r, p.RedirectURI, v)
		return nil
	}
	code, err := h.oauth.Approve(r.Context(), tid, sess.UserID, p)
	if err != nil {
		return err
	}
	v.Set("code", code)
	back(w, r, p.RedirectURI, v)
	return nil
}
