package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/testkit"
)

// TestProgressLine: the line is drawn at once, redrawn at most every
// progressEvery (and when the work is complete), padded over a longer
// earlier line, and blanked by Done; without a terminal nothing is written.
func TestProgressLine(t *testing.T) {
	var b bytes.Buffer
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	p := (&Env{Progress: &b}).progress("verifying", 200)
	p.now = func() time.Time { return now }
	p.Set(10)
	if b.String() != "\rverifying: 10 of 200 (5%)" {
		t.Fatalf("first draw: %q", b.String())
	}
	p.Set(20) // too soon
	if strings.Contains(b.String(), "20 of") {
		t.Fatalf("redrawn within %v: %q", progressEvery, b.String())
	}
	now = now.Add(progressEvery)
	p.Set(30)
	p.Set(200) // complete: drawn although soon
	if !strings.HasSuffix(b.String(), "\rverifying: 30 of 200 (15%)\rverifying: 200 of 200 (100%)") {
		t.Fatalf("redraws: %q", b.String())
	}
	p.Step("saving", 0)
	if !strings.HasSuffix(b.String(), "\rsaving…"+strings.Repeat(" ", len("verifying: 200 of 200 (100%)")-len("saving…"))) {
		t.Fatalf("a shorter line does not blank the longer one: %q", b.String())
	}
	b.Reset()
	p.Done()
	if b.String() != "\r"+strings.Repeat(" ", len("saving…"))+"\r" {
		t.Fatalf("done: %q", b.String())
	}

	quiet := (&Env{}).progress("verifying", 10)
	quiet.Set(5)
	quiet.Step("saving", 0)
	quiet.Done()
	var nilBar *progress
	nilBar.Set(1)
}

// TestLongCommandsShowProgressOnlyOnATerminal: catalog import, audit verify
// and key rotation draw a progress line on the terminal (Env.Progress) and
// keep it out of stdout and stderr; without a terminal (piped) they write
// no progress anywhere, and their results are the same.
func TestLongCommandsShowProgressOnlyOnATerminal(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		dir := filepath.Join(t.TempDir(), "data")
		run := func(args ...string) (result, string) {
			t.Helper()
			var out, errb testkit.LogBuffer
			var bar bytes.Buffer
			env := &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
			if terminal {
				env.Progress = &bar
			}
			code := Main(context.Background(), args, env)
			r := result{code, out.String(), errb.String()}
			if code != 0 {
				t.Fatalf("%v: %d %s", args, code, r.stderr)
			}
			if strings.Contains(r.stdout, "\r") || strings.Contains(r.stderr, "\r") {
				t.Fatalf("%v: a progress line in stdout or stderr: %q %q", args, r.stdout, r.stderr)
			}
			return r, bar.String()
		}
		run("migrate", "--data", dir)
		seedVault(t, dir, 5)
		run("tenant", "create", "--data", dir, "--slug", "acme", "--name", "Acme")
		csv := filepath.Join(dir, "products.csv")
		head := "slug,name,sku,price,currency,stock\n"
		if err := os.WriteFile(csv, []byte(head+"gauze,Gauze,G1,4.99,USD,10\ntape,Tape,T1,2.99,USD,5\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			args       []string
			result     string
			progressed []string
		}{
			{[]string{"catalog", "import", "--data", dir, "--tenant", "acme", csv}, "2 products created",
				[]string{"\rreading " + csv + " (bytes): ", "\rsaving the products…"}},
			{[]string{"audit", "verify", "--data", dir}, "audit log intact", []string{"\rverifying audit events: 5 of 5 (100%)"}},
			{[]string{"keys", "rotate", "--data", dir, "--batch", "2"}, "rotation complete: 5 data keys", []string{"\rre-wrapping data keys: 2"}},
		} {
			r, bar := run(c.args...)
			if !strings.Contains(r.stdout, c.result) {
				t.Errorf("%v: %q", c.args, r.stdout)
			}
			for _, want := range c.progressed {
				if strings.Contains(bar, want) != terminal {
					t.Errorf("%v on a terminal=%v: progress %q in %q", c.args, terminal, want, bar)
				}
			}
			if terminal && !strings.HasSuffix(bar, "\r") {
				t.Errorf("%v: the line was not blanked at the end: %q", c.args, bar)
			}
			if !terminal && bar != "" {
				t.Errorf("%v piped: %q", c.args, bar)
			}
		}
	}
}
