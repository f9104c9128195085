package server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/salvehealth/salve/internal/certfiles"
	"github.com/salvehealth/salve/internal/config"
)

// buildTLS returns the TLS configuration, or nil for plain HTTP on loopback.
// Why these settings: TLS 1.2 is the oldest version without known practical
// attacks; with 1.2 only AEAD suites with forward secrecy are offered (1.3
// suites are all of that kind already and Go does not let them be narrowed).
//
// claims, when set, reports whether a tenant claims a host name: with
// --acme-tenant-hosts the ACME host policy admits those hosts too.
//
// With --tls-cert-dir a host's own file wins; a host without one gets ACME
// when it is on, else the --tls-cert certificate, else no certificate (the
// handshake fails rather than serve a certificate for another name).
func buildTLS(cfg *config.Config, acmeHTTP *http.Client, claims func(host string) bool, log *slog.Logger) (*tls.Config, *autocert.Manager, *certfiles.Dir, error) {
	if !cfg.TLS() {
		return nil, nil, nil, nil
	}
	tc := &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
	}
	var dir *certfiles.Dir
	if cfg.TLSCertDir != "" {
		var err error
		if dir, err = certfiles.Open(cfg.TLSCertDir, log); err != nil {
			return nil, nil, nil, &config.Error{Setting: "tls-cert-dir", Msg: "cannot load the certificates: " + err.Error()}
		}
	}
	var fallback func(*tls.ClientHelloInfo) (*tls.Certificate, error)
	var m *autocert.Manager
	switch {
	case cfg.ACME():
		m = &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: hostPolicy(cfg, claims),
			Cache:      autocert.DirCache(filepath.Join(cfg.DataDir, "acme")),
			Email:      cfg.ACMEEmail,
			Client:     &acme.Client{DirectoryURL: cfg.ACMEDirectory, HTTPClient: acmeHTTP},
		}
		fallback = m.GetCertificate
		// TLS-ALPN-01 challenges arrive on the TLS port itself.
		tc.NextProtos = []string{"h2", "http/1.1", "acme-tls/1"}
	case cfg.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, nil, nil, &config.Error{Setting: "tls-cert", Msg: "cannot load the certificate and key: " + err.Error()}
		}
		if dir == nil {
			tc.Certificates = []tls.Certificate{cert}
			return tc, nil, nil, nil
		}
		fallback = func(*tls.ClientHelloInfo) (*tls.Certificate, error) { return &cert, nil }
	default:
		fallback = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			return nil, errors.New("tls: no certificate file for host " + strconv.Quote(hello.ServerName) + " in --tls-cert-dir")
		}
	}
	if dir == nil {
		tc.GetCertificate = fallback
		return tc, m, nil, nil
	}
	tc.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		// An ACME challenge is answered by the ACME manager, whatever the files.
		if m != nil && slices.Contains(hello.SupportedProtos, "acme-tls/1") {
			return m.GetCertificate(hello)
		}
		if c := dir.Certificate(hello.ServerName); c != nil {
			return c, nil
		}
		return fallback(hello)
	}
	return tc, m, dir, nil
}

// hostPolicy admits the --acme-domain names and, with --acme-tenant-hosts,
// every host name a tenant claims now. Why a policy at all: without one,
// anyone could make Salve ask the certificate authority for certificates of
// made-up names (through the TLS SNI), exhausting its rate limits.
func hostPolicy(cfg *config.Config, claims func(string) bool) autocert.HostPolicy {
	static := autocert.HostWhitelist(cfg.ACMEDomains...)
	return func(ctx context.Context, host string) error {
		if err := static(ctx, host); err == nil {
			return nil
		}
		if cfg.ACMETenantHosts && claims != nil && claims(host) {
			return nil
		}
		return errors.New("acme: host " + strconv.Quote(host) + " is neither in --acme-domain nor claimed by a tenant")
	}
}

// CheckTLS loads the configured certificate now, so that a bad file is reported
// as an invalid setting before anything starts.
func CheckTLS(cfg *config.Config) error {
	_, _, _, err := buildTLS(cfg, nil, nil, nil)
	return err
}

// redirectServer answers plain HTTP with a redirect to HTTPS (and ACME HTTP-01
// challenges when ACME is on).
func redirectServer(cfg *config.Config, acme *autocert.Manager, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           RedirectHandler(cfg, acme),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       30 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// RedirectHandler redirects every plain-HTTP request to the same host and path
// on HTTPS.
func RedirectHandler(cfg *config.Config, acme *autocert.Manager) http.Handler {
	_, tlsPort, _ := net.SplitHostPort(cfg.Addr)
	var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		if tlsPort != "443" && tlsPort != "" {
			host = net.JoinHostPort(host, tlsPort)
		}
		// Only the path is kept; a query could carry something personal and is
		// dropped rather than sent again in the clear.
		target := "https://" + host + r.URL.EscapedPath()
		if strings.ContainsAny(target, "\r\n") {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		// Not an open redirect: the host is the one the client itself asked for,
		// so the redirect only upgrades the scheme of where it was going anyway.
		http.Redirect(w, r, target, http.StatusPermanentRedirect) //nolint:gosec // see above
	})
	if acme != nil {
		h = acme.HTTPHandler(h)
	}
	return h
}
