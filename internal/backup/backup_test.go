package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vault"
)

// The canary patient: these strings must never appear in a backup's bytes.
const (
	canaryName  = "Zebulon Canaryfield"
	canaryEmail = "zebulon.canary@example.org"
)

// live is a running installation's stores with a few patients.
type live struct {
	*testkit.Stores
	identity server.Identity
	// canary and other are the subjects (user ids) of two patients.
	canary, other string
}

func newLive(t *testing.T, e store.Engine) *live {
	t.Helper()
	ctx := context.Background()
	st := testkit.NewStores(t, e)
	if _, err := demo.SeedCatalog(ctx, catalog.NewService(store.NewCatalogRepo(st.Catalog), st.Clock), st.Tenant.ID); err != nil {
		t.Fatal(err)
	}
	ob := outbox.New(store.NewOutbox(st.PHI), st.Vault, nil, st.Clock, nil)
	l := &live{Stores: st, identity: server.NewIdentity(st.PHI, st.Vault, st.AuditLog, ob, server.IdentityOptions{Clock: st.Clock, Argon2: testkit.TestArgon2})}
	l.canary = l.register(t, canaryEmail, canaryName)
	l.other = l.register(t, "other.patient@example.org", "Olive Other")
	return l
}

// register registers a patient and returns the subject whose key it made.
func (l *live) register(t *testing.T, email, name string) string {
	t.Helper()
	ctx := context.Background()
	before := l.subjects(t)
	err := l.identity.Accounts.Register(ctx, l.Tenant, "https://pharmacy.test", accounts.Registration{Email: email, Name: name, Password: testkit.PatientPassword})
	if err != nil {
		t.Fatal(err)
	}
	// Registration does its work after the answer (jobs.After, so that the
	// answer does not tell a taken address by its timing): wait for it.
	l.identity.After.Wait()
	for _, s := range l.subjects(t) {
		if !slices.Contains(before, s) {
			return s
		}
	}
	t.Fatal("registration made no data key")
	return ""
}

func (l *live) subjects(t *testing.T) []string {
	t.Helper()
	return column(t, l.PHI.Reader(), `SELECT subject FROM vault_data_keys ORDER BY subject`)
}

// column returns the first column of a query's rows as text.
func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(testkit.AllTenants(context.Background()), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func (l *live) sources() backup.Sources {
	return backup.Sources{Catalog: l.Catalog, PHI: l.PHI, Audit: l.Audit,
		AuditKeyFile: l.Config.AuditKeyPath(), CheckpointFile: l.Config.AuditCheckpointPath()}
}

// create backs the live stores up to targets, encrypted to one new identity.
func (l *live) create(t *testing.T, targets ...backup.Target) (*backup.Manifest, *age.X25519Identity) {
	t.Helper()
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	m, err := backup.Create(context.Background(), l.sources(), backup.Options{
		Recipients: []age.Recipient{id.Recipient()}, Targets: targets, Now: l.Clock.Now(), TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return m, id
}

// dump reads every table of a store, rows in a total order, as text: two
// stores hold the same data exactly when their dumps are equal.
func dump(t *testing.T, db *store.DB) map[string]string {
	t.Helper()
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if db.Engine() == store.Postgres {
		q = `SELECT tablename FROM pg_tables WHERE schemaname = current_schema()`
	}
	out := map[string]string{}
	for _, tb := range column(t, db.Reader(), q) {
		out[tb] = dumpTable(t, db.Reader(), tb)
	}
	return out
}

// columns returns the names of a table's columns.
func columns(t *testing.T, db *sql.DB, table string) []string {
	t.Helper()
	rows, err := db.QueryContext(testkit.AllTenants(context.Background()), `SELECT * FROM `+table+` LIMIT 0`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err == nil {
		err = rows.Err()
	}
	if err != nil {
		t.Fatal(err)
	}
	return cols
}

func dumpTable(t *testing.T, db *sql.DB, table string) string {
	t.Helper()
	cols := columns(t, db, table)
	order := make([]string, len(cols))
	for i := range cols {
		order[i] = fmt.Sprint(i + 1)
	}
	rows, err := db.QueryContext(testkit.AllTenants(context.Background()), `SELECT * FROM `+table+` ORDER BY `+strings.Join(order, ", "))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				fmt.Fprintf(&b, "%x|", bs)
			} else {
				fmt.Fprintf(&b, "%v|", v)
			}
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// destination returns the stores and files of a fresh, empty place.
func destination(t *testing.T, e store.Engine, ledger string) (backup.Destination, testkit.Place) {
	p := testkit.NewPlace(t, e)
	return backup.Destination{Catalog: p.DSN(store.Catalog), PHI: p.DSN(store.PHI), Audit: p.DSN(store.Audit),
		AuditKeyFile: filepath.Join(p.DataDir, "audit-keys.json"), CheckpointFile: filepath.Join(p.DataDir, "audit-checkpoints.jsonl"),
		LedgerFile: ledger, NoLedger: true}, p
}

func openPlace(t *testing.T, p testkit.Place, kind store.Kind) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), kind, p.DSN(kind))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := db.CheckSchema(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func verifyOptions(t testing.TB, e store.Engine) backup.VerifyOptions {
	o := backup.VerifyOptions{TempDir: t.TempDir()}
	if e == store.Postgres {
		o.ScratchDB = testkit.NewPostgresDB(t)
	}
	return o
}

func ledgerPath(l *live) string { return vault.LedgerPath(l.Config.KEKPath()) }

func TestBackupRestoreGivesBackEveryTableExactly(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		dir := backup.Dir(t.TempDir())
		m, id := l.create(t, dir)
		if m.AuditHead.Seq == 0 || len(m.Stores) != 3 {
			t.Fatalf("manifest: %+v", m)
		}
		rep, err := backup.Verify(ctx, dir, m.ID, []age.Identity{id}, verifyOptions(t, e))
		if err != nil {
			t.Fatal(err)
		}
		if rep.AuditEvents != m.AuditHead.Seq || rep.Rows == 0 {
			t.Fatalf("verify report %+v", rep)
		}
		d, p := destination(t, e, ledgerPath(l))
		if _, err := backup.Restore(ctx, dir, m.ID, []age.Identity{id}, d, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		for _, k := range store.Kinds {
			src := map[store.Kind]*store.DB{store.Catalog: l.Catalog, store.PHI: l.PHI, store.Audit: l.Audit}[k]
			want, got := dump(t, src), dump(t, openPlace(t, p, k))
			if len(want) < 2 {
				t.Fatalf("%s: only %d tables", k, len(want))
			}
			for tb := range want {
				if got[tb] != want[tb] {
					t.Errorf("%s.%s differs after restore:\nwant %.300q\ngot  %.300q", k, tb, want[tb], got[tb])
				}
			}
			if len(got) != len(want) {
				t.Errorf("%s: %d tables after restore, %d before", k, len(got), len(want))
			}
		}
		// The audit key came along (the KEK did not: it is never in a backup).
		if _, err := os.Stat(d.AuditKeyFile); err != nil {
			t.Errorf("audit key not restored: %v", err)
		}
		// Without a ledger, and without saying there is none, restore refuses.
		d2, _ := destination(t, e, filepath.Join(t.TempDir(), "missing-ledger"))
		d2.NoLedger = false
		if _, err := backup.Restore(ctx, dir, m.ID, []age.Identity{id}, d2, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no shred ledger") {
			t.Fatalf("restore without a ledger: %v", err)
		}
		// A second restore into the now full stores is refused.
		_, err = backup.Restore(ctx, dir, m.ID, []age.Identity{id}, d, t.TempDir())
		var ne *backup.NotEmptyError
		if !errors.As(err, &ne) {
			t.Fatalf("restore into full stores: %v", err)
		}
	})
}

func TestShreddedAfterTheBackupStaysShreddedAfterRestore(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		dir := backup.Dir(t.TempDir())
		m, id := l.create(t, dir)
		admin := access.WithActor(ctx, access.Actor{ID: "admin-1", Role: access.RoleAdmin, TenantID: l.Tenant.ID})
		if err := l.Vault.Shred(admin, l.Tenant.ID, l.canary, "retention period ended"); err != nil {
			t.Fatal(err)
		}
		keys := func(p testkit.Place) map[string]vault.WrappedKey {
			k, err := store.NewVaultKeys(openPlace(t, p, store.PHI)).DataKeys(ctx, l.Tenant.ID, []string{l.canary, l.other})
			if err != nil {
				t.Fatal(err)
			}
			return k
		}
		// Without the ledger the backup brings the key back: the danger.
		d, p := destination(t, e, filepath.Join(t.TempDir(), "no-ledger"))
		if _, err := backup.Restore(ctx, dir, m.ID, []age.Identity{id}, d, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		if k := keys(p); len(k) != 2 {
			t.Fatalf("control restore: %d keys, want both", len(k))
		}
		// With the live ledger the key is destroyed again, the other kept.
		d, p = destination(t, e, ledgerPath(l))
		rep, err := backup.Restore(ctx, dir, m.ID, []age.Identity{id}, d, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		k := keys(p)
		if _, ok := k[l.canary]; ok || len(k) != 1 || rep.Reshredded != 1 {
			t.Fatalf("after restore: %d keys (the shredded one among them: %v), reshredded %d", len(k), ok, rep.Reshredded)
		}
		shredded, err := store.NewVaultKeys(openPlace(t, p, store.PHI)).Shredded(ctx, l.Tenant.ID, []string{l.canary, l.other})
		if err != nil || !slices.Equal(shredded, []string{l.canary}) {
			t.Fatalf("shredded after restore: %v %v", shredded, err)
		}
	})
}

func TestBackupIsUnreadableWithoutItsIdentity(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		dir := backup.Dir(t.TempDir())
		m, id := l.create(t, dir)
		stranger, _ := age.GenerateX25519Identity()
		_, err := backup.Verify(ctx, dir, m.ID, []age.Identity{stranger}, verifyOptions(t, e))
		if err == nil || !strings.Contains(err.Error(), "none of the identities") {
			t.Fatalf("verify with another identity: %v", err)
		}
		d, _ := destination(t, e, ledgerPath(l))
		if _, err := backup.Restore(ctx, dir, m.ID, []age.Identity{stranger}, d, t.TempDir()); err == nil {
			t.Fatal("restore with another identity")
		}
		if _, err := backup.Verify(ctx, dir, m.ID, []age.Identity{id}, verifyOptions(t, e)); err != nil {
			t.Fatalf("verify with the right identity: %v", err)
		}
	})
}

func TestCorruptedBackupFailsVerifyNamingTheFile(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		root := t.TempDir()
		dir := backup.Dir(root)
		m, id := l.create(t, dir)
		name := "phi.db.age"
		if e == store.Postgres {
			name = "phi/users.copy.age"
		}
		path := filepath.Join(root, m.ID, filepath.FromSlash(name))
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		b[len(b)/2] ^= 0x01
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = backup.Verify(ctx, dir, m.ID, []age.Identity{id}, verifyOptions(t, e))
		var ce *backup.CorruptError
		if !errors.As(err, &ce) || ce.File != name || !strings.Contains(err.Error(), name) {
			t.Fatalf("verify of a corrupted backup: %v", err)
		}
		// A deleted file is named too.
		if err := os.Remove(path); err != nil {
			t.Fatal(err)
		}
		if _, err = backup.Verify(ctx, dir, m.ID, []age.Identity{id}, verifyOptions(t, e)); !errors.As(err, &ce) || ce.File != name {
			t.Fatalf("verify of a backup with a file missing: %v", err)
		}
	})
}

func TestBackupHoldsNoPlaintext(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		l := newLive(t, e)
		root := t.TempDir()
		m, _ := l.create(t, backup.Dir(root))
		kek, err := os.ReadFile(l.Config.KEKPath())
		if err != nil {
			t.Fatal(err)
		}
		var raw []byte
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			raw = append(raw, b...)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(raw) < 10_000 {
			t.Fatalf("backup of %d bytes", len(raw))
		}
		// The canary, and public text the stores hold in clear (the
		// tenant's name), which shows that this grep finds what is there.
		for _, s := range []string{canaryName, canaryEmail, strings.ToLower(canaryName), l.Tenant.Name, "Canaryfield"} {
			if bytes.Contains(raw, []byte(s)) {
				t.Errorf("backup %s holds %q in clear", m.ID, s)
			}
		}
		if bytes.Contains(raw, kek) {
			t.Error("backup holds the KEK file")
		}
		// The same grep over the stores' own files finds the clear text.
		if e == store.SQLite {
			b, _ := os.ReadFile(l.Config.StoreDSN("catalog"))
			w, _ := os.ReadFile(l.Config.StoreDSN("catalog") + "-wal")
			if b = append(b, w...); !bytes.Contains(b, []byte(l.Tenant.Name)) {
				t.Fatal("the catalog file does not hold the tenant's name: the grep proves nothing")
			}
		}
	})
}

func TestS3TargetRoundTrip(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		mem := s3mem.New()
		if err := mem.CreateBucket("backups"); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(gofakes3.New(mem).Server())
		t.Cleanup(srv.Close)
		u, _ := url.Parse(srv.URL)
		env := map[string]string{"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test-secret"}
		s3, err := backup.ParseTarget("s3+http://"+u.Host+"/backups/salve/prod", func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		l := newLive(t, e)
		root := t.TempDir()
		m, id := l.create(t, backup.Dir(root), s3)
		// Both targets hold the same bytes.
		obj, err := s3.Open(ctx, m.ID+"/"+backup.OuterManifest)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		_, _ = got.ReadFrom(obj)
		_ = obj.Close()
		want, _ := os.ReadFile(filepath.Join(root, m.ID, backup.OuterManifest))
		if !bytes.Equal(got.Bytes(), want) {
			t.Fatal("the S3 copy of the manifest differs from the directory's")
		}
		if _, err := backup.Verify(ctx, s3, m.ID, []age.Identity{id}, verifyOptions(t, e)); err != nil {
			t.Fatal(err)
		}
		d, p := destination(t, e, ledgerPath(l))
		if _, err := backup.Restore(ctx, s3, m.ID, []age.Identity{id}, d, t.TempDir()); err != nil {
			t.Fatal(err)
		}
		if w, g := dump(t, l.PHI)["users"], dump(t, openPlace(t, p, store.PHI))["users"]; w != g || w == "" {
			t.Fatal("users differ after a restore from S3")
		}
		if _, err := s3.Open(ctx, "nope/"+backup.OuterManifest); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("missing object: %v", err)
		}
		// Plain HTTP only to loopback.
		if _, err := backup.ParseTarget("s3+http://backups.example.com/b", func(string) string { return "" }); err == nil {
			t.Fatal("plain HTTP to a remote S3 endpoint accepted")
		}
	})
}

func TestBackupWhileServingIsConsistent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		// Patients keep registering (PHI rows, data keys, audit events in
		// two stores) while the backup is taken: bounded, and stopped once
		// the backup is done.
		done := make(chan struct{})
		errs := make(chan error, 1)
		go func() {
			defer close(errs)
			for i := range 400 {
				select {
				case <-done:
					return
				default:
				}
				err := l.identity.Accounts.Register(ctx, l.Tenant, "https://pharmacy.test", accounts.Registration{
					Email: fmt.Sprintf("busy%03d@example.org", i), Name: "Busy Patient", Password: testkit.PatientPassword})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
		dir := backup.Dir(t.TempDir())
		m, id := l.create(t, dir)
		close(done)
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
		// The registrations' work after their answers ends before the stores close.
		l.identity.After.Wait()
		// Every table's rows, the chain and its head agree with the manifest.
		rep, err := backup.Verify(ctx, dir, m.ID, []age.Identity{id}, verifyOptions(t, e))
		if err != nil {
			t.Fatal(err)
		}
		phi, _ := storeOf(m, "phi")
		if phi.Rows["users"] < 2 || rep.AuditEvents != m.AuditHead.Seq {
			t.Fatalf("users %d, audit %d of %d", phi.Rows["users"], rep.AuditEvents, m.AuditHead.Seq)
		}
	})
}

func storeOf(m *backup.Manifest, kind string) (backup.Store, bool) {
	for _, s := range m.Stores {
		if s.Kind == kind {
			return s, true
		}
	}
	return backup.Store{}, false
}
