// Package login is the ways in, for everyone with an account: patients and
// their proxies, and staff (who also accept their invitation here). Sign-in
// with a password, a passkey or the tenant's single sign-on, the second
// factor that finishes it, sign-out, registration, email verification,
// password reset, account unlock and invitations. What a signed-in person
// then does with their account is in web/portal. One file per action; routes
// in routes.go.
//
// Why a package of its own and not part of the portal: these pages serve
// every audience, not only patients. Named login, not signin, so that it does
// not clash with internal/signin, the domain package it calls.
package login

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the ways in.
type Handlers struct {
	site     *web.Site
	accounts *accounts.Service
	signin   *signin.Service
	sessions *web.SessionStarter
	pages    struct{ login, mfa, register, sent, verify, forgot, reset, unlock, invite *render.Page }
}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, acc *accounts.Service, si *signin.Service, sessions *web.SessionStarter) (*Handlers, error) {
	h := &Handlers{site: site, accounts: acc, signin: si, sessions: sessions}
	p := &h.pages
	if err := site.Pages(map[string]**render.Page{"login/login": &p.login, "login/mfa": &p.mfa, "login/register": &p.register,
		"login/sent": &p.sent, "login/verify": &p.verify, "login/forgot": &p.forgot, "login/reset": &p.reset, "login/unlock": &p.unlock,
		"login/invite": &p.invite}); err != nil {
		return nil, err
	}
	return h, nil
}

// device is a coarse label for the sessions page (web/portal), from the User-Agent: the
// browser family and system, nothing that identifies a person.
func device(r *http.Request) string {
	ua := r.UserAgent()
	browser := "Browser"
	for _, b := range []struct{ key, name string }{{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"}, {"Safari/", "Safari"}} {
		if strings.Contains(ua, b.key) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, s := range []struct{ key, name string }{{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"Windows", "Windows"},
		{"Mac OS X", "macOS"}, {"CrOS", "ChromeOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, s.key) {
			system = s.name
			break
		}
	}
	if system == "" {
		return browser
	}
	return browser + " on " + system
}

// signIn sets the cookie of a new session and sends the browser on: to the
// second factor, to its enrolment, or to next.
func (h *Handlers) signIn(w http.ResponseWriter, r *http.Request, token string, sess signin.Session, next string) error {
	if err := h.sessions.Start(w, r, token, sess); err != nil {
		return err
	}
	switch sess.Stage {
	case auth.StageComplete:
		http.Redirect(w, r, web.SafeNext(next), http.StatusSeeOther) //nolint:gosec // next went through web.SafeNext: a local path only
	case auth.StageNeedsEnrolment:
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/login/mfa?next="+url.QueryEscape(web.SafeNext(next)), http.StatusSeeOther)
	}
	return nil
}
