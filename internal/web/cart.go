package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/signin"
)

// The cart cookie: the __Host- prefix (Secure, no Domain, Path=/) whenever
// Salve serves TLS, as for the session cookie.
const (
	CartCookieTLS   = "__Host-salve_cart"
	CartCookiePlain = "salve_cart"
)

// CartCookies sets and reads the cart cookie. The cookie holds a random token
// only; the cart's rows are keyed by its hash (internal/cart).
type CartCookies struct{ Secure bool }

func (c CartCookies) name() string {
	if c.Secure {
		return CartCookieTLS
	}
	return CartCookiePlain
}

// Token returns the request's cart token, or "" when it has none (or a
// malformed one).
func (c CartCookies) Token(r *http.Request) string {
	ck, err := r.Cookie(c.name())
	if err != nil || !cart.ValidToken(ck.Value) {
		return ""
	}
	return ck.Value
}

// Ensure returns the request's cart token, giving the browser a new one when
// it has none. The cart outlives the browser session for 30 days; HttpOnly
// keeps it from scripts, SameSite=Lax off cross-site posts.
func (c CartCookies) Ensure(w http.ResponseWriter, r *http.Request) string {
	if t := c.Token(r); t != "" {
		return t
	}
	t := cart.NewToken()
	// Secure is false only without TLS, which Salve allows on loopback alone.
	http.SetCookie(w, &http.Cookie{Name: c.name(), Value: t, Path: "/", MaxAge: int((30 * 24 * time.Hour).Seconds()), HttpOnly: true, //nolint:gosec // see above
		Secure: c.Secure, SameSite: http.SameSiteLaxMode})
	return t
}

// Clear tells the browser to drop its cart cookie.
func (c CartCookies) Clear(w http.ResponseWriter) {
	// As in Ensure: Secure is false only without TLS, on loopback alone.
	http.SetCookie(w, &http.Cookie{Name: c.name(), Value: "", Path: "/", MaxAge: -1, HttpOnly: true, //nolint:gosec // see above
		Secure: c.Secure, SameSite: http.SameSiteLaxMode})
}

// SavedCarts reads a patient's saved cart (internal/savedcart).
type SavedCarts interface {
	Get(ctx context.Context, tenantID, userID string) ([]cart.Item, error)
}

// CartSync hands a patient's saved cart to the browser at sign-in and takes
// the cart out of the browser at sign-out. In between, Carts (a mirrored
// cart.Service) keeps the saved cart level with the browser's.
type CartSync struct {
	Carts   *cart.Service
	Cookies CartCookies
	Saved   SavedCarts
	Log     *slog.Logger
}

// patient reports whether sess is a patient's finished sign-in: the only
// sessions with a saved cart.
func patient(sess signin.Session) bool {
	return sess.Complete() && sess.Role == access.RolePatient
}

// SignedIn merges the saved cart of the patient who just finished signing in
// with the browser's cart, and writes the result to both. It is called
// wherever a finished session's cookie is set; for staff, and for a sign-in
// still waiting for its second factor, it does nothing.
//
// Why it returns nothing: the cart is a convenience and must never keep
// anyone from signing in. A failure is logged with ids only (no items).
func (c *CartSync) SignedIn(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	if c == nil || !patient(sess) {
		return
	}
	// The request came in without this session (or with the half-finished
	// one): act as the person it now is.
	ctx := access.WithActor(r.Context(), sess.Actor())
	saved, err := c.Saved.Get(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		c.Log.ErrorContext(ctx, "saved cart not read at sign-in", "tenant", sess.TenantID, "user", sess.UserID, "err", err)
		return
	}
	token := c.Cookies.Token(r)
	if token == "" && len(saved) == 0 {
		return // nothing on either side
	}
	if token == "" {
		token = c.Cookies.Ensure(w, r)
	}
	if _, err := c.Carts.Merge(ctx, sess.TenantID, token, saved); err != nil {
		c.Log.ErrorContext(ctx, "carts not merged at sign-in", "tenant", sess.TenantID, "user", sess.UserID, "err", err)
	}
}

// SignedOut takes the cart out of the browser when a patient signs out, and
// leaves it in their saved cart, where their next sign-in finds it.
//
// Why: on a shared computer the next person must not find (or check out, or
// merge into their own account) what the patient meant to buy. Nothing is
// lost: every change made while signed in was mirrored to the saved cart.
// Why the browser's cart is not written to the saved cart here once more:
// it may be older than the saved cart (changed on another device since), and
// writing it back would bring back what was removed there.
func (c *CartSync) SignedOut(w http.ResponseWriter, r *http.Request, sess signin.Session) {
	if c == nil || !patient(sess) {
		return
	}
	token := c.Cookies.Token(r)
	if token == "" {
		return
	}
	ctx := r.Context()
	if err := c.Carts.Forget(ctx, sess.TenantID, token); err != nil {
		c.Log.ErrorContext(ctx, "cart not emptied at sign-out", "tenant", sess.TenantID, "user", sess.UserID, "err", err)
		return
	}
	c.Cookies.Clear(w)
}
