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

// TestOrganisationChangeReachesInheritingBrandsWhileServing: a footer and a
// colour set at the organisation show on the brand that inherits them and not
// on the one that overrides them; a change at the organisation shows on the
// inheriting brand after the resolver's reload interval, without a restart.
func TestOrganisationChangeReachesInheritingBrandsWhileServing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, args := range [][]string{
		{"migrate"},
		{"org", "create", "--slug", "group", "--name", "Care Group"},
		{"org", "set", "--slug", "group", "--key", "footer", "--value", "A Care Group pharmacy"},
		{"org", "set", "--slug", "group", "--key", "primary_color", "--value", "#114477"},
		{"tenant", "create", "--slug", "diabetes", "--name", "Diabetes Care", "--hosts", "diabetes.localhost", "--org", "group", "--default"},
		{"tenant", "create", "--slug", "travel", "--name", "Travel Clinic", "--hosts", "travel.localhost", "--org", "group", "--primary-color", "#0a3d2e"},
		{"tenant", "set", "--slug", "travel", "--key", "footer", "--value", "Travel vaccines since 2001"},
	} {
		if r := runCLI(t, nil, append(args, "--data", dir)...); r.code != 0 {
			t.Fatalf("%v: %d %s", args, r.code, r.stderr)
		}
	}
	clk := clock.NewFake(time.Now().UTC())
	get := func(url, host string) string {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Error(err)
			return ""
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	var diabetes, travel, diabetesCSS, travelCSS, changed, travelAfter string
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb testkit.LogBuffer
	code := Main(ctx, []string{"serve", "--data", dir, "--addr", "127.0.0.1:0"}, &Env{Stdout: &out, Stderr: &errb,
		Getenv: func(string) string { return "" }, Clock: clk,
		Ready: func(url string) {
			defer cancel()
			diabetes, travel = get(url+"/", "diabetes.localhost"), get(url+"/", "travel.localhost")
			diabetesCSS, travelCSS = get(url+"/theme.css", "diabetes.localhost"), get(url+"/theme.css", "travel.localhost")
			if r := runCLI(t, nil, "org", "set", "--data", dir, "--slug", "group", "--key", "footer", "--value", "Part of Care Group"); r.code != 0 {
				t.Errorf("org set while serving: %s", r.stderr)
				return
			}
			// The resolver reloads in the background once its snapshot is
			// older than its interval (15 s): step the clock past it and
			// wait for the reload, bounded.
			clk.Advance(16 * time.Second)
			for i := 0; i < 100; i++ {
				if changed = get(url+"/", "diabetes.localhost"); strings.Contains(changed, "Part of Care Group") {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			travelAfter = get(url+"/", "travel.localhost")
		}})
	if code != 0 {
		t.Fatalf("serve exit %d: %s", code, errb.String())
	}
	if !strings.Contains(diabetes, "A Care Group pharmacy") || !strings.Contains(travel, "Travel vaccines since 2001") || strings.Contains(travel, "A Care Group pharmacy") {
		t.Errorf("footers: inherited on diabetes, overridden on travel")
	}
	if !strings.Contains(diabetesCSS, "#114477") || strings.Contains(travelCSS, "#114477") || !strings.Contains(travelCSS, "#0a3d2e") {
		t.Errorf("colours: diabetes inherits #114477, travel keeps #0a3d2e:\n%s\n%s", diabetesCSS, travelCSS)
	}
	if !strings.Contains(changed, "Part of Care Group") {
		t.Errorf("the organisation's change did not reach the inheriting brand")
	}
	if !strings.Contains(travelAfter, "Travel vaccines since 2001") || strings.Contains(travelAfter, "Part of Care Group") {
		t.Errorf("the organisation's change reached the brand that overrides it")
	}
}
