package server_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// servedCert connects to addr asking for host (SNI) and returns the
// certificate the server presented, or the handshake's error.
func servedCert(addr, host string) (*x509.Certificate, error) {
	d := &net.Dialer{Timeout: 10 * time.Second}
	// The test checks which certificate is served, not who signed it (each
	// is self-signed); the serial and name are compared below.
	conn, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{ServerName: host, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}) //nolint:gosec // see above
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0], nil
}

// TestTLSCertificatesFromFilesPerHost: with --tls-cert-dir holding two
// self-signed certificates (one as HOST.crt/HOST.key, one as HOST.pem),
// salve serve presents each host's own certificate by SNI, a host without
// a file gets the --tls-cert fallback, a replaced file is served after the
// change is seen, and SIGHUP reads a new host's file at once.
func TestTLSCertificatesFromFilesPerHost(t *testing.T) {
	dir := t.TempDir()
	diabetes := testkit.HostCert(t, dir, "diabetes.localhost", false)
	travel := testkit.HostCert(t, dir, "travel.localhost", true)
	fallbackCert, fallbackKey, fallback := testkit.SelfSignedCert(t)
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.Addr = "127.0.0.1:0"
		c.TLSCertDir = dir
		c.TLSCert, c.TLSKey = fallbackCert, fallbackKey
	})
	ctx, cancel := context.WithCancel(context.Background())
	url, done := run(t, ctx, s.Server)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
	want := func(host string, c *x509.Certificate) {
		t.Helper()
		got, err := servedCert(addr, host)
		if err != nil {
			t.Fatalf("%s: %v\n%s", host, err, s.Log.String())
		}
		if got.SerialNumber.Cmp(c.SerialNumber) != 0 {
			t.Fatalf("%s: served %v (serial %v), want %v (serial %v)", host, got.DNSNames, got.SerialNumber, c.DNSNames, c.SerialNumber)
		}
	}
	want("diabetes.localhost", diabetes)
	want("travel.localhost", travel)
	want("DIABETES.localhost", diabetes) // names are case-insensitive
	want("other.localhost", fallback)

	// A renewed certificate replaces the file; the next handshake after
	// the look interval serves it.
	renewed := testkit.HostCert(t, dir, "diabetes.localhost", false)
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := servedCert(addr, "diabetes.localhost")
		if err == nil && got.SerialNumber.Cmp(renewed.SerialNumber) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the renewed certificate was not served: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// A broken file keeps the certificate loaded before.
	if err := os.WriteFile(filepath.Join(dir, "travel.localhost.pem"), []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	want("travel.localhost", travel)
	// SIGHUP reads a new host's file at once.
	clinic := testkit.HostCert(t, dir, "clinic.localhost", true)
	if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline = time.Now().Add(5 * time.Second)
	for {
		got, err := servedCert(addr, "clinic.localhost")
		if err == nil && got.SerialNumber.Cmp(clinic.SerialNumber) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not load the new host's certificate: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestTLSCertDirWithoutFallback: without --tls-cert or ACME, a host
// without a file gets no certificate at all (never another host's).
func TestTLSCertDirWithoutFallback(t *testing.T) {
	dir := t.TempDir()
	own := testkit.HostCert(t, dir, "diabetes.localhost", false)
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.Addr = "127.0.0.1:0"
		c.TLSCertDir = dir
	})
	ctx, cancel := context.WithCancel(context.Background())
	url, done := run(t, ctx, s.Server)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	addr := strings.TrimSuffix(strings.TrimPrefix(url, "https://"), "/")
	if got, err := servedCert(addr, "diabetes.localhost"); err != nil || got.SerialNumber.Cmp(own.SerialNumber) != 0 {
		t.Fatalf("own host: %v", err)
	}
	if got, err := servedCert(addr, "travel.localhost"); err == nil {
		t.Fatalf("a host without a file was served %v", got.DNSNames)
	}
}

// TestTLSCertDirBadFiles: a certificate file without its key, or one that
// does not parse, is a configuration error before anything starts.
func TestTLSCertDirBadFiles(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"crt without key": {"shop.example.crt": ""},
		"garbage pem":     {"shop.example.pem": "not a certificate"},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			for f, body := range files {
				if err := os.WriteFile(filepath.Join(dir, f), []byte(body), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := server.CheckTLS(&config.Config{Addr: "127.0.0.1:0", TLSCertDir: dir})
			var ce *config.Error
			if !errors.As(err, &ce) || ce.Setting != "tls-cert-dir" || !strings.Contains(ce.Msg, "shop.example") {
				t.Fatalf("err = %v", err)
			}
		})
	}
}
