package vault_test

import (
	"crypto/rand"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
)

func BenchmarkSeal1KiB(b *testing.B) {
	en := newEnv(b, store.SQLite)
	h := en.handle(b, clinician, "t1", access.Write, "A")
	pt := make([]byte, 1024)
	_, _ = rand.Read(pt)
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := h.SealBytes("A", "notes", "body", "n1", pt); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpen1KiB(b *testing.B) {
	en := newEnv(b, store.SQLite)
	h := en.handle(b, clinician, "t1", access.Write, "A")
	pt := make([]byte, 1024)
	_, _ = rand.Read(pt)
	ct, err := h.SealBytes("A", "notes", "body", "n1", pt)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(1024)
	for b.Loop() {
		if _, err := h.OpenBytes("A", "notes", "body", "n1", ct); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAccessRead is the cost of obtaining a read handle: one audit append
// and one key lookup (the data key cached after the first).
func BenchmarkAccessRead(b *testing.B) {
	en := newEnv(b, store.SQLite)
	en.handle(b, clinician, "t1", access.Write, "A")
	for b.Loop() {
		en.handle(b, clinician, "t1", access.Read, "A")
	}
}
