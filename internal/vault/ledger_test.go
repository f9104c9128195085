package vault_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vault"
)

// failingLedger refuses every record, like a full or read-only disk.
type failingLedger struct{}

func (failingLedger) Record(context.Context, vault.Shred) error { return errors.New("disk full") }

func TestShredIsRecordedInTheLedgerFileFirst(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctx := context.Background()
		path := vault.LedgerPath(filepath.Join(en.place.DataDir, vault.KeyFileName))
		w := en.handle(t, clinician, "t1", access.Write, "A", "B")
		ctB, _ := w.SealString("B", "users", "name", "rB", "Bob")

		// A ledger that cannot record refuses the shred: the key stays.
		broken, err := vault.Open(ctx, store.NewVaultKeys(en.phi), en.kek, en.log, vault.Options{Clock: en.clock, Ledger: failingLedger{}})
		if err != nil {
			t.Fatal(err)
		}
		if err := broken.Shred(clinician, "t1", "B", "retention"); err == nil {
			t.Fatal("shred went ahead without its ledger entry")
		}
		if s, err := en.handle(t, clinician, "t1", access.Read, "B").OpenString("B", "users", "name", "rB", ctB); err != nil || s.Reveal() != "Bob" {
			t.Fatalf("B after a refused shred: %v", err)
		}

		v, err := vault.Open(ctx, store.NewVaultKeys(en.phi), en.kek, en.log, vault.Options{Clock: en.clock, Ledger: vault.NewLedgerFile(path)})
		if err != nil {
			t.Fatal(err)
		}
		if err := v.Shred(clinician, "t1", "A", "retention period ended"); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("ledger file: %v %v", fi, err)
		}
		// A torn last line (a crash mid-write) is left out; the rest is read.
		f, _ := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		_, _ = f.WriteString(`{"tenant":"t1","subj`)
		_ = f.Close()
		got, err := vault.ReadLedgerFile(path)
		if err != nil || len(got) != 1 || got[0].TenantID != "t1" || got[0].Subject != "A" || got[0].ActorID != "c1" || !got[0].Time.Equal(t0) {
			t.Fatalf("ledger %+v %v", got, err)
		}
		// A bad line in the middle is an error, never a silently shorter ledger.
		if err := os.WriteFile(path, []byte("garbage\n{\"tenant\":\"t1\",\"subject\":\"A\"}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := vault.ReadLedgerFile(path); err == nil {
			t.Fatal("a corrupt ledger read without error")
		}
		if got, err := vault.ReadLedgerFile(filepath.Join(t.TempDir(), "none")); err != nil || got != nil {
			t.Fatalf("missing ledger: %v %v", got, err)
		}
	})
}
