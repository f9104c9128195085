package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/vault"
)

// Stores are the stores a process has opened. A storefront process opens only
// the catalog: PHI and Audit stay nil, so that code path holds no connection to
// PHI at all (DESIGN §2.2).
type Stores struct {
	Catalog, PHI, Audit *store.DB
	// AuditLog and Vault are set by OpenVault; nil in a storefront process.
	AuditLog *audit.Log
	Vault    *vault.Vault
}

// KindsFor returns the stores a role opens.
func KindsFor(role config.Role) []store.Kind {
	if role == config.RoleStorefront {
		return []store.Kind{store.Catalog}
	}
	return store.Kinds
}

// OpenStores opens the stores of the configured role.
func OpenStores(ctx context.Context, cfg *config.Config) (*Stores, error) {
	s := &Stores{}
	for _, k := range KindsFor(cfg.Role) {
		db, err := store.Open(ctx, k, cfg.StoreDSN(string(k)))
		if err != nil {
			return nil, errors.Join(err, s.Close())
		}
		switch k {
		case store.Catalog:
			s.Catalog = db
		case store.PHI:
			s.PHI = db
		case store.Audit:
			s.Audit = db
		}
	}
	return s, nil
}

// All returns the opened stores.
func (s *Stores) All() []*store.DB {
	var out []*store.DB
	for _, db := range []*store.DB{s.Catalog, s.PHI, s.Audit} {
		if db != nil {
			out = append(out, db)
		}
	}
	return out
}

// Migrate migrates every opened store and returns what it applied, by store.
func (s *Stores) Migrate(ctx context.Context, now time.Time) (map[store.Kind][]store.Migration, error) {
	out := make(map[store.Kind][]store.Migration)
	for _, db := range s.All() {
		ran, err := db.Migrate(ctx, now)
		out[db.Kind()] = ran
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

// CheckSchema fails unless every opened store's schema matches this build.
func (s *Stores) CheckSchema(ctx context.Context) error {
	for _, db := range s.All() {
		if err := db.CheckSchema(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Ping checks every opened store and reports each one's state.
func (s *Stores) Ping(ctx context.Context) (map[store.Kind]error, bool) {
	out := make(map[store.Kind]error)
	ok := true
	for _, db := range s.All() {
		err := db.Ping(ctx)
		out[db.Kind()] = err
		ok = ok && err == nil
	}
	return out, ok
}

// Close closes the audit log (writing its final checkpoint) and every opened
// store.
func (s *Stores) Close() error {
	var errs []error
	if err := s.closeVault(); err != nil {
		errs = append(errs, err)
	}
	for _, db := range s.All() {
		if err := db.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close %s store: %w", db.Kind(), err))
		}
	}
	return errors.Join(errs...)
}
