package auth

import (
	"strings"
	"testing"
	"time"
)

func TestTOTPWithReplayProtection(t *testing.T) {
	key, err := NewTOTPKey("Acme Pharmacy", "jane@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(key.URL(), "otpauth://totp/") || len(key.Secret()) < 32 {
		t.Fatalf("key %q", key.URL())
	}
	now := time.Date(2026, 11, 23, 12, 0, 10, 0, time.UTC)
	code, err := TOTPCode(key.Secret(), now)
	if err != nil {
		t.Fatal(err)
	}
	step, ok := VerifyTOTP(key.Secret(), code, now, 0)
	if !ok || step != now.Unix()/30 {
		t.Fatalf("valid code refused: %v %v", step, ok)
	}
	// The same code again, even a second later in the same period: refused.
	if _, ok := VerifyTOTP(key.Secret(), code, now.Add(time.Second), step); ok {
		t.Fatal("a used code was accepted again (replay)")
	}
	// A code of the previous step after a later one was used: refused.
	prev, _ := TOTPCode(key.Secret(), now.Add(-30*time.Second))
	if _, ok := VerifyTOTP(key.Secret(), prev, now, step); ok {
		t.Fatal("an older code was accepted after a newer one")
	}
	// Clock skew of one step either way is tolerated; two is not.
	next, _ := TOTPCode(key.Secret(), now.Add(30*time.Second))
	if _, ok := VerifyTOTP(key.Secret(), next, now, step); !ok {
		t.Fatal("the next step's code (clock skew) was refused")
	}
	far, _ := TOTPCode(key.Secret(), now.Add(90*time.Second))
	if _, ok := VerifyTOTP(key.Secret(), far, now, 0); ok {
		t.Fatal("a code three steps ahead was accepted")
	}
	for _, junk := range []string{"", "12345", "1234567", "abcdef"} {
		if _, ok := VerifyTOTP(key.Secret(), junk, now, 0); ok {
			t.Fatalf("accepted %q", junk)
		}
	}
	// Spaces typed between digits are ignored.
	code2, _ := TOTPCode(key.Secret(), now.Add(60*time.Second))
	if _, ok := VerifyTOTP(key.Secret(), code2[:3]+" "+code2[3:], now.Add(60*time.Second), step); !ok {
		t.Fatal("a code with a space was refused")
	}
	k2, err := TOTPKeyFromSecret("Acme Pharmacy", "jane@example.com", key.Secret())
	if err != nil || k2.Secret() != key.Secret() {
		t.Fatalf("rebuild key: %v", err)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes()
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for i, c := range codes {
		if len(c) != 19 || strings.Count(c, "-") != 3 || strings.ContainsAny(c, "01OIL") {
			t.Fatalf("code %q", c)
		}
		if seen[c] {
			t.Fatal("duplicate code")
		}
		seen[c] = true
		if HashRecoveryCode(strings.ToLower(strings.ReplaceAll(c, "-", " "))) != hashes[i] {
			t.Fatal("a code typed in lower case with spaces must match its hash")
		}
		if strings.Contains(hashes[i], strings.ReplaceAll(c, "-", "")) {
			t.Fatal("hash contains the code")
		}
	}
}

func TestTokens(t *testing.T) {
	tok, hash, err := NewToken()
	if err != nil || !ValidToken(tok) || HashToken(tok) != hash || strings.Contains(hash, tok) {
		t.Fatalf("token %q hash %q err %v", tok, hash, err)
	}
	tok2, _, _ := NewToken()
	if tok == tok2 {
		t.Fatal("tokens repeat")
	}
	for _, bad := range []string{"", "short", tok + "x", strings.Repeat("!", 43)} {
		if ValidToken(bad) {
			t.Errorf("ValidToken(%q)", bad)
		}
	}
}
