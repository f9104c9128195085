package testkit

import (
	"fmt"
	"go/build"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// StripeMock runs stripe-mock (go install
// github.com/stripe/stripe-mock@v0.203.0) on loopback ports only and returns
// its HTTP address, or skips with a message when it is not installed (and
// fails instead under SALVE_REQUIRE_STRIPE_MOCK=1, as in CI).
func StripeMock(t testing.TB) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		bin = filepath.Join(build.Default.GOPATH, "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			if os.Getenv("SALVE_REQUIRE_STRIPE_MOCK") == "1" {
				t.Fatal("stripe-mock is not installed and SALVE_REQUIRE_STRIPE_MOCK=1")
			}
			t.Skip("stripe-mock is not installed (go install github.com/stripe/stripe-mock@v0.203.0); skipping the Stripe tests")
		}
	}
	port := func() int {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
	httpAddr, httpsAddr := fmt.Sprintf("127.0.0.1:%d", port()), fmt.Sprintf("127.0.0.1:%d", port())
	// Both addresses, or stripe-mock also listens on every interface.
	cmd := exec.Command(bin, "-http-addr", httpAddr, "-https-addr", httpsAddr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for range 200 {
		if c, err := net.Dial("tcp", httpAddr); err == nil {
			_ = c.Close()
			return "http://" + httpAddr
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("stripe-mock did not start")
	return ""
}
