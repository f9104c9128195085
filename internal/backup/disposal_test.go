package backup_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestDisposalAfterRetentionIsUnreadableLiveAndAfterRestore: a tenant keeps
// orders seven years (a rule below a legal minimum is refused and changes
// nothing); a patient's account closes; the disposal job leaves them alone
// until their retention ends, then destroys their data key, certifies it
// once, and leaves the other patient readable. A backup taken before the
// disposal, restored with the live shred ledger, does not bring them back.
func TestDisposalAfterRetentionIsUnreadableLiveAndAfterRestore(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		dir := backup.Dir(t.TempDir())
		m, key := l.create(t, dir)

		rs := store.NewRetention(l.PHI)
		ret := retention.New(rs, l.Vault, l.Clock)
		var ae *apperr.Error
		if err := ret.SetRule(ctx, l.Tenant.ID, retention.Documentation, 5*365*24*time.Hour); !errors.As(err, &ae) || ae.Code != apperr.Invalid || !strings.Contains(err.Error(), "legal minimum") {
			t.Fatalf("a rule below the legal minimum: %v", err)
		}
		if rules, err := rs.Rules(ctx, l.Tenant.ID); err != nil || len(rules) != 0 {
			t.Fatalf("a refused rule was stored: %v %v", rules, err)
		}
		seven := 7 * 365 * 24 * time.Hour
		if err := ret.SetRule(ctx, l.Tenant.ID, retention.Orders, seven); err != nil {
			t.Fatal(err)
		}
		closedAt := l.Clock.Now()
		if err := store.NewUsers(l.PHI).SetStatus(ctx, l.Tenant.ID, l.canary, "disabled", "account closed", closedAt); err != nil {
			t.Fatal(err)
		}
		live := func() []string {
			k, err := store.NewVaultKeys(l.PHI).DataKeys(ctx, l.Tenant.ID, []string{l.canary, l.other})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for s := range k {
				out = append(out, s)
			}
			slices.Sort(out)
			return out
		}
		l.Clock.Advance(seven - 24*time.Hour)
		if n, err := ret.Dispose(ctx, 100); err != nil || n != 0 || len(live()) != 2 {
			t.Fatalf("a day before retention ends: disposed %d (%v), keys %v", n, err, live())
		}
		l.Clock.Advance(2 * 24 * time.Hour)
		if n, err := ret.Dispose(ctx, 100); err != nil || n != 1 {
			t.Fatalf("after retention: disposed %d (%v)", n, err)
		}
		if k := live(); !slices.Equal(k, []string{l.other}) {
			t.Fatalf("live data keys after disposal: %v; want only the other patient's", k)
		}
		if sh, err := store.NewVaultKeys(l.PHI).Shredded(ctx, l.Tenant.ID, []string{l.canary, l.other}); err != nil || !slices.Equal(sh, []string{l.canary}) {
			t.Fatalf("shredded: %v %v", sh, err)
		}
		certs, err := ret.Certificates(ctx, l.Tenant.ID)
		if err != nil || len(certs) != 1 {
			t.Fatalf("certificates: %+v %v", certs, err)
		}
		c := certs[0]
		if c.Subject != l.canary || !c.RetainedUntil.Equal(closedAt.Add(seven)) || c.Method != retention.Method ||
			!strings.Contains(c.Rule, "orders kept 2555 days") || !strings.Contains(c.Actor, "retention.dispose") || c.DisposedAt.Before(c.RetainedUntil) {
			t.Fatalf("certificate: %+v", c)
		}
		if n, err := ret.Dispose(ctx, 100); err != nil || n != 0 {
			t.Fatalf("disposed again: %d %v", n, err)
		}

		d, p := destination(t, e, ledgerPath(l))
		if _, err := backup.Restore(ctx, dir, m.ID, []age.Identity{key}, d, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		k, err := store.NewVaultKeys(openPlace(t, p, store.PHI)).DataKeys(ctx, l.Tenant.ID, []string{l.canary, l.other})
		if _, back := k[l.canary]; err != nil || back || len(k) != 1 {
			t.Fatalf("after restoring the older backup: %d keys, the disposed one back: %v (%v)", len(k), back, err)
		}
	})
}
