package web

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/cart"
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
