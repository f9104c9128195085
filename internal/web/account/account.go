// Package account is the signed-in person's own pages and the way in: sign-in
// with its second factor, registration, email verification, password reset,
// account unlock, invitations, the profile, second factors, recovery codes and
// sessions. One file per action; routes in routes.go.
package account

import (
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the account pages.
type Handlers struct {
	site     *web.Site
	accounts *accounts.Service
	signin   *signin.Service
	grants   *grants.Service
	cookies  web.Cookies
	pages    map[string]*render.Page
	// Carts brings a patient's saved cart into the browser at sign-in and
	// takes the cart out of the browser at sign-out; nil: nothing happens.
	Carts *web.CartSync
}

// pageNames are the templates under pages/account.
var pageNames = []string{"login", "mfa", "register", "sent", "verify", "forgot", "reset", "unlock", "invite",
	"overview", "enrol", "codes", "security", "reauth", "proxies"}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, acc *accounts.Service, si *signin.Service, gr *grants.Service, cookies web.Cookies) (*Handlers, error) {
	h := &Handlers{site: site, accounts: acc, signin: si, grants: gr, cookies: cookies, pages: map[string]*render.Page{}}
	for _, n := range pageNames {
		p, err := site.Engine().Page("account/" + n)
		if err != nil {
			return nil, err
		}
		h.pages[n] = p
	}
	return h, nil
}

// render shows an account page.
func (h *Handlers) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) error {
	return h.pages[page].Render(w, status, h.site.View(r, title, data))
}

// session returns the request's session; the guard put it there on every
// customer route, so its absence is a wiring bug and is denied.
func session(r *http.Request) (signin.Session, error) {
	s, ok := web.SessionFrom(r.Context())
	if !ok {
		return signin.Session{}, apperr.DeniedError(nil)
	}
	return s, nil
}

// BaseURL is the address of the request's site for links in emails. Why not
// simply the Host header: it is chosen by the client, and a reset link built
// from a forged Host would send the token to an attacker's site (password
// reset poisoning). The Host is used only when it is one of the tenant's own
// host names (or loopback, for a local demo); otherwise the tenant's first
// host name is.
func BaseURL(r *http.Request, t *tenant.Tenant) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	ip := net.ParseIP(name)
	switch {
	case slices.ContainsFunc(t.Hostnames, func(h string) bool { return strings.EqualFold(strings.Trim(h, "[]"), name) }):
	case name == "localhost" || (ip != nil && ip.IsLoopback()):
	case len(t.Hostnames) > 0:
		host, scheme = t.Hostnames[0], "https"
	default:
		host = "localhost"
	}
	return scheme + "://" + host
}

// device is a coarse label for the sessions page, from the User-Agent: the
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

// setSession sets the cookie of a new session. Every way in (password,
// second factor, passkey, single sign-on, enrolment) ends here, so when the
// session is a finished sign-in this is the one place that merges the
// patient's saved cart with the browser's (never blocking the sign-in).
func (h *Handlers) setSession(w http.ResponseWriter, r *http.Request, token string, sess signin.Session) {
	h.cookies.Set(w, token)
	h.Carts.SignedIn(w, r, sess)
}

// signIn sets the cookie of a new session and sends the browser on: to the
// second factor, to its enrolment, or to next.
func (h *Handlers) signIn(w http.ResponseWriter, r *http.Request, token string, sess signin.Session, next string) {
	h.setSession(w, r, token, sess)
	switch sess.Stage {
	case auth.StageComplete:
		http.Redirect(w, r, web.SafeNext(next), http.StatusSeeOther) //nolint:gosec // next went through web.SafeNext: a local path only
	case auth.StageNeedsEnrolment:
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/login/mfa?next="+url.QueryEscape(web.SafeNext(next)), http.StatusSeeOther)
	}
}
