package vault_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vault"
)

func TestRotationUnderLoadResumesAfterAKill(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		ctx := context.Background()
		const n = 120
		type rec struct {
			subject string
			ct      []byte
			plain   string
		}
		var mu sync.Mutex
		var recs []rec
		seal := func(i int) {
			s := fmt.Sprint("s", i)
			w, err := en.v.Access(clinician, vault.Request{TenantID: "t1", Subjects: []string{s}, Action: access.Write, Purpose: access.PurposeTreatment, Resource: "user"})
			if err != nil {
				t.Error(err)
				return
			}
			p := fmt.Sprint("value of ", s)
			ct, err := w.SealString(s, "users", "name", s, p)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			recs = append(recs, rec{s, ct, p})
			mu.Unlock()
		}
		for i := range n {
			seal(i)
		}
		st, err := en.v.Status(ctx)
		if err != nil || len(st.Versions) != 1 || st.DataKeys != n || st.Versions[0].Keys != n+1 {
			t.Fatalf("status before: %+v %v", st, err)
		}
		old := st.Versions[0].ID

		// Readers and a writer run through both rotation runs.
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var reads, failures atomic.Int64
		for r := range 3 {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(r), 1))
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					x := recs[rng.IntN(len(recs))]
					mu.Unlock()
					h, err := en.v.Access(clinician, vault.Request{TenantID: "t1", Subjects: []string{x.subject}, Action: access.Read, Purpose: access.PurposeTreatment, Resource: "user"})
					if err != nil {
						failures.Add(1)
						t.Error(err)
						return
					}
					got, err := h.OpenString(x.subject, "users", "name", x.subject, x.ct)
					if err != nil || got.Reveal() != x.plain {
						failures.Add(1)
						t.Errorf("read %s during rotation: %v", x.subject, err)
						return
					}
					reads.Add(1)
				}
			})
		}
		var next atomic.Int64
		next.Store(n)
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				seal(int(next.Add(1)))
			}
		})

		// The first run is killed after three batches.
		kctx, kill := context.WithCancel(ctx)
		batches := 0
		res, err := en.v.Rotate(kctx, vault.RotateOptions{Batch: 10, Progress: func(int) {
			batches++
			if batches == 3 {
				kill()
			}
		}})
		if !errors.Is(err, context.Canceled) || !res.Added || res.Rewrapped != 30 {
			t.Fatalf("killed rotation: %+v %v", res, err)
		}
		st, err = en.v.Status(ctx)
		if err != nil || st.Pending == 0 || len(st.Versions) != 2 {
			t.Fatalf("status after kill: %+v %v", st, err)
		}
		if err := en.v.Retire(ctx, old); err == nil {
			t.Fatal("retired a version that still wraps keys")
		}
		// The second run finishes the first rather than adding a version.
		res, err = en.v.Rotate(ctx, vault.RotateOptions{Batch: 10})
		if err != nil || res.Added || res.Primary == old || res.Rewrapped < n-30 {
			t.Fatalf("resumed rotation: %+v %v", res, err)
		}
		close(stop)
		wg.Wait()
		if failures.Load() > 0 || reads.Load() == 0 {
			t.Fatalf("reads %d, failures %d", reads.Load(), failures.Load())
		}
		st, err = en.v.Status(ctx)
		if err != nil || st.Pending != 0 || len(st.Versions) != 2 || st.Versions[0].Keys != 0 {
			t.Fatalf("status after: %+v %v", st, err)
		}
		if err := en.v.Retire(ctx, old); err != nil {
			t.Fatal(err)
		}
		// Every record, old and new, opens after the old version is gone, also
		// through a freshly opened key file.
		kek2, err := vault.OpenKeyFile(filepath.Join(en.place.DataDir, vault.KeyFileName))
		if err != nil {
			t.Fatal(err)
		}
		v2, err := vault.Open(ctx, store.NewVaultKeys(en.phi), kek2, en.log, vault.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range recs {
			h, err := v2.Access(clinician, vault.Request{TenantID: "t1", Subjects: []string{x.subject}, Action: access.Read, Purpose: access.PurposeTreatment, Resource: "user"})
			if err != nil {
				t.Fatal(err)
			}
			if got, err := h.OpenString(x.subject, "users", "name", x.subject, x.ct); err != nil || got.Reveal() != x.plain {
				t.Fatalf("read %s after retiring: %v", x.subject, err)
			}
		}
		vs, _ := kek2.Versions(ctx)
		if len(vs) != 2 || vs[0].Retired.IsZero() || !vs[1].Primary {
			t.Fatalf("versions %+v", vs)
		}
	})
}
