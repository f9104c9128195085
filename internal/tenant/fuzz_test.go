package tenant

import "testing"

func FuzzNormalizeHost(f *testing.F) {
	for _, s := range []string{"", "Shop.Example.com:443", "[::1]:8080", "[::1", "a:b:c", "localhost.", "xn--bcher-kva.example"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		n := NormalizeHost(h)
		if NormalizeHost(n) != n && ValidHost(n) {
			t.Fatalf("NormalizeHost is not idempotent on valid %q -> %q", h, n)
		}
	})
}
