package server

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"

	"github.com/salvehealth/salve/internal/config"
)

// buildTLS returns the TLS configuration, or nil for plain HTTP on loopback.
// Why these settings: TLS 1.2 is the oldest version without known practical
// attacks; with 1.2 only AEAD suites with forward secrecy are offered (1.3
// suites are all of that kind already and Go does not let them be narrowed).
//
// claims, when set, reports whether a tenant claims a host name: with
// --acme-tenant-hosts the ACME host policy admits those hosts too.
func buildTLS(cfg *config.Config, acmeHTTP *http.Client, claims func(host string) bool) (*tls.Config, *autocert.Manager, error) {
	if !cfg.TLS() {
		return nil, nil, nil
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
	if cfg.ACME() {
		m := &autocert.Manager{
			Prompt:     autocert.AcceptTOS,
			HostPolicy: hostPolicy(cfg, claims),
			Cache:      autocert.DirCache(filepath.Join(cfg.DataDir, "acme")),
			Email:      cfg.ACMEEmail,
			Client:     &acme.Client{DirectoryURL: cfg.ACMEDirectory, HTTPClient: acmeHTTP},
		}
		tc.GetCertificate = m.GetCertificate
		// TLS-ALPN-01 challenges arrive on the TLS port itself.
		tc.NextProtos = []string{"h2", "http/1.1", "acme-tls/1"}
		return tc, m, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, nil, &config.Error{Setting: "tls-cert", Msg: "cannot load the certificate and key: " + err.Error()}
	}
	tc.Certificates = []tls.Certificate{cert}
	return tc, nil, nil
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
	_, _, err := buildTLS(cfg, nil, nil)
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
