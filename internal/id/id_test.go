package id

import (
	"testing"
	"time"
)

func TestNewIsValidVersion7AndUnique(t *testing.T) {
	seen := make(map[string]bool)
	for range 10000 {
		s := New()
		if !Valid(s) {
			t.Fatalf("New() = %q, not a valid UUID", s)
		}
		if s[14] != '7' {
			t.Fatalf("New() = %q, version nibble is %c, want 7", s, s[14])
		}
		if c := s[19]; c != '8' && c != '9' && c != 'a' && c != 'b' {
			t.Fatalf("New() = %q, variant nibble is %c", s, c)
		}
		if seen[s] {
			t.Fatalf("duplicate id %q", s)
		}
		seen[s] = true
	}
}

func TestNewAtOrdersByTime(t *testing.T) {
	a := NewAt(time.Unix(1000, 0))
	b := NewAt(time.Unix(2000, 0))
	if a >= b {
		t.Fatalf("ids not ordered by time: %q >= %q", a, b)
	}
}

func TestValid(t *testing.T) {
	for _, s := range []string{"", "x", "0190a0b0-0000-7000-8000-00000000000", "0190A0B0-0000-7000-8000-000000000000", "0190a0b0_0000-7000-8000-000000000000"} {
		if Valid(s) {
			t.Errorf("Valid(%q) = true", s)
		}
	}
	if !Valid("0190a0b0-0000-7000-8000-000000000000") {
		t.Error("Valid rejected a good id")
	}
}
