package tenant

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
)

func TestValidate(t *testing.T) {
	good := Tenant{Slug: "demo", Name: "Demo Pharmacy", Hostnames: []string{"Shop.Example.com:443", "shop.example.com", "127.0.0.1"}, Theme: DefaultTheme}
	good.Normalize()
	if err := good.Validate(); err != nil {
		t.Fatalf("valid tenant rejected: %v", err)
	}
	if len(good.Hostnames) != 2 || good.Hostnames[0] != "shop.example.com" {
		t.Fatalf("hostnames not normalized: %v", good.Hostnames)
	}
	bad := Tenant{Slug: "-Bad", Name: "", Hostnames: []string{"bad_host"}, Theme: Theme{Primary: "red", Accent: "#12345"}, SecurityContact: "nobody"}
	bad.Normalize()
	err := bad.Validate()
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid {
		t.Fatalf("want invalid, got %v", err)
	}
	for _, f := range []string{"slug", "name", "hostnames", "primary_color", "accent_color", "security_contact"} {
		if e.Fields[f] == "" {
			t.Errorf("field %s not reported: %v", f, e.Fields)
		}
	}
}

func TestPaletteMeetsAAForAnyColours(t *testing.T) {
	for _, th := range []Theme{
		DefaultTheme, {"#ffffff", "#ffff00"}, {"#000000", "#000000"}, {"#777777", "#888888"}, {"#ff0000", "#00ff00"}, {"#0000ff", "#ffe4c4"},
	} {
		p := th.Palette()
		pairs := [][2]string{{p.Primary, p.OnPrimary}, {p.Accent, p.OnAccent}, {p.Link, "#ffffff"}}
		for _, pair := range pairs {
			a, _ := ParseColor(pair[0])
			b, _ := ParseColor(pair[1])
			if c := Contrast(a, b); c < 4.5 {
				t.Errorf("theme %v: %s on %s has contrast %.2f < 4.5", th, pair[1], pair[0], c)
			}
		}
	}
}

func pngOf(w, h int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	img.Set(0, 0, color.RGBA{1, 2, 3, 255})
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

func TestSetLogoChecksContent(t *testing.T) {
	var tn Tenant
	if err := tn.SetLogo(pngOf(64, 32)); err != nil {
		t.Fatal(err)
	}
	if tn.Logo.ContentType != "image/png" || len(tn.Logo.SHA256) != 64 {
		t.Fatalf("logo: %+v", tn.Logo.ContentType)
	}
	for name, data := range map[string][]byte{
		"not an image": []byte("<svg onload=alert(1)>"),
		"too big":      make([]byte, MaxLogoBytes+1),
		"too wide":     pngOf(MaxLogoSide+1, 1),
		"truncated":    pngOf(64, 64)[:60],
	} {
		before := tn.Logo
		if err := tn.SetLogo(data); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%s: want invalid, got %v", name, err)
		}
		if tn.Logo.SHA256 != before.SHA256 {
			t.Errorf("%s: a rejected logo changed the tenant", name)
		}
	}
}

type listFunc func(context.Context) ([]*Tenant, error)

func (f listFunc) List(ctx context.Context) ([]*Tenant, error) { return f(ctx) }

func TestResolver(t *testing.T) {
	a := &Tenant{ID: "a", Hostnames: []string{"a.example"}}
	b := &Tenant{ID: "b", Hostnames: []string{"b.example"}, IsDefault: true}
	var calls atomic.Int32
	var withDefault atomic.Bool
	withDefault.Store(true)
	src := listFunc(func(context.Context) ([]*Tenant, error) {
		calls.Add(1)
		if withDefault.Load() {
			return []*Tenant{a, b}, nil
		}
		return []*Tenant{a, {ID: "b", Hostnames: []string{"b.example"}}}, nil
	})
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r, err := NewResolver(context.Background(), src, clk, time.Minute, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := r.Resolve("A.Example:8080"); !ok || got.ID != "a" {
		t.Fatalf("Resolve(a) = %v %v", got, ok)
	}
	if got, ok := r.Resolve("unknown.example"); !ok || got.ID != "b" {
		t.Fatalf("unknown host should get the default: %v %v", got, ok)
	}
	withDefault.Store(false)
	if err := r.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Resolve("unknown.example"); ok {
		t.Fatal("without a default tenant an unknown host must resolve to nothing")
	}
	// A stale snapshot triggers one background reload.
	n := calls.Load()
	clk.Advance(2 * time.Minute)
	r.Resolve("a.example")
	deadline := time.Now().Add(5 * time.Second)
	for calls.Load() == n && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if calls.Load() == n {
		t.Fatal("stale snapshot was not reloaded")
	}
}

// TestResolverReloadsForUnknownHosts: a host the snapshot lacks reloads it
// (a tenant created since answers at once), at most once per
// UnknownHostReload however many requests with unknown hosts arrive, even at
// the same moment.
func TestResolverReloadsForUnknownHosts(t *testing.T) {
	def := &Tenant{ID: "def", Hostnames: []string{"def.example"}, IsDefault: true}
	var calls atomic.Int32
	var withNew atomic.Bool
	src := listFunc(func(context.Context) ([]*Tenant, error) {
		calls.Add(1)
		if withNew.Load() {
			return []*Tenant{def, {ID: "new", Hostnames: []string{"new.example"}}}, nil
		}
		return []*Tenant{def}, nil
	})
	clk := clock.NewFake(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r, err := NewResolver(context.Background(), src, clk, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	withNew.Store(true) // created after the snapshot was loaded
	// Within the interval of the last load: no reload, the default answers.
	for range 100 {
		if got, _ := r.Resolve("new.example"); got.ID != "def" {
			t.Fatalf("reloaded within the rate limit: %v", got.ID)
		}
	}
	if calls.Load() != 1 {
		t.Fatalf("%d loads, want only the first", calls.Load())
	}
	// A second on, many requests at once with unknown hosts: one reload,
	// and the new tenant answers.
	clk.Advance(UnknownHostReload)
	var wg sync.WaitGroup
	var wrong atomic.Int32
	for i := range 50 {
		wg.Go(func() {
			host := "new.example"
			if i%2 == 1 {
				host = fmt.Sprintf("made-up-%d.example", i)
			}
			if got, _ := r.Resolve(host); (host == "new.example") != (got.ID == "new") {
				wrong.Add(1)
			}
		})
	}
	wg.Wait()
	if calls.Load() != 2 || wrong.Load() != 0 {
		t.Fatalf("%d loads (want 2), %d wrong answers", calls.Load(), wrong.Load())
	}
	// A known host never reloads.
	clk.Advance(UnknownHostReload)
	r.Resolve("def.example")
	if calls.Load() != 2 {
		t.Fatalf("a known host reloaded: %d loads", calls.Load())
	}
}

func TestNormalizeHost(t *testing.T) {
	for in, want := range map[string]string{
		"Shop.Example.COM": "shop.example.com", "shop.example.com.": "shop.example.com",
		"localhost:8080": "localhost", "[::1]:8080": "[::1]", "127.0.0.1:80": "127.0.0.1",
	} {
		if got := NormalizeHost(in); got != want {
			t.Errorf("NormalizeHost(%q) = %q, want %q", in, got, want)
		}
	}
}
