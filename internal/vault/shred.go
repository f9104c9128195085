package vault

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/tenant"
)

// Shred is one entry of the shred ledger.
type Shred struct {
	TenantID, Subject string
	Time              time.Time
	ActorID           string
	Reason            string
}

// maxReason bounds the ledger's reason text.
const maxReason = 200

// Shred destroys subject's data key, which makes every copy of its PHI (live
// rows, replicas, backups) unreadable, and records it in the shred ledger. It
// needs an actor in ctx in the tenant, and is audited first like any access
// (fail closed). reason is a short operator text (a retention rule), never PHI.
func (v *Vault) Shred(ctx context.Context, tenantID, subject, reason string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := v.actorCheck(ctx, tenantID)
	ev := audit.Entry{TenantID: tenantID, Subjects: []string{subject}, Action: "vault.shred", ResourceType: "subject",
		ResourceID: subject, Purpose: access.PurposeOperations, Severity: audit.High}
	if err == nil && (subject == "" || reason == "" || len(reason) > maxReason) {
		err = errors.New("vault: shred needs a subject and a reason of at most 200 bytes")
	}
	if err != nil {
		ev.Outcome, ev.Detail = audit.Denied, "refused"
		if aerr := v.audit.Append(ctx, ev); aerr != nil {
			v.log.ErrorContext(ctx, "audit of a refused shred failed", "err", aerr)
		}
		return err
	}
	if err := v.audit.Append(ctx, ev); err != nil {
		return fmt.Errorf("vault: shred refused, the audit log did not record it: %w", err)
	}
	sh := Shred{TenantID: tenantID, Subject: subject, Time: v.clock.Now(), ActorID: a.ID, Reason: reason}
	// The ledger outside the stores is written before the key is destroyed,
	// and a failure refuses the shred (fail closed): a shred missing from it
	// would come back to life when an older backup is restored.
	if v.ledger != nil {
		if err := v.ledger.Record(ctx, sh); err != nil {
			return fmt.Errorf("vault: shred refused, the shred ledger did not record it: %w", err)
		}
	}
	return v.applyShreds(ctx, []Shred{sh})
}

// applyShreds deletes the data keys and records the ledger rows, each subject
// under its lock so that no concurrent write re-creates the key.
func (v *Vault) applyShreds(ctx context.Context, ss []Shred) error {
	if err := v.store.ApplyShreds(ctx, ss); err != nil {
		return fmt.Errorf("vault: shred: %w", err)
	}
	// Unwrapped copies in memory go too (a key is only used after its row was
	// read, so this is belt and braces).
	v.cache.drop()
	return nil
}

// Shreds returns the shred ledger, oldest first, for a backup to carry.
func (v *Vault) Shreds(ctx context.Context) ([]Shred, error) {
	out, err := v.store.Shreds(ctx)
	if err != nil {
		return nil, fmt.Errorf("vault: %w", err)
	}
	return out, nil
}

// ReapplyShreds destroys again the data keys named in a ledger, after a restore
// from a backup older than some of its entries, so that disposed data never
// comes back. It is idempotent.
func (v *Vault) ReapplyShreds(ctx context.Context, ledger []Shred) error {
	return v.applyShreds(ctx, ledger)
}
