package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/jobs"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/patients"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/payment/stripe"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/savedcart"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
)

// Services are the domain services of a process that holds PHI, each built
// on its storage in the stores (internal/store) and on the stores' vault and
// audit log.
type Services struct {
	Outbox   *outbox.Outbox
	Accounts *accounts.Service
	SignIn   *signin.Service
	Grants   *grants.Service
	Jobs     *jobs.Scheduler
	// After is what address-taking forms do after their answer; shutdown
	// and tests wait for it.
	After *jobs.After
	// Hasher is the password hasher; tests compare what paths cost.
	Hasher *auth.Hasher
	Orders *orders.Service
	// Patients is the staff view of patients; its sections' Sources are in
	// PatientSources (server adds each domain's).
	Patients       *patients.Service
	PatientSources portal.Sources
	Lists          *lists.Service
	// Promotions are the promotion codes (catalog data) orders are priced with.
	Promotions *promo.Service
	// SavedCarts are signed-in patients' carts, mirrored from the browser's.
	SavedCarts *savedcart.Service
	// TestGateway is the demo's payment gateway; tests count its charges.
	TestGateway *payment.Test
	// Mail is false when no mail relay is configured: email waits in the
	// outbox, where admins see it masked.
	Mail bool
}

// NewServices builds the services on stores whose vault is open
// (Stores.OpenVault). A mail relay setting that is wrong was refused when the
// configuration loaded.
func NewServices(cfg *config.Config, stores *Stores, c clock.Clock, log *slog.Logger, argon auth.Argon2Params) (*Services, error) {
	al, v := stores.AuditLog, stores.Vault
	var sender notify.Sender
	if cfg.SMTPAddr != "" {
		tlsMode := map[string]string{"starttls": notify.TLSStartTLS, "tls": notify.TLSImplicit, "none": notify.TLSNone}[cfg.SMTPTLS]
		s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: cfg.SMTPAddr, Username: cfg.SMTPUser, Password: cfg.SMTPPassword,
			From: cfg.SMTPFrom, TLS: tlsMode})
		if err != nil {
			// Checked at configuration load; here only if that check drifts.
			log.Error("mail relay unusable; email stays in the outbox", "err", err)
		} else {
			sender = s
		}
	}
	ob := outbox.New(store.NewOutbox(stores.PHI), v, sender, c, log)
	policy := auth.DefaultSessionPolicy()
	if cfg.SessionAbsolute > 0 {
		policy.Absolute = cfg.SessionAbsolute
	}
	links := shopLinks(cfg, store.NewTenants(stores.Catalog))
	ids := NewIdentity(stores.PHI, v, al, ob, IdentityOptions{Clock: c, Log: log, Argon2: argon, Sessions: policy,
		StaffInactivity: cfg.StaffInactivity, Links: func(ctx context.Context, tenantID string) (string, string) {
			l := links(ctx, tenantID)
			return l.Brand, l.BaseURL
		}})
	testGW := payment.NewTest()
	gateways, err := Gateways(cfg, testGW)
	if err != nil {
		return nil, err
	}
	// Lists and orders read variants from the catalog store; orders and
	// their sealed details stay in the PHI store, stock holds and promotion
	// codes in the catalog store.
	variants := store.NewCarts(stores.Catalog)
	lst := lists.New(store.NewLists(stores.PHI), variants, v, c)
	promos := promo.NewService(store.NewPromotions(stores.Catalog), c)
	ord := orders.New(orders.Deps{Orders: store.NewOrders(stores.PHI), Stock: store.NewStock(stores.Catalog), Catalog: variants,
		Promotions: promos, Vault: v, Audit: al, Outbox: ob,
		Contacts: ids.Accounts.Email, Facts: ids.Grants.Facts,
		Gateways: gateways, Bought: lst.Bought, Links: shopLinks(cfg, store.NewTenants(stores.Catalog)), Clock: c, Log: log})
	sched := jobs.New(store.NewJobs(stores.PHI), c, log,
		jobs.Job{Name: "email.deliver", Every: 5 * time.Second, Run: func(ctx context.Context) error {
			_, err := ob.Deliver(ctx, 100)
			return err
		}},
		jobs.Job{Name: "identity.staff_inactivity", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			n, err := ids.Accounts.DisableInactiveStaff(ctx)
			if n > 0 {
				log.InfoContext(ctx, "disabled inactive staff accounts", "count", n)
			}
			return err
		}},
		// Unpaid orders give their stock back when the hold runs out.
		jobs.Job{Name: "orders.expire_reservations", Every: time.Minute, Run: func(ctx context.Context) error {
			n, err := ord.ExpireReservations(ctx)
			if n > 0 {
				log.InfoContext(ctx, "cancelled unpaid orders", "count", n)
			}
			return err
		}},
		// Stock held for orders never stored (a process killed in the middle
		// of checkouts) goes back once no checkout can still be storing them
		// (orders.LeftoverGrace); server start-up runs it too.
		jobs.Job{Name: "orders.release_leftovers", Every: time.Minute, Run: func(ctx context.Context) error {
			_, err := ord.ReleaseLeftovers(ctx)
			return err
		}},
		// Orders paid while Salve did not hear of it are settled.
		jobs.Job{Name: "orders.reconcile_payments", Every: time.Minute, Run: func(ctx context.Context) error {
			n, err := ord.ReconcilePayments(ctx)
			if n > 0 {
				log.InfoContext(ctx, "settled orders paid without word from the gateway", "count", n)
			}
			return err
		}},
		jobs.Job{Name: "identity.session_purge", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := ids.SignIn.PurgeSessions(ctx)
			return err
		}},
	)
	psrc := patientSources(ord)
	pat := newPatients(stores, ids, psrc, patientsOptions{clock: c})
	return &Services{Patients: pat, PatientSources: psrc, Outbox: ob, Accounts: ids.Accounts, SignIn: ids.SignIn, Grants: ids.Grants, Jobs: sched, After: ids.After, Hasher: ids.Hasher, Orders: ord, Lists: lst, Promotions: promos,
		SavedCarts:  savedcart.New(store.NewSavedCarts(stores.PHI), v, c),
		TestGateway: testGW, Mail: sender != nil}, nil
}

// Gateways builds the payment gateways the configuration lists, in its
// order; test is the demo's gateway (a process without "test" listed never
// offers it).
func Gateways(cfg *config.Config, test *payment.Test) ([]payment.Gateway, error) {
	out := make([]payment.Gateway, 0, len(cfg.PaymentGateways))
	for _, name := range cfg.PaymentGateways {
		switch name {
		case "test":
			// Why again here: a configuration built in code, not loaded, must
			// not offer free orders either (fail closed).
			if !cfg.AllowTestPayments {
				return nil, errors.New("payment gateway test: it moves no money; it needs --allow-test-payments")
			}
			out = append(out, test)
		case "invoice":
			out = append(out, payment.Invoice{})
		case stripe.Name:
			st, err := stripe.New(stripe.Config{SecretKey: cfg.StripeSecretKey, WebhookSecret: cfg.StripeWebhookSecret,
				APIURL: cfg.StripeAPIURL})
			if err != nil {
				return nil, err
			}
			out = append(out, st)
		default:
			return nil, fmt.Errorf("payment gateway %q: unknown", name)
		}
	}
	return out, nil
}

// shopLinks names a tenant's shop for emails sent by jobs: its name and its
// first hostname (over TLS when Salve serves TLS), or the listening address.
func shopLinks(cfg *config.Config, tenants *store.Tenants) func(ctx context.Context, tenantID string) orders.Links {
	return func(ctx context.Context, tenantID string) orders.Links {
		// The listen address as a person opens it (a loopback address as
		// localhost, where passkeys work; see displayAddr).
		scheme, host := "http", displayAddr(cfg.Addr, !cfg.TLS())
		if cfg.TLS() {
			scheme = "https"
		}
		t, err := tenants.ByID(ctx, tenantID)
		if err != nil {
			return orders.Links{BaseURL: scheme + "://" + host}
		}
		if len(t.Hostnames) > 0 && cfg.TLS() {
			host = t.Hostnames[0]
		}
		return orders.Links{Brand: t.Name, BaseURL: scheme + "://" + host}
	}
}

// afterAnswer starts the work a request handed off (jobs.After) only once
// its answer is written and flushed; see jobs.After.Collect for why.
func afterAnswer(a *jobs.After, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, started := a.Collect(r.Context())
		defer started()
		next.ServeHTTP(w, r.WithContext(ctx))
		// Only a request that handed work off flushes here: the others end as
		// they always did, their access line written before the client has
		// the whole answer.
		if a.Handed(ctx) {
			_ = http.NewResponseController(w).Flush()
		}
	})
}
