package cli

import (
	"context"
	"fmt"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/server"
)

func demoCommand() command {
	c := command{name: "demo", usage: "demo [flags]",
		summary: "Run Salve with demo data: creates the data directory, migrates, seeds a demo tenant with about 200 products (drawn images, nothing fetched), and serves on 127.0.0.1:8080. Run it again to reuse the data."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		fs := flags(env, c)
		l := config.NewLoader(fs, config.Stores|config.Server|config.Logging, map[string]string{"log-format": "text"})
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		if cfg.Role != config.RoleAll {
			return &config.Error{Setting: "role", Msg: "the demo serves everything; leave --role at all"}
		}
		log := newLogger(cfg, env.Stderr)
		ready := env.Ready
		env2 := *env
		env2.Ready = func(url string) {
			fmt.Fprintf(env.Stdout, "\nSalve demo is running at %s\nData directory: %s\nPress Ctrl-C to stop.\n\n", url, cfg.DataDir)
			if ready != nil {
				ready(url)
			}
		}
		return runServer(ctx, &env2, cfg, log, func(ctx context.Context, stores *server.Stores) error {
			ran, err := stores.Migrate(ctx, env.Clock.Now())
			if err != nil {
				return err
			}
			for _, db := range stores.All() {
				if n := len(ran[db.Kind()]); n > 0 {
					log.Info("migrated", "store", string(db.Kind()), "applied", n)
				}
			}
			created, err := demo.Seed(ctx, stores, env.Clock)
			if err != nil {
				return fmt.Errorf("seed demo data: %w", err)
			}
			if created {
				log.Info("seeded the demo tenant")
			}
			return nil
		})
	}
	return c
}
