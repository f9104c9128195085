package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// RecoveryCodeCount is how many single-use recovery codes an account gets.
const RecoveryCodeCount = 10

// recoveryAlphabet leaves out 0/O and 1/I/L so codes can be read aloud and typed.
const recoveryAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// NewRecoveryCodes returns RecoveryCodeCount codes to show the user once, and
// the hashes to store. Each code is 16 characters of a 31-letter alphabet
// (79 bits), shown as four groups of four.
//
// Why plain SHA-256: with 79 random bits a code cannot be guessed from its hash
// even at billions of guesses a second, so a slow hash buys nothing.
func NewRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCodeCount {
		var b [16]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, nil, err
		}
		var sb strings.Builder
		for i, v := range b {
			if i > 0 && i%4 == 0 {
				sb.WriteByte('-')
			}
			// 256 is not a multiple of 31; the bias (at most 1/256 per
			// character) costs a fraction of a bit.
			sb.WriteByte(recoveryAlphabet[int(v)%len(recoveryAlphabet)])
		}
		c := sb.String()
		codes = append(codes, c)
		hashes = append(hashes, HashRecoveryCode(c))
	}
	return codes, hashes, nil
}

// HashRecoveryCode normalizes a typed code (case, spaces, dashes) and hashes it.
func HashRecoveryCode(code string) string {
	c := strings.ToUpper(strings.NewReplacer("-", "", " ", "").Replace(strings.TrimSpace(code)))
	sum := sha256.Sum256([]byte("salve-recovery-code:" + c))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a random 256-bit token, base64url-encoded (43 characters),
// and the hash to store in its place. Used for session cookies, email
// verification and password reset links, and device tokens.
//
// Why only a hash is stored: a copy of the database must not let anyone act as
// the token's holder; 256 random bits make a fast hash irreversible.
func NewToken() (token, hash string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", err
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, HashToken(token), nil
}

// HashToken hashes a token for storage and lookup.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ValidToken reports whether s looks like a token from NewToken, so garbage is
// refused before any lookup.
func ValidToken(s string) bool {
	if len(s) != 43 {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil
}
