package auth

import (
	"crypto/subtle"
	"fmt"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: the ones every authenticator app supports (RFC 6238 defaults).
const (
	totpPeriod = 30 * time.Second
	totpDigits = otp.DigitsSix
	totpAlgo   = otp.AlgorithmSHA1
	// totpSkew accepts the previous and next code too, for clocks a little off.
	totpSkew = 1
)

// TOTPDigits is how many digits a TOTP code has.
const TOTPDigits = 6

// NewTOTPKey makes a new TOTP secret for an account. The key's URL (otpauth://)
// goes into the QR code the user scans; it holds the secret, so it is shown only
// to that user and never stored or logged.
func NewTOTPKey(issuer, account string) (*otp.Key, error) {
	return totp.Generate(totp.GenerateOpts{
		Issuer: issuer, AccountName: account, Period: uint(totpPeriod / time.Second),
		Digits: totpDigits, Algorithm: totpAlgo, SecretSize: 20,
	})
}

// TOTPKeyFromSecret rebuilds the key of a stored secret (to show its QR code again
// during enrolment).
func TOTPKeyFromSecret(issuer, account, secret string) (*otp.Key, error) {
	return otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&period=%d&digits=%d&algorithm=SHA1",
		urlPart(issuer), urlPart(account), secret, urlPart(issuer), int(totpPeriod/time.Second), totpDigits))
}

func urlPart(s string) string {
	return strings.NewReplacer(" ", "%20", ":", "%3A", "?", "%3F", "&", "%26", "#", "%23", "/", "%2F").Replace(s)
}

// VerifyTOTP checks a code against the secret at time now and returns the time
// step it matched. lastStep is the step of the last code this account used:
// a code is accepted only for a later step, so a code seen once (over a
// shoulder, in a phishing proxy) cannot be used again (replay protection).
// The caller stores the returned step.
func VerifyTOTP(secret, code string, now time.Time, lastStep int64) (step int64, ok bool) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != int(totpDigits) {
		return 0, false
	}
	current := now.Unix() / int64(totpPeriod/time.Second)
	matched := int64(-1)
	// Compute every candidate so the time taken does not depend on which matched.
	for s := current - totpSkew; s <= current+totpSkew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(totpPeriod/time.Second), 0), totp.ValidateOpts{
			Period: uint(totpPeriod / time.Second), Digits: totpDigits, Algorithm: totpAlgo,
		})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 && matched < 0 {
			matched = s
		}
	}
	if matched < 0 || matched <= lastStep {
		return 0, false
	}
	return matched, true
}

// TOTPCode returns the code of a secret at a time (for tests and demos).
func TOTPCode(secret string, at time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{
		Period: uint(totpPeriod / time.Second), Digits: totpDigits, Algorithm: totpAlgo,
	})
}
