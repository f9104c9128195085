package vault_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vault"
)

// TestCanaryNeverReachesDiskOrLogs writes PHI holding a unique canary through
// the vault, uses it every way the vault allows (seal, open, blind index,
// search-term HMAC, a refused access), logs the opened value, and then looks
// for the canary in the raw bytes of every store file (and its -wal), the
// checkpoint and key files, and the logs.
func TestCanaryNeverReachesDiskOrLogs(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	var b [12]byte
	_, _ = rand.Read(b[:])
	canary := "CANARY-" + hex.EncodeToString(b[:])

	logs := &testkit.LogBuffer{}
	logger := logs.Logger()
	dbs := map[store.Kind]*store.DB{}
	for _, k := range store.Kinds {
		db, err := store.Open(ctx, k, filepath.Join(dir, string(k)+".db"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
		dbs[k] = db
	}
	log, err := audit.Open(ctx, store.NewAuditEvents(dbs[store.Audit]), audit.Options{Clock: clock.System{}, Log: logger,
		KeyFile: filepath.Join(dir, audit.KeyFileName), CheckpointFile: filepath.Join(dir, audit.CheckpointFileName)})
	if err != nil {
		t.Fatal(err)
	}
	kek, err := vault.OpenKeyFile(filepath.Join(dir, vault.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	v, err := vault.Open(ctx, store.NewVaultKeys(dbs[store.PHI]), kek, log, vault.Options{Log: logger})
	if err != nil {
		t.Fatal(err)
	}
	actx := audit.WithSource(clinician, audit.Source{RequestID: "req-1", IP: "192.0.2.1", UserAgent: "test"})
	h, err := v.Access(actx, vault.Request{TenantID: "t1", Subjects: []string{"A"}, Action: access.Write, Purpose: access.PurposeTreatment, Resource: "user", ResourceID: "row-1"})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := h.SealString("A", "canary_fields", "value", "row-1", canary)
	if err != nil {
		t.Fatal(err)
	}
	phiW := dbs[store.PHI].Writer()
	if _, err := phiW.ExecContext(ctx, `CREATE TABLE canary_fields (id TEXT PRIMARY KEY, value BLOB NOT NULL, email_index BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := phiW.ExecContext(ctx, `INSERT INTO canary_fields (id, value, email_index) VALUES ('row-1', $1, $2)`, ct, v.BlindIndex("t1", "email", canary)); err != nil {
		t.Fatal(err)
	}
	if err := log.Append(actx, audit.Entry{Action: "user.search", Subjects: []string{"A"}, TextHMAC: log.TextHMAC(canary)}); err != nil {
		t.Fatal(err)
	}
	var stored []byte
	if err := dbs[store.PHI].Reader().QueryRowContext(ctx, `SELECT value FROM canary_fields WHERE id = 'row-1'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	got, err := h.OpenString("A", "canary_fields", "value", "row-1", stored)
	if err != nil || got.Reveal() != canary {
		t.Fatalf("round trip: %v", err)
	}
	// Careless logging of the opened value, and of errors around it.
	logger.InfoContext(actx, "opened", "value", got, "text", fmt.Sprint(got), "err", fmt.Errorf("wrapping %v", got))
	if _, err := h.OpenString("A", "canary_fields", "value", "row-2", stored); err != nil {
		logger.ErrorContext(actx, "open failed", "err", err)
	}
	if _, err := v.Access(context.Background(), vault.Request{TenantID: "t1", Subjects: []string{"A"}, Action: access.Read, Purpose: access.PurposeTreatment, Resource: "user"}); !errors.Is(err, access.ErrDenied) {
		t.Fatal("access without an actor")
	}

	files := func() []string {
		var out []string
		for _, k := range store.Kinds {
			out = append(out, filepath.Join(dir, string(k)+".db"), filepath.Join(dir, string(k)+".db-wal"))
		}
		return append(out, filepath.Join(dir, audit.CheckpointFileName), filepath.Join(dir, audit.KeyFileName), filepath.Join(dir, vault.KeyFileName))
	}
	check := func(when string) {
		t.Helper()
		for _, f := range files() {
			raw, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(raw, []byte(canary)) {
				t.Errorf("%s: the canary is in %s", when, filepath.Base(f))
			}
		}
		if bytes.Contains([]byte(logs.String()), []byte(canary)) {
			t.Errorf("%s: the canary is in the logs", when)
		}
	}
	check("while open (WAL files present)")
	if err := log.Close(); err != nil {
		t.Fatal(err)
	}
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, audit.CheckpointFileName)); err != nil {
		t.Fatalf("no checkpoint file: %v", err)
	}
	check("after close")
	// The search would have found a plaintext copy: the same scan over a file
	// holding the canary does flag it.
	plain := filepath.Join(dir, "control")
	if err := os.WriteFile(plain, []byte("x"+canary+"x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if raw, _ := os.ReadFile(plain); !bytes.Contains(raw, []byte(canary)) {
		t.Fatal("the scan cannot see a plaintext canary")
	}
}
