package vault

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/tink-crypto/tink-go/v2/aead"
	"github.com/tink-crypto/tink-go/v2/keyset"

	"github.com/salvehealth/salve/internal/store"
)

// kekAEAD lets Tink encrypt a keyset with the KEK provider: Encrypt wraps with
// the primary version and remembers which, Decrypt unwraps with version.
type kekAEAD struct {
	ctx     context.Context //nolint:containedctx // Tink's AEAD interface has no context; this adapter lives for one call
	kek     KEKProvider
	version string
}

func (k *kekAEAD) Encrypt(pt, ad []byte) ([]byte, error) {
	v, ct, err := k.kek.Wrap(k.ctx, pt, ad)
	k.version = v
	return ct, err
}

func (k *kekAEAD) Decrypt(ct, ad []byte) ([]byte, error) {
	return k.kek.Unwrap(k.ctx, k.version, ct, ad)
}

// newDataKey makes a fresh AES-256-GCM keyset and returns it wrapped.
func (v *Vault) newDataKey(ctx context.Context, tenant, subject string) (version string, wrapped []byte, err error) {
	h, err := keyset.NewHandle(aead.AES256GCMKeyTemplate())
	if err != nil {
		return "", nil, fmt.Errorf("vault: new data key: %w", err)
	}
	return wrapKeyset(ctx, v.kek, h, tenant, subject)
}

func wrapKeyset(ctx context.Context, kek KEKProvider, h *keyset.Handle, tenant, subject string) (string, []byte, error) {
	var buf bytes.Buffer
	w := &kekAEAD{ctx: ctx, kek: kek}
	if err := h.WriteWithAssociatedData(keyset.NewBinaryWriter(&buf), w, dataKeyAAD(tenant, subject)); err != nil {
		return "", nil, fmt.Errorf("vault: wrap data key: %w", err)
	}
	return w.version, buf.Bytes(), nil
}

func unwrapKeyset(ctx context.Context, kek KEKProvider, version string, wrapped []byte, tenant, subject string) (*keyset.Handle, error) {
	h, err := keyset.ReadWithAssociatedData(keyset.NewBinaryReader(bytes.NewReader(wrapped)),
		&kekAEAD{ctx: ctx, kek: kek, version: version}, dataKeyAAD(tenant, subject))
	if err != nil {
		return nil, fmt.Errorf("vault: unwrap data key (KEK %s): %w", version, err)
	}
	return h, nil
}

func (v *Vault) unwrap(ctx context.Context, tenant, subject, version string, wrapped []byte) (*subjectKey, error) {
	d := sha256.New()
	d.Write(lp(nil, tenant, subject, version))
	d.Write(wrapped)
	var ck [32]byte
	copy(ck[:], d.Sum(nil))
	if k := v.cache.get(ck); k != nil {
		return k, nil
	}
	h, err := unwrapKeyset(ctx, v.kek, version, wrapped, tenant, subject)
	if err != nil {
		return nil, err
	}
	a, err := aead.New(h)
	if err != nil {
		return nil, fmt.Errorf("vault: data key: %w", err)
	}
	k := &subjectKey{aead: a}
	v.cache.put(ck, k)
	return k, nil
}

type wrappedKey struct {
	version string
	wrapped []byte
}

// selectKeys reads the wrapped keys of subjects in one query.
func (v *Vault) selectKeys(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, tenant string, subjects []string) (map[string]wrappedKey, error) {
	args := []any{tenant}
	for _, s := range subjects {
		args = append(args, s)
	}
	rows, err := q.QueryContext(ctx, `SELECT subject, kek_version, wrapped FROM vault_data_keys WHERE tenant_id = $1 AND subject IN (`+
		store.Placeholders(2, len(subjects))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("vault: read data keys: %w", err)
	}
	defer rows.Close()
	out := make(map[string]wrappedKey, len(subjects))
	for rows.Next() {
		var s string
		var w wrappedKey
		if err := rows.Scan(&s, &w.version, &w.wrapped); err != nil {
			return nil, fmt.Errorf("vault: read data keys: %w", err)
		}
		out[s] = w
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vault: read data keys: %w", err)
	}
	return out, nil
}

// loadKeys returns the keys of subjects, creating missing ones when create is
// set (unless the subject was shredded: its key is never made again).
func (v *Vault) loadKeys(ctx context.Context, tenant string, subjects []string, create bool) (map[string]*subjectKey, error) {
	subjects = slices.Compact(slices.Sorted(slices.Values(subjects)))
	found, err := v.selectKeys(ctx, v.db.Reader(), tenant, subjects)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, s := range subjects {
		if _, ok := found[s]; !ok {
			missing = append(missing, s)
		}
	}
	if len(missing) > 0 && create {
		if err := v.createKeys(ctx, tenant, missing); err != nil {
			return nil, err
		}
		more, err := v.selectKeys(ctx, v.db.Writer(), tenant, missing)
		if err != nil {
			return nil, err
		}
		for s, w := range more {
			found[s] = w
		}
	}
	out := make(map[string]*subjectKey, len(subjects))
	var absent []string
	for _, s := range subjects {
		w, ok := found[s]
		if !ok {
			absent = append(absent, s)
			out[s] = &subjectKey{}
			continue
		}
		k, err := v.unwrap(ctx, tenant, s, w.version, w.wrapped)
		if err != nil {
			return nil, err
		}
		out[s] = k
	}
	if len(absent) > 0 {
		shredded, err := v.shredded(ctx, tenant, absent)
		if err != nil {
			return nil, err
		}
		for _, s := range shredded {
			out[s] = &subjectKey{shredded: true}
		}
	}
	return out, nil
}

// createKeys makes data keys for subjects that have none and were never
// shredded. The ledger check and the insert are one transaction under a lock
// on (tenant, subject), so a key cannot come back after a concurrent shred.
func (v *Vault) createKeys(ctx context.Context, tenant string, subjects []string) error {
	type made struct {
		subject, version string
		wrapped          []byte
	}
	var ks []made
	for _, s := range subjects {
		ver, w, err := v.newDataKey(ctx, tenant, s)
		if err != nil {
			return err
		}
		ks = append(ks, made{s, ver, w})
	}
	now := v.clock.Now()
	return v.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range ks {
			if err := lockSubject(ctx, v.db, tx, tenant, k.subject); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM vault_shreds WHERE tenant_id = $1 AND subject = $2`, tenant, k.subject).Scan(&n); err != nil {
				return fmt.Errorf("vault: read shred ledger: %w", err)
			}
			if n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO vault_data_keys (tenant_id, subject, kek_version, wrapped, created_at, wrapped_at)
				VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (tenant_id, subject) DO NOTHING`, tenant, k.subject, k.version, k.wrapped, now); err != nil {
				return fmt.Errorf("vault: store data key: %w", err)
			}
		}
		return nil
	})
}

// lockSubject serialises key creation and shredding of one subject on
// PostgreSQL; on SQLite the write transaction already excludes every other.
func lockSubject(ctx context.Context, db *store.DB, tx *sql.Tx, tenant, subject string) error {
	if db.Engine() != store.Postgres {
		return nil
	}
	_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, tenant, subject)
	return err
}

// shredded returns which of subjects are in the shred ledger.
func (v *Vault) shredded(ctx context.Context, tenant string, subjects []string) ([]string, error) {
	args := []any{tenant}
	for _, s := range subjects {
		args = append(args, s)
	}
	rows, err := v.db.Reader().QueryContext(ctx, `SELECT subject FROM vault_shreds WHERE tenant_id = $1 AND subject IN (`+
		store.Placeholders(2, len(subjects))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("vault: read shred ledger: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// errNoSecret is internal: the named secret does not exist yet.
var errNoSecret = errors.New("no such secret")
