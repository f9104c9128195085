package auth

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
)

// fastArgon keeps unit tests quick; the production cost is measured by
// BenchmarkPasswordHash.
var fastArgon = Argon2Params{MemoryKiB: 8 * 1024, Time: 1, Threads: 1}

func TestHashAndVerify(t *testing.T) {
	ctx := context.Background()
	h := NewHasher(fastArgon)
	enc, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=8192,t=1,p=1$") {
		t.Fatalf("encoding %q", enc)
	}
	if ok, rehash, err := h.Verify(ctx, "correct horse battery staple", enc); !ok || rehash || err != nil {
		t.Fatalf("Verify(right) = %v %v %v", ok, rehash, err)
	}
	if ok, _, _ := h.Verify(ctx, "correct horse battery stapl", enc); ok {
		t.Fatal("a different password verified")
	}
	// Never truncated: a long password differs from its prefix.
	long := strings.Repeat("abcdefgh", 30)
	enc2, _ := h.Hash(ctx, long)
	if ok, _, _ := h.Verify(ctx, long[:200], enc2); ok {
		t.Fatal("a long password was truncated")
	}
	// NFKC: the same password typed as composed or decomposed characters.
	enc3, _ := h.Hash(ctx, "caf\u00e9 con leche por favor")
	if ok, _, _ := h.Verify(ctx, "cafe\u0301 con leche por favor", enc3); !ok {
		t.Fatal("NFKC-equivalent password did not verify")
	}
	// Stronger parameters ask for a rehash after a successful verification.
	h2 := NewHasher(Argon2Params{MemoryKiB: 9 * 1024, Time: 1, Threads: 1})
	if ok, rehash, _ := h2.Verify(ctx, "correct horse battery staple", enc); !ok || !rehash {
		t.Fatalf("parameter change: ok %v rehash %v", ok, rehash)
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=8192,t=1,p=1$AAAA$AAAA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA", "$argon2id$v=19$m=8192,t=1,p=1$!!$!!"} {
		if _, _, err := h.Verify(ctx, "x", bad); err == nil {
			t.Errorf("Verify accepted malformed hash %q", bad)
		}
	}
}

func TestHashWaitsForASlotWithinTheContext(t *testing.T) {
	h := NewHasher(fastArgon)
	for range cap(h.slots) {
		h.slots <- struct{}{}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := h.Hash(ctx, "whatever long password"); !apperr.Is(err, apperr.Unavailable) {
		t.Fatalf("a hash with every slot taken must give up with the context: %v", err)
	}
}

func TestPasswordPolicy(t *testing.T) {
	pc := PasswordContext{Email: "jane.doe@example.com", TenantName: "Acme Pharmacy"}
	ok := []struct {
		pw  string
		mfa bool
	}{
		{"violet tractor umbrella", false},
		{"Tr0ub4dor&3x", true},       // 12 with MFA
		{"日本語のパスワードです長い文章だよ", false}, // 17 code points
		{strings.Repeat("ab1", 21) + "x", false},
	}
	for _, c := range ok {
		if err := CheckPassword(c.pw, c.mfa, pc); err != nil {
			t.Errorf("CheckPassword(%q, mfa=%v) = %v", c.pw, c.mfa, err)
		}
	}
	bad := []struct {
		pw   string
		mfa  bool
		want string
	}{
		{"short pass", false, "at least 15"},
		{"sevench", true, "at least 8"},
		{strings.Repeat("x", 257), false, "at most 256"},
		{"passwordpassword", false, "too common"},
		{"1qaz2wsx3edc4rfv", false, "too common"},
		{"Baseball1", true, "too common"},
		{"aaaaaaaaaaaaaaaa", false, "repeated"},
		{"abcabcabcabcabcabc", false, "repeated"},
		{"1234567890123456", false, "sequence"},
		{"zyxwvutsrqponmlk", false, "sequence"},
		{"jane.doe@example.com1", false, "email"},
		{"acmepharmacy2026!", false, "service"},
		{"SalveSalve!", true, "service"},
		// The word "password" is refused for what it is, not as "your email
		// address or the name of this service" (issue 13); another word
		// said over and over, as repetition.
		{"password password password", false, "the word “password”"},
		{"violet-violet-violet-violet", false, "repeated word"},
		{"Password2026!", true, "the word “password”"},
	}
	for _, c := range bad {
		err := CheckPassword(c.pw, c.mfa, pc)
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid || !strings.Contains(e.Fields["password"], c.want) {
			t.Errorf("CheckPassword(%q) = %v, want a password field error with %q", c.pw, err, c.want)
		}
	}
	// No composition rules: a long all-lower-case phrase passes.
	if err := CheckPassword("the quick brown fox jumps", false, pc); err != nil {
		t.Fatal(err)
	}
}

func TestBlocklistLoaded(t *testing.T) {
	if !IsCommonPassword("baseball1") || !IsCommonPassword("BaseBall1") {
		t.Fatal("common passwords not found, case-insensitively")
	}
	if IsCommonPassword("violet tractor umbrella") {
		t.Fatal("a random phrase is on the list")
	}
	if n := len(commonPasswords()); n != 17950 {
		t.Fatalf("blocklist has %d entries, want 17950", n)
	}
}

func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"", "a", "violet tractor umbrella", "\xff\xfe", "aaaaaaaa", "1234567890", "e\u0301"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, pw string, mfa bool) {
		_ = CheckPassword(pw, mfa, PasswordContext{Email: "a@b.c", TenantName: "T"})
	})
}

// BenchmarkPasswordHash measures one production-cost hash (the 50–150 ms budget).
func BenchmarkPasswordHash(b *testing.B) {
	h := NewHasher(DefaultArgon2())
	ctx := context.Background()
	for b.Loop() {
		if _, err := h.Hash(ctx, "correct horse battery staple"); err != nil {
			b.Fatal(err)
		}
	}
}
