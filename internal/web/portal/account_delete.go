package portal

import (
	"errors"
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// The states of the account deletion page.
const (
	deleteAsk     = "ask"     // what happens, and the button that emails the link
	deleteSent    = "sent"    // the link is on its way
	deleteConfirm = "confirm" // the link opened: the last button
	deleteBadLink = "bad"     // a link that is spent, expired or someone else's
	deleteClosed  = "closed"  // done
)

// deleteData is the account deletion page.
type deleteData struct {
	State string
	Form  *web.Form
	Token string
	// Now is true when the patient has no record the law keeps: their data
	// is destroyed within the hour; otherwise on Until.
	Now   bool
	Until time.Time
}

// showDelete explains what closing the account does, with the date the
// patient's data is destroyed: GET /account/delete. Patients only, for
// themselves (a proxy cannot close someone else's account).
func (h *Handlers) showDelete(w http.ResponseWriter, r *http.Request) error {
	return h.deletePage(w, r, http.StatusOK, deleteData{State: deleteAsk, Form: &web.Form{}})
}

// deletePage renders the page in a state, with the deletion plan.
func (h *Handlers) deletePage(w http.ResponseWriter, r *http.Request, status int, d deleteData) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if d.Until, d.Now, err = h.retention.DeletionDate(r.Context(), sess.TenantID, sess.UserID); err != nil {
		return err
	}
	return h.render(w, r, h.pages.deletion, status, "Close your account", d)
}

// requestDelete emails the link that confirms the request: POST
// /account/delete. It needs a fresh sign-in (the password again, and the
// second factor): see accounts.RequestDeletion for why twice.
func (h *Handlers) requestDelete(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if _, err := web.FormOf(r); err != nil {
		return err
	}
	if !h.signin.Fresh(sess) {
		http.Redirect(w, r, "/account/reauth?next=/account/delete", http.StatusSeeOther)
		return nil
	}
	t := tenant.FromContext(r.Context())
	if err := h.accounts.RequestDeletion(r.Context(), t, web.BaseURL(r, t), sess.UserID); err != nil {
		return err
	}
	return h.deletePage(w, r, http.StatusOK, deleteData{State: deleteSent, Form: &web.Form{}})
}

// showDeleteConfirm is where the emailed link opens: GET
// /account/delete/confirm?token=... It shows the last button when the link
// is the signed-in patient's and still good.
func (h *Handlers) showDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	// The token must not travel on from this page (see accounts.SendLink).
	w.Header().Set("Referrer-Policy", "no-referrer")
	token := r.URL.Query().Get("token")
	if !h.accounts.DeletionLinkValid(r.Context(), sess.TenantID, sess.UserID, token) {
		return h.deletePage(w, r, http.StatusGone, deleteData{State: deleteBadLink, Form: &web.Form{}})
	}
	return h.deletePage(w, r, http.StatusOK, deleteData{State: deleteConfirm, Form: &web.Form{}, Token: token})
}

// confirmDelete closes the account: POST /account/delete/confirm. The
// request is recorded for the disposal job first (with its plan), then the
// link is spent and the account closed, every session with it; the browser
// is signed out and sent to /account/closed.
func (h *Handlers) confirmDelete(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	token := f.Value("token")
	if !h.accounts.DeletionLinkValid(r.Context(), sess.TenantID, sess.UserID, token) {
		return h.deletePage(w, r, http.StatusGone, deleteData{State: deleteBadLink, Form: &web.Form{}})
	}
	// Why the request first: a closed account without it would be kept for
	// the tenant's whole period; a request without a closed account is
	// never acted on (the disposal job takes closed accounts only).
	if err := h.retention.RequestDeletion(r.Context(), sess.TenantID, sess.UserID); err != nil {
		return err
	}
	if err := h.accounts.CloseForDeletion(r.Context(), sess.TenantID, sess.UserID, token); err != nil {
		if apperr.Is(err, apperr.NotFound) || errors.Is(err, accounts.ErrBadLink) {
			return h.deletePage(w, r, http.StatusGone, deleteData{State: deleteBadLink, Form: &web.Form{}})
		}
		return err
	}
	h.sessions.Cookies.Clear(w)
	http.Redirect(w, r, "/account/closed", http.StatusSeeOther)
	return nil
}

// showClosed says the account is closed: GET /account/closed. Public, since
// the person who closed it is signed out; it says nothing about anyone.
func (h *Handlers) showClosed(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, h.pages.deletion, http.StatusOK, "Your account is closed", deleteData{State: deleteClosed, Form: &web.Form{}})
}
