package portal

import (
	"encoding/json"
	"io"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// beginBody is what the script sends to begin a registration.
type beginBody struct {
	Name string `json:"name"`
}

// beginPasskey starts adding a passkey to the signed-in account.
func (h *Handlers) beginPasskey(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	var body beginBody
	if err := json.NewDecoder(io.LimitReader(r.Body, 4096)).Decode(&body); err != nil && err != io.EOF {
		return apperr.Wrap(err, apperr.Invalid, "The request could not be read.")
	}
	t := tenant.FromContext(r.Context())
	opts, err := h.signin.BeginPasskeyRegistration(r.Context(), t, sess, web.BaseURL(r, t), body.Name)
	if err != nil {
		return web.SignInRedirect(err)
	}
	return httpx.WriteJSON(w, http.StatusOK, opts)
}

// finishPasskey stores the new passkey. A staff member enrolling a first
// factor gets a new session token and goes on to the site.
func (h *Handlers) finishPasskey(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	token, next, err := h.signin.FinishPasskeyRegistration(r.Context(), t, sess, web.BaseURL(r, t), r.Body)
	if err != nil {
		return web.SignInRedirect(err)
	}
	to := "/account/security?passkey=added"
	if token != "" {
		if err := h.sessions.Start(w, r, token, next); err != nil {
			return err
		}
		if next.Role.Staff() {
			to = "/"
		}
	}
	return httpx.WriteJSON(w, http.StatusOK, web.PasskeyDone{Redirect: to})
}

// removePasskey deletes a passkey (fresh sign-in needed).
func (h *Handlers) removePasskey(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	if err := h.signin.RemovePasskey(r.Context(), sess, f.Value("passkey")); err != nil {
		return h.securityFailed(w, r, f, err)
	}
	http.Redirect(w, r, "/account/security", http.StatusSeeOther)
	return nil
}
