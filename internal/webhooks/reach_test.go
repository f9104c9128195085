package webhooks

import (
	"errors"
	"net/netip"
	"testing"
)

// TestReachAllows: public addresses always; loopback and private networks
// only when allowed; link-local (cloud metadata), unspecified, multicast and
// "this network" never, in any spelling (IPv4-mapped IPv6 too).
func TestReachAllows(t *testing.T) {
	none, loop, priv, both := Reach{}, Reach{Loopback: true}, Reach{Private: true}, Reach{Loopback: true, Private: true}
	for _, c := range []struct {
		addr                   string
		none, loop, priv, both bool
	}{
		{"93.184.215.14", true, true, true, true},
		{"2606:4700:4700::1111", true, true, true, true},
		{"127.0.0.1", false, true, false, true},
		{"127.8.9.10", false, true, false, true},
		{"::1", false, true, false, true},
		{"::ffff:127.0.0.1", false, true, false, true},
		{"10.1.2.3", false, false, true, true},
		{"172.20.0.1", false, false, true, true},
		{"192.168.1.1", false, false, true, true},
		{"100.64.0.1", false, false, true, true},
		{"fd00:ec2::254", false, false, true, true},
		{"::ffff:10.0.0.1", false, false, true, true},
		{"169.254.169.254", false, false, false, false},
		{"::ffff:169.254.169.254", false, false, false, false},
		{"fe80::1", false, false, false, false},
		{"0.0.0.0", false, false, false, false},
		{"0.1.2.3", false, false, false, false},
		{"::", false, false, false, false},
		{"224.0.0.1", false, false, false, false},
		{"ff02::1", false, false, false, false},
	} {
		ip := netip.MustParseAddr(c.addr)
		for _, k := range []struct {
			r    Reach
			want bool
		}{{none, c.none}, {loop, c.loop}, {priv, c.priv}, {both, c.both}} {
			if got := k.r.allows(ip); got != k.want {
				t.Errorf("%+v allows %s: %v, want %v", k.r, c.addr, got, k.want)
			}
		}
	}
	if err := (Reach{}).control("tcp", "10.0.0.1:443", nil); !errors.Is(err, errNotPublic) {
		t.Fatalf("dial to 10.0.0.1: %v", err)
	}
	if err := (Reach{}).control("tcp", "93.184.215.14:443", nil); err != nil {
		t.Fatalf("dial to a public address: %v", err)
	}
}
