package cli

import (
	"context"

	"github.com/salvehealth/salve/internal/config"
)

func configCommand() command {
	c := command{name: "config", usage: "config [flags]",
		summary: "Print the effective configuration, where each value came from, and every secret masked."}
	c.run = func(_ context.Context, env *Env, args []string) error {
		fs := flags(env, c)
		l := config.NewLoader(fs, config.Stores|config.Server|config.Logging, nil)
		if err := parse(env, fs, args, 0); err != nil {
			return err
		}
		cfg, err := l.Load(env.Getenv, env.ReadFile)
		if err != nil {
			return err
		}
		return l.Dump(env.Stdout, cfg)
	}
	return c
}
