package audit_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func benchEntry(i int) audit.Entry {
	return audit.Entry{ActorID: "0192f1c2-7a3b-7c4d-8e5f-0123456789ab", ActorRole: access.RoleClinician, TenantID: "0192f1c2-0000-7c4d-8e5f-0123456789ab",
		Subjects: []string{fmt.Sprint("0192f1c2-1111-7c4d-8e5f-", 100000000000+i%1000)}, Action: "lab.view", ResourceType: "lab",
		ResourceID: "0192f1c2-2222-7c4d-8e5f-0123456789ab", Purpose: access.PurposeTreatment, RequestID: "8f3a9c0d1e2b4a5f",
		SourceIP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)"}
}

// BenchmarkAppend64 appends with 64 concurrent writers on SQLite; the budget
// is 20,000 events/s on 2 cores (DESIGN §13), reached by group commit.
func BenchmarkAppend64(b *testing.B) {
	f := open(b, store.SQLite)
	ctx := context.Background()
	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := f.log.Append(ctx, benchEntry(int(i))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	if c, n := f.log.Stats(); c > 0 {
		b.ReportMetric(float64(n)/float64(c), "events/commit")
	}
}

// BenchmarkAppend64Paced appends with 64 concurrent writers on SQLite that
// each wait a little between events, as requests do between the events of
// their views: smaller group commits than BenchmarkAppend64's, nearer what a
// loaded server makes (about 20 events a commit). cpu-ns/op is the process's
// CPU per event: the audit log's cost of an event, commit share included.
func BenchmarkAppend64Paced(b *testing.B) {
	f := open(b, store.SQLite)
	ctx := context.Background()
	var next atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	cpu0 := testkit.ProcessCPU()
	for range 64 {
		wg.Go(func() {
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				if err := f.log.Append(ctx, benchEntry(int(i))); err != nil {
					b.Error(err)
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(testkit.ProcessCPU()-cpu0)/float64(b.N), "cpu-ns/op")
	if c, n := f.log.Stats(); c > 0 {
		b.ReportMetric(float64(n)/float64(c), "events/commit")
	}
}

// BenchmarkVerify walks a SQLite chain of 50,000 events; the budget is
// 300,000 events/s.
func BenchmarkVerify(b *testing.B) {
	f := open(b, store.SQLite)
	ctx := context.Background()
	const n = 50000
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			for i := w; i < n; i += 64 {
				if err := f.log.Append(ctx, benchEntry(i)); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := f.log.Close(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		rep, err := audit.Verify(ctx, store.NewAuditEvents(f.db), f.sink, f.keys.Public())
		if err != nil || !rep.OK || rep.Events != n {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
