package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"hash"

	"github.com/salvehealth/salve/internal/access"
)

// chainDomain separates this hash from any other SHA-256 use, and names the
// encoding version so that a future encoding cannot be confused with this one.
const chainDomain = "salve.audit.event.v1"

// genesis is the "previous hash" of the first event.
var genesis = make([]byte, sha256.Size)

// nFields is the number of variable columns of an event, in column order
// after seq and at_us: actor_id, tenant_id, action, outcome, body.
const nFields = 5

// fields are an event's variable columns exactly as stored, in column order.
//
// Why the rarer fields are packed into one body column: verification reads
// every row, and with the SQLite driver each column costs about as much as the
// hash; eight columns instead of eighteen is what lets verify walk hundreds of
// thousands of events a second. The columns that queries filter on stay
// columns.
type fields [nFields][]byte

// chainHash returns SHA-256(domain || prev || seq || at || fields...), each
// variable part with its length in front. Why length prefixes rather than
// separators: a field can then never be shifted into its neighbour
// ("ab"+"c" vs "a"+"bc").
func chainHash(h hash.Hash, prev []byte, seq, atMicros int64, f *fields) []byte {
	h.Reset()
	var buf [8]byte
	u64 := func(v uint64) {
		binary.BigEndian.PutUint64(buf[:], v)
		h.Write(buf[:])
	}
	u64(uint64(len(chainDomain)))
	h.Write([]byte(chainDomain))
	u64(uint64(len(prev)))
	h.Write(prev)
	u64(uint64(seq))      //nolint:gosec // the bit pattern is what is hashed; seq is positive
	u64(uint64(atMicros)) //nolint:gosec // the bit pattern is what is hashed, sign included
	for _, b := range f {
		u64(uint64(len(b)))
		h.Write(b)
	}
	return h.Sum(nil)
}

// entryFields returns e's columns as they are stored.
func entryFields(e *Entry) fields {
	return fields{[]byte(e.ActorID), []byte(e.TenantID), []byte(e.Action), []byte(e.Outcome), encodeBody(e)}
}

// encodeBody packs the fields that are not columns: each string with a 4-byte
// length in front, the subjects as a count and then each subject.
func encodeBody(e *Entry) []byte {
	// Sized to fit: a typical body (a subject, a resource, a request id, a
	// user agent) is over 200 bytes, and growing a smaller buffer made and
	// copied it again for every event.
	n := 4 + 4*len(e.Subjects) + 4*10 + len(e.ActorRole) + len(e.ResourceType) + len(e.ResourceID) + len(e.Purpose) +
		len(e.Severity) + len(e.RequestID) + len(e.SourceIP) + len(e.UserAgent) + len(e.Detail) + len(e.TextHMAC)
	for _, s := range e.Subjects {
		n += len(s)
	}
	b := make([]byte, 0, n)
	str := func(s string) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(s))) //nolint:gosec // fields are far below 4 GiB
		b = append(b, s...)
	}
	str(string(e.ActorRole))
	b = binary.BigEndian.AppendUint32(b, uint32(len(e.Subjects))) //nolint:gosec // a handful of subjects
	for _, s := range e.Subjects {
		str(s)
	}
	str(e.ResourceType)
	str(e.ResourceID)
	str(string(e.Purpose))
	str(string(e.Severity))
	str(e.RequestID)
	str(e.SourceIP)
	str(e.UserAgent)
	str(e.Detail)
	str(string(e.TextHMAC))
	return b
}

var errBody = errors.New("audit: malformed event body")

// decodeBody unpacks encodeBody's output into e.
func decodeBody(b []byte, e *Entry) error {
	next := func() (string, bool) {
		if len(b) < 4 {
			return "", false
		}
		n := binary.BigEndian.Uint32(b)
		if int64(len(b)-4) < int64(n) {
			return "", false
		}
		s := string(b[4 : 4+n])
		b = b[4+n:]
		return s, true
	}
	var ok bool
	var role string
	if role, ok = next(); !ok || len(b) < 4 {
		return errBody
	}
	e.ActorRole = access.Role(role)
	n := binary.BigEndian.Uint32(b)
	b = b[4:]
	if uint64(n) > uint64(len(b)/4) {
		return errBody
	}
	e.Subjects = make([]string, 0, n)
	for range n {
		s, ok := next()
		if !ok {
			return errBody
		}
		e.Subjects = append(e.Subjects, s)
	}
	var purpose, severity, hm string
	for _, p := range []*string{&e.ResourceType, &e.ResourceID, &purpose, &severity, &e.RequestID, &e.SourceIP, &e.UserAgent, &e.Detail, &hm} {
		if *p, ok = next(); !ok {
			return errBody
		}
	}
	if len(b) != 0 {
		return errBody
	}
	e.Purpose, e.Severity, e.TextHMAC = access.Purpose(purpose), Severity(severity), []byte(hm)
	return nil
}

// newHasher returns the hash the chain uses.
func newHasher() hash.Hash { return sha256.New() }
