package vault_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vault"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type env struct {
	place testkit.Place
	phi   *store.DB
	adb   *store.DB
	log   *audit.Log
	kek   vault.KEKProvider
	v     *vault.Vault
	clock *clock.Fake
}

func newEnv(t testing.TB, e store.Engine) *env {
	t.Helper()
	ctx := context.Background()
	p := testkit.NewPlace(t, e)
	en := &env{place: p, phi: p.Open(t, store.PHI), adb: p.Open(t, store.Audit), clock: clock.NewFake(t0)}
	var err error
	en.log, err = audit.Open(ctx, store.NewAuditEvents(en.adb), audit.Options{Clock: en.clock, KeyFile: filepath.Join(p.DataDir, audit.KeyFileName),
		CheckpointFile: filepath.Join(p.DataDir, audit.CheckpointFileName), CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = en.log.Close() })
	en.kek, err = vault.OpenKeyFile(filepath.Join(p.DataDir, vault.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	en.v, err = vault.Open(ctx, store.NewVaultKeys(en.phi), en.kek, en.log, vault.Options{Clock: en.clock})
	if err != nil {
		t.Fatal(err)
	}
	return en
}

func as(id string, role access.Role, tenant string) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: id, Role: role, TenantID: tenant})
}

var clinician = as("c1", access.RoleClinician, "t1")

func (en *env) handle(t testing.TB, ctx context.Context, tenant string, act access.Action, subjects ...string) phi.Handle {
	t.Helper()
	h, err := en.v.Access(ctx, vault.Request{TenantID: tenant, Subjects: subjects, Action: act, Purpose: access.PurposeTreatment, Resource: "user", ResourceID: "r1"})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestCiphertextOpensOnlyWhereItWasSealed(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		w := en.handle(t, clinician, "t1", access.Write, "A", "B")
		ct, err := w.SealString("A", "users", "email", "r1", "a@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(ct, []byte("a@example.com")) {
			t.Fatal("plaintext in ciphertext")
		}
		ctB, err := w.SealString("B", "users", "email", "r2", "b@example.com")
		if err != nil {
			t.Fatal(err)
		}
		r := en.handle(t, clinician, "t1", access.Read, "A", "B")
		got, err := r.OpenString("A", "users", "email", "r1", ct)
		if err != nil || got.Reveal() != "a@example.com" {
			t.Fatalf("open: %v", err)
		}
		// The same subject's key, another place: every binding is checked.
		for _, c := range []struct{ name, subject, table, column, row string }{
			{"other row", "A", "users", "email", "r2"},
			{"other column", "A", "users", "phone", "r1"},
			{"other table", "A", "orders", "email", "r1"},
			{"other subject", "B", "users", "email", "r1"},
		} {
			if _, err := r.OpenString(c.subject, c.table, c.column, c.row, ct); !errors.Is(err, vault.ErrOpen) {
				t.Errorf("%s: %v, want ErrOpen", c.name, err)
			}
		}
		if _, err := r.OpenString("A", "users", "email", "r2", ctB); !errors.Is(err, vault.ErrOpen) {
			t.Errorf("B's ciphertext under A's row: %v", err)
		}
		flipped := bytes.Clone(ct)
		flipped[len(flipped)-1] ^= 1
		if _, err := r.OpenString("A", "users", "email", "r1", flipped); !errors.Is(err, vault.ErrOpen) {
			t.Errorf("altered ciphertext: %v", err)
		}
		// Another tenant with a subject of the same id has another key and
		// another binding.
		sys := access.WithActor(context.Background(), access.System("test", ""))
		w2 := en.handle(t, sys, "t2", access.Write, "A")
		if _, err := w2.SealString("A", "users", "email", "r1", "x"); err != nil {
			t.Fatal(err)
		}
		if _, err := w2.OpenString("A", "users", "email", "r1", ct); !errors.Is(err, vault.ErrOpen) {
			t.Errorf("other tenant: %v", err)
		}
		// A read handle does not seal; a handle covers only its subjects.
		if _, err := r.SealString("A", "users", "email", "r1", "x"); !errors.Is(err, vault.ErrNotInHandle) {
			t.Errorf("seal through a read handle: %v", err)
		}
		if _, err := r.OpenString("C", "users", "email", "r1", ct); !errors.Is(err, vault.ErrNotInHandle) {
			t.Errorf("open for a subject outside the handle: %v", err)
		}
		if _, err := en.handle(t, clinician, "t1", access.Read, "D").OpenString("D", "users", "email", "r1", ct); !errors.Is(err, vault.ErrNoKey) {
			t.Errorf("subject without key: %v", err)
		}
		// Bytes round trip.
		cb, err := w.SealBytes("A", "docs", "body", "d1", []byte{0, 1, 2})
		if err != nil {
			t.Fatal(err)
		}
		if b, err := r.OpenBytes("A", "docs", "body", "d1", cb); err != nil || !bytes.Equal(b.Reveal(), []byte{0, 1, 2}) {
			t.Errorf("bytes: %v", err)
		}
	})
}

func TestAccessNeedsAnActorInTheTenantAndIsAudited(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		req := vault.Request{TenantID: "t1", Subjects: []string{"A"}, Action: access.Read, Purpose: access.PurposeTreatment, Resource: "user", ResourceID: "A"}
		for name, ctx := range map[string]context.Context{
			"no actor":       context.Background(),
			"other tenant":   as("c2", access.RoleClinician, "t2"),
			"system of t2":   access.WithActor(context.Background(), access.System("job", "t2")),
			"no role":        as("x", "", "t1"),
			"bad role":       as("x", "overlord", "t1"),
			"empty actor id": as("", access.RoleClinician, "t1"),
		} {
			if h, err := en.v.Access(ctx, req); !errors.Is(err, access.ErrDenied) || h != nil {
				t.Errorf("%s: %v", name, err)
			}
		}
		bad := req
		bad.Purpose = ""
		if _, err := en.v.Access(clinician, bad); !errors.Is(err, access.ErrDenied) {
			t.Errorf("no purpose: %v", err)
		}
		if _, err := en.v.Access(clinician, req); err != nil {
			t.Fatal(err)
		}
		evs, err := en.log.Find(context.Background(), audit.Query{Subject: "A"})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 8 {
			t.Fatalf("%d events about A, want 8", len(evs))
		}
		last := evs[len(evs)-1]
		if last.Action != "user.read" || last.ActorID != "c1" || last.Outcome != audit.Allowed || last.Purpose != access.PurposeTreatment || last.ResourceID != "A" {
			t.Errorf("allowed event: %+v", last.Entry)
		}
		if evs[0].Outcome != audit.Denied {
			t.Errorf("denied event: %+v", evs[0].Entry)
		}
	})
}

type failingSink struct{}

func (failingSink) Append(context.Context, audit.Entry) error { return errors.New("audit store down") }

func TestFailsClosedWhenTheAuditLogFails(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ct, err := en.handle(t, clinician, "t1", access.Write, "A").SealString("A", "users", "name", "r1", "Ada")
		if err != nil {
			t.Fatal(err)
		}
		broken, err := vault.Open(context.Background(), store.NewVaultKeys(en.phi), en.kek, failingSink{}, vault.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, act := range []access.Action{access.Read, access.Write} {
			h, err := broken.Access(clinician, vault.Request{TenantID: "t1", Subjects: []string{"A"}, Action: act, Purpose: access.PurposeTreatment, Resource: "user"})
			if err == nil || h != nil {
				t.Fatalf("%s with a failing audit log: handle %v, err %v", act, h, err)
			}
		}
		if err := broken.Shred(clinician, "t1", "A", "retention"); err == nil {
			t.Fatal("shred with a failing audit log succeeded")
		}
		// Still there, through a working log.
		if s, err := en.handle(t, clinician, "t1", access.Read, "A").OpenString("A", "users", "name", "r1", ct); err != nil || s.Reveal() != "Ada" {
			t.Fatalf("after refused shred: %v", err)
		}
	})
}

func TestShredAKeepsB(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctx := context.Background()
		w := en.handle(t, clinician, "t1", access.Write, "A", "B")
		ctA, _ := w.SealString("A", "users", "name", "rA", "Ada")
		ctB, _ := w.SealString("B", "users", "name", "rB", "Bob")
		// Keep A's wrapped key, as an old backup would.
		var ver string
		var wrapped []byte
		if err := en.phi.Reader().QueryRowContext(testkit.AllTenants(ctx), `SELECT kek_version, wrapped FROM vault_data_keys WHERE tenant_id = 't1' AND subject = 'A'`).Scan(&ver, &wrapped); err != nil {
			t.Fatal(err)
		}
		if err := en.v.Shred(as("c2", access.RoleClinician, "t2"), "t1", "A", "retention"); !errors.Is(err, access.ErrDenied) {
			t.Fatalf("shred from another tenant: %v", err)
		}
		if err := en.v.Shred(clinician, "t1", "A", "retention period ended"); err != nil {
			t.Fatal(err)
		}
		r := en.handle(t, clinician, "t1", access.Read, "A", "B")
		if _, err := r.OpenString("A", "users", "name", "rA", ctA); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("A after shred: %v", err)
		}
		if s, err := r.OpenString("B", "users", "name", "rB", ctB); err != nil || s.Reveal() != "Bob" {
			t.Errorf("B after shredding A: %v", err)
		}
		// A write does not bring A's key back.
		if _, err := en.handle(t, clinician, "t1", access.Write, "A").SealString("A", "users", "name", "rA", "x"); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("seal for shredded A: %v", err)
		}
		ledger, err := en.v.Shreds(ctx)
		if err != nil || len(ledger) != 1 || ledger[0].Subject != "A" || ledger[0].ActorID != "c1" || ledger[0].Reason != "retention period ended" || !ledger[0].Time.Equal(t0) {
			t.Fatalf("ledger %+v %v", ledger, err)
		}
		evs, err := en.log.Find(ctx, audit.Query{Subject: "A", Outcome: audit.Allowed})
		if err != nil || !slices.ContainsFunc(evs, func(r audit.Record) bool { return r.Action == "vault.shred" && r.Severity == audit.High }) {
			t.Fatalf("shred not audited: %v", err)
		}
		// A restore from an old backup brings the key row back; the ledger
		// (carried from the live system) shreds it again.
		if _, err := en.phi.Writer().ExecContext(testkit.AllTenants(ctx), `DELETE FROM vault_shreds`); err != nil {
			t.Fatal(err)
		}
		if _, err := en.phi.Writer().ExecContext(testkit.AllTenants(ctx), `INSERT INTO vault_data_keys (tenant_id, subject, kek_version, wrapped, created_at, wrapped_at) VALUES ('t1', 'A', $1, $2, $3, $3)`, ver, wrapped, t0); err != nil {
			t.Fatal(err)
		}
		if s, err := en.handle(t, clinician, "t1", access.Read, "A").OpenString("A", "users", "name", "rA", ctA); err != nil || s.Reveal() != "Ada" {
			t.Fatalf("restored backup should open (that is the danger): %v", err)
		}
		if err := en.v.ReapplyShreds(ctx, ledger); err != nil {
			t.Fatal(err)
		}
		if _, err := en.handle(t, clinician, "t1", access.Read, "A").OpenString("A", "users", "name", "rA", ctA); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("A after reapplying the ledger: %v", err)
		}
	})
}

func TestBlindIndex(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		a := en.v.BlindIndex("t1", "email", "a@example.com")
		if len(a) != 32 || !bytes.Equal(a, en.v.BlindIndex("t1", "email", "a@example.com")) {
			t.Fatal("not deterministic")
		}
		for _, o := range [][]byte{
			en.v.BlindIndex("t2", "email", "a@example.com"),
			en.v.BlindIndex("t1", "phone", "a@example.com"),
			en.v.BlindIndex("t1", "email", "b@example.com"),
			en.v.BlindIndex("t1e", "mail", "a@example.com"),
		} {
			if bytes.Equal(a, o) {
				t.Error("collision across tenant, kind or value")
			}
		}
		// The key is stored (wrapped): a reopened vault gives the same index.
		v2, err := vault.Open(context.Background(), store.NewVaultKeys(en.phi), en.kek, en.log, vault.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, v2.BlindIndex("t1", "email", "a@example.com")) {
			t.Error("index changed after reopening")
		}
	})
}

func TestKeyFileIsPrivateAndRefusedWhenNot(t *testing.T) {
	path := filepath.Join(t.TempDir(), vault.KeyFileName)
	k, err := vault.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", st.Mode(), err)
	}
	vs, err := k.Versions(context.Background())
	if err != nil || len(vs) != 1 || !vs[0].Primary {
		t.Fatalf("versions %+v %v", vs, err)
	}
	raw, _ := os.ReadFile(path)
	ver, ct, err := k.Wrap(context.Background(), []byte("secret"), []byte("aad"))
	if err != nil || bytes.Contains(ct, []byte("secret")) {
		t.Fatal(err)
	}
	if _, err := k.Unwrap(context.Background(), ver, ct, []byte("other aad")); err == nil {
		t.Error("unwrapped with other associated data")
	}
	// Reopened, the same key unwraps.
	k2, err := vault.OpenKeyFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if pt, err := k2.Unwrap(context.Background(), ver, ct, []byte("aad")); err != nil || string(pt) != "secret" {
		t.Fatalf("reopened: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := vault.OpenKeyFile(path); err == nil {
		t.Error("a key file readable by others was accepted")
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(raw, after) {
		t.Error("the key file changed")
	}
}

// TestKeyMemoSharesOneViewsKeyRow: the vault accesses of one view (under
// phi.WithKeyMemo) read the subject's key row once and are still each
// audited; a write reads afresh; and the next view, after a shred, reads
// the store again and finds the key gone.
func TestKeyMemoSharesOneViewsKeyRow(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctA, err := en.handle(t, clinician, "t1", access.Write, "A").SealString("A", "users", "name", "rA", "Ada")
		if err != nil {
			t.Fatal(err)
		}
		_, events0 := en.log.Stats()
		view := phi.WithKeyMemo(clinician)
		n0 := en.phi.Statements()
		for range 4 {
			if s, err := en.handle(t, view, "t1", access.Read, "A").OpenString("A", "users", "name", "rA", ctA); err != nil || s.Reveal() != "Ada" {
				t.Fatalf("open under the memo: %v", err)
			}
		}
		if n := en.phi.Statements() - n0; n != 1 {
			t.Errorf("4 accesses of one view read the key row %d times, want once", n)
		}
		if _, events1 := en.log.Stats(); events1-events0 != 4 {
			t.Errorf("4 accesses of one view made %d audit events, want 4", events1-events0)
		}
		n0 = en.phi.Statements()
		en.handle(t, view, "t1", access.Write, "A")
		if en.phi.Statements() == n0 {
			t.Error("a write under the memo did not read the key row afresh")
		}
		if err := en.v.Shred(clinician, "t1", "A", "retention period ended"); err != nil {
			t.Fatal(err)
		}
		next := phi.WithKeyMemo(clinician)
		if _, err := en.handle(t, next, "t1", access.Read, "A").OpenString("A", "users", "name", "rA", ctA); !errors.Is(err, vault.ErrShredded) {
			t.Errorf("the next view after a shred: %v", err)
		}
	})
}

// TestSharedReadOnlyWhenTheCheckAdmits: another brand's staff member is
// refused as another tenant unless the shared check (the patient's live
// consent and the reader's care, grants.SharedRead) admits the subjects,
// and then only to read; a patient, a job, a refusing or failing check get
// nothing. Both engines.
func TestSharedReadOnlyWhenTheCheckAdmits(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		if _, err := en.handle(t, clinician, "t1", access.Write, "A").SealString("A", "users", "name", "r1", "Ada"); err != nil {
			t.Fatal(err)
		}
		read := vault.Request{TenantID: "t1", Subjects: []string{"A"}, Action: access.Read, Purpose: access.PurposeTreatment, Resource: "user", ResourceID: "A"}
		sister := as("c2", access.RoleClinician, "t2")
		if _, err := en.v.Access(sister, read); !errors.Is(err, access.ErrDenied) {
			t.Fatalf("another brand without a check: %v", err)
		}
		admits := map[string]bool{"A": true}
		var fail error
		en.v.AllowShared(func(_ context.Context, a access.Actor, tenantID string, subjects []string) (bool, error) {
			if fail != nil {
				return false, fail
			}
			for _, s := range subjects {
				if !admits[s] || a.TenantID != "t2" || tenantID != "t1" {
					return false, nil
				}
			}
			return true, nil
		})
		if _, err := en.v.Access(sister, read); err != nil {
			t.Fatalf("a shared read the check admits: %v", err)
		}
		write := read
		write.Action = access.Write
		both := read
		both.Subjects = []string{"A", "B"}
		for name, c := range map[string]struct {
			ctx context.Context
			req vault.Request
		}{
			"a write":              {sister, write},
			"a subject not shared": {sister, both},
			"a patient of t2":      {as("p2", access.RolePatient, "t2"), read},
			"a job of t2":          {access.WithActor(context.Background(), access.System("job", "t2")), read},
		} {
			if _, err := en.v.Access(c.ctx, c.req); !errors.Is(err, access.ErrDenied) {
				t.Errorf("%s: %v, want denied", name, err)
			}
		}
		admits["A"] = false
		if _, err := en.v.Access(sister, read); !errors.Is(err, access.ErrDenied) {
			t.Errorf("consent withdrawn: %v, want denied", err)
		}
		admits["A"], fail = true, errors.New("store down")
		if _, err := en.v.Access(sister, read); !errors.Is(err, access.ErrDenied) {
			t.Errorf("a failing check: %v, want denied", err)
		}
	})
}
