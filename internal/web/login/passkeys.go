package login

import (
	"net/http"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// passkeyFlowCookie carries a passwordless sign-in's ceremony between its two
// requests. HttpOnly and SameSite=Strict: only our own script's requests send
// it; it lives five minutes and names a server-side record.
const passkeyFlowCookie = "salve_passkey_flow" //nolint:gosec // a cookie name, not a credential

// beginPasskeyLogin starts a passwordless sign-in.
func (h *Handlers) beginPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	opts, flow, err := h.signin.BeginPasskeyLogin(r.Context(), t, web.BaseURL(r, t))
	if err != nil {
		return err
	}
	// Secure whenever the request came over TLS (plain HTTP only on loopback).
	http.SetCookie(w, &http.Cookie{Name: passkeyFlowCookie, Value: flow, Path: "/login/passkey", MaxAge: 300, HttpOnly: true, //nolint:gosec // see above
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	return httpx.WriteJSON(w, http.StatusOK, opts)
}

// finishPasskeyLogin signs the passkey's owner in, both factors at once.
func (h *Handlers) finishPasskeyLogin(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	flow := ""
	if c, err := r.Cookie(passkeyFlowCookie); err == nil {
		flow = c.Value
	}
	http.SetCookie(w, &http.Cookie{Name: passkeyFlowCookie, Value: "", Path: "/login/passkey", MaxAge: -1, HttpOnly: true, //nolint:gosec // as in beginPasskeyLogin
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	token, signedIn, err := h.signin.FinishPasskeyLogin(r.Context(), t, web.BaseURL(r, t), flow, device(r), r.Body)
	if err != nil {
		return err
	}
	if err := h.sessions.Start(w, r, token, signedIn); err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, web.PasskeyDone{Redirect: web.SafeNext(r.URL.Query().Get("next"))})
}

// beginPasskeyMFA starts using a passkey as the second factor.
func (h *Handlers) beginPasskeyMFA(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	opts, err := h.signin.BeginPasskeyMFA(r.Context(), t, sess, web.BaseURL(r, t))
	if err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, opts)
}

// finishPasskeyMFA completes the sign-in with the passkey.
func (h *Handlers) finishPasskeyMFA(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	token, signedIn, err := h.signin.FinishPasskeyMFA(r.Context(), t, sess, web.BaseURL(r, t), r.Body)
	if err != nil {
		return err
	}
	if err := h.sessions.Start(w, r, token, signedIn); err != nil {
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, web.PasskeyDone{Redirect: web.SafeNext(r.URL.Query().Get("next"))})
}
