package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/tenant"
)

// Cookie names. Why two: the __Host- prefix makes the browser insist on
// Secure, Path=/ and no Domain, so no subdomain or plain-HTTP page can set or
// overwrite the cookie; browsers refuse it without TLS, so a loopback demo
// on plain HTTP uses the unprefixed name.
const (
	CookieTLS   = "__Host-salve_session"
	CookiePlain = "salve_session"
)

// Cookies sets and reads the session cookie.
type Cookies struct {
	// Secure is true when Salve serves TLS.
	Secure bool
}

// Name returns the cookie's name.
func (c Cookies) Name() string {
	if c.Secure {
		return CookieTLS
	}
	return CookiePlain
}

// Set sends a session's token. The cookie lives for the browser session: the
// server decides when the session ends (idle and absolute timeouts). HttpOnly
// keeps it from scripts; SameSite=Lax keeps it off cross-site subrequests and
// form posts (CSRF has its own check too).
func (c Cookies) Set(w http.ResponseWriter, token string) {
	// Secure is false only without TLS, which Salve allows on loopback alone.
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: token, Path: "/", HttpOnly: true, Secure: c.Secure, //nolint:gosec // see above
		SameSite: http.SameSiteLaxMode})
}

// Clear removes the cookie.
func (c Cookies) Clear(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.Secure, //nolint:gosec // as in Set
		SameSite: http.SameSiteLaxMode})
}

// Token returns the request's session token, or "".
func (c Cookies) Token(r *http.Request) string {
	ck, err := r.Cookie(c.Name())
	if err != nil {
		return ""
	}
	return ck.Value
}

// Sessions finds the live session of a cookie's token (the sign-in service).
// A token without a live session is signin.ErrNoSession; any other error
// is a failure.
type Sessions interface {
	Lookup(ctx context.Context, tenantID, token string) (signin.Session, error)
}

// Guard returns the httpx.Guard that enforces route classes with the session
// of the request's cookie:
//
//   - public: anyone; a signed-in session, if any, is attached;
//   - customer: any session that finished signing in;
//   - staff: a staff role that finished signing in (staff always with MFA);
//   - admin: the admin role, signed in with MFA;
//   - api: a finished session (tokens for apps arrive later);
//   - device: nobody yet (device tokens arrive with devices).
//
// Without a session a page sends the browser to sign in; a half-finished
// sign-in may reach only Partial routes and is sent on to the second factor or
// its enrolment. A signed-in person of the wrong kind gets the 404 of a
// missing page.
func Guard(sessions Sessions, c Cookies) httpx.Guard { return BrandGuard(sessions, c, nil) }

// BrandGuard is Guard with the brand switcher (roles across brands, see
// BrandSwitch): on staff and admin routes a person with an organisation role
// acts in the brand they chose, with that role; nil is Guard.
func BrandGuard(sessions Sessions, c Cookies, brands *BrandSwitch) httpx.Guard {
	return func(r *http.Request, route httpx.Route) (*http.Request, error) {
		t := tenant.FromContext(r.Context())
		token := c.Token(r)
		var (
			sess signin.Session
			err  = signin.ErrNoSession
		)
		if t != nil && token != "" {
			ctx := r.Context()
			if route.Extras {
				ctx = signin.WithExtras(ctx)
			}
			sess, err = sessions.Lookup(ctx, t.ID, token)
			if err != nil && !errors.Is(err, signin.ErrNoSession) {
				return nil, err
			}
		}
		signedIn := err == nil
		if signedIn {
			ctx := WithSession(r.Context(), sess)
			if sess.Complete() || route.Partial {
				ctx = access.WithActor(ctx, sess.Actor())
			}
			r = r.WithContext(ctx)
		}
		switch route.Class {
		case access.Public:
			return r, nil
		case access.Device, access.Unclassified:
			return r, apperr.DeniedError(fmt.Errorf("%s routes take no sessions", route.Class))
		}
		if !signedIn {
			return nil, &httpx.RedirectError{URL: LoginURL(r), Err: apperr.New(apperr.Unauthenticated, "Sign in first.")}
		}
		if !sess.Complete() && !route.Partial {
			next := "/login/mfa"
			if sess.Stage == auth.StageNeedsEnrolment {
				next = "/account/mfa"
			}
			return nil, &httpx.RedirectError{URL: next, Err: apperr.New(apperr.Unauthenticated, "Finish signing in first.")}
		}
		role := sess.Role
		if (route.Class == access.Staff || route.Class == access.Admin) && sess.Role.Staff() {
			if r, role, err = brands.act(r, c, t, sess); err != nil {
				return nil, err
			}
		}
		switch route.Class {
		case access.Staff:
			if !role.Staff() {
				return r, apperr.DeniedError(fmt.Errorf("%s on a staff route", role))
			}
		case access.Admin:
			if role != access.RoleAdmin {
				return r, apperr.DeniedError(fmt.Errorf("%s on an admin route", role))
			}
		}
		return r, nil
	}
}

// SignInRedirect turns a sign-in state that a service answered with into the
// redirect a browser follows (a JSON client gets the error itself): a session
// whose second factor is pending goes to /login/mfa. Any other error is
// returned as it is.
func SignInRedirect(err error) error {
	if errors.Is(err, signin.ErrSecondFactorPending) {
		return &httpx.RedirectError{URL: "/login/mfa", Err: err}
	}
	return err
}

// SessionStarter hands a browser the session that a sign-in step (password,
// second factor, passkey, single sign-on, authenticator enrolment) has just
// started: the web/login pages and the enrolment in web/portal, which rotates
// the session token, all start sessions through it.
type SessionStarter struct {
	Cookies Cookies
	// Ender ends the session a browser still carries when it signs in again
	// (the sign-in service); required.
	Ender interface {
		EndReplaced(ctx context.Context, token string) error
	}
	// Carts brings a patient's saved cart into the browser at sign-in and
	// takes the cart out of the browser at sign-out; nil: nothing happens.
	Carts *CartSync
}

// Start sets the cookie of a new session. Every way in ends here, so this is
// the one place that first ends, on the server, the session whose cookie the
// browser still carried (a second sign-in on a shared computer must not leave
// the first one alive; if that fails the new cookie is not set: fail closed),
// and, when the session is a finished sign-in, merges the patient's saved cart
// with the browser's (never blocking the sign-in).
func (s *SessionStarter) Start(w http.ResponseWriter, r *http.Request, token string, sess signin.Session) error {
	if old := s.Cookies.Token(r); old != "" && old != token {
		if err := s.Ender.EndReplaced(r.Context(), old); err != nil {
			return err
		}
	}
	s.Cookies.Set(w, token)
	s.Carts.SignedIn(w, r, sess)
	return nil
}

type sessionKey struct{}

// WithSession returns ctx carrying the request's session.
func WithSession(ctx context.Context, s signin.Session) context.Context {
	return context.WithValue(ctx, sessionKey{}, s)
}

// SessionFrom returns the request's session, if the guard found one.
func SessionFrom(ctx context.Context) (signin.Session, bool) {
	s, ok := ctx.Value(sessionKey{}).(signin.Session)
	return s, ok
}

// Session returns the request's session; the guard put it there on every
// route that needs a signed-in person, so its absence is a wiring bug and is
// denied.
func Session(r *http.Request) (signin.Session, error) {
	s, ok := SessionFrom(r.Context())
	if !ok {
		return signin.Session{}, apperr.DeniedError(nil)
	}
	return s, nil
}

// LoginURL is the sign-in page that returns to the request's page afterwards.
func LoginURL(r *http.Request) string {
	if r.Method != http.MethodGet {
		return "/login"
	}
	return "/login?next=" + url.QueryEscape(r.URL.RequestURI())
}

// SafeNext returns next when it is a path on this site, else "/". Why: an
// open redirect after sign-in would let a phishing link borrow our login page.
func SafeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}
