package audit_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type fixture struct {
	db    *store.DB
	log   *audit.Log
	sink  *audit.FileSink
	keys  *audit.Keys
	clock *clock.Fake
	dir   string
}

func open(t testing.TB, e store.Engine) *fixture {
	t.Helper()
	place := testkit.NewPlace(t, e)
	f := &fixture{db: place.Open(t, store.Audit), clock: clock.NewFake(t0), dir: place.DataDir}
	var err error
	f.keys, err = audit.LoadKeys(filepath.Join(f.dir, audit.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	f.sink = audit.NewFileSink(filepath.Join(f.dir, audit.CheckpointFileName))
	f.reopen(t)
	return f
}

func (f *fixture) reopen(t testing.TB) {
	t.Helper()
	l, err := audit.Open(context.Background(), store.NewAuditEvents(f.db), audit.Options{Clock: f.clock, Keys: f.keys, Checkpoints: f.sink, CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	f.log = l
	t.Cleanup(func() { _ = l.Close() })
}

func (f *fixture) verify(t testing.TB) audit.Report {
	t.Helper()
	rep, err := audit.Verify(context.Background(), store.NewAuditEvents(f.db), f.sink, f.keys.Public())
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestAppendFillsFromContextAndFinds(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := open(t, e)
		ctx := access.WithActor(context.Background(), access.Actor{ID: "u1", Role: access.RoleClinician, TenantID: "t1"})
		ctx = audit.WithSource(ctx, audit.Source{RequestID: "req1", IP: "192.0.2.1", UserAgent: "ua/1"})
		if err := f.log.Append(ctx, audit.Entry{Action: "lab.view", Subjects: []string{"p1", "p2"}, Purpose: access.PurposeTreatment,
			ResourceType: "lab", ResourceID: "l1", TextHMAC: f.log.TextHMAC("search")}); err != nil {
			t.Fatal(err)
		}
		f.clock.Advance(time.Minute)
		if err := f.log.Append(context.Background(), audit.Entry{ActorID: "u2", ActorRole: access.RolePatient, TenantID: "t1",
			Action: "user.login", Outcome: audit.Denied, Severity: audit.High}); err != nil {
			t.Fatal(err)
		}
		if err := f.log.Append(ctx, audit.Entry{Action: "lab.view", Subjects: []string{"p2"}}); err != nil {
			t.Fatal(err)
		}
		got, err := f.log.Find(ctx, audit.Query{Subject: "p1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 {
			t.Fatalf("by subject p1: %d events, want 1", len(got))
		}
		r := got[0]
		want := audit.Entry{Time: t0, ActorID: "u1", ActorRole: access.RoleClinician, TenantID: "t1", Subjects: []string{"p1", "p2"},
			Action: "lab.view", ResourceType: "lab", ResourceID: "l1", Purpose: access.PurposeTreatment, Outcome: audit.Allowed,
			Severity: audit.Normal, RequestID: "req1", SourceIP: "192.0.2.1", UserAgent: "ua/1", TextHMAC: f.log.TextHMAC("search")}
		if fmt.Sprint(r.Entry) != fmt.Sprint(want) || r.Seq != 1 || len(r.Hash) != 32 {
			t.Errorf("stored\n%+v\nwant\n%+v", r.Entry, want)
		}
		for _, c := range []struct {
			q    audit.Query
			seqs []int64
		}{
			{audit.Query{Subject: "p2"}, []int64{1, 3}},
			{audit.Query{ActorID: "u2"}, []int64{2}},
			{audit.Query{Outcome: audit.Denied}, []int64{2}},
			{audit.Query{From: t0.Add(time.Second)}, []int64{2, 3}},
			{audit.Query{To: t0.Add(time.Second)}, []int64{1}},
			{audit.Query{TenantID: "t1", After: 1, Limit: 1}, []int64{2}},
			{audit.Query{TenantID: "t2"}, nil},
			{audit.Query{Subject: "p2", ActorID: "u1", After: 1}, []int64{3}},
			// Newest first with a cursor: the patient's access log pages so.
			{audit.Query{Subject: "p2", Newest: true}, []int64{3, 1}},
			{audit.Query{Subject: "p2", Newest: true, Before: 3}, []int64{1}},
			{audit.Query{Newest: true, Limit: 2}, []int64{3, 2}},
		} {
			rs, err := f.log.Find(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []int64
			for _, r := range rs {
				seqs = append(seqs, r.Seq)
			}
			if !slices.Equal(seqs, c.seqs) {
				t.Errorf("Find(%+v) = %v, want %v", c.q, seqs, c.seqs)
			}
		}
		if rep := f.verify(t); !rep.OK || rep.Events != 3 {
			t.Fatalf("verify: %+v", rep)
		}
		if err := f.log.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.log.Append(ctx, audit.Entry{Action: "x"}); !errors.Is(err, audit.ErrClosed) {
			t.Errorf("append after close: %v", err)
		}
		cps, err := f.sink.ReadAll(context.Background())
		if err != nil || len(cps) != 1 || cps[0].Seq != 3 {
			t.Fatalf("checkpoints after close: %+v %v", cps, err)
		}
		// Reopened, the chain continues.
		f.reopen(t)
		if err := f.log.Append(ctx, audit.Entry{Action: "lab.view"}); err != nil {
			t.Fatal(err)
		}
		if err := f.log.Close(); err != nil {
			t.Fatal(err)
		}
		if rep := f.verify(t); !rep.OK || rep.Events != 4 || rep.Anchored != 4 || rep.Checkpoints != 2 {
			t.Fatalf("verify after reopen: %+v", rep)
		}
	})
}

func TestAppendRejectsBadEntries(t *testing.T) {
	f := open(t, store.SQLite)
	for _, e := range []audit.Entry{{}, {Action: "x", Outcome: "maybe"}, {Action: "x", Severity: "meh"}} {
		if err := f.log.Append(context.Background(), e); err == nil {
			t.Errorf("Append(%+v) succeeded", e)
		}
	}
}

func TestConcurrentAppendsFormOneChain(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := open(t, e)
		// More writers than the queue holds: a full queue must not deadlock.
		const writers, each = 600, 3
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					errs <- f.log.Append(context.Background(), audit.Entry{ActorID: fmt.Sprint("w", w), Action: "x.read", ResourceID: fmt.Sprint(i), Subjects: []string{fmt.Sprint("s", i%3)}})
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if rep := f.verify(t); !rep.OK || rep.Events != writers*each {
			t.Fatalf("verify: %+v", rep)
		}
		if seq, _ := f.log.Head(); seq != writers*each {
			t.Errorf("head %d", seq)
		}
	})
}

func TestAppendOnlyInTheStore(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		f := open(t, e)
		if err := f.log.Append(context.Background(), audit.Entry{Action: "x", Subjects: []string{"a"}}); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		stmts := []string{
			"UPDATE audit_events SET actor_id = 'me'",
			"DELETE FROM audit_events",
			"UPDATE audit_event_subjects SET subject = 'b'",
			"DELETE FROM audit_event_subjects",
		}
		if e == store.Postgres {
			stmts = append(stmts, "TRUNCATE audit_events", "TRUNCATE audit_event_subjects")
		}
		for _, s := range stmts {
			if _, err := f.db.Writer().ExecContext(ctx, s); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want an append-only error", s, err)
			}
		}
		if rep := f.verify(t); !rep.OK {
			t.Fatalf("verify: %+v", rep)
		}
	})
}

func TestPeriodicCheckpointsAndBadSignature(t *testing.T) {
	f := open(t, store.SQLite)
	_ = f.log.Close()
	l, err := audit.Open(context.Background(), store.NewAuditEvents(f.db), audit.Options{Clock: f.clock, Keys: f.keys, Checkpoints: f.sink, CheckpointEvery: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := l.Append(context.Background(), audit.Entry{Action: "x"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		cps, err := f.sink.ReadAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(cps) == 1 && cps[0].Seq == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no periodic checkpoint: %+v", cps)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if rep := f.verify(t); !rep.OK || rep.Anchored != 1 {
		t.Fatalf("verify: %+v", rep)
	}
	// A checkpoint signed by another key is flagged.
	other := audit.NewKeys()
	c := audit.Checkpoint{Seq: 1, Head: make([]byte, 32), Time: t0}
	c.Sign(other.Signing)
	if err := f.sink.Write(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if rep := f.verify(t); rep.OK || rep.FirstBad != 1 {
		t.Fatalf("forged checkpoint: %+v", rep)
	}
}

func TestKeysFilePrivateAndStable(t *testing.T) {
	path := filepath.Join(t.TempDir(), audit.KeyFileName)
	if _, err := audit.LoadPublicKey(path); err == nil {
		t.Fatal("LoadPublicKey created a key")
	}
	k1, err := audit.LoadKeys(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v %v", st.Mode(), err)
	}
	k2, err := audit.LoadKeys(path)
	if err != nil || !k1.Public().Equal(k2.Public()) || string(k1.HMAC) != string(k2.HMAC) {
		t.Fatal("keys changed on reload")
	}
}

func TestOpenRefusesAStoreBehindItsCheckpoint(t *testing.T) {
	f := open(t, store.SQLite)
	ctx := context.Background()
	for range 3 {
		if err := f.log.Append(ctx, audit.Entry{Action: "x"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.log.Close(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"DROP TRIGGER audit_events_no_delete", "DELETE FROM audit_events WHERE seq = 3"} {
		if _, err := f.db.Writer().ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := audit.Open(ctx, store.NewAuditEvents(f.db), audit.Options{Keys: f.keys, Checkpoints: f.sink}); err == nil || !strings.Contains(err.Error(), "covers event 3") {
		t.Fatalf("open over a cut tail: %v", err)
	}
	if _, err := f.db.Writer().ExecContext(ctx, "DROP TRIGGER audit_events_no_update"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Writer().ExecContext(ctx, "UPDATE audit_events SET seq = 3 WHERE seq = 2"); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Open(ctx, store.NewAuditEvents(f.db), audit.Options{Keys: f.keys, Checkpoints: f.sink}); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("open over a changed head: %v", err)
	}
}
