package web

import (
	"errors"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/signin"
)

// TestSessionCookieAttributes: on TLS the cookie is __Host- prefixed and
// Secure; always HttpOnly, SameSite=Lax, Path=/, no Domain and no expiry (the
// server ends sessions).
func TestSessionCookieAttributes(t *testing.T) {
	for _, secure := range []bool{true, false} {
		rec := httptest.NewRecorder()
		Cookies{Secure: secure}.Set(rec, "tok")
		h := rec.Header().Get("Set-Cookie")
		want := []string{"HttpOnly", "SameSite=Lax", "Path=/"}
		name := CookiePlain
		if secure {
			want, name = append(want, "Secure"), CookieTLS
		}
		if !strings.HasPrefix(h, name+"=tok;") {
			t.Errorf("secure=%v: %q", secure, h)
		}
		for _, w := range want {
			if !strings.Contains(h, w) {
				t.Errorf("secure=%v: %q lacks %s", secure, h, w)
			}
		}
		for _, bad := range []string{"Domain=", "Expires=", "Max-Age="} {
			if strings.Contains(h, bad) {
				t.Errorf("secure=%v: %q has %s", secure, h, bad)
			}
		}
		if !secure && strings.Contains(h, "Secure") {
			t.Errorf("plain HTTP cookie marked Secure: %q", h)
		}
	}
	if !strings.HasPrefix(CookieTLS, "__Host-") {
		t.Fatal("the TLS cookie must be __Host- prefixed")
	}
}

// TestSignInRedirect: a pending second factor sends a browser to it (a JSON
// client gets the error itself); any other error passes through.
func TestSignInRedirect(t *testing.T) {
	var redirect *httpx.RedirectError
	err := SignInRedirect(signin.ErrSecondFactorPending)
	if !errors.As(err, &redirect) || redirect.URL != "/login/mfa" || !errors.Is(err, signin.ErrSecondFactorPending) {
		t.Fatalf("pending second factor: %v", err)
	}
	other := errors.New("other")
	if err := SignInRedirect(other); err != other { //nolint:errorlint // the same error must come back
		t.Fatalf("other error: %v", err)
	}
	if SignInRedirect(nil) != nil {
		t.Fatal("nil became an error")
	}
}
