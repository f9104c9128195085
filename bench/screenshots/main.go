// Command screenshots starts the demo on a loopback port, signs in as the demo
// patient and the demo admin, and writes PNGs of the main pages at a phone and
// a desktop width into docs/screenshots/ (or -out):
//
//	go run ./bench/screenshots
//
// It builds the salve binary from this checkout, uses a throwaway data
// directory and Debian's Chromium (/usr/bin/chromium), and talks only to
// 127.0.0.1.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/demo"
)

// widths are the phone and desktop widths shot.
var widths = []struct {
	name  string
	width int64
}{{"phone", 360}, {"desktop", 1280}}

func main() {
	out := flag.String("out", "docs/screenshots", "directory for the PNGs")
	addr := flag.String("addr", "127.0.0.1:18660", "loopback address for the demo")
	flag.Parse()
	if err := run(*out, *addr); err != nil {
		log.Fatal(err)
	}
}

func run(out, addr string) error {
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		return errors.New("screenshots: -addr must be on 127.0.0.1")
	}
	tmp, err := os.MkdirTemp("", "salve-shots-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	bin := filepath.Join(tmp, "salve")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/salve") //nolint:gosec // bin is a path in our own temporary directory
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build salve: %w", err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil { //nolint:gosec // screenshots are public documentation, readable by all
		return err
	}
	srv := exec.CommandContext(ctx, bin, "demo", "--addr", addr, "--data", filepath.Join(tmp, "data")) //nolint:gosec // the binary just built; addr is checked to be loopback
	srv.Stderr = io.Discard
	stdout, err := srv.StdoutPipe()
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	if err := waitReady(stdout); err != nil {
		return err
	}
	origin := "http://" + addr
	s := shooter{out: out, origin: origin}

	// A visitor, then the demo patient in the same browser.
	if err := s.session(ctx, func(bctx context.Context) error {
		if err := s.shoot(bctx, "home", "/"); err != nil {
			return err
		}
		var product string
		if err := chromedp.Run(bctx, chromedp.Navigate(origin+"/products"),
			chromedp.AttributeValue(".product-card a", "href", &product, nil)); err != nil {
			return err
		}
		if err := s.shoot(bctx, "product", product); err != nil {
			return err
		}
		if err := chromedp.Run(bctx, chromedp.Navigate(origin+product),
			chromedp.Click("form.add-to-cart button", chromedp.NodeVisible),
			chromedp.WaitReady("body")); err != nil {
			return err
		}
		time.Sleep(500 * time.Millisecond)
		if err := s.shoot(bctx, "cart", "/cart"); err != nil {
			return err
		}
		if err := signIn(bctx, origin, demo.People[0]); err != nil {
			return err
		}
		for _, p := range [][2]string{{"checkout", "/checkout"}, {"account", "/account"}, {"account-profile", "/account/profile"}, {"account-orders", "/account/orders"},
			{"account-billing", "/account/billing"}, {"account-messages", "/account/messages"}, {"account-devices", "/account/devices/readings/glucose?period=month"},
			{"account-records", "/account/records"}, {"account-access-log", "/account/access-log"}, {"account-delete", "/account/delete"}} {
			if err := s.shoot(bctx, p[0], p[1]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	// The demo admin, who sets up an authenticator at first sign-in.
	return s.session(ctx, func(bctx context.Context) error {
		var admin demo.Person
		for _, p := range demo.People {
			if p.Role == "admin" {
				admin = p
			}
		}
		if err := signIn(bctx, origin, admin); err != nil {
			return err
		}
		var secret string
		if err := chromedp.Run(bctx, chromedp.Navigate(origin+"/account/mfa"),
			chromedp.Click(`form[action="/account/mfa/begin"] button`, chromedp.NodeVisible),
			chromedp.Text("#totp-secret", &secret, chromedp.NodeVisible)); err != nil {
			return fmt.Errorf("authenticator setup: %w", err)
		}
		code, err := auth.TOTPCode(strings.TrimSpace(secret), time.Now())
		if err != nil {
			return err
		}
		if err := chromedp.Run(bctx,
			chromedp.SendKeys("#f-code", code, chromedp.NodeVisible),
			chromedp.Submit("#f-code"), chromedp.Sleep(time.Second)); err != nil {
			return err
		}
		for _, p := range [][2]string{{"staff", "/staff"}, {"admin", "/admin"}, {"admin-break-glass", "/admin/break-glass"}} {
			if err := s.shoot(bctx, p[0], p[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

// waitReady reads the demo's output until it says it is running.
func waitReady(r io.Reader) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "is running at") {
			go func() { _, _ = io.Copy(io.Discard, r) }()
			return nil
		}
	}
	return errors.New("the demo stopped before it was ready")
}

type shooter struct{ out, origin string }

// session runs f in a fresh headless Chromium (its own cookies).
func (s shooter) session(ctx context.Context, f func(context.Context) error) error {
	profile, err := os.MkdirTemp("", "salve-shots-chromium-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(profile) }()
	actx, cancel := chromedp.NewExecAllocator(ctx, chromedp.ExecPath("/usr/bin/chromium"), chromedp.Headless,
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(profile), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("hide-scrollbars", true))
	defer cancel()
	bctx, cancel2 := chromedp.NewContext(actx)
	defer cancel2()
	return f(bctx)
}

// shoot writes NAME-phone.png and NAME-desktop.png of a page.
func (s shooter) shoot(ctx context.Context, name, path string) error {
	for _, w := range widths {
		var buf []byte
		if err := chromedp.Run(ctx, chromedp.EmulateViewport(w.width, 800), chromedp.Navigate(s.origin+path),
			chromedp.WaitReady("body"), chromedp.FullScreenshot(&buf, 100)); err != nil {
			return fmt.Errorf("%s at %d: %w", path, w.width, err)
		}
		file := filepath.Join(s.out, name+"-"+w.name+".png")
		if err := os.WriteFile(file, buf, 0o644); err != nil { //nolint:gosec // screenshots are public documentation, readable by all
			return err
		}
		fmt.Println(file)
	}
	return nil
}

// signIn signs a demo person in through the sign-in form.
func signIn(ctx context.Context, origin string, p demo.Person) error {
	return chromedp.Run(ctx, chromedp.Navigate(origin+"/login"),
		chromedp.SendKeys("#f-email", p.Email, chromedp.NodeVisible),
		chromedp.SendKeys("#f-password", p.Password, chromedp.NodeVisible),
		chromedp.Submit("#f-password"), chromedp.Sleep(time.Second))
}
