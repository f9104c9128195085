package vault

import (
	"context"
	"time"
)

// KEKProvider holds the key-encryption key (KEK): it wraps and unwraps the
// subjects' data keys and the vault's own secrets, and keeps the KEK's
// versions. The key itself never leaves the provider and never sits in a
// database (DESIGN §4).
//
// The key file (OpenKeyFile) is the default provider; a KMS or a HashiCorp
// Vault Transit provider implements the same interface without touching
// callers.
type KEKProvider interface {
	// Wrap encrypts plaintext bound to aad with the primary version and
	// returns that version's id with the ciphertext.
	Wrap(ctx context.Context, plaintext, aad []byte) (version string, ciphertext []byte, err error)
	// Unwrap decrypts a ciphertext made by Wrap with the given version.
	Unwrap(ctx context.Context, version string, ciphertext, aad []byte) ([]byte, error)
	// Versions lists every version, oldest first.
	Versions(ctx context.Context) ([]KEKVersion, error)
	// AddVersion creates a version and makes it primary.
	AddVersion(ctx context.Context) (KEKVersion, error)
	// Retire destroys a version that is not primary: nothing wrapped with it
	// can be unwrapped afterwards.
	Retire(ctx context.Context, version string) error
}

// KEKVersion describes one version of the KEK (never the key itself).
type KEKVersion struct {
	ID      string
	Created time.Time
	Primary bool
	// Retired is when the version was destroyed; zero while it can unwrap.
	Retired time.Time
}
