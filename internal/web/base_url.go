package web

import (
	"net"
	"net/http"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/tenant"
)

// BaseURL is the address of the request's site for links in emails. Why not
// simply the Host header: it is chosen by the client, and a reset link built
// from a forged Host would send the token to an attacker's site (password
// reset poisoning). The Host is used only when it is one of the tenant's own
// host names (or loopback, for a local demo); otherwise the tenant's first
// host name is.
func BaseURL(r *http.Request, t *tenant.Tenant) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	host := r.Host
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.ToLower(strings.Trim(name, "[]"))
	ip := net.ParseIP(name)
	switch {
	case slices.ContainsFunc(t.Hostnames, func(h string) bool { return strings.EqualFold(strings.Trim(h, "[]"), name) }):
	case name == "localhost" || (ip != nil && ip.IsLoopback()):
	case len(t.Hostnames) > 0:
		host, scheme = t.Hostnames[0], "https"
	default:
		host = "localhost"
	}
	return scheme + "://" + host
}
