package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vault"
)

// VaultKeys is the vault's storage in the PHI store: wrapped data keys
// (vault_data_keys), wrapped vault secrets (vault_secrets) and the shred
// ledger (vault_shreds). It implements vault.Store. Everything it reads and
// writes is wrapped by the KEK, which never reaches this package.
type VaultKeys struct{ db *DB }

// NewVaultKeys returns the vault's storage of a PHI store.
func NewVaultKeys(db *DB) *VaultKeys { return &VaultKeys{db: db} }

var _ vault.Store = (*VaultKeys)(nil)

// DataKeys returns the stored data keys of subjects, by subject.
func (s *VaultKeys) DataKeys(ctx context.Context, tenantID string, subjects []string) (map[string]vault.WrappedKey, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return selectDataKeys(ctx, s.db.r, tenantID, subjects)
}

// selectDataKeys reads the wrapped keys of subjects in one query.
func selectDataKeys(ctx context.Context, q querier, tenantID string, subjects []string) (map[string]vault.WrappedKey, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	args := make([]any, 0, 1+len(subjects))
	args = append(args, tenantID)
	for _, s := range subjects {
		args = append(args, s)
	}
	rows, err := q.QueryContext(ctx, `SELECT subject, kek_version, wrapped FROM vault_data_keys WHERE tenant_id = $1 AND subject IN (`+
		Placeholders(2, len(subjects))+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	defer rows.Close()
	out := make(map[string]vault.WrappedKey, len(subjects))
	for rows.Next() {
		var subject string
		var w vault.WrappedKey
		if err := rows.Scan(&subject, &w.KEKVersion, &w.Wrapped); err != nil {
			return nil, fmt.Errorf("read data keys: %w", err)
		}
		out[subject] = w
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read data keys: %w", err)
	}
	return out, nil
}

// CreateDataKeys stores the keys of subjects that have none and were never
// shredded, then returns the keys those subjects have.
func (s *VaultKeys) CreateDataKeys(ctx context.Context, tenantID string, keys []vault.SubjectKey, at time.Time) (map[string]vault.WrappedKey, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	// The ledger check and the insert are one transaction under a lock on
	// (tenant, subject), so a key cannot come back after a concurrent shred.
	err := s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if err := s.lockSubject(ctx, tx, tenantID, k.Subject); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM vault_shreds WHERE tenant_id = $1 AND subject = $2`, tenantID, k.Subject).Scan(&n); err != nil {
				return fmt.Errorf("read shred ledger: %w", err)
			}
			if n > 0 {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO vault_data_keys (tenant_id, subject, kek_version, wrapped, created_at, wrapped_at)
				VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (tenant_id, subject) DO NOTHING`, tenantID, k.Subject, k.KEKVersion, k.Wrapped, at); err != nil {
				return fmt.Errorf("store data key: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	subjects := make([]string, len(keys))
	for i, k := range keys {
		subjects[i] = k.Subject
	}
	// Read back through the writer: what was committed just now (ours, or a
	// concurrent writer's key that won the insert).
	return selectDataKeys(ctx, s.db.w, tenantID, subjects)
}

// lockSubject serialises key creation and shredding of one subject on
// PostgreSQL; on SQLite the write transaction already excludes every other.
func (s *VaultKeys) lockSubject(ctx context.Context, tx *sql.Tx, tenantID, subject string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.db.engine != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))`, tenantID, subject); err != nil {
		return fmt.Errorf("lock subject: %w", err)
	}
	return nil
}

// Shredded returns which of subjects are in the shred ledger.
func (s *VaultKeys) Shredded(ctx context.Context, tenantID string, subjects []string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	args := make([]any, 0, 1+len(subjects))
	args = append(args, tenantID)
	for _, s := range subjects {
		args = append(args, s)
	}
	var out []string
	err := each(ctx, s.db.r, `SELECT subject FROM vault_shreds WHERE tenant_id = $1 AND subject IN (`+
		Placeholders(2, len(subjects))+`)`, args, func(rows *sql.Rows) error {
		var subject string
		if err := rows.Scan(&subject); err != nil {
			return err
		}
		out = append(out, subject)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read shred ledger: %w", err)
	}
	return out, nil
}

// Secret returns a vault secret as stored, or apperr NotFound.
func (s *VaultKeys) Secret(ctx context.Context, name string) (string, []byte, error) {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	var ver string
	var wrapped []byte
	// Through the writer: a secret is read back right after AddSecret, and
	// must be the one that won the insert.
	err := s.db.w.QueryRowContext(ctx, `SELECT kek_version, wrapped FROM vault_secrets WHERE name = $1`, name).Scan(&ver, &wrapped)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil, apperr.NotFoundError()
	}
	if err != nil {
		return "", nil, fmt.Errorf("read vault secret: %w", err)
	}
	return ver, wrapped, nil
}

// AddSecret stores a secret unless one of that name exists.
func (s *VaultKeys) AddSecret(ctx context.Context, name, kekVersion string, wrapped []byte, at time.Time) error {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO vault_secrets (name, kek_version, wrapped, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (name) DO NOTHING`, name, kekVersion, wrapped, at)
		return err
	})
}

// ApplyShreds records the ledger entries and deletes their data keys, each
// subject under its lock so that no concurrent write re-creates the key.
func (s *VaultKeys) ApplyShreds(ctx context.Context, ss []vault.Shred) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, sh := range ss {
			ctx := tenant.WithScope(ctx, sh.TenantID) // each row is written behind its own tenant's wall
			if err := s.lockSubject(ctx, tx, sh.TenantID, sh.Subject); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO vault_shreds (tenant_id, subject, shredded_at, actor_id, reason)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tenant_id, subject) DO NOTHING`,
				sh.TenantID, sh.Subject, sh.Time.UTC(), sh.ActorID, sh.Reason); err != nil {
				return fmt.Errorf("record shred: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM vault_data_keys WHERE tenant_id = $1 AND subject = $2`, sh.TenantID, sh.Subject); err != nil {
				return fmt.Errorf("destroy data key: %w", err)
			}
		}
		return nil
	})
}

// Shreds returns the shred ledger, oldest first.
func (s *VaultKeys) Shreds(ctx context.Context) ([]vault.Shred, error) {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	var out []vault.Shred
	err := each(ctx, s.db.r, `SELECT tenant_id, subject, shredded_at, actor_id, reason FROM vault_shreds ORDER BY shredded_at, tenant_id, subject`, nil,
		func(rows *sql.Rows) error {
			var sh vault.Shred
			if err := rows.Scan(&sh.TenantID, &sh.Subject, &sh.Time, &sh.ActorID, &sh.Reason); err != nil {
				return err
			}
			sh.Time = sh.Time.UTC()
			out = append(out, sh)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("read shred ledger: %w", err)
	}
	return out, nil
}

// Pending counts the data keys and secrets not wrapped by kekVersion.
func (s *VaultKeys) Pending(ctx context.Context, kekVersion string) (int, error) {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	var a, b int
	err := s.db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM vault_data_keys WHERE kek_version <> $1),
		(SELECT count(*) FROM vault_secrets WHERE kek_version <> $1)`, kekVersion).Scan(&a, &b)
	if err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return a + b, nil
}

// WrappedBy counts the data keys and secrets wrapped by kekVersion.
func (s *VaultKeys) WrappedBy(ctx context.Context, kekVersion string) (int, error) {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	var n int
	err := s.db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM vault_data_keys WHERE kek_version = $1)
		+ (SELECT count(*) FROM vault_secrets WHERE kek_version = $1)`, kekVersion).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count keys: %w", err)
	}
	return n, nil
}

// StaleKeys returns up to n data keys not wrapped by kekVersion, by tenant
// and subject.
func (s *VaultKeys) StaleKeys(ctx context.Context, kekVersion string, n int) ([]vault.SubjectKey, error) {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	var out []vault.SubjectKey
	err := each(ctx, s.db.r, `SELECT tenant_id, subject, kek_version, wrapped FROM vault_data_keys
		WHERE kek_version <> $1 ORDER BY tenant_id, subject LIMIT $2`, []any{kekVersion, n}, func(rows *sql.Rows) error {
		var k vault.SubjectKey
		if err := rows.Scan(&k.TenantID, &k.Subject, &k.KEKVersion, &k.Wrapped); err != nil {
			return err
		}
		out = append(out, k)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stale data keys: %w", err)
	}
	return out, nil
}

// Rewrap stores re-wrapped data keys in one transaction. Each update holds
// a condition on the old wrapped bytes, so a key shredded (or re-wrapped)
// meanwhile is left as it is.
func (s *VaultKeys) Rewrap(ctx context.Context, keys []vault.Rewrapped, at time.Time) error {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `UPDATE vault_data_keys SET kek_version = $1, wrapped = $2, wrapped_at = $3
				WHERE tenant_id = $4 AND subject = $5 AND kek_version = $6 AND wrapped = $7`,
				k.To.KEKVersion, k.To.Wrapped, at, k.From.TenantID, k.From.Subject, k.From.KEKVersion, k.From.Wrapped); err != nil {
				return fmt.Errorf("rewrap data key: %w", err)
			}
		}
		return nil
	})
}

// StaleSecrets returns the names of the secrets not wrapped by kekVersion.
func (s *VaultKeys) StaleSecrets(ctx context.Context, kekVersion string) ([]string, error) {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	var names []string
	err := each(ctx, s.db.r, `SELECT name FROM vault_secrets WHERE kek_version <> $1`, []any{kekVersion}, func(rows *sql.Rows) error {
		var n string
		if err := rows.Scan(&n); err != nil {
			return err
		}
		names = append(names, n)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read stale secrets: %w", err)
	}
	return names, nil
}

// RewrapSecret stores a secret wrapped anew.
func (s *VaultKeys) RewrapSecret(ctx context.Context, name, kekVersion string, wrapped []byte) error {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE vault_secrets SET kek_version = $1, wrapped = $2 WHERE name = $3`, kekVersion, wrapped, name)
		return err
	})
}

// Counts counts the keys by KEK version, the data keys and the shred ledger.
func (s *VaultKeys) Counts(ctx context.Context) (vault.KeyCounts, error) {
	ctx = tenant.AcrossTenants(ctx) // the vault loads and rotates the keys of every tenant
	c := vault.KeyCounts{ByVersion: map[string]int{}}
	err := each(ctx, s.db.r, `SELECT kek_version, count(*) FROM vault_data_keys GROUP BY kek_version
		UNION ALL SELECT kek_version, count(*) FROM vault_secrets GROUP BY kek_version`, nil, func(rows *sql.Rows) error {
		var ver string
		var n int
		if err := rows.Scan(&ver, &n); err != nil {
			return err
		}
		c.ByVersion[ver] += n
		return nil
	})
	if err != nil {
		return c, fmt.Errorf("count keys: %w", err)
	}
	if err := s.db.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM vault_data_keys), (SELECT count(*) FROM vault_shreds)`).
		Scan(&c.DataKeys, &c.Shredded); err != nil {
		return c, fmt.Errorf("count keys: %w", err)
	}
	return c, nil
}
