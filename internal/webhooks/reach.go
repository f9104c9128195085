package webhooks

import (
	"errors"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Reach says which addresses a delivery may connect to besides public ones.
//
// Why a check at all: a webhook's address is typed by a tenant's admin, and
// the server that sends it sits inside the operator's network. Without a
// check, "https://169.254.169.254/..." (a cloud's instance metadata, with
// its credentials), "https://10.0.0.5:8443/" or a name that resolves to one
// of them would make Salve a way into that network. The check is made on
// the address actually dialled, after the name is resolved, so a name that
// resolves to a public address when saved and to a private one later (DNS
// rebinding) is refused too.
type Reach struct {
	// Loopback lets deliveries reach this host (127.0.0.0/8, ::1): for
	// development and tests (--webhook-loopback-http).
	Loopback bool
	// Private lets deliveries reach private networks (10/8, 172.16/12,
	// 192.168/16, 100.64/10, fc00::/7): for an operator whose receivers
	// are on their own network (--webhook-private-networks).
	Private bool
}

// errNotPublic is a dial to an address Reach does not allow.
var errNotPublic = errors.New("webhooks: the address is not on the public internet")

// sharedSpace is the carrier-grade NAT range (RFC 6598), private in all but
// name; netip's IsPrivate does not count it.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// allows reports whether a delivery may connect to ip.
func (r Reach) allows(ip netip.Addr) bool {
	ip = ip.Unmap() // ::ffff:10.0.0.1 is 10.0.0.1
	switch {
	case !ip.IsValid(), ip.IsUnspecified(), ip.IsMulticast(), ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast(),
		ip.IsInterfaceLocalMulticast():
		// Never: link-local holds the cloud metadata services
		// (169.254.169.254, fd00:ec2::254 is private below).
		return false
	case ip.IsLoopback():
		return r.Loopback
	case ip.IsPrivate(), sharedSpace.Contains(ip):
		return r.Private
	case ip.Is4() && ip.As4()[0] == 0:
		return false // 0.0.0.0/8: "this network"
	}
	return ip.IsGlobalUnicast()
}

// control refuses a connection to an address r does not allow; it runs
// after the name is resolved, once per address tried.
func (r Reach) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !r.allows(ap.Addr()) {
		return errNotPublic
	}
	return nil
}

// transport is base (nil: Go's default transport) with connections that
// reach only what r allows. Why no proxy from the environment: the check
// would then see only the proxy's address, and the proxy would reach
// anything.
func (r Reach) transport(base *http.Transport) *http.Transport {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport)
	}
	t := base.Clone()
	t.Proxy = nil
	t.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: r.control}).DialContext
	return t
}
