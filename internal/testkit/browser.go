package testkit

import (
	"context"
	_ "embed" // axe-core for accessibility checks
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

//go:embed testdata/axe/axe.min.js
var axeSource string

// RequireBrowserEnv names the variable that, when "1", turns a missing Chromium into a test failure
// instead of a skip (CI sets it).
const RequireBrowserEnv = "SALVE_REQUIRE_BROWSER"

// Browser is a headless Chromium driven by chromedp for one test. It records
// every request that leaves the test server's origin, every console error,
// uncaught exception and CSP violation, and fails the test on any of them when
// the test ends.
type Browser struct {
	Ctx    context.Context
	t      testing.TB
	origin string

	mu        sync.Mutex
	offOrigin []string
	problems  []string
}

func findChromium() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// NewBrowser starts Chromium for a test against origin (http://127.0.0.1:PORT).
// Without Chromium the test is skipped with a message, unless
// SALVE_REQUIRE_BROWSER=1. extra adds flags (Web Bluetooth, for one, needs
// enable-experimental-web-platform-features on Linux).
func NewBrowser(t testing.TB, origin string, extra ...chromedp.ExecAllocatorOption) *Browser {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv(RequireBrowserEnv) == "1" {
			t.Fatal("chromium is not installed and " + RequireBrowserEnv + "=1")
		}
		t.Skip("chromium is not installed; skipping the browser test (apt-get install -y chromium)")
	}
	// These flags keep Chromium from reaching for Google services, which this
	// closed network refuses (it would stall), and let it run as root.
	// Not t.TempDir: Chromium's helper processes may still be writing to the
	// profile when the test's own cleanup runs; it is removed after they exit.
	profile, err := os.MkdirTemp("", "salve-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.WindowSize(1280, 900),
	}
	opts = append(opts, extra...)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	b := &Browser{Ctx: ctx, t: t, origin: strings.TrimSuffix(origin, "/")}
	chromedp.ListenTarget(ctx, b.listen)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
	// The first Run starts the browser and ties it to the context it is given,
	// so it gets the test-long context, not one with a timeout.
	if err := chromedp.Run(ctx, network.Enable(), log.Enable(), runtime.Enable()); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(b.Check)
	return b
}

func (b *Browser) listen(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		u := e.Request.URL
		if !strings.HasPrefix(u, b.origin+"/") && u != b.origin && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "blob:") && !strings.HasPrefix(u, "about:") {
			b.offOrigin = append(b.offOrigin, u)
		}
	case *log.EventEntryAdded:
		// A 4xx answer (a form sent back with its errors, a 404) is a
		// page the test expects; Chromium still logs it as a failed load.
		if e.Entry.Source == log.SourceNetwork && strings.Contains(e.Entry.Text, "status of 4") {
			return
		}
		// Chromium does not know the "bluetooth" Permissions-Policy feature
		// yet (the Web Bluetooth spec defines it; Salve sends it so that it
		// takes effect the day Chromium does) and says so on every page.
		if strings.Contains(e.Entry.Text, "Unrecognized feature: 'bluetooth'") {
			return
		}
		if e.Entry.Level == log.LevelError || e.Entry.Source == log.SourceSecurity || strings.Contains(e.Entry.Text, "Content Security Policy") {
			b.problems = append(b.problems, fmt.Sprintf("browser log (%s): %s %s", e.Entry.Source, e.Entry.Text, e.Entry.URL))
		}
	case *runtime.EventExceptionThrown:
		b.problems = append(b.problems, "uncaught exception: "+e.ExceptionDetails.Text)
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.APITypeError || e.Type == runtime.APITypeAssert {
			var parts []string
			for _, a := range e.Args {
				parts = append(parts, string(a.Value))
			}
			b.problems = append(b.problems, "console error: "+strings.Join(parts, " "))
		}
	}
}

// Run runs chromedp actions with a time limit and fails the test on error.
func (b *Browser) Run(actions ...chromedp.Action) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.Ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Check fails the test if any request left the origin or the page reported an
// error. It runs by itself when the test ends.
func (b *Browser) Check() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, u := range b.offOrigin {
		b.t.Errorf("a request left the origin %s: %s", b.origin, u)
	}
	for _, p := range b.problems {
		b.t.Errorf("%s", p)
	}
	b.offOrigin, b.problems = nil, nil
}

// axeResult is the part of axe-core's result the tests report.
type axeResult struct {
	Violations []struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  []struct {
			Target []any `json:"target"`
		} `json:"nodes"`
	} `json:"violations"`
}

// Axe runs axe-core on the current page against WCAG 2.0/2.1/2.2 A and AA and
// fails the test on any violation. axe is injected through the DevTools
// protocol, not the page, so the CSP stays as strict as in production.
func (b *Browser) Axe() {
	b.t.Helper()
	b.AxeAt("")
}

// AxeAt is Axe with where (a page and width) at the start of each failure.
func (b *Browser) AxeAt(at string) {
	b.t.Helper()
	if at != "" {
		at += ": "
	}
	var res axeResult
	var raw string
	b.Run(
		chromedp.Evaluate(axeSource, nil),
		chromedp.Evaluate(`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}}).then(r => JSON.stringify(r))`,
			&raw, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		b.t.Fatalf("axe result: %v", err)
	}
	for _, v := range res.Violations {
		var where []string
		for _, n := range v.Nodes {
			where = append(where, fmt.Sprint(n.Target...))
		}
		b.t.Errorf("%saccessibility (%s, %s): %s at %s", at, v.ID, v.Impact, v.Help, strings.Join(where, ", "))
	}
}

// ActiveElement returns a short description of the focused element: its tag,
// id, class and text.
func (b *Browser) ActiveElement() string {
	b.t.Helper()
	var s string
	b.Run(chromedp.Evaluate(`(() => { const e = document.activeElement; return e ? (e.tagName.toLowerCase() + "#" + e.id + "." + e.className + " " + (e.textContent || "").trim().slice(0, 40)) : "" })()`, &s))
	return s
}

// PressTab moves the keyboard focus forward, as a user pressing Tab.
func (b *Browser) PressTab() {
	b.t.Helper()
	b.Run(chromedp.KeyEvent("\t"))
}

// Nodes is a shortcut for waiting for and collecting nodes matching a selector.
func (b *Browser) Nodes(sel string) []*cdp.Node {
	b.t.Helper()
	var nodes []*cdp.Node
	b.Run(chromedp.Nodes(sel, &nodes, chromedp.ByQueryAll))
	return nodes
}
