// Package id makes identifiers for stored rows: UUIDv7 strings (RFC 9562).
//
// Why UUIDv7: 74 of its 128 bits are random, so an id in a URL tells nothing about
// other ids and cannot be guessed or enumerated, while the millisecond time prefix
// keeps B-tree inserts local, which matters for the append-heavy audit and order
// tables.
package id

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"time"
)

// New returns a new UUIDv7 in its canonical 36-character form.
func New() string { return NewAt(time.Now()) }

// NewAt returns a new UUIDv7 whose time prefix is t.
func NewAt(t time.Time) string {
	var b [16]byte
	// crypto/rand.Read never returns an error on supported platforms (Go 1.24+):
	// it crashes the program instead of handing out predictable bytes.
	_, _ = rand.Read(b[6:])
	// The 48-bit millisecond timestamp, big-endian: the low 6 bytes of the
	// 64-bit value.
	var ms [8]byte
	binary.BigEndian.PutUint64(ms[:], uint64(max(t.UnixMilli(), 0)))
	copy(b[0:6], ms[2:])
	b[6] = 0x70 | (b[6] & 0x0f) // version 7
	b[8] = 0x80 | (b[8] & 0x3f) // RFC 9562 variant
	return format(b)
}

func format(b [16]byte) string {
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// Valid reports whether s has the canonical UUID form (lower-case hex, dashes at
// 8-4-4-4-12). Handlers check ids from URLs with it before they reach SQL, so a
// malformed id is a plain "not found" rather than a database type error.
func Valid(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}
