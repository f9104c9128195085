package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/web"
)

// proxyRow is one invitation on the page. Why no state (accepted, waiting):
// an invitation is accepted at once exactly when its address has an
// account, so the state would tell the patient who has one (see
// grants.Service.Proxies); every row reads "Invited" with its date.
type proxyRow struct {
	ID, Email, Since string
	Scopes           []access.DataClass
}

// proxiesData is the page where a patient shares their record with a carer.
type proxiesData struct {
	Form    *web.Form
	Proxies []proxyRow
	Scopes  []access.DataClass
}

// showProxies lists who may act for the patient and offers to add someone.
func (h *Handlers) showProxies(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{}
	if r.URL.Query().Get("asked") == "1" {
		f.Done = proxyAsked
	}
	return h.proxies(w, r, http.StatusOK, f)
}

// proxyAsked answers every grant that passed the form's checks. Why the same
// words whether or not the address has an account: the answer must not tell
// a signed-in patient who has an account here.
const proxyAsked = "We have invited that address. If it belongs to a patient account here, or once it registers one, that person can act for you in what you chose. The invitation is listed below once it is done."

func (h *Handlers) proxies(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	list, err := h.grants.Proxies(r.Context())
	if err != nil {
		return err
	}
	rows := make([]proxyRow, 0, len(list))
	for _, p := range list {
		rows = append(rows, proxyRow{ID: p.ID, Email: p.Email.Reveal(), Since: p.Since.Format("2 January 2006"), Scopes: p.Scopes})
	}
	return h.render(w, r, h.pages.proxies, status, "People who can help you", proxiesData{Form: f, Proxies: rows, Scopes: grants.ProxyScopes()})
}

// grantProxy gives another account access to parts of the patient's record.
func (h *Handlers) grantProxy(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.grants.GrantProxy(r.Context(), f.Value("email"), f.Values["scopes"]); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.proxies(w, r, status, f)
	}
	// A redirect, the same bytes for every address: the page rendered now
	// would list the grant or not depending on the address (and on when the
	// work done after the answer finishes).
	http.Redirect(w, r, "/account/proxies?asked=1", http.StatusSeeOther)
	return nil
}

// revokeProxy ends an invitation and the grant it became.
func (h *Handlers) revokeProxy(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.grants.RevokeProxy(r.Context(), f.Value("grant")); err != nil {
		return err
	}
	return h.proxies(w, r, http.StatusOK, &web.Form{Done: "Access was withdrawn."})
}
