// Package vault is the one door to PHI (DESIGN §2.1, §4): per-subject data keys
// (Tink AEAD keysets) wrapped by a key-encryption key (KEK) from a provider,
// field encryption bound to tenant, table, column, row and subject, a keyed
// blind index for lookups, KEK rotation, and crypto-shredding with a ledger.
//
// The only way to seal or open a subject's fields is a Handle from Access,
// which records the access in the audit log first and fails closed when it
// cannot. Data keys never leave this package: the types that hold them are
// unexported and no exported function returns one. The vault's storage
// (Store) sees them only wrapped by the KEK.
package vault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Errors callers can test for. None of them carries PHI.
var (
	// ErrShredded says the subject's data key was destroyed: its PHI is gone.
	ErrShredded = phi.ErrShredded
	// ErrNoKey says the subject has no data key yet (nothing was ever sealed).
	ErrNoKey = errors.New("vault: the subject has no data key")
	// ErrNotInHandle says the handle was not obtained for this subject or action.
	ErrNotInHandle = errors.New("vault: the handle does not cover this subject or action")
	// ErrOpen says a ciphertext did not open: it was altered, or it belongs to
	// another tenant, table, column, row or subject.
	ErrOpen = errors.New("vault: ciphertext does not open here")
)

// Options configure a Vault.
type Options struct {
	// Clock gives key creation and shred times; the system clock by default.
	Clock clock.Clock
	// Log receives operational messages (never PHI or keys).
	Log *slog.Logger
	// Ledger, if set, records every shred outside the stores before the key
	// is destroyed (see LedgerPath); the server always sets it.
	Ledger Ledger
}

// Vault holds the keys of the PHI store. It is safe for concurrent use.
type Vault struct {
	store Store
	kek   KEKProvider
	audit audit.Appender
	clock clock.Clock
	log   *slog.Logger
	// ledger records shreds outside the stores; nil for none.
	ledger Ledger
	// blind is the blind-index HMAC key, unwrapped once at Open.
	blind []byte
	cache *keyCache
	// shared admits a staff member's read of a sister brand's patient
	// (AllowShared); nil admits none.
	shared SharedCheck
}

// SharedCheck reports whether a staff actor of one brand may read the PHI
// of subjects of another brand (tenantID): each subject consented to share
// with the actor's brand and the actor cares for them (grants.SharedRead).
type SharedCheck func(ctx context.Context, a access.Actor, tenantID string, subjects []string) (bool, error)

// AllowShared lets the vault open, for reading only, the PHI of another
// brand's patients whom check admits (issue 20 point 4: a record a patient
// shared with a sister brand). Why a check here and not only the caller's
// access.Decide: the vault is the second wall, and "another tenant" stays
// refused unless the patient's live consent and the reader's care say
// otherwise at the moment of the read. Set once at start, before any
// request.
func (v *Vault) AllowShared(check SharedCheck) { v.shared = check }

// Open opens the vault on the key storage of a migrated PHI store. kek wraps
// the keys; every access is recorded through log before any key is used.
func Open(ctx context.Context, s Store, kek KEKProvider, log audit.Appender, opts Options) (*Vault, error) {
	if s == nil {
		return nil, errors.New("vault: Open needs the PHI store")
	}
	if kek == nil || log == nil {
		return nil, errors.New("vault: Open needs a KEK provider and an audit log")
	}
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	v := &Vault{store: s, kek: kek, audit: log, clock: opts.Clock, log: opts.Log, ledger: opts.Ledger, cache: newKeyCache(4096)}
	b, err := v.secret(ctx, blindIndexSecret)
	if err != nil {
		return nil, err
	}
	v.blind = b
	return v, nil
}

// Request is one intended access to the PHI of some subjects.
type Request = phi.Request

// The vault is the domains' door to PHI.
var (
	_ phi.Vault   = (*Vault)(nil)
	_ phi.Indexer = (*Vault)(nil)
	_ phi.Handle  = (*Handle)(nil)
)

// Access records the access in the audit log and returns a handle for it.
//
// It needs an authenticated actor in ctx in the request's tenant (a system
// actor without a tenant may act in any tenant); otherwise the attempt is
// recorded as denied and the error wraps access.ErrDenied. The caller must
// already have decided, with access.Decide, that the actor may do this.
//
// Why the audit write comes first and fails closed (DESIGN §2.1): an access
// that cannot be recorded must not happen, so no key is even loaded until the
// event is committed.
func (v *Vault) Access(ctx context.Context, req Request) (phi.Handle, error) {
	ctx = tenant.WithScope(ctx, req.TenantID)
	ev := audit.Entry{
		TenantID: req.TenantID, Subjects: req.Subjects, Action: req.AuditAction,
		ResourceType: req.Resource, ResourceID: req.ResourceID, Purpose: req.Purpose, Outcome: audit.Allowed,
		Severity: audit.HighIf(req.High), Detail: req.Detail, TextHMAC: req.TextHMAC,
	}
	if ev.Action == "" {
		ev.Action = req.Resource + "." + string(req.Action)
	}
	if reason := v.refuse(ctx, req); reason != "" && !v.sharedRead(ctx, req, reason) {
		ev.Outcome, ev.Severity, ev.Detail = audit.Denied, audit.High, reason
		if ev.Action == "." {
			ev.Action = "vault.access"
		}
		if err := v.audit.Append(ctx, ev); err != nil {
			v.log.ErrorContext(ctx, "audit of a denied PHI access failed", "err", err)
		}
		return nil, fmt.Errorf("%w: %s", access.ErrDenied, reason)
	}
	if err := v.audit.Append(ctx, ev); err != nil {
		return nil, fmt.Errorf("vault: access refused, the audit log did not record it: %w", err)
	}
	keys, err := v.loadKeys(ctx, req.TenantID, req.Subjects, req.Action == access.Write)
	if err != nil {
		// The allowed event is already recorded; say that it came to nothing.
		ev.Outcome, ev.Detail = audit.Error, "keys unavailable"
		if aerr := v.audit.Append(ctx, ev); aerr != nil {
			v.log.ErrorContext(ctx, "audit of a failed PHI access failed", "err", aerr)
		}
		return nil, err
	}
	return &Handle{tenant: req.TenantID, action: req.Action, keys: keys}, nil
}

// sharedRead reports whether a request refused only as another tenant's is
// a read the shared check admits.
func (v *Vault) sharedRead(ctx context.Context, req Request, reason string) bool {
	ctx = tenant.WithScope(ctx, req.TenantID)
	a, ok := access.ActorFrom(ctx)
	if reason != "other tenant" || v.shared == nil || !ok || a.IsSystem() || !a.Role.Staff() || req.Action != access.Read ||
		len(req.Subjects) == 0 || slices.Contains(req.Subjects, "") || req.Purpose == "" || req.Resource == "" {
		return false
	}
	allowed, err := v.shared(ctx, a, req.TenantID, req.Subjects)
	if err != nil {
		v.log.ErrorContext(ctx, "vault: the shared-record check failed", "err", err)
		return false
	}
	return allowed
}

// refuse returns why req may not go ahead, or "".
func (v *Vault) refuse(ctx context.Context, req Request) string {
	ctx = tenant.WithScope(ctx, req.TenantID)
	a, ok := access.ActorFrom(ctx)
	switch {
	case !ok:
		return "no authenticated actor"
	case req.TenantID == "":
		return "no tenant"
	case a.TenantID != req.TenantID && (!a.IsSystem() || a.TenantID != ""):
		return "other tenant"
	case len(req.Subjects) == 0 || slices.Contains(req.Subjects, ""):
		return "no subject"
	case req.Action != access.Read && req.Action != access.Write:
		return "unknown action"
	case req.Purpose == "":
		return "no purpose"
	case req.Resource == "":
		return "no resource type"
	}
	return ""
}

// actorCheck is refuse for calls that are not about a field access.
func (v *Vault) actorCheck(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return a, fmt.Errorf("%w: no authenticated actor", access.ErrDenied)
	}
	if tenantID == "" || (a.TenantID != tenantID && (!a.IsSystem() || a.TenantID != "")) {
		return a, fmt.Errorf("%w: other tenant", access.ErrDenied)
	}
	return a, nil
}

// keyCache keeps unwrapped data keys by a digest of their stored, wrapped
// form. Why by the wrapped form: a key is only used after its row was read
// from the store in the same call, so a shredded key (row gone) is never used
// from the cache, on this replica or any other.
type keyCache struct {
	mu  sync.Mutex
	max int
	m   map[[32]byte]*subjectKey
}

func newKeyCache(n int) *keyCache { return &keyCache{max: n, m: make(map[[32]byte]*subjectKey)} }

func (c *keyCache) get(k [32]byte) *subjectKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

func (c *keyCache) put(k [32]byte, sk *subjectKey) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = sk
}

func (c *keyCache) drop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}
