package server_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// run starts s.Run on ctx and returns its URL and a channel with its result.
func run(t *testing.T, ctx context.Context, s *server.Server) (string, <-chan error) {
	t.Helper()
	urlc := make(chan string, 1)
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx, func(u string) { urlc <- u }) }()
	select {
	case u := <-urlc:
		return u, done
	case err := <-done:
		t.Fatalf("Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("server did not start")
	}
	return "", nil
}

func TestRunWithTLS(t *testing.T) {
	certFile, keyFile, cert := testkit.SelfSignedCert(t)
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.Addr = "127.0.0.1:0"
		c.TLSCert, c.TLSKey = certFile, keyFile
	})
	ctx, cancel := context.WithCancel(context.Background())
	url, done := run(t, ctx, s.Server)
	if !strings.HasPrefix(url, "https://127.0.0.1:") {
		t.Fatalf("url = %s", url)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := func(cfg *tls.Config) *http.Client {
		cfg.RootCAs = pool
		return &http.Client{Transport: &http.Transport{TLSClientConfig: cfg}, Timeout: 10 * time.Second}
	}
	resp, err := client(&tls.Config{}).Get(url)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Strict-Transport-Security"), "max-age=63072000") {
		t.Fatalf("TLS home: %d HSTS %q", resp.StatusCode, resp.Header.Get("Strict-Transport-Security"))
	}
	checkSecurityHeaders(t, "tls", resp.Header)

	// TLS 1.1 and older are refused, as are suites without forward secrecy.
	if _, err := client(&tls.Config{MaxVersion: tls.VersionTLS11}).Get(url); err == nil {
		t.Fatal("TLS 1.1 was accepted")
	}
	weak := &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}}
	if _, err := client(weak).Get(url); err == nil {
		t.Fatal("a suite without forward secrecy or AEAD was accepted")
	}
	if resp, err := client(&tls.Config{MaxVersion: tls.VersionTLS12}).Get(url); err != nil {
		t.Fatalf("TLS 1.2 with a modern suite: %v", err)
	} else {
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestRunShutsDownGracefully(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.Addr = "127.0.0.1:0"
		c.MetricsAddr = "127.0.0.1:0"
	})
	started := make(chan struct{})
	s.Router().Handle(access.Public, "GET /test/slow", func(w http.ResponseWriter, r *http.Request) error {
		close(started)
		time.Sleep(300 * time.Millisecond)
		_, err := w.Write([]byte("finished"))
		return err
	})
	ctx, cancel := context.WithCancel(context.Background())
	url, done := run(t, ctx, s.Server)

	// Metrics: only on the admin listener.
	resp, err := http.Get(url + "readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m, err := http.Get("http://" + s.MetricsAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	mb, _ := io.ReadAll(m.Body)
	m.Body.Close()
	if !strings.Contains(string(mb), `salve_http_requests_total{method="GET",pattern="GET /readyz",status="200"} 1`) {
		t.Fatalf("metrics lack the request:\n%.2000s", mb)
	}
	if r, _ := http.Get(url + "metrics"); r != nil {
		r.Body.Close()
		if r.StatusCode != 404 {
			t.Fatalf("metrics on the public listener: %d", r.StatusCode)
		}
	}

	// A request in flight when shutdown starts still completes.
	body := make(chan string, 1)
	go func() {
		r, err := http.Get(url + "test/slow")
		if err != nil {
			body <- err.Error()
			return
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		body <- string(b)
	}()
	<-started
	cancel()
	if got := <-body; got != "finished" {
		t.Fatalf("in-flight request got %q", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after shutdown")
	}
	if _, err := http.Get(url); err == nil {
		t.Fatal("server still accepts connections after shutdown")
	}
}

func TestRedirectHandler(t *testing.T) {
	certFile, keyFile, _ := testkit.SelfSignedCert(t)
	cfg := config.Defaults()
	cfg.Addr, cfg.TLSCert, cfg.TLSKey = "127.0.0.1:8443", certFile, keyFile
	h := server.RedirectHandler(cfg, nil)
	rec := testkit.Record(h, "GET", "http://shop.example/products?q=secret")
	if rec.Code != http.StatusPermanentRedirect || rec.Header().Get("Location") != "https://shop.example:8443/products" {
		t.Fatalf("redirect: %d %q", rec.Code, rec.Header().Get("Location"))
	}
}
