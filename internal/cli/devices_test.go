package cli

import (
	"strings"
	"testing"
)

// TestDevicesSimulateRefusesBadUsage: no token, an unknown kind, too many
// days, and a host that is not loopback (without --remote and https) are
// each a usage error (exit 2) with a clear line; nothing is posted.
func TestDevicesSimulateRefusesBadUsage(t *testing.T) {
	for args, want := range map[string]string{
		"devices simulate --kind glucose":                                   "--token is required",
		"devices simulate --token sdt_x --kind sugar":                       "--kind must be one of",
		"devices simulate --token sdt_x --days 400":                         "1 to 365 days",
		"devices simulate --token sdt_x --url http://shop.example":          "not loopback",
		"devices simulate --token sdt_x --url http://shop.example --remote": "not loopback",
		"devices fly": "unknown devices action",
	} {
		r := runCLI(t, nil, strings.Fields(args)...)
		if r.code != 2 || !strings.Contains(r.stderr, want) {
			t.Errorf("%s: exit %d, stderr %q (want 2 and %q)", args, r.code, r.stderr, want)
		}
	}
}
