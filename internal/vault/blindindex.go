package vault

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/salvehealth/salve/internal/apperr"
)

const blindIndexSecret = "blind-index"

// BlindIndex returns a keyed digest of value for lookups without plaintext
// ("find the account with this email"). The caller normalises value first
// (e.g. lower-cases an email). It needs no audit event: the digest reveals
// nothing without the key, which never leaves the vault.
//
// Why HMAC with its own key, over tenant and kind as well: a plain hash of an
// email can be reversed by hashing a list of emails; the key prevents that,
// and binding tenant and kind keeps one tenant's or field's index from
// matching another's.
func (v *Vault) BlindIndex(tenantID, kind, value string) []byte {
	m := hmac.New(sha256.New, v.blind)
	m.Write(lp(nil, "salve.vault.blind.v1", tenantID, kind, value))
	return m.Sum(nil)
}

// secret returns the named vault secret, creating a random 32-byte one on
// first use. It is stored wrapped by the KEK in the PHI store.
func (v *Vault) secret(ctx context.Context, name string) ([]byte, error) {
	b, err := v.readSecret(ctx, name)
	if !errors.Is(err, errNoSecret) {
		return b, err
	}
	fresh := make([]byte, 32)
	_, _ = rand.Read(fresh) // never fails on supported platforms (Go 1.24+)
	ver, wrapped, err := v.kek.Wrap(ctx, fresh, secretAAD(name))
	if err != nil {
		return nil, fmt.Errorf("vault: wrap %s key: %w", name, err)
	}
	if err := v.store.AddSecret(ctx, name, ver, wrapped, v.clock.Now()); err != nil {
		return nil, fmt.Errorf("vault: store %s key: %w", name, err)
	}
	// Read back: a replica that started at the same time may have won.
	return v.readSecret(ctx, name)
}

func (v *Vault) readSecret(ctx context.Context, name string) ([]byte, error) {
	ver, wrapped, err := v.store.Secret(ctx, name)
	if apperr.Is(err, apperr.NotFound) {
		return nil, errNoSecret
	}
	if err != nil {
		return nil, fmt.Errorf("vault: read %s key: %w", name, err)
	}
	b, err := v.kek.Unwrap(ctx, ver, wrapped, secretAAD(name))
	if err != nil {
		return nil, fmt.Errorf("vault: unwrap %s key: %w", name, err)
	}
	return b, nil
}
