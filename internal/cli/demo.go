package cli

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"runtime"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
)

// demoSteps is how many steps seeding the demo shows (step below).
const demoSteps = 9

func demoCommand() command {
	c := command{name: "demo", usage: "demo [flags]",
		summary: "Run Salve with demo data: creates the data directory, migrates, seeds a demo organisation with two brands (a pharmacy with about 200 products at localhost and diabetes.localhost, a travel clinic with a dozen at travel.localhost), and serves on 127.0.0.1:8080 (printed as http://localhost:8080, where passkeys work); the products' pictures are drawn (nothing fetched) in the background once it serves. Run it again to reuse the data."}
	c.run = func(ctx context.Context, env *Env, args []string) error {
		fs := flags(env, c)
		l := config.NewLoader(fs, config.Stores|config.Server|config.Logging, map[string]string{"log-format": "text", "payment-gateways": "test,invoice", "allow-test-payments": "true"})
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
		log, lines := newServerLogger(cfg, env.Stderr)
		defer lines.Close()
		ready := env.Ready
		env2 := *env
		env2.Ready = func(url string) {
			lines.Batch()
			fmt.Fprintf(env.Stdout, "\nSalve demo is running at %s\nIts two brands (one organisation; *.localhost is loopback):\n  %-28s %s\n  %-28s %s\nData directory: %s\n\nDemo accounts of the pharmacy (this data directory only):\n",
				url, "Diabetes care (the pharmacy)", brandURL(url, demo.DiabetesHost), "Travel clinic", brandURL(url, demo.TravelHost), cfg.DataDir)
			for _, p := range demo.People {
				fmt.Fprintf(env.Stdout, "  %-16s %-32s %s\n", p.Role, p.Email, p.Password)
			}
			fmt.Fprint(env.Stdout, "Staff set up an authenticator app at first sign-in. Emails wait at /admin/outbox (open one with a reason).\nPress Ctrl-C to stop.\n\n")
			if ready != nil {
				ready(url)
			}
		}
		return runServer(ctx, &env2, cfg, log, func(ctx context.Context, stores *server.Stores) (prepared, error) {
			// Seeding shows its steps on a terminal (quiet when piped); the
			// line is blanked before the server says where it listens.
			bar := env.progress("seeding the demo", 0)
			defer bar.Done()
			n := 0
			step := func(what string) {
				n++
				bar.Step(fmt.Sprintf("seeding the demo (%d of %d): %s", n, demoSteps, what), 0)
			}
			ran, err := stores.Migrate(ctx, env.Clock.Now())
			if err != nil {
				return prepared{}, err
			}
			for _, db := range stores.All() {
				if n := len(ran[db.Kind()]); n > 0 {
					log.Info("migrated", "store", string(db.Kind()), "applied", n)
				}
			}
			step("the catalog")
			created, err := demo.Seed(ctx, stores.Catalog, env.Clock)
			if err != nil {
				return prepared{}, fmt.Errorf("seed demo data: %w", err)
			}
			if created {
				bar.Done() // the log line starts on a clean line
				log.Info("seeded the demo tenant")
			}
			// The accounts need the vault (their identities are PHI).
			step("keys")
			if err := stores.OpenVault(ctx, cfg, env.Clock, log); err != nil {
				return prepared{}, err
			}
			argon := env.Argon2
			if argon == (auth.Argon2Params{}) {
				argon = auth.DefaultArgon2()
			}
			svc, err := server.NewServices(cfg, stores, env.Clock, log, argon)
			if err != nil {
				return prepared{}, err
			}
			step("people")
			if err := demo.SeedPeople(ctx, stores.Catalog, svc.Accounts); err != nil {
				return prepared{}, err
			}
			// The demo patient's prescriptions (one due for a refill, one
			// expired), verified by the demo pharmacist.
			step("prescriptions")
			if err := demo.SeedPrescriptions(ctx, stores.Catalog, stores.PHI, stores.Vault, stores.AuditLog, svc.Grants, env.Clock.Now()); err != nil {
				return prepared{}, err
			}
			step("appointments")
			if err := demo.SeedAppointments(ctx, stores.Catalog, stores.PHI, svc.Appointments, env.Clock); err != nil {
				return prepared{}, fmt.Errorf("seed demo appointments: %w", err)
			}
			step("lab results")
			if err := demo.SeedLabs(ctx, stores.Catalog, stores.PHI, svc.Labs, stores.Vault, env.Clock.Now()); err != nil {
				return prepared{}, fmt.Errorf("seed demo lab results: %w", err)
			}
			// Secure messaging (issue 16): the teams patients write to.
			step("message teams")
			if err := demo.SeedMessageTeams(ctx, stores.Catalog, stores.PHI, stores.Vault, svc.Messages); err != nil {
				return prepared{}, fmt.Errorf("seed demo message teams: %w", err)
			}
			// Billing (issue 16): the demo patient's paid orders with HSA/FSA
			// items and one open invoice.
			step("orders")
			if err := demo.SeedOrders(ctx, stores.Catalog, stores.PHI, catalog.NewService(store.NewCatalogRepo(stores.Catalog), env.Clock), svc.Orders); err != nil {
				return prepared{}, fmt.Errorf("seed demo orders: %w", err)
			}
			// Devices (issue 17): 90 days of glucose and blood pressure.
			step("device readings")
			if err := demo.SeedDevices(ctx, stores.Catalog, stores.PHI, svc.Devices, stores.Vault, env.Clock.Now()); err != nil {
				return prepared{}, fmt.Errorf("seed demo device readings: %w", err)
			}
			// The product images are most of a first start's work: they are
			// drawn once the demo listens, leaving a core free for requests
			// (products show no picture until theirs is drawn).
			return prepared{services: svc, after: func(ctx context.Context) {
				n, err := demo.SeedImages(ctx, stores.Catalog, env.Clock, max(runtime.GOMAXPROCS(0)-1, 1))
				switch {
				case ctx.Err() != nil:
					log.Info("stopped drawing the demo's product images; the next start finishes them", "drawn", n)
				case err != nil:
					log.Error("drawing the demo's product images", "err", err)
				case n > 0:
					log.Info("drew the demo's product images", "drawn", n)
				}
			}}, nil
		})
	}
	return c
}

// brandURL is the demo's URL at a brand's host name, on the same port.
func brandURL(base, host string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	if p := u.Port(); p != "" {
		host = net.JoinHostPort(host, p)
	}
	u.Host = host
	return u.String()
}
