package vault

import (
	"context"
	"time"
)

// Store is the vault's storage in the PHI store (internal/store.VaultKeys):
// the subjects' data keys, the vault's own secrets (the blind-index key) and
// the shred ledger. Everything it holds is wrapped by the KEK: it never sees
// a key in the clear, and the wrapping and unwrapping stay in this package.
type Store interface {
	// DataKeys returns the stored data keys of subjects in a tenant, by
	// subject; a subject without one is absent.
	DataKeys(ctx context.Context, tenantID string, subjects []string) (map[string]WrappedKey, error)
	// CreateDataKeys stores the data keys of subjects of a tenant that have
	// none and were never shredded, and then returns the keys those subjects
	// have, by subject: a key stored meanwhile by another writer is kept and
	// returned, and a shredded subject stays without one. The ledger check
	// and the insert are one transaction with each subject under a lock, so
	// that a key cannot come back after a concurrent shred; the locks are
	// taken in the order of keys (the vault sorts them, so two writers never
	// wait for each other's second subject).
	CreateDataKeys(ctx context.Context, tenantID string, keys []SubjectKey, at time.Time) (map[string]WrappedKey, error)
	// Shredded returns which of subjects are in the shred ledger.
	Shredded(ctx context.Context, tenantID string, subjects []string) ([]string, error)
	// Secret returns a vault secret as stored, or apperr NotFound.
	Secret(ctx context.Context, name string) (kekVersion string, wrapped []byte, err error)
	// AddSecret stores a secret unless one of that name exists already (a
	// replica that started at the same time may have won).
	AddSecret(ctx context.Context, name, kekVersion string, wrapped []byte, at time.Time) error
	// ApplyShreds records the ledger entries and deletes their subjects'
	// data keys, in one transaction, each subject under its lock so that no
	// concurrent write re-creates the key. It is idempotent.
	ApplyShreds(ctx context.Context, ss []Shred) error
	// Shreds returns the shred ledger, oldest first.
	Shreds(ctx context.Context) ([]Shred, error)
	// Pending counts the data keys and secrets not wrapped by kekVersion.
	Pending(ctx context.Context, kekVersion string) (int, error)
	// WrappedBy counts the data keys and secrets wrapped by kekVersion.
	WrappedBy(ctx context.Context, kekVersion string) (int, error)
	// StaleKeys returns up to n data keys not wrapped by kekVersion, by
	// tenant and subject.
	StaleKeys(ctx context.Context, kekVersion string, n int) ([]SubjectKey, error)
	// Rewrap stores re-wrapped data keys in one transaction, each only
	// where its row still holds the key it was re-wrapped from.
	Rewrap(ctx context.Context, keys []Rewrapped, at time.Time) error
	// StaleSecrets returns the names of the secrets not wrapped by kekVersion.
	StaleSecrets(ctx context.Context, kekVersion string) ([]string, error)
	// RewrapSecret stores a secret wrapped anew.
	RewrapSecret(ctx context.Context, name, kekVersion string, wrapped []byte) error
	// Counts counts the keys by KEK version, the data keys and the ledger.
	Counts(ctx context.Context) (KeyCounts, error)
}

// WrappedKey is a data key as stored: wrapped by a KEK version (and bound
// to its tenant and subject by the wrapping's associated data), never in
// the clear.
type WrappedKey struct {
	KEKVersion string
	Wrapped    []byte
}

// SubjectKey is a subject's wrapped data key.
type SubjectKey struct {
	TenantID, Subject string
	WrappedKey
}

// Rewrapped is a data key wrapped anew by a rotation.
type Rewrapped struct {
	// From is the key as rotation read it. The new wrapping is stored only
	// while the row still holds From, so a key shredded meanwhile stays
	// shredded.
	From SubjectKey
	To   WrappedKey
}

// KeyCounts is how many keys the PHI store holds.
type KeyCounts struct {
	// ByVersion counts the data keys and vault secrets each KEK version wraps.
	ByVersion map[string]int
	// DataKeys counts the subjects with a data key; Shredded the ledger's
	// entries.
	DataKeys, Shredded int
}
