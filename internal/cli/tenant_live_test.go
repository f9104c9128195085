package cli

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestTenantCreatedWhileServing: a tenant made with `salve tenant create`
// while `salve serve` runs answers its host names at the next request (the
// resolver reloads for a host it does not know, at most once a second), with
// a home page in its own name and none of another tenant's words. The clock
// is fake: the second that the rate limit asks for is advanced, not waited,
// and the 15-second background reload never comes into it.
func TestTenantCreatedWhileServing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	if r := runCLI(t, nil, "migrate", "--data", dir); r.code != 0 {
		t.Fatalf("migrate: %d %s", r.code, r.stderr)
	}
	if r := runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "alpha", "--name", "Alpha Pharmacy", "--hosts", "alpha.localhost",
		"--default"); r.code != 0 {
		t.Fatalf("tenant create alpha: %d %s", r.code, r.stderr)
	}
	clk := clock.NewFake(time.Now().UTC())
	get := func(url, host string) (int, string) {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Error(err)
			return 0, ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	type page struct {
		status int
		body   string
	}
	var before, unknown, after page
	var created result
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb testkit.LogBuffer
	code := Main(ctx, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, &Env{Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Clock: clk,
		Ready: func(url string) {
			defer cancel()
			// Before: the new host is unknown and gets the default tenant.
			before.status, before.body = get(url, "beta.localhost")
			created = runCLI(t, nil, "tenant", "create", "--data", dir, "--slug", "beta", "--name", "Beta Health", "--hosts", "beta.localhost")
			// Within the same second a made-up host does not reload (the rate
			// limit), so neither does the new one yet...
			unknown.status, unknown.body = get(url, "beta.localhost")
			// ... and a second on, it does.
			clk.Advance(time.Second)
			after.status, after.body = get(url, "beta.localhost")
		}})
	if code != 0 {
		t.Fatalf("serve exit %d: %s", code, errb.String())
	}
	if created.code != 0 {
		t.Fatalf("tenant create beta: %d %s", created.code, created.stderr)
	}
	if before.status != 200 || !strings.Contains(before.body, "Alpha Pharmacy") {
		t.Fatalf("before: %d\n%s", before.status, before.body)
	}
	if unknown.status != 200 || !strings.Contains(unknown.body, "Alpha Pharmacy") {
		t.Fatalf("within the rate limit: %d (the default tenant answers until the next reload)", unknown.status)
	}
	if after.status != 200 || !strings.Contains(after.body, "Welcome to Beta Health") || strings.Contains(after.body, "Alpha Pharmacy") {
		t.Fatalf("the new tenant does not answer without a restart: %d\n%s", after.status, after.body)
	}
	// Its home page speaks in its own name, not in the demo pharmacy's words.
	for _, demo := range []string{"Vitamins, diabetes care", "mobility aids", "our pharmacists"} {
		if strings.Contains(after.body, demo) {
			t.Errorf("the new tenant's home page has the demo's wording %q", demo)
		}
	}
}
