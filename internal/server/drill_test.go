package server_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// replica is one in-process `salve serve` of the drill.
type replica struct {
	url    string
	stop   context.CancelFunc
	done   chan error
	stores *server.Stores
	srv    *server.Server
	dead   atomic.Bool
}

// TestDrillReplicas is the load and fault drill (issue 21 item 6, in part):
// on a fresh PostgreSQL database, three replicas behind a small reverse
// proxy on loopback take bounded browse, search and patient dashboard
// traffic (patients signed in on different replicas); one replica is
// stopped mid-run (its Run context cancelled); afterwards every request was answered and the audit
// chain verifies. It prints the throughput of 3 replicas against 1 in the
// same run and the recovery time after the fault. Run it with
//
//	SALVE_DRILL=1 SALVE_TEST_POSTGRES=... go test -run TestDrillReplicas -v ./internal/server
func TestDrillReplicas(t *testing.T) {
	if os.Getenv("SALVE_DRILL") == "" || os.Getenv("SALVE_TEST_POSTGRES") == "" {
		t.Skip("the drill: set SALVE_DRILL=1 and SALVE_TEST_POSTGRES")
	}
	ctx := context.Background()
	p := testkit.NewPlace(t, store.Postgres)
	cfg := config.Defaults()
	cfg.DataDir, cfg.CatalogDB, cfg.PHIDB, cfg.AuditDB = p.DataDir, p.PGURL, p.PGURL, p.PGURL
	cfg.Addr = "127.0.0.1:0"
	setup, err := server.OpenStores(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.Migrate(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	ten := &tenant.Tenant{ID: id.New(), Slug: "drill", Name: "Drill", Hostnames: []string{"127.0.0.1"},
		Theme: tenant.DefaultTheme, IsDefault: true, CreatedAt: now, UpdatedAt: now}
	if err := store.NewTenants(setup.Catalog).Create(ctx, ten); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedCatalog(ctx, catalog.NewService(store.NewCatalogRepo(setup.Catalog), clock.System{}), ten.ID); err != nil {
		t.Fatal(err)
	}
	if err := setup.Close(); err != nil {
		t.Fatal(err)
	}

	start := func() *replica {
		stores, err := server.OpenStores(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := stores.OpenVault(ctx, cfg, nil, nil); err != nil {
			t.Fatal(err)
		}
		srv, err := server.New(ctx, cfg, stores, server.Options{Log: slog.New(slog.DiscardHandler), Argon2: testkit.TestArgon2})
		if err != nil {
			t.Fatal(err)
		}
		runCtx, stop := context.WithCancel(ctx)
		r := &replica{stop: stop, done: make(chan error, 1), stores: stores, srv: srv}
		ready := make(chan string, 1)
		go func() { r.done <- srv.Run(runCtx, func(u string) { ready <- u }) }()
		r.url = <-ready
		return r
	}
	replicas := []*replica{start(), start(), start()}
	t.Cleanup(func() {
		for _, r := range replicas {
			if !r.dead.Load() {
				r.stop()
				if err := <-r.done; err != nil {
					t.Errorf("replica stop: %v", err)
				}
			}
			_ = r.stores.Close()
		}
	})

	// The proxy: round robin over the replicas, a GET that fails sent to
	// the next one (see drillProxy).
	urls := func(rs []*replica) []string {
		var out []string
		for _, r := range rs {
			out = append(out, r.url)
		}
		return out
	}
	proxy := startDrillProxy(t, urls(replicas))
	base := proxy.URL

	// Patients, each signed in on a different replica (sessions live in the
	// database, so any replica answers them); their dashboard opens PHI
	// through the vault, so every replica writes to the one audit chain.
	var tokens []string
	for i := range 6 {
		svc := replicas[i%3].srv.Services()
		email := fmt.Sprintf("drill-%d@example.com", i)
		const pw = "drill patient password 1"
		if _, err := svc.Accounts.CreateUser(ctx, ten.ID, access.RolePatient, email, "Drill Patient", pw); err != nil {
			t.Fatal(err)
		}
		tok, _, err := svc.SignIn.Login(ctx, ten, signin.Attempt{Email: email, Password: pw, ClientIP: "127.0.0.1", Device: "Drill"})
		if err != nil {
			t.Fatal(err)
		}
		tokens = append(tokens, tok)
	}
	paths := []string{"/", "/products", "/products?q=vitamin", "/account", "/products?q=bandage&page=2"}
	// load sends n requests from 8 clients and returns requests a second,
	// the failures, and when the first success after fault came.
	// firstFailure keeps what the first failed request got, for the
	// error message (a status or a transport error).
	var firstFailure atomic.Value
	load := func(n int, fault func()) (float64, int64, time.Time) {
		var sent, failures atomic.Int64
		var firstAfter atomic.Int64
		c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var wg sync.WaitGroup
		began := time.Now()
		for range 8 {
			wg.Go(func() {
				for {
					i := sent.Add(1)
					if i > int64(n) {
						return
					}
					if fault != nil && i == int64(n/2) {
						fault()
					}
					req, _ := http.NewRequest(http.MethodGet, base+paths[i%int64(len(paths))], nil)
					req.AddCookie(&http.Cookie{Name: web.CookiePlain, Value: tokens[i%int64(len(tokens))]})
					resp, err := c.Do(req)
					if err != nil || resp.StatusCode != http.StatusOK {
						failures.Add(1)
						what := fmt.Sprint(err)
						if err == nil {
							what = fmt.Sprintf("%s for %s", resp.Status, req.URL.Path)
						}
						firstFailure.CompareAndSwap(nil, what)
					} else if d := proxy.firstFailure.Load(); d != 0 && firstAfter.Load() == 0 {
						firstAfter.CompareAndSwap(0, time.Now().UnixNano())
					}
					if resp != nil {
						_, _ = io.Copy(io.Discard, resp.Body)
						_ = resp.Body.Close()
					}
				}
			})
		}
		wg.Wait()
		return float64(n) / time.Since(began).Seconds(), failures.Load(), time.Unix(0, firstAfter.Load())
	}

	load(200, nil) // warm the caches of all three
	proxy.SetBackends(urls(replicas[:1]))
	one, f1, _ := load(1500, nil)
	proxy.SetBackends(urls(replicas))
	three, f3, _ := load(1500, nil)
	if f1+f3 != 0 {
		t.Errorf("failures without a fault: %d with one replica, %d with three (the first: %v)", f1, f3, firstFailure.Load())
	}
	fmt.Printf("drill: throughput 1 replica %.0f req/s, 3 replicas %.0f req/s, ratio %.2f (%d cores)\n", one, three, three/one, runtime.NumCPU())

	// The fault: one replica stopped mid-run (in-process: its Run context cancelled, not a kill -9).
	var stoppedAt time.Time
	_, ff, recovered := load(1500, func() {
		stoppedAt = time.Now()
		replicas[1].stop()
		if err := <-replicas[1].done; err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("replica stop: %v", err)
		}
		replicas[1].dead.Store(true)
		proxy.firstFailure.CompareAndSwap(0, time.Now().UnixNano())
	})
	if ff != 0 {
		t.Errorf("%d requests failed after a replica stopped: the proxy should have moved them (the first: %v)", ff, firstFailure.Load())
	}
	fmt.Printf("drill: replica stopped; first answer after it %s later, failed requests %d\n", recovered.Sub(stoppedAt).Round(time.Millisecond), ff)

	// Every scheduled job ran (each is due at start), without error, under
	// the lease; once per period is TestTwoReplicasRunEachJobOncePerPeriodAndStayQuiet's.
	ran := 0
	err = eachRow(ctx, replicas[0].stores.PHI.Reader(), `SELECT name, last_run_at IS NOT NULL, last_error FROM job_runs ORDER BY name`, func(rows *sql.Rows) error {
		var name, lastErr string
		var done bool
		if err := rows.Scan(&name, &done, &lastErr); err != nil {
			return err
		}
		if done && lastErr == "" {
			ran++
		} else if lastErr != "" {
			t.Errorf("job %s failed: %s", name, lastErr)
		}
		return nil
	})
	if err != nil || ran == 0 {
		t.Errorf("jobs run during the drill: %d (%v)", ran, err)
	}
	fmt.Printf("drill: %d jobs ran under the lease across the replicas\n", ran)

	// The audit chain is one valid chain after several writers.
	pub, err := audit.LoadPublicKey(cfg.AuditKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, store.NewAuditEvents(replicas[0].stores.Audit), audit.NewFileSink(cfg.AuditCheckpointPath()), pub)
	if err != nil || !rep.OK {
		t.Fatalf("audit chain after the drill: %+v %v", rep, err)
	}
	if rep.Events == 0 {
		t.Error("no audit events: the dashboards should have written some")
	}
	fmt.Printf("drill: audit chain intact, %d events\n", rep.Events)
}
