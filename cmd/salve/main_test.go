package main

import (
	"bufio"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary act as salve itself when asked, so the tests
// below run the real main: flags, signals, exit status.
func TestMain(m *testing.M) {
	if os.Getenv("SALVE_TEST_RUN_MAIN") == "1" {
		os.Args = append([]string{"salve"}, os.Args[1:]...)
		main()
		return
	}
	os.Exit(m.Run())
}

func salve(t *testing.T, dir string, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SALVE_TEST_RUN_MAIN=1")
	return cmd
}

// TestDemoStopsCleanlyOnSignals starts `salve demo` in an empty directory,
// waits for its URL, fetches the home page, sends the signal and expects a
// clean exit: status 0 and "stopped" in the log, also while the product
// images are still being drawn after listening (the first start). It tests
// behaviour, not speed: the waits below are bounds for a hung process, far
// above what a start takes on a busy machine.
func TestDemoStopsCleanlyOnSignals(t *testing.T) {
	dir := t.TempDir()
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		cmd := salve(t, dir, "demo", "--addr", "127.0.0.1:0")
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		urlc := make(chan string, 1)
		go func() {
			sc := bufio.NewScanner(stdout)
			re := regexp.MustCompile(`running at (http://\S+)`)
			for sc.Scan() {
				if m := re.FindStringSubmatch(sc.Text()); m != nil {
					urlc <- m[1]
				}
			}
			_, _ = io.Copy(io.Discard, stdout)
		}()
		var url string
		select {
		case url = <-urlc:
		case <-time.After(240 * time.Second):
			// A bound for a hung start, not a speed check: the demo listens
			// after migrating, seeding rows and hashing six passwords (about
			// a second; images are drawn after it listens), even under -race
			// on two busy cores.
			_ = cmd.Process.Kill()
			_ = cmd.Wait() // the stderr copier is done once Wait returns
			t.Fatalf("demo printed no URL; stderr:\n%s", stderr.String())
		}
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), "Salve Demo Pharmacy") {
			t.Fatalf("home page: %d", resp.StatusCode)
		}
		if err := cmd.Process.Signal(sig); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%v: demo exited with %v; stderr:\n%s", sig, err, stderr.String())
			}
		case <-time.After(120 * time.Second):
			// A bound for a hung stop: the shutdown timeout is 15 s, and
			// the image drawing stops after the image in hand.
			_ = cmd.Process.Kill()
			t.Fatalf("%v: demo did not stop", sig)
		}
		if !strings.Contains(stderr.String(), "stopped") {
			t.Fatalf("%v: no clean stop in the log:\n%s", sig, stderr.String())
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "salve-data", "catalog.db")); err != nil {
		t.Fatalf("the demo's data directory is not in the working directory: %v", err)
	}
}

func TestInvalidAddrExits2(t *testing.T) {
	cmd := salve(t, t.TempDir(), "serve", "--addr", "0.0.0.0:8443")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, output %s", err, out)
	}
	if got := strings.TrimSpace(string(out)); strings.Count(got, "\n") != 0 || !strings.Contains(got, "TLS") {
		t.Fatalf("want one line about TLS, got %q", got)
	}
}
