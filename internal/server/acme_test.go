package server_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/letsencrypt/challtestsrv"
	"github.com/letsencrypt/pebble/v2/ca"
	"github.com/letsencrypt/pebble/v2/db"
	"github.com/letsencrypt/pebble/v2/va"
	"github.com/letsencrypt/pebble/v2/wfe"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// freePort returns a loopback port that was free a moment ago.
func freePort(t *testing.T, network string) int {
	t.Helper()
	switch network {
	case "udp":
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.LocalAddr().(*net.UDPAddr).Port
	default:
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().(*net.TCPAddr).Port
	}
}

// TestACMECertificateFromALocalCA runs Let's Encrypt's test CA, Pebble, in the
// test: Salve orders a certificate for shop.salve.test over ACME, Pebble
// validates the TLS-ALPN-01 challenge by connecting to Salve (a test DNS server
// resolves the name to 127.0.0.1), issues the certificate, and a client then
// sees Salve serve it.
func TestACMECertificateFromALocalCA(t *testing.T) {
	const domain = "shop.salve.test"
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")      // validate at once
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0") // no deliberately bad nonces
	quiet := log.New(io.Discard, "", 0)

	dnsAddr := "127.0.0.1:" + strconv.Itoa(freePort(t, "udp"))
	dns, err := challtestsrv.New(challtestsrv.Config{Log: quiet, DNSAddrs: []string{dnsAddr}})
	if err != nil {
		t.Fatal(err)
	}
	dns.AddDNSARecord(domain, []string{"127.0.0.1"})
	dns.SetDefaultDNSIPv6("") // Salve listens on 127.0.0.1 only; no AAAA answer

	go dns.Run()
	t.Cleanup(dns.Shutdown)

	salvePort := freePort(t, "tcp")
	mem := db.NewMemoryStore()
	authority := ca.New(quiet, mem, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(quiet, 80, salvePort, false, dnsAddr, mem)
	front := wfe.New(quiet, mem, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 3, 5)
	acmeSrv := httptest.NewTLSServer(front.Handler())
	t.Cleanup(acmeSrv.Close)

	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.Addr = "127.0.0.1:" + strconv.Itoa(salvePort)
		c.ACMEDomains = []string{domain}
		c.ACMEDirectory = acmeSrv.URL + wfe.DirectoryPath
	})
	// StartServer built the server with default options; build one that trusts
	// the test CA's own HTTPS certificate.
	srv := s.Rebuild(t, acmeSrv.Client())
	ctx, cancel := context.WithCancel(context.Background())
	url, done := run(t, ctx, srv)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if !strings.HasPrefix(url, "https://") {
		t.Fatalf("url %s", url)
	}

	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{ServerName: domain, RootCAs: roots, MinVersion: tls.VersionTLS12},
	}}
	// The first handshake waits for the certificate to be issued; on a busy
	// machine that can outlast the server's 5 s handshake limit, and the
	// client (as a browser would) tries again. The certificate is cached by then.
	var resp *http.Response
	for attempt := 0; attempt < 10; attempt++ {
		resp, err = client.Get("https://127.0.0.1:" + strconv.Itoa(salvePort) + "/")
		if err == nil {
			break
		}
		time.Sleep(time.Second)
	}
	if err != nil {
		t.Fatalf("HTTPS with the ACME certificate: %v\nserver log:\n%s", err, s.Log.String())
	}
	defer resp.Body.Close()
	leaf := resp.TLS.PeerCertificates[0]
	if resp.StatusCode != 200 || leaf.Subject.CommonName != domain && (len(leaf.DNSNames) == 0 || leaf.DNSNames[0] != domain) {
		t.Fatalf("status %d, certificate for %v", resp.StatusCode, leaf.DNSNames)
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Fatal("no HSTS over TLS")
	}
	// The certificate is cached in the data directory for the next start.
	if _, err := os.Stat(filepath.Join(s.Config.DataDir, "acme", domain)); err != nil {
		t.Fatalf("certificate not cached: %v", err)
	}
	// A host the policy does not list gets no certificate.
	other := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{ServerName: "evil.example", RootCAs: roots, MinVersion: tls.VersionTLS12},
	}}
	if r, err := other.Get("https://127.0.0.1:" + strconv.Itoa(salvePort) + "/"); err == nil {
		r.Body.Close()
		t.Fatal("a certificate was served for a host outside --acme-domain")
	}
}
