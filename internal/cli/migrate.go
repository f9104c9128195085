package cli

import (
	"context"
	"fmt"

	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/server"
)

func migrateCommand() command {
	c := command{name: "migrate", usage: "migrate [flags]",
		summary: "Bring the schema of every store up to this build. Safe to run again, and from several replicas at once."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		fs := flags(env, c)
		l := config.NewLoader(fs, config.Stores|config.Logging, nil)
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		if err := ensureDataDir(cfg, newLogger(cfg, env.Stderr)); err != nil {
			return err
		}
		stores, err := server.OpenStores(ctx, cfg)
		if err != nil {
			return err
		}
		defer stores.Close()
		ran, err := stores.Migrate(ctx, env.Clock.Now())
		for _, db := range stores.All() {
			for _, m := range ran[db.Kind()] {
				fmt.Fprintf(env.Stdout, "%s: applied %04d_%s\n", db.Kind(), m.Version, m.Name)
			}
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "all stores are up to date")
		return nil
	}
	return c
}
