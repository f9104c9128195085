package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// chainDomain separates this hash from any other SHA-256 use, and names the
// encoding version so that a future encoding cannot be confused with this one.
const chainDomain = "salve.audit.event.v1"

// genesis is the "previous hash" of the first event.
var genesis = make([]byte, sha256.Size)

// encoder writes the canonical encoding: every field in a fixed order, each
// with its length in front. Why length prefixes rather than separators: a
// field can then never be shifted into its neighbour ("ab"+"c" vs "a"+"bc").
type encoder struct {
	h   hash.Hash
	buf [8]byte
}

func (c *encoder) u64(v uint64) {
	binary.BigEndian.PutUint64(c.buf[:], v)
	c.h.Write(c.buf[:])
}

func (c *encoder) bytes(b []byte) {
	c.u64(uint64(len(b)))
	c.h.Write(b)
}

func (c *encoder) str(s string) {
	c.u64(uint64(len(s)))
	c.h.Write([]byte(s))
}

// chainHash returns SHA-256(domain || prev || canonical(seq, e)).
func chainHash(h hash.Hash, prev []byte, seq int64, e *Entry) []byte {
	h.Reset()
	c := encoder{h: h}
	c.str(chainDomain)
	c.bytes(prev)
	c.u64(uint64(seq))
	c.u64(uint64(e.Time.UnixMicro()))
	c.str(e.ActorID)
	c.str(string(e.ActorRole))
	c.str(e.TenantID)
	c.u64(uint64(len(e.Subjects)))
	for _, s := range e.Subjects {
		c.str(s)
	}
	c.str(e.Action)
	c.str(e.ResourceType)
	c.str(e.ResourceID)
	c.str(string(e.Purpose))
	c.str(string(e.Outcome))
	c.str(string(e.Severity))
	c.str(e.RequestID)
	c.str(e.SourceIP)
	c.str(e.UserAgent)
	c.str(e.Detail)
	c.bytes(e.TextHMAC)
	return h.Sum(nil)
}

// newHasher returns the hash the chain uses.
func newHasher() hash.Hash { return sha256.New() }
