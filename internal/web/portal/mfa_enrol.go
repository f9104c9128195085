package portal

import (
	"bytes"
	"image/png"
	"net/http"
	"strconv"

	"github.com/pquerna/otp"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// enrolData is the authenticator setup page.
type enrolData struct {
	Form    *web.Form
	Pending bool   // a secret is waiting for its first code
	Secret  string // shown for typing in, on this page only
	Has     bool   // an authenticator is already set up
	Staff   bool
	Forced  bool // a staff member who must finish this before anything else
}

// showEnrol renders the authenticator setup: a button to start, or the QR code
// and the secret of a started setup with the confirmation form.
func (h *Handlers) showEnrol(w http.ResponseWriter, r *http.Request) error {
	return h.enrol(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) enrol(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	pending, ok, err := h.signin.PendingTOTP(r.Context(), sess, t.Name)
	if err != nil {
		return web.SignInRedirect(err)
	}
	hasTOTP, _, err := h.signin.Factors(r.Context(), sess)
	if err != nil {
		return err
	}
	// The page shows a secret: it must never be stored by a cache.
	return h.render(w, r, h.pages.enrol, status, "Set up an authenticator", enrolData{Form: f, Pending: ok, Secret: pending.Secret,
		Has: hasTOTP, Staff: sess.Role.Staff(), Forced: !sess.Complete()})
}

// beginEnrol creates a new secret for the authenticator.
func (h *Handlers) beginEnrol(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	if _, err := h.signin.BeginTOTP(r.Context(), sess, t.Name); err != nil {
		if apperr.Is(err, apperr.Unauthenticated) {
			http.Redirect(w, r, "/account/reauth?next=/account/mfa", http.StatusSeeOther)
			return nil
		}
		return err
	}
	http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
	return nil
}

// enrolQR serves the QR code of the pending secret as a PNG (a data: URL
// would need a looser CSP).
func (h *Handlers) enrolQR(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	pending, ok, err := h.signin.PendingTOTP(r.Context(), sess, t.Name)
	if err != nil {
		return web.SignInRedirect(err)
	}
	if !ok {
		return apperr.NotFoundError()
	}
	key, err := otp.NewKeyFromURL(pending.URL)
	if err != nil {
		return err
	}
	img, err := key.Image(200, 200)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	_, err = w.Write(buf.Bytes())
	return err
}

// confirmEnrol checks the first code and shows the recovery codes, once.
func (h *Handlers) confirmEnrol(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	token, next, codes, err := h.signin.ConfirmTOTP(r.Context(), sess, f.Value("code"))
	if err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.enrol(w, r, status, f)
	}
	if err := h.sessions.Start(w, r, token, next); err != nil {
		return err
	}
	return h.render(w, r, h.pages.codes, http.StatusOK, "Your recovery codes", codesData{Codes: codes, Enrolled: true})
}

// removeEnrol removes the authenticator (fresh sign-in needed).
func (h *Handlers) removeEnrol(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	if err := h.signin.RemoveTOTP(r.Context(), sess); err != nil {
		return h.securityFailed(w, r, &web.Form{}, err)
	}
	http.Redirect(w, r, "/account/security", http.StatusSeeOther)
	return nil
}
