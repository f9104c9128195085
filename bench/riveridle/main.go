// Command riveridle measures what an idle River client (github.com/riverqueue/river)
// costs PostgreSQL, the figure docs/operations.md weighs against Salve's own
// internal/jobs ("Replicas on PostgreSQL"): it migrates River's schema into a
// fresh database, starts N clients with Salve's six periodic jobs and no
// traffic, waits, stops them, and reads the transactions their connections
// committed from pg_stat_database (a backend flushes its statistics when it
// exits). It is a module of its own so that River is not a dependency of
// Salve unless the decision changes.
//
//	go run . -dsn postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable -seconds 120 -clients 1
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"
)

// tick is a periodic job with nothing to do, like Salve's on an idle store.
type tick struct{ Name string }

func (tick) Kind() string { return "tick" }

type worker struct{ river.WorkerDefaults[tick] }

func (worker) Work(context.Context, *river.Job[tick]) error { return nil }

func main() {
	dsn := flag.String("dsn", os.Getenv("SALVE_TEST_POSTGRES"), "a PostgreSQL server URL (a database is created on it and dropped after)")
	seconds := flag.Int("seconds", 60, "how long the clients stay idle")
	clients := flag.Int("clients", 1, "how many clients (replicas) share the database")
	flag.Parse()
	ctx := context.Background()

	admin, err := pgx.Connect(ctx, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	db := fmt.Sprintf("riveridle_%d", time.Now().UnixNano())
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+db); err != nil {
		log.Fatal(err)
	}
	defer func() { _, _ = admin.Exec(context.Background(), "DROP DATABASE "+db+" WITH (FORCE)") }()
	u, err := url.Parse(*dsn)
	if err != nil {
		log.Fatal(err)
	}
	u.Path = "/" + db
	dbURL := u.String()

	setup, err := pgxpool.New(ctx, dbURL)
	if err != nil {
		log.Fatal(err)
	}
	m, err := rivermigrate.New(riverpgxv5.New(setup), nil)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		log.Fatal(err)
	}
	setup.Close()

	count := func() int64 {
		time.Sleep(1500 * time.Millisecond)
		var n int64
		if _, err := admin.Exec(ctx, "SELECT pg_stat_clear_snapshot()"); err != nil {
			log.Fatal(err)
		}
		if err := admin.QueryRow(ctx, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = $1", db).Scan(&n); err != nil {
			log.Fatal(err)
		}
		return n
	}
	before := count()

	periods := map[string]time.Duration{"identity.staff_inactivity": 24 * time.Hour, "orders.expire_reservations": time.Minute,
		"orders.release_leftovers": time.Minute, "orders.reconcile_payments": time.Minute, "identity.session_purge": time.Hour}
	var pools []*pgxpool.Pool
	var cs []*river.Client[pgx.Tx]
	for range *clients {
		pool, err := pgxpool.New(ctx, dbURL)
		if err != nil {
			log.Fatal(err)
		}
		workers := river.NewWorkers()
		river.AddWorker(workers, &worker{})
		var periodic []*river.PeriodicJob
		for name, every := range periods {
			periodic = append(periodic, river.NewPeriodicJob(river.PeriodicInterval(every),
				func() (river.JobArgs, *river.InsertOpts) { return tick{Name: name}, nil }, &river.PeriodicJobOpts{RunOnStart: true}))
		}
		c, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
			Queues:       map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}},
			Workers:      workers,
			PeriodicJobs: periodic,
		})
		if err != nil {
			log.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			log.Fatal(err)
		}
		pools, cs = append(pools, pool), append(cs, c)
	}
	start := time.Now()
	time.Sleep(time.Duration(*seconds) * time.Second)
	for _, c := range cs {
		if err := c.Stop(ctx); err != nil {
			log.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	for _, p := range pools {
		p.Close()
	}
	n := count() - before - 2
	fmt.Printf("river %s: %d idle client(s), %d transactions in %s: %.2f a second (%s)\n", riverVersion(), *clients, n,
		elapsed.Round(time.Second), float64(n)/elapsed.Seconds(), strings.Join(os.Args[1:], " "))
}

// riverVersion is the River release this program was built with.
func riverVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/riverqueue/river" {
				return d.Version
			}
		}
	}
	return "(unknown)"
}
