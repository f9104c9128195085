// Package webhooksig signs and verifies Salve's outgoing webhooks. It is for
// receivers as much as for Salve: it needs only the standard library, and a
// receiver checks a request with Verify before trusting a byte of it.
//
// Every webhook request carries the header
//
//	Salve-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>
//
// where the HMAC is computed with the subscription's secret over the bytes
// "<t>." followed by the raw request body. A header may carry more than one
// v1 value (during a secret rotation); any one that matches is enough. A
// request whose t is more than Window away from the receiver's clock is
// refused, so a captured request cannot be replayed later; a receiver that
// must also refuse a replay inside the window keeps the Salve-Delivery
// header's id for Window and refuses one seen twice.
package webhooksig

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Header is the name of the signature header; DeliveryHeader carries the
// delivery's id (the same on every retry of one delivery) and EventHeader
// the event's name.
const (
	Header         = "Salve-Signature"
	DeliveryHeader = "Salve-Delivery"
	EventHeader    = "Salve-Event"
)

// Window is how far a signature's timestamp may be from the receiver's
// clock, either way.
const Window = 5 * time.Minute

// The errors Verify returns; each says what is wrong and nothing about the
// secret.
var (
	ErrMalformed = errors.New("webhook signature: header malformed")
	ErrNoMatch   = errors.New("webhook signature: no signature matches")
	ErrTooOld    = errors.New("webhook signature: timestamp outside the replay window")
)

// maxHeader bounds what Parse reads: a real header is under 200 bytes.
const maxHeader = 4096

// Sign returns the header value for body sent at t with secret.
func Sign(secret, body []byte, t time.Time) string {
	ts := t.Unix()
	return "t=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts int64, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(ts, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Parsed is a header taken apart: its timestamp and its v1 signatures.
type Parsed struct {
	Timestamp  int64
	Signatures [][]byte
}

// Parse takes a header value apart. Unknown keys (a later scheme, v2=) are
// skipped; a header without exactly one t or without any well-formed v1 is
// ErrMalformed.
func Parse(header string) (Parsed, error) {
	var p Parsed
	if len(header) > maxHeader {
		return p, ErrMalformed
	}
	seenT := false
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return Parsed{}, ErrMalformed
		}
		switch k {
		case "t":
			ts, err := strconv.ParseInt(v, 10, 64)
			if err != nil || seenT || ts <= 0 {
				return Parsed{}, ErrMalformed
			}
			p.Timestamp, seenT = ts, true
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return Parsed{}, ErrMalformed
			}
			p.Signatures = append(p.Signatures, sig)
		}
	}
	if !seenT || len(p.Signatures) == 0 {
		return Parsed{}, ErrMalformed
	}
	return p, nil
}

// Verify checks a request's header against its raw body and the secret at
// now: a well-formed header, a timestamp within Window of now, and a v1
// signature that matches (compared in constant time).
func Verify(secret []byte, header string, body []byte, now time.Time) error {
	p, err := Parse(header)
	if err != nil {
		return err
	}
	// Why before the HMAC: an old request is refused whatever it carries,
	// and the check costs nothing.
	if d := now.Unix() - p.Timestamp; d > int64(Window/time.Second) || d < -int64(Window/time.Second) {
		return ErrTooOld
	}
	want := mac(secret, p.Timestamp, body)
	for _, s := range p.Signatures {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrNoMatch
}
