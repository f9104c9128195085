package cli

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
)

func serveCommand() command {
	c := command{name: "serve", usage: "serve [flags]",
		summary: "Serve Salve. The stores must be migrated first ('salve migrate')."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		fs := flags(env, c)
		l := config.NewLoader(fs, config.Stores|config.Server|config.Logging, nil)
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		log, lines := newServerLogger(cfg, env.Stderr)
		defer lines.Close()
		env2 := *env
		env2.Ready = func(url string) {
			lines.Batch()
			if env.Ready != nil {
				env.Ready(url)
			}
		}
		return runServer(ctx, &env2, cfg, log, nil)
	}
	return c
}

// prepared is what the demo's preparation hands on to the server.
type prepared struct {
	// services were built on the stores to seed them (nil: the server builds
	// its own).
	services *server.Services
	// after is work to do once the server listens (the demo's product
	// images): it runs beside serving, is cancelled when ctx ends, and the
	// stores close only after it returned.
	after func(ctx context.Context)
}

// serverGCPercent is the garbage collector's target for a serving process
// unless GOGC is set (docs/operations.md). Why not Go's 100: a server's live
// heap is small (about 25 MB for the demo) while every page allocates a few
// hundred kilobytes, so at 100 the collector ran every few dozen requests
// and was 10-20 % of a portal page's CPU; at 400 the heap peaks near five
// times the live heap (about 125 MB), well inside the deploy files' limits.
const serverGCPercent = 400

// runServer opens the stores, prepares them (demo migrates and seeds; serve
// only checks the schema), and serves until ctx ends.
func runServer(ctx context.Context, env *Env, cfg *config.Config, log *slog.Logger,
	prepare func(ctx context.Context, stores *server.Stores) (prepared, error)) error {
	// A certificate that cannot be loaded is an invalid setting, reported before
	// anything is opened.
	if err := server.CheckTLS(cfg); err != nil {
		return err
	}
	if env.Getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	if err := ensureDataDir(cfg, log); err != nil {
		return err
	}
	stores, err := server.OpenStores(ctx, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if err := stores.Close(); err != nil {
			log.Error("closing stores", "err", err)
		}
	}()
	var prep prepared
	if prepare != nil {
		if prep, err = prepare(ctx, stores); err != nil {
			return err
		}
	} else if err := stores.CheckSchema(ctx); err != nil {
		return err
	}
	// The audit log and the vault open after the schema is known good; the
	// deferred stores.Close closes the log first, which signs the final
	// checkpoint at shutdown.
	if err := stores.OpenVault(ctx, cfg, env.Clock, log); err != nil {
		return err
	}
	srv, err := server.New(ctx, cfg, stores, server.Options{Log: log, Clock: env.Clock, Argon2: env.Argon2, Services: prep.services})
	if err != nil {
		return err
	}
	// Deferred after stores.Close, so it runs first: the work started once
	// listening is stopped and waited for before the stores close.
	bg, stopBG := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() { stopBG(); wg.Wait() }()
	ready := func(url string) {
		if prep.after != nil {
			wg.Go(func() { prep.after(bg) })
		}
		if env.Ready != nil {
			env.Ready(url)
		}
	}
	if err := srv.Run(ctx, ready); err != nil {
		return fmt.Errorf("server: %w", err)
	}
	log.Info("stopped")
	return nil
}
