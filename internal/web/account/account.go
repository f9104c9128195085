// Package account is the signed-in person's own pages and the way in: sign-in
// with its second factor, registration, email verification, password reset,
// account unlock, invitations, the profile, second factors, recovery codes and
// sessions. One file per action; routes in routes.go.
package account

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/web"
)

// Handlers serve the account pages.
type Handlers struct {
	site     *web.Site
	accounts *accounts.Service
	signin   *signin.Service
	grants   *grants.Service
	sessions *web.SessionStarter
	pages    map[string]*render.Page
}

// pageNames are the templates under pages/account.
var pageNames = []string{"login", "mfa", "register", "sent", "verify", "forgot", "reset", "unlock", "invite",
	"overview", "enrol", "codes", "security", "reauth", "proxies"}

// New returns the handlers; a missing template fails here.
func New(site *web.Site, acc *accounts.Service, si *signin.Service, gr *grants.Service, sessions *web.SessionStarter) (*Handlers, error) {
	h := &Handlers{site: site, accounts: acc, signin: si, grants: gr, sessions: sessions, pages: map[string]*render.Page{}}
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

// signIn sets the cookie of a new session and sends the browser on: to the
// second factor, to its enrolment, or to next.
func (h *Handlers) signIn(w http.ResponseWriter, r *http.Request, token string, sess signin.Session, next string) {
	h.sessions.Start(w, r, token, sess)
	switch sess.Stage {
	case auth.StageComplete:
		http.Redirect(w, r, web.SafeNext(next), http.StatusSeeOther) //nolint:gosec // next went through web.SafeNext: a local path only
	case auth.StageNeedsEnrolment:
		http.Redirect(w, r, "/account/mfa", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/login/mfa?next="+url.QueryEscape(web.SafeNext(next)), http.StatusSeeOther)
	}
}
