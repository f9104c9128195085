package audit

import (
	"context"
	"crypto/ed25519"
)

// VerifyChunked is verify with one worker, so that it can run on a chain read
// inside a transaction (tests mutate the store, verify and roll back).
// chunk is how many events it reads per query (small ones test the seams).
func VerifyChunked(ctx context.Context, c Chain, sink CheckpointSink, pub ed25519.PublicKey, chunk int) (Report, error) {
	return verify(ctx, c, sink, pub, chunk, 1, nil)
}

// ChainHash exposes the chain hash so tests can forge a well-formed event.
func ChainHash(prev []byte, seq int64, e *Entry) []byte {
	f := entryFields(e)
	return chainHash(newHasher(), prev, seq, e.Time.UnixMicro(), &f)
}

// EncodeBody exposes the body encoding so tests can forge a row.
func EncodeBody(e *Entry) []byte { return encodeBody(e) }
