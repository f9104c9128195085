package cli

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestUserCreate(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "acme", "--name", "Acme Health", "--default"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	pw := filepath.Join(t.TempDir(), "pw")
	_ = os.WriteFile(pw, []byte("admin secret 42\n"), 0o600)
	short := filepath.Join(t.TempDir(), "short")
	_ = os.WriteFile(short, []byte("short\n"), 0o600)
	for _, bad := range [][]string{
		{"--tenant", "acme", "--role", "overlord", "--email", "a@acme.example", "--password-file", pw},
		{"--tenant", "ghost", "--role", "admin", "--email", "a@acme.example", "--password-file", pw},
		{"--tenant", "acme", "--role", "admin", "--email", "not an address", "--password-file", pw},
		{"--tenant", "acme", "--role", "admin", "--email", "a@acme.example", "--password-file", short},
		{"--tenant", "acme", "--role", "admin", "--email", "a@acme.example"},
	} {
		r := runCLI(t, nil, append([]string{"user", "create", "--data", dir}, bad...)...)
		if r.code != 2 || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%v: exit %d, want 2 with one line: %q", bad, r.code, r.stderr)
		}
	}
	r := runCLI(t, nil, "user", "create", "--data", dir, "--tenant", "acme", "--role", "admin", "--email", "a@acme.example", "--password-file", pw)
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, "a@acme.example") {
		t.Fatalf("create: %d %q %q (the address must not be printed)", r.code, r.stdout, r.stderr)
	}
	if r := runCLI(t, nil, "user", "create", "--data", dir, "--tenant", "acme", "--role", "admin", "--email", "A@acme.example", "--password-file", pw); r.code != 2 || !strings.Contains(r.stderr, "already") {
		t.Fatalf("duplicate: %d %q", r.code, r.stderr)
	}
	// The new admin signs in and is sent to set up a second factor.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loc := make(chan string, 1)
	done := make(chan result, 1)
	go func() {
		done <- runCLIContext(t, ctx, nil, func(u string) {
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			req, _ := http.NewRequest("POST", u+"login", strings.NewReader(url.Values{"email": {"a@acme.example"}, "password": {"admin secret 42"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", strings.TrimSuffix(u, "/"))
			resp, err := c.Do(req)
			if err == nil {
				loc <- resp.Header.Get("Location")
				_ = resp.Body.Close()
			} else {
				loc <- err.Error()
			}
			cancel()
		}, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	}()
	if res := <-done; res.code != 0 {
		t.Fatalf("serve: %d %s", res.code, res.stderr)
	}
	if l := <-loc; l != "/account/mfa" {
		t.Fatalf("admin sign-in went to %q, want the MFA enrolment", l)
	}
}

func TestSSOCommand(t *testing.T) {
	dir := t.TempDir()
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatal(r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "acme", "--name", "Acme Health"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	secret := filepath.Join(t.TempDir(), "secret")
	_ = os.WriteFile(secret, []byte("s3cret-value\n"), 0o600)
	if r := runCLI(t, nil, "sso", "set", "--data", dir, "--tenant", "acme", "--issuer", "http://idp.example.com", "--client-id", "salve", "--client-secret-file", secret); r.code != 2 || !strings.Contains(r.stderr, "https") {
		t.Fatalf("plain http issuer: %d %q", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "sso", "set", "--data", dir, "--tenant", "acme", "--issuer", "https://idp.example.com", "--client-id", "salve", "--client-secret-file", secret); r.code != 0 {
		t.Fatalf("set: %d %q", r.code, r.stderr)
	}
	// The secret is sealed: it is nowhere in the PHI store's file.
	b, _ := os.ReadFile(filepath.Join(dir, "phi.db"))
	w, _ := os.ReadFile(filepath.Join(dir, "phi.db-wal"))
	if strings.Contains(string(b)+string(w), "s3cret-value") {
		t.Fatal("the client secret is stored in the clear")
	}
	if r := runCLI(t, nil, "sso", "disable", "--data", dir, "--tenant", "acme"); r.code != 0 {
		t.Fatalf("disable: %d %q", r.code, r.stderr)
	}
}
