package audit

import (
	"context"
	"crypto/ed25519"
	"database/sql"
)

// VerifyTx is verify inside a transaction, so tests can mutate the store, verify
// and roll back.
// chunk is how many events it reads per query (small ones test the seams).
func VerifyTx(ctx context.Context, tx *sql.Tx, sink CheckpointSink, pub ed25519.PublicKey, chunk int) (Report, error) {
	return verify(ctx, tx, sink, pub, chunk, 1)
}

// ChainHash exposes the chain hash so tests can forge a well-formed event.
func ChainHash(prev []byte, seq int64, e *Entry) []byte {
	f := entryFields(e)
	return chainHash(newHasher(), prev, seq, e.Time.UnixMicro(), &f)
}

// EncodeBody exposes the body encoding so tests can forge a row.
func EncodeBody(e *Entry) []byte { return encodeBody(e) }
