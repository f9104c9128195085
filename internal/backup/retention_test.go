package backup_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/jobs"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// newS3 starts an in-process S3 (gofakes3) on loopback and returns a target
// in it.
func newS3(t *testing.T) backup.Target {
	t.Helper()
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
	return s3
}

// days lists the backups on t by the UTC day they were taken ("03-13").
func days(t *testing.T, tg backup.Target) []string {
	t.Helper()
	es, err := backup.List(context.Background(), tg)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Created.Format("01-02"))
	}
	return out
}

// TestScheduledBackupsKeepTheRetentionPolicy: the job runner takes a backup a
// day for ten days, to a directory and to S3; two schedulers share the
// stores (two processes) and the backup is taken once a day between them;
// after each, every target is pruned to the newest of the last 3 days and of
// the last 2 ISO weeks, each one checked and marked verified.
func TestScheduledBackupsKeepTheRetentionPolicy(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		// Monday 4 March 2030, ISO week 10.
		l.Clock.Set(time.Date(2030, 3, 4, 0, 30, 0, 0, time.UTC))
		key, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		dir, s3 := backup.Dir(t.TempDir()), newS3(t)
		s := &backup.Schedule{Sources: l.sources(), Recipients: []age.Recipient{key.Recipient()},
			Targets: []backup.Target{dir, s3}, Policy: backup.Policy{Daily: 3, Weekly: 2}, Now: l.Clock.Now, TempDir: t.TempDir()}
		var runs atomic.Int32
		job := jobs.Job{Name: "backup.scheduled", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			runs.Add(1)
			return s.Run(ctx)
		}}
		a := jobs.New(store.NewJobs(l.PHI), l.Clock, nil, job)
		b := jobs.New(store.NewJobs(l.PHI), l.Clock, nil, job)
		for range 10 {
			a.RunDue(ctx)
			b.RunDue(ctx)
			l.Clock.Advance(24 * time.Hour)
		}
		if runs.Load() != 10 {
			t.Fatalf("%d backups taken in 10 days by two processes; want 10", runs.Load())
		}
		// Daily 3: 13, 12, 11 March; weekly 2: the newest of week 11 (13th)
		// and of week 10 (Sunday the 10th).
		want := []string{"03-13", "03-12", "03-11", "03-10"}
		for _, tg := range []backup.Target{dir, s3} {
			if got := days(t, tg); !slices.Equal(got, want) {
				t.Errorf("%s keeps %v; want %v", tg, got, want)
			}
			es, _ := backup.List(ctx, tg)
			for _, e := range es {
				if !e.Complete || !e.Verified {
					t.Errorf("%s: %s complete %v verified %v", tg, e.ID, e.Complete, e.Verified)
				}
			}
		}
		// What is kept is a backup that verifies (decrypts, row counts,
		// audit chain) and restores, not only a folder name.
		es, _ := backup.List(ctx, s3)
		if _, err := backup.Verify(ctx, s3, es[len(es)-1].ID, []age.Identity{key}, verifyOptions(t, e)); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPruneNeverRemovesTheNewestVerifiedBackup: when the newer backups were
// never verified (their check failed), the newest verified one stays, on a
// directory and on S3, whatever the policy; an abandoned, unfinished backup
// goes once it is a day old, one being written stays; folders that are not
// backups are not touched.
func TestPruneNeverRemovesTheNewestVerifiedBackup(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		l := newLive(t, e)
		l.Clock.Set(time.Date(2030, 3, 4, 1, 0, 0, 0, time.UTC))
		root := t.TempDir()
		dir, s3 := backup.Dir(root), newS3(t)
		var ids []string
		for i := range 3 {
			m, _ := l.create(t, dir, s3)
			ids = append(ids, m.ID)
			if i == 0 {
				for _, tg := range []backup.Target{dir, s3} {
					if err := backup.Check(ctx, tg, m.ID, l.Clock.Now()); err != nil {
						t.Fatal(err)
					}
				}
			}
			l.Clock.Advance(24 * time.Hour)
		}
		// A backup whose writing stopped half-way two days ago, one being
		// written now, and someone else's folder.
		for _, tg := range []backup.Target{dir, s3} {
			for _, name := range []string{
				"salve-" + l.Clock.Now().Add(-48*time.Hour).Format("20060102T150405Z") + "-00000000/phi.db.age",
				"salve-" + l.Clock.Now().Format("20060102T150405Z") + "-11111111/phi.db.age",
				"notes/readme.txt",
			} {
				if err := tg.Put(ctx, name, strings.NewReader("x"), 1); err != nil {
					t.Fatal(err)
				}
			}
		}
		for _, tg := range []backup.Target{dir, s3} {
			removed, err := backup.Prune(ctx, tg, backup.Policy{Daily: 1}, l.Clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			got, _ := backup.List(ctx, tg)
			var kept []string
			for _, e := range got {
				kept = append(kept, e.ID)
			}
			// Daily 1 keeps the newest complete one (day 3); the newest
			// verified one (day 1) stays too; day 2 and the abandoned write go.
			if !slices.Contains(kept, ids[2]) || !slices.Contains(kept, ids[0]) || slices.Contains(kept, ids[1]) || len(kept) != 3 || len(removed) != 2 {
				t.Errorf("%s: kept %v, removed %v; want %s, %s and the write in progress", tg, kept, removed, ids[2], ids[0])
			}
			names, err := tg.List(ctx, "notes/")
			if err != nil || len(names) != 1 {
				t.Errorf("%s: a folder that is not a backup was touched: %v %v", tg, names, err)
			}
		}
		if _, err := os.Stat(filepath.Join(root, ids[1])); !os.IsNotExist(err) {
			t.Fatalf("the pruned backup's folder is still there: %v", err)
		}
		// The zero policy prunes nothing.
		if removed, err := backup.Prune(ctx, dir, backup.Policy{}, l.Clock.Now().Add(1000*time.Hour)); err != nil || len(removed) != 0 {
			t.Fatalf("zero policy removed %v (%v)", removed, err)
		}
	})
}

// TestCheckNamesTheCorruptedFile: a changed encrypted file fails the check
// by name and gets no verified marker.
func TestCheckNamesTheCorruptedFile(t *testing.T) {
	ctx := context.Background()
	l := newLive(t, store.SQLite)
	root := t.TempDir()
	m, _ := l.create(t, backup.Dir(root))
	p := filepath.Join(root, m.ID, "phi.db.age")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	err = backup.Check(ctx, backup.Dir(root), m.ID, l.Clock.Now())
	if err == nil || !strings.Contains(err.Error(), "phi.db.age") {
		t.Fatalf("check of a corrupted backup: %v", err)
	}
	es, _ := backup.List(ctx, backup.Dir(root))
	if len(es) != 1 || es[0].Verified {
		t.Fatalf("a corrupted backup was marked verified: %+v", es)
	}
}
