package server_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

// process is one `salve serve` of the process drill: a real process that
// the drill kills with SIGKILL.
type process struct {
	addr string
	cmd  *exec.Cmd
	log  string
}

// TestDrillProcesses is the fault drill with real processes (issue 21 item
// 6): on a PostgreSQL server of its own, three `salve serve` processes
// behind a small load balancer on loopback take mixed traffic from eight
// patients (browse, search, dashboard, checkout with the test gateway) while
// the drill kills the job leader with SIGKILL in the middle of a job, crashes
// PostgreSQL and starts it again, and kills another replica with SIGKILL and
// starts it again. Afterwards: every order a patient was told was placed is
// there, paid once, with its stock confirmed; no charge is on two orders;
// stock + held + sold = the initial stock; no job ran twice within its
// period, and the killed leader's jobs were taken over; the audit chain
// verifies. It prints each fault's recovery time. Run it with
//
//	SALVE_DRILL=1 SALVE_TEST_POSTGRES=... go test -run TestDrillProcesses -v ./internal/server
//
// (SALVE_TEST_POSTGRES only says PostgreSQL is there: the drill starts its
// own server with the machine's PostgreSQL programs, since it crashes it.)
func TestDrillProcesses(t *testing.T) {
	if os.Getenv("SALVE_DRILL") == "" || os.Getenv("SALVE_TEST_POSTGRES") == "" {
		t.Skip("the drill: set SALVE_DRILL=1 and SALVE_TEST_POSTGRES")
	}
	ctx := context.Background()
	pg := testkit.StartPGServer(t)
	work := t.TempDir()
	bin := filepath.Join(work, "salve")
	build := exec.Command("go", "build", "-o", bin, "github.com/salvehealth/salve/cmd/salve")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build salve: %v\n%s", err, out)
	}

	// The stores, a tenant, the demo catalog and one product with a known
	// stock, six patients signed in (sessions live in the database).
	cfg := config.Defaults()
	cfg.DataDir = filepath.Join(work, "data")
	if err := os.Mkdir(cfg.DataDir, 0o700); err != nil {
		t.Fatal(err)
	}
	cfg.CatalogDB, cfg.PHIDB, cfg.AuditDB = pg.URL, pg.URL, pg.URL
	cfg.Addr = "127.0.0.1:0"
	cfg.PaymentGateways, cfg.AllowTestPayments = []string{"invoice", "test"}, true
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
	cat := catalog.NewService(store.NewCatalogRepo(setup.Catalog), clock.System{})
	if _, err := demo.SeedCatalog(ctx, cat, ten.ID); err != nil {
		t.Fatal(err)
	}
	const initial = 100000
	strips := &catalog.Product{Name: "Drill Strips", Variants: []catalog.Variant{{SKU: "DRILL-50", Price: 1999, Stock: initial}}}
	if err := cat.SaveProduct(ctx, ten.ID, strips); err != nil {
		t.Fatal(err)
	}
	variant := strips.Variants[0].ID
	if err := setup.OpenVault(ctx, cfg, nil, nil); err != nil {
		t.Fatal(err)
	}
	inproc, err := server.New(ctx, cfg, setup, server.Options{Log: slog.New(slog.DiscardHandler), Argon2: testkit.TestArgon2})
	if err != nil {
		t.Fatal(err)
	}
	var sessions []string
	for i := range 8 {
		svc := inproc.Services()
		email := fmt.Sprintf("drill-%d@example.com", i)
		const pw = "drill patient password 1"
		if _, err := svc.Accounts.CreateUser(ctx, ten.ID, access.RolePatient, email, "Drill Patient", pw); err != nil {
			t.Fatal(err)
		}
		tok, _, err := svc.SignIn.Login(ctx, ten, signin.Attempt{Email: email, Password: pw, ClientIP: "127.0.0.1", Device: "Drill"})
		if err != nil {
			t.Fatal(err)
		}
		sessions = append(sessions, tok)
	}
	inproc.Services().After.Wait()
	periods := inproc.Services().Jobs.Periods() // the serve processes run the same jobs
	if err := setup.Close(); err != nil {
		t.Fatal(err)
	}

	// The replicas.
	start := func(addr string) *process {
		p := &process{addr: addr, log: filepath.Join(work, "replica-"+strings.ReplaceAll(addr, ":", "-")+".log")}
		logf, err := os.OpenFile(p.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = logf.Close() }()
		p.cmd = exec.Command(bin, "serve", "--addr", addr, "--data", cfg.DataDir, //nolint:gosec // the binary this test built
			"--catalog-db", pg.URL, "--phi-db", pg.URL, "--audit-db", pg.URL,
			"--payment-gateways", "invoice,test", "--allow-test-payments", "--log-format", "text", "--log-level", "warn",
			"--shutdown-timeout", "2s")
		p.cmd.Stdout, p.cmd.Stderr = logf, logf
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go func() { _ = p.cmd.Wait() }()
		return p
	}
	ready := func(p *process) {
		for range 600 {
			if r, err := http.Get("http://" + p.addr + "/readyz"); err == nil {
				_ = r.Body.Close()
				if r.StatusCode == http.StatusOK {
					return
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		out, _ := os.ReadFile(p.log)
		t.Fatalf("replica %s did not become ready:\n%s", p.addr, out)
	}
	var procs []*process
	var addrs []string
	for range 3 {
		p := start(freeAddr(t))
		procs, addrs = append(procs, p), append(addrs, "http://"+p.addr)
	}
	t.Cleanup(func() {
		for _, p := range procs {
			if p.cmd.Process != nil {
				_ = p.cmd.Process.Signal(syscall.SIGTERM)
			}
		}
		time.Sleep(500 * time.Millisecond)
		for _, p := range procs {
			if p.cmd.Process != nil {
				_ = p.cmd.Process.Kill()
			}
		}
		if t.Failed() {
			for _, p := range procs {
				out, _ := os.ReadFile(p.log)
				t.Logf("replica %s log:\n%s", p.addr, tail(string(out), 40))
			}
		}
	})

	// The job leader: the process holding a job's lease (job_runs.leased_by
	// names host:pid:random) while the jobs due at start run. The drill
	// watches job_runs from the start: it kills that process in the middle
	// of its job, and records every run of every job.
	db, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	watcher := newJobWatcher(db)
	go watcher.run()
	t.Cleanup(watcher.stop)
	var leaderJob string
	var leaderKilledAt time.Time
	killedLeader := -1
	deadline := time.Now().Add(90 * time.Second)
	for leaderJob == "" && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
		job, owner, pid := watcher.holder()
		for i, p := range procs {
			if pid == 0 || p.cmd.Process == nil || p.cmd.Process.Pid != pid {
				continue
			}
			if err := p.cmd.Process.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			killedAt := time.Now()
			// Mid-run only if the dead process still holds the lease: it
			// may have finished the job between the look and the kill (its
			// last statement, sent before it died, still lands: let it).
			time.Sleep(300 * time.Millisecond)
			var by string
			if err := db.QueryRowContext(ctx, `SELECT leased_by FROM salve_phi.job_runs WHERE name = $1`, job).Scan(&by); err != nil {
				t.Fatal(err)
			}
			if by == owner {
				leaderJob, leaderKilledAt, killedLeader = job, killedAt, i
			} else {
				procs[i] = start(p.addr) // finished first: back up, and look again
			}
		}
	}
	if leaderJob == "" {
		t.Fatal("no replica was seen in the middle of a job in 90 s")
	}
	fmt.Printf("drill: job leader (replica %d) killed with SIGKILL while it ran %s\n", killedLeader, leaderJob)
	for i, p := range procs {
		if i != killedLeader {
			ready(p)
		}
	}
	// Restarted as a supervisor would, on the same address.
	procs[killedLeader] = start(procs[killedLeader].addr)
	ready(procs[killedLeader])
	proxy := startDrillProxy(t, addrs)

	// Traffic: eight patients, each with their own cookie jar (their cart),
	// browse, search, open their dashboard and check out one unit in every
	// fourth step, until stop.
	var (
		stop      atomic.Bool
		requests  atomic.Int64
		failures  atomic.Int64
		lastOK    atomic.Int64
		lastFail  atomic.Int64
		signIns   atomic.Int64
		confirmed sync.Map // order id → patient
	)
	orderURL := regexp.MustCompile(`^/account/orders/([0-9a-f-]{36})$`)
	address := url.Values{"name": {"Pat Doe"}, "line1": {"1 Main St"}, "city": {"Springfield"}, "region": {"NY"},
		"postal_code": {"10001"}, "shipping": {"express"}, "gateway": {"test"}}
	pages := []string{"/", "/products?q=vitamin", "/account", "/products?page=2"}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			jar, _ := cookiejar.New(nil)
			u, _ := url.Parse(proxy.URL)
			jar.SetCookies(u, []*http.Cookie{{Name: web.CookiePlain, Value: sessions[i], Path: "/"}})
			c := &http.Client{Jar: jar, Timeout: 10 * time.Second,
				CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			do := func(method, path string, form url.Values) (*http.Response, bool) {
				requests.Add(1)
				var body io.Reader
				if form != nil {
					body = strings.NewReader(form.Encode())
				}
				req, _ := http.NewRequest(method, proxy.URL+path, body)
				if form != nil {
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("Origin", proxy.URL)
				}
				r, err := c.Do(req)
				if err == nil {
					_, _ = io.Copy(io.Discard, r.Body)
					_ = r.Body.Close()
				}
				if err != nil || r.StatusCode >= 500 {
					failures.Add(1)
					lastFail.Store(time.Now().UnixNano())
					return r, false
				}
				lastOK.Store(time.Now().UnixNano())
				return r, true
			}
			for step := 0; !stop.Load(); step++ {
				if step%40 == 20 { // signs in again through the form (a production Argon2 hash)
					r, ok := do(http.MethodPost, "/login", url.Values{"email": {fmt.Sprintf("drill-%d@example.com", i)},
						"password": {"drill patient password 1"}})
					if ok && r.StatusCode == http.StatusSeeOther {
						signIns.Add(1)
					}
					continue
				}
				if step%4 != 3 {
					do(http.MethodGet, pages[(step+i)%len(pages)], nil)
					continue
				}
				r, ok := do(http.MethodPost, "/cart/items", url.Values{"variant": {variant}, "quantity": {"1"}})
				if !ok || r.StatusCode != http.StatusSeeOther {
					continue
				}
				r, ok = do(http.MethodPost, "/checkout/pay", address)
				if !ok {
					continue
				}
				if m := orderURL.FindStringSubmatch(r.Header.Get("Location")); r.StatusCode == http.StatusSeeOther && m != nil {
					if _, dup := confirmed.LoadOrStore(m[1], i); dup {
						t.Errorf("order %s was confirmed twice", m[1])
					}
				}
			}
		})
	}

	// recovery waits for the first answered request after at and says how long it took.
	recovery := func(at time.Time) time.Duration {
		for range 1200 {
			if ok := lastOK.Load(); ok > at.UnixNano() {
				return time.Unix(0, ok).Sub(at)
			}
			time.Sleep(25 * time.Millisecond)
		}
		t.Fatalf("no request answered within 30 s after the fault at %v", at)
		return 0
	}
	time.Sleep(3 * time.Second)

	// Fault: PostgreSQL crashes, and comes back a second later.
	crashAt := time.Now()
	if err := pg.Crash(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	if err := pg.Start(); err != nil {
		t.Fatal(err)
	}
	pgBack := time.Now()
	fmt.Printf("drill: PostgreSQL crashed (immediate stop) and restarted after %s; first answer %s after it was back\n",
		pgBack.Sub(crashAt).Round(time.Millisecond), recovery(pgBack).Round(time.Millisecond))
	time.Sleep(3 * time.Second)

	// Fault: a replica killed with SIGKILL mid-traffic, restarted 2 s later.
	victim := (killedLeader + 1) % len(procs)
	killAt := time.Now()
	if err := procs[victim].cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("drill: replica %d killed with SIGKILL; first answer after it %s later\n", victim, recovery(killAt).Round(time.Millisecond))
	time.Sleep(2 * time.Second)
	procs[victim] = start(procs[victim].addr)
	ready(procs[victim])
	// Recovered: nothing fails in the last seconds, with every replica up.
	calm := time.Now()
	time.Sleep(3 * time.Second)
	stop.Store(true)
	wg.Wait()
	if f := lastFail.Load(); f > calm.UnixNano() {
		t.Errorf("a request failed %s after every replica was back", time.Unix(0, f).Sub(calm))
	}
	fmt.Printf("drill: %d requests, %d failed (during the faults), %d sign-ins through the form, %d orders confirmed to patients\n",
		requests.Load(), failures.Load(), signIns.Load(), countMap(&confirmed))
	if signIns.Load() == 0 {
		t.Error("no sign-in through the form succeeded")
	}

	// The killed leader's job is taken over once its lease ends.
	took := watcher.ranAfter(leaderJob, leaderKilledAt, time.Now().Add(45*time.Second))
	if took == 0 {
		var by string
		var until, last sql.NullTime
		_ = db.QueryRowContext(ctx, `SELECT leased_by, lease_until, last_run_at FROM salve_phi.job_runs WHERE name = $1`, leaderJob).Scan(&by, &until, &last)
		t.Errorf("job %s, whose runner was killed at %v, did not run again within 45 s (now %v: leased by %q until %v, last run %v)",
			leaderJob, leaderKilledAt.UTC(), time.Now().UTC(), by, until.Time.UTC(), last.Time.UTC())
	} else {
		fmt.Printf("drill: job %s taken over %s after its leader was killed (lease %s)\n", leaderJob, took.Round(time.Millisecond), "30s")
	}
	watcher.stop()
	if dup := watcher.twiceInAPeriod(periods); len(dup) > 0 {
		t.Errorf("jobs that ran twice within their period: %v", dup)
	}
	fmt.Printf("drill: %d job runs seen, none twice within its period\n", watcher.runs())

	// Orders: every confirmed order is there, paid, with one charge of its
	// own and its stock confirmed; stock is conserved.
	checkOrders(ctx, t, db, &confirmed, variant, initial)

	// The audit chain is one valid chain after the crashes and the kills.
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = stores.Close() }()
	pub, err := audit.LoadPublicKey(cfg.AuditKeyPath())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := audit.Verify(ctx, store.NewAuditEvents(stores.Audit), audit.NewFileSink(cfg.AuditCheckpointPath()), pub)
	if err != nil || !rep.OK {
		t.Fatalf("audit chain after the drill: %+v %v", rep, err)
	}
	fmt.Printf("drill: audit chain intact, %d events\n", rep.Events)
}

// checkOrders checks the money and stock invariants after the drill.
func checkOrders(ctx context.Context, t *testing.T, db *sql.DB, confirmed *sync.Map, variant string, initial int64) {
	t.Helper()
	type order struct{ status, charge string }
	orders := map[string]order{}
	charges := map[string]string{}
	err := eachRow(ctx, db, `SELECT id, status, charge_id FROM salve_phi.orders`, func(rows *sql.Rows) error {
		var oid string
		var o order
		if err := rows.Scan(&oid, &o.status, &o.charge); err != nil {
			return err
		}
		orders[oid] = o
		if o.charge != "" {
			if other, dup := charges[o.charge]; dup {
				t.Errorf("charge %s is on orders %s and %s", o.charge, other, oid)
			}
			charges[o.charge] = oid
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]string{}
	var heldUnits, soldUnits int64
	err = eachRow(ctx, db, `SELECT order_id, status, quantity FROM salve_catalog.stock_reservations WHERE variant_id = $1`, func(rows *sql.Rows) error {
		var oid, status string
		var q int64
		if err := rows.Scan(&oid, &status, &q); err != nil {
			return err
		}
		held[oid] = status
		switch status {
		case "held":
			heldUnits += q
		case "confirmed":
			soldUnits += q
		}
		return nil
	}, variant)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	confirmed.Range(func(k, _ any) bool {
		n++
		oid := k.(string)
		o, ok := orders[oid]
		switch {
		case !ok:
			t.Errorf("order %s was confirmed to its patient but is not in the store", oid)
		case o.status != "paid" || o.charge == "":
			t.Errorf("confirmed order %s: status %s, charge %q", oid, o.status, o.charge)
		case held[oid] != "confirmed":
			t.Errorf("confirmed order %s: its stock is %q, want confirmed", oid, held[oid])
		}
		return true
	})
	if n == 0 {
		t.Error("no order was placed during the drill")
	}
	for oid, status := range held {
		if o, ok := orders[oid]; status == "confirmed" && (!ok || o.status != "paid") {
			t.Errorf("stock sold to order %s, which is %q in the store", oid, o.status)
		}
	}
	var stock int64
	if err := db.QueryRowContext(ctx, `SELECT stock FROM salve_catalog.variants WHERE id = $1`, variant).Scan(&stock); err != nil {
		t.Fatal(err)
	}
	if stock+heldUnits+soldUnits != initial {
		t.Errorf("stock %d + held %d + sold %d = %d, want the initial %d", stock, heldUnits, soldUnits, stock+heldUnits+soldUnits, initial)
	}
	paid := 0
	for _, o := range orders {
		if o.status == "paid" {
			paid++
		}
	}
	fmt.Printf("drill: %d orders in the store (%d paid, %d confirmed to patients: the rest answered during a fault), %d distinct charges; stock %d + held %d + sold %d = %d\n",
		len(orders), paid, n, len(charges), stock, heldUnits, soldUnits, initial)
}

// jobWatcher polls job_runs every few milliseconds and keeps what it saw:
// which process holds each lease now, and every run (a new last_run_at).
type jobWatcher struct {
	db   *sql.DB
	done chan struct{}
	once sync.Once
	mu   sync.Mutex
	// held: job → holder (host:pid:random) now.
	held map[string]string
	// seen: job → every last_run_at seen, in order.
	seen  map[string][]time.Time
	every map[string]time.Duration
}

func newJobWatcher(db *sql.DB) *jobWatcher {
	return &jobWatcher{db: db, done: make(chan struct{}), held: map[string]string{}, seen: map[string][]time.Time{},
		every: map[string]time.Duration{}}
}

func (w *jobWatcher) stop() { w.once.Do(func() { close(w.done) }) }

func (w *jobWatcher) run() {
	for {
		select {
		case <-w.done:
			return
		case <-time.After(2 * time.Millisecond):
		}
		w.mu.Lock()
		// An error is PostgreSQL down during the crash: asked again.
		_ = eachRow(context.Background(), w.db, `SELECT name, leased_by, last_run_at FROM salve_phi.job_runs`, func(rows *sql.Rows) error {
			var name, by string
			var last sql.NullTime
			if err := rows.Scan(&name, &by, &last); err != nil {
				return err
			}
			w.held[name] = by
			if s := w.seen[name]; last.Valid && (len(s) == 0 || !s[len(s)-1].Equal(last.Time)) {
				w.seen[name] = append(s, last.Time)
			}
			return nil
		})
		w.mu.Unlock()
	}
}

// eachRow runs query and calls fn for each row.
func eachRow(ctx context.Context, db *sql.DB, query string, fn func(*sql.Rows) error, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// holder returns a job whose lease a process holds now, the holder's name
// and its process id.
func (w *jobWatcher) holder() (string, string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	host, _ := os.Hostname()
	for job, by := range w.held {
		parts := strings.Split(by, ":")
		if len(parts) == 3 && parts[0] == host {
			if pid, err := strconv.Atoi(parts[1]); err == nil {
				return job, by, pid
			}
		}
	}
	return "", "", 0
}

// ranAfter waits until job has a run recorded after at, or until deadline,
// and returns how long after at it came (0: none).
func (w *jobWatcher) ranAfter(job string, at, deadline time.Time) time.Duration {
	for time.Now().Before(deadline) {
		w.mu.Lock()
		s := w.seen[job]
		w.mu.Unlock()
		if len(s) > 0 && s[len(s)-1].After(at) {
			return s[len(s)-1].Sub(at)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return 0
}

// twiceInAPeriod lists the jobs with two runs closer than their period
// (less a second: the processes' clocks are the machine's one clock, and
// last_run_at is when a run ended). A job the drill does not know is listed
// too.
func (w *jobWatcher) twiceInAPeriod(periods map[string]time.Duration) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for job, s := range w.seen {
		every, ok := periods[job]
		if !ok {
			out = append(out, job+" (not a job of the drill's schedule)")
			continue
		}
		for i := 1; i < len(s); i++ {
			if s[i].Sub(s[i-1]) < every-time.Second {
				out = append(out, fmt.Sprintf("%s (%s apart, period %s)", job, s[i].Sub(s[i-1]), every))
			}
		}
	}
	return out
}

// runs counts the runs seen.
func (w *jobWatcher) runs() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, s := range w.seen {
		n += len(s)
	}
	return n
}

func countMap(m *sync.Map) int {
	n := 0
	m.Range(func(any, any) bool { n++; return true })
	return n
}

// freeAddr returns a loopback address nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	return "127.0.0.1:" + strconv.Itoa(freePort(t, "tcp"))
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
