package cart

import (
	"testing"

	"github.com/salvehealth/salve/internal/apperr"
)

func TestTokens(t *testing.T) {
	a, b := NewToken(), NewToken()
	if a == b || !ValidToken(a) || len(HashToken(a)) != 64 || HashToken(a) == HashToken(b) {
		t.Fatal("tokens")
	}
	for _, bad := range []string{"", "short", a[:42] + "!", a + "x"} {
		if ValidToken(bad) {
			t.Errorf("%q is valid", bad)
		}
	}
}

func TestParseQuantity(t *testing.T) {
	for in, want := range map[string]int64{"1": 1, "99": 99, "0": 0, "-3": -3} {
		if got, err := ParseQuantity(in); err != nil || got != want {
			t.Errorf("%q: %d %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "two", "1.5", " 1", "1e3", "+1", "01"} {
		if _, err := ParseQuantity(bad); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{"1", "-1", "abc", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := ParseQuantity(s)
		if err == nil && s != "0" && q == 0 {
			t.Fatalf("%q parsed as 0", s)
		}
	})
}
