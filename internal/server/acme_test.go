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
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
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

// startPebble runs Pebble, Let's Encrypt's test CA, and a test DNS server
// that resolves each domain to 127.0.0.1, for a Salve listening on
// salvePort. It returns the ACME directory URL, an HTTP client that trusts
// Pebble's own HTTPS certificate, and the roots that verify what it issues;
// add names later with the returned DNS server.
func startPebble(t *testing.T, salvePort int, domains ...string) (string, *http.Client, *pebbleCA) {
	t.Helper()
	t.Setenv("PEBBLE_VA_NOSLEEP", "1")      // validate at once
	t.Setenv("PEBBLE_WFE_NONCEREJECT", "0") // no deliberately bad nonces
	quiet := log.New(io.Discard, "", 0)

	dnsAddr := "127.0.0.1:" + strconv.Itoa(freePort(t, "udp"))
	dns, err := challtestsrv.New(challtestsrv.Config{Log: quiet, DNSAddrs: []string{dnsAddr}})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range domains {
		dns.AddDNSARecord(d, []string{"127.0.0.1"})
	}
	dns.SetDefaultDNSIPv6("") // Salve listens on 127.0.0.1 only; no AAAA answer

	go dns.Run()
	t.Cleanup(dns.Shutdown)

	mem := db.NewMemoryStore()
	authority := ca.New(quiet, mem, "", "ecdsa", 0, 1, map[string]ca.Profile{"default": {Description: "default"}})
	validator := va.New(quiet, 80, salvePort, false, dnsAddr, mem)
	front := wfe.New(quiet, mem, validator, authority, []string{"pebble.letsencrypt.org"}, false, false, 3, 5)
	acmeSrv := httptest.NewTLSServer(front.Handler())
	t.Cleanup(acmeSrv.Close)

	roots := x509.NewCertPool()
	roots.AddCert(authority.GetRootCert(0).Cert)
	return acmeSrv.URL + wfe.DirectoryPath, acmeSrv.Client(), &pebbleCA{dns: dns, roots: roots}
}

// pebbleCA is what a test needs of startPebble's CA after the start.
type pebbleCA struct {
	dns   *challtestsrv.ChallSrv
	roots *x509.CertPool
}

// TestACMECertificateFromALocalCA runs Let's Encrypt's test CA, Pebble, in the
// test: Salve orders a certificate for shop.salve.test over ACME, Pebble
// validates the TLS-ALPN-01 challenge by connecting to Salve (a test DNS server
// resolves the name to 127.0.0.1), issues the certificate, and a client then
// sees Salve serve it.
func TestACMECertificateFromALocalCA(t *testing.T) {
	const domain = "shop.salve.test"
	salvePort := freePort(t, "tcp")
	acmeURL, acmeClient, pebble := startPebble(t, salvePort, domain)

	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.Addr = "127.0.0.1:" + strconv.Itoa(salvePort)
		c.ACMEDomains = []string{domain}
		c.ACMEDirectory = acmeURL
	})
	// StartServer built the server with default options; build one that trusts
	// the test CA's own HTTPS certificate.
	srv := s.Rebuild(t, acmeClient)
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

	roots := pebble.roots
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{ServerName: domain, RootCAs: roots, MinVersion: tls.VersionTLS12},
	}}
	// The first handshake waits for the certificate to be issued; on a busy
	// machine that can outlast the server's 5 s handshake limit, and the
	// client (as a browser would) tries again. The certificate is cached by then.
	var resp *http.Response
	var err error
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

// TestACMECertificatesForTenantHosts: with --acme-tenant-hosts and no
// --acme-domain, Salve gets a certificate for a host name a tenant claims,
// and for one claimed by a brand created while it runs; a host no tenant
// claims gets none (the default tenant's fallback does not count).
func TestACMECertificatesForTenantHosts(t *testing.T) {
	const first, second = "diabetes.salve.test", "travel.salve.test"
	salvePort := freePort(t, "tcp")
	acmeURL, acmeClient, pebble := startPebble(t, salvePort, first, second, "evil.salve.test")
	s := testkit.StartServer(t, store.SQLite, func(c *config.Config) {
		c.Addr = "127.0.0.1:" + strconv.Itoa(salvePort)
		c.ACMETenantHosts = true
		c.ACMEDirectory = acmeURL
	})
	ctx := context.Background()
	tenants := store.NewTenants(s.Stores.Catalog)
	brand := func(slug, host string) {
		now := s.Clock.Now()
		if err := tenants.Create(ctx, &tenant.Tenant{ID: id.NewAt(now), Slug: slug, Name: slug, Hostnames: []string{host},
			Theme: tenant.DefaultTheme, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	brand("diabetes", first)
	srv := s.Rebuild(t, acmeClient)
	runCtx, cancel := context.WithCancel(ctx)
	_, done := run(t, runCtx, srv)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	get := func(host string, attempts int) (*x509.Certificate, error) {
		client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{ServerName: host, RootCAs: pebble.roots, MinVersion: tls.VersionTLS12},
		}}
		var err error
		for i := 0; i < attempts; i++ {
			var resp *http.Response
			if resp, err = client.Get("https://127.0.0.1:" + strconv.Itoa(salvePort) + "/"); err == nil {
				resp.Body.Close()
				return resp.TLS.PeerCertificates[0], nil
			}
			time.Sleep(time.Second)
		}
		return nil, err
	}
	if leaf, err := get(first, 10); err != nil || leaf.VerifyHostname(first) != nil {
		t.Fatalf("a tenant's host gets a certificate: %v\n%s", err, s.Log.String())
	}
	// A brand created while Salve runs: its first visit reloads the tenants
	// (at most once a second) and gets its certificate.
	brand("travel", second)
	s.Clock.Advance(2 * time.Second)
	if leaf, err := get(second, 10); err != nil || leaf.VerifyHostname(second) != nil {
		t.Fatalf("a brand created while serving gets a certificate: %v\n%s", err, s.Log.String())
	}
	if _, err := get("evil.salve.test", 1); err == nil {
		t.Fatal("a certificate was served for a host no tenant claims")
	}
}
