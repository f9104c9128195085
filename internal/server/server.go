// Package server is the composition root: it takes opened stores and the
// configuration, builds the services and surfaces, mounts their routes, and runs
// the HTTP listeners with TLS and graceful shutdown.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/api"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/offers"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vault"
	"github.com/salvehealth/salve/internal/web"
	"github.com/salvehealth/salve/internal/web/admin"
	"github.com/salvehealth/salve/internal/web/apps"
	"github.com/salvehealth/salve/internal/web/login"
	"github.com/salvehealth/salve/internal/web/portal"
	"github.com/salvehealth/salve/internal/web/shop"
	"github.com/salvehealth/salve/internal/web/staff"
	"github.com/salvehealth/salve/internal/web/tokens"
)

// Server is a configured Salve process.
type Server struct {
	cfg     *config.Config
	log     *slog.Logger
	clock   clock.Clock
	stores  *Stores
	tenants *tenant.Resolver
	router  *httpx.Router
	handler http.Handler
	metrics *metrics // nil when the admin listener is off
	// metricsAddr is where the admin listener listens, once Run has started it.
	metricsAddr string
	acmeHTTP    *http.Client
	// services is nil in a storefront process, which holds no PHI.
	services *Services
	catalog  *catalog.Service
	promos   *promo.Service
}

// Options are the parts of a Server that tests replace.
type Options struct {
	Log   *slog.Logger
	Clock clock.Clock
	// ACMEHTTP, if set, is the HTTP client that talks to the ACME directory
	// (a test CA with its own root).
	ACMEHTTP *http.Client
	// Argon2, if set, replaces the password hashing cost (tests make it cheap).
	Argon2 auth.Argon2Params
	// Guard decides who reaches routes of each class; nil is the session
	// guard (web.Guard) in a process that holds PHI, httpx.DenyAllButPublic in
	// a storefront process. Tests put a test actor in the request with it
	// (testkit.TestGuard).
	Guard httpx.Guard
	// Services, if set, are the services already built on these stores (the
	// demo seeds its accounts with them before serving; building them again
	// would cost another start-up hash); nil builds them here.
	Services *Services
}

// New builds the server on opened, migrated stores. Any missing template or
// badly registered route fails here, before anything listens.
func New(ctx context.Context, cfg *config.Config, stores *Stores, opts Options) (*Server, error) {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	s := &Server{cfg: cfg, log: opts.Log, clock: opts.Clock, stores: stores, acmeHTTP: opts.ACMEHTTP}
	if cfg.MetricsAddr != "" {
		s.metrics = newMetrics()
		s.metrics.countStatements(stores.Catalog, stores.PHI, stores.Audit)
	}

	tenants, err := tenant.NewResolver(ctx, store.NewTenants(stores.Catalog), s.clock, 15*time.Second, s.log)
	if err != nil {
		return nil, err
	}
	s.tenants = tenants

	assets, err := render.NewAssets(render.StaticFS())
	if err != nil {
		return nil, err
	}
	// Why every page: while orders can be "paid" without money, nobody
	// (buyer or staff) should mistake this shop for a real one.
	engine, err := render.New(assets, render.Options{TestPayments: slices.Contains(cfg.PaymentGateways, "test")})
	if err != nil {
		return nil, err
	}
	site, err := web.NewSite(engine)
	if err != nil {
		return nil, err
	}
	resp := httpx.NewResponder(s.log, site.ErrorPage)
	guard := opts.Guard
	if stores.Vault != nil {
		argon := opts.Argon2
		if argon == (auth.Argon2Params{}) {
			argon = auth.DefaultArgon2()
		}
		if s.services = opts.Services; s.services == nil {
			if s.services, err = NewServices(cfg, stores, s.clock, s.log, argon); err != nil {
				return nil, err
			}
		}
		if guard == nil {
			guard = web.BrandGuard(s.services.SignIn, s.cookies(), &web.BrandSwitch{Roles: s.services.Grants, Brands: tenants.Brands})
		}
	}
	if guard == nil {
		guard = httpx.DenyAllButPublic
	}
	if s.services != nil {
		// Device routes take device tokens, api routes API tokens (or a
		// session); every other route is next's.
		guard = api.DeviceGuard(s.services.Devices, api.TokenGuard(s.services.APITokens, s.services.OAuth, guard))
	}
	s.router = httpx.NewRouter(resp, tenants, guard, cfg.MaxBody)

	// Routes of the process itself; each surface registers its own in its
	// routes.go.
	s.router.Handle(access.Public, "GET /healthz", healthz, httpx.NoTenant())
	s.router.Handle(access.Public, "GET /readyz", s.readyz, httpx.NoTenant())
	s.router.Handle(access.Public, "GET "+render.StaticPrefix+"{path...}", func(w http.ResponseWriter, r *http.Request) error {
		assets.ServeHTTP(w, r)
		return nil
	}, httpx.NoTenant())

	// The catalog: one service and one cache of rendered public output, shared
	// by the shop's pages and the API, keyed by catalog version.
	s.catalog = catalog.NewService(store.NewCatalogRepo(stores.Catalog), s.clock)
	site.SetNav(s.catalog)
	cache := web.NewCache(64 << 20)
	carts := cart.NewService(store.NewCarts(stores.Catalog), s.clock)
	if s.services != nil {
		// With the PHI store at hand, a signed-in patient's cart changes are
		// copied to their saved cart; a storefront-only process has none.
		carts = carts.Mirrored(s.services.SavedCarts, s.log)
	}
	// Promotion codes are catalog data: a storefront process has them too.
	s.promos = promo.NewService(store.NewPromotions(stores.Catalog), s.clock)
	if s.services != nil {
		s.promos = s.services.Promotions
	}

	// The surfaces, one per audience, each with its routes in its routes.go:
	// web/shop (visitors and buyers), web/login (the ways in), web/portal
	// (everything under /account), web/staff (staff at work), web/admin (the
	// back office) and api (programs: the JSON API and incoming webhooks). A
	// storefront process holds no PHI: it serves the shop without checkout,
	// the catalog administration and the API's catalog and cart.
	cartCookies := web.CartCookies{Secure: s.cookies().Secure}
	var (
		ord    *orders.Service
		people *admin.People
	)
	if s.services != nil {
		ord = s.services.Orders
		people = &admin.People{Accounts: s.services.Accounts, Grants: s.services.Grants, Outbox: s.services.Outbox, ShowOutbox: !s.services.Mail,
			Appointments: s.services.Appointments, Retention: s.services.Retention,
			Vendors: s.services.Vendors, Webhooks: s.services.Webhooks, Incidents: s.services.Incidents}
		// Compliance operations (issue 19): changes with approvals, the
		// report and the data-flow diagram.
		people.Changes = s.services.Changes
		people.Compliance = NewCompliance(s.cfg, s.stores, s.clock, BuildVersion())
		// Scheduled reviews and the activity review (issue 19).
		people.Reviews = s.services.Reviews
		people.Activity = NewActivityReview(s.stores)
	}
	sh, err := shop.New(site, s.catalog, cache, carts, cartCookies, ord)
	if err != nil {
		return nil, err
	}
	sh.Routes(s.router)
	adm, err := admin.New(site, s.catalog, people)
	if err != nil {
		return nil, err
	}
	adm.Promotions = s.promos
	adm.Brand, adm.RefreshTenants = store.NewTenants(s.stores.Catalog), s.tenants.Refresh
	adm.OrgBrands = s.tenants.Brands
	if s.services != nil {
		s.services.BrandsChanged = s.tenants.Refresh
	}
	if s.services != nil {
		adm.Insights = s.services.Portal
		adm.ShipTax = s.services.ShipTax
		// A brand's choices of its organisation's shared catalog, audited
		// (white label): through the shared catalog service, so the brand's
		// catalog version (and with it every cached page) moves at once.
		// The organisation's page: its settings, audited (white label).
		adm.Orgs, adm.Audit = store.NewTenants(s.stores.Catalog), s.stores.AuditLog
		orgRepo := store.NewOrgCatalogRepo(s.stores.Catalog)
		adm.Offers = offers.New(orgRepo, s.catalog, s.stores.AuditLog).WithOrgCatalog(catalog.NewService(orgRepo, s.clock))
		// Patient rights (issue 16): the amendment clock and promotion reach.
		if err := adm.Rights(s.services.Amendments, s.services.Marketing); err != nil {
			return nil, err
		}
	}
	adm.Routes(s.router)
	// Digital forms (issue 18): the builder is catalog work, served by a
	// storefront process too (definitions only: it holds no answers).
	formSvc := forms.New(forms.Deps{Definitions: store.NewFormDefinitions(stores.Catalog), Product: productExists(s.catalog), Clock: s.clock})
	if s.services != nil {
		formSvc = s.services.Forms
	}
	formPages, err := admin.NewFormPages(site, s.catalog, formSvc)
	if err != nil {
		return nil, err
	}
	formPages.Routes(s.router)
	sh.Forms = formSvc
	if s.services != nil {
		if err := s.mountPersonal(site, carts, cartCookies); err != nil {
			return nil, err
		}
	}
	api.New(s.catalog, cache).Routes(s.router)
	api.NewCommerce(carts, cartCookies, ord).Routes(s.router)

	if err := s.router.Err(); err != nil {
		return nil, fmt.Errorf("routes: %w", err)
	}

	var observe httpx.Observer
	if s.metrics != nil {
		observe = s.metrics.observe
	}
	// Outermost first: request id and client address, access log, panic
	// recovery, security headers, CSRF, then the router with tenant, body limit
	// and guard per route.
	var h http.Handler = s.router
	if s.services != nil {
		h = afterAnswer(s.services.After, h)
	}
	h = httpx.CSRF(resp, h)
	h = httpx.SecurityHeaders(h)
	h = httpx.Recover(s.log, resp, h)
	h = httpx.AccessLog(s.log, observe, h)
	h = httpx.RequestContext(cfg.TrustedProxies, h)
	s.handler = h
	return s, nil
}

// cookies are the session cookie settings: __Host- prefixed and Secure
// whenever Salve serves TLS.
func (s *Server) cookies() web.Cookies {
	return web.Cookies{Secure: s.cfg.TLS()}
}

// mountPersonal registers the surfaces that only a process with the PHI
// store serves: the ways in (web/login), the pages under /account
// (web/portal) and the staff pages (web/staff).
func (s *Server) mountPersonal(site *web.Site, carts *cart.Service, cartCookies web.CartCookies) error {
	sessions := &web.SessionStarter{Cookies: s.cookies(), Ender: s.services.SignIn,
		Carts: &web.CartSync{Carts: carts, Cookies: cartCookies, Saved: s.services.SavedCarts, Log: s.log}}
	in, err := login.New(site, s.services.Accounts, s.services.SignIn, sessions)
	if err != nil {
		return err
	}
	in.Routes(s.router)
	acct, err := portal.New(site, portal.Deps{Accounts: s.services.Accounts, SignIn: s.services.SignIn, Grants: s.services.Grants,
		Orders: s.services.Orders, Lists: s.services.Lists, Rx: s.services.Rx, Appointments: s.services.Appointments, Labs: s.services.Labs, Devices: s.services.Devices, Retention: s.services.Retention, Carts: carts,
		CartCookies: cartCookies, Sessions: sessions, Dashboard: s.services.Portal, Sources: s.services.Sources,
		Billing: s.services.Billing})
	if err != nil {
		return err
	}
	// Patient rights (issue 16): amendments and marketing authorizations.
	if err := acct.Rights(s.services.Amendments, s.services.Marketing); err != nil {
		return err
	}
	if err := acct.Sharing(s.tenants.Brands); err != nil {
		return err
	}
	acct.Routes(s.router)
	formFill, err := portal.NewForms(site, s.services.Forms)
	if err != nil {
		return err
	}
	formFill.Routes(s.router)
	formFill.LandingRoutes(s.router)
	formRead, err := staff.NewForms(site, s.services.Forms)
	if err != nil {
		return err
	}
	formRead.Routes(s.router)
	st, err := staff.New(site, s.services.Orders, s.services.Grants, s.services.Appointments, s.services.Patients)
	if err != nil {
		return err
	}
	st.Cookies = s.cookies()
	st.Brands = s.tenants.Brands
	st.Prescriptions(s.services.Rx, s.catalog.AllProducts)
	st.Labs = s.services.Labs
	if err := st.Amendments(s.services.Amendments); err != nil {
		return err
	}
	if err := st.WithDevices(s.services.Devices); err != nil {
		return err
	}
	st.Routes(s.router)
	// Secure messaging (issue 16): the patient's pages, the staff inbox and
	// the admin's teams.
	if err := s.mountMessages(site); err != nil {
		return err
	}
	api.NewClinical(s.services.Labs).Routes(s.router)
	api.NewPatient(s.services.Lists, s.services.Labs).Routes(s.router)
	// Issue 18 point 4: the pages that make and revoke API tokens.
	tokenPages, err := tokens.New(site, s.services.APITokens)
	if err != nil {
		return err
	}
	tokenPages.Routes(s.router)
	// Issue 18 point 4: OAuth for the tenant's mobile app.
	appPages, err := apps.New(site, s.services.OAuth, s.services.Changes)
	if err != nil {
		return err
	}
	appPages.Routes(s.router)
	// Issue 16: the patient's rights of access and accounting, and the staff
	// page that records a disclosure.
	rights, err := portal.NewRights(site, s.services.Records, s.services.Accounting)
	if err != nil {
		return err
	}
	rights.Routes(s.router)
	// Issue 19: the patient's breach notices.
	notices, err := portal.NewNotices(site, s.services.Incidents)
	if err != nil {
		return err
	}
	notices.Routes(s.router)
	disc, err := staff.NewDisclosures(site, s.services.Accounting)
	if err != nil {
		return err
	}
	disc.Routes(s.router)
	api.NewDevices(s.services.Devices).Routes(s.router)
	return nil
}

// Services returns the domain services; nil in a storefront process.
func (s *Server) Services() *Services { return s.services }

// Handler returns the server's whole HTTP handler, middleware included.
func (s *Server) Handler() http.Handler { return s.handler }

// Router returns the router, for the tests that walk every route.
func (s *Server) Router() *httpx.Router { return s.router }

// MetricsAddr returns the admin listener's address once Run has called ready;
// empty when metrics are off.
func (s *Server) MetricsAddr() string { return s.metricsAddr }

// Vault returns the PHI vault; nil in a storefront process.
func (s *Server) Vault() *vault.Vault { return s.stores.Vault }

// AuditLog returns the audit log; nil in a storefront process.
func (s *Server) AuditLog() *audit.Log { return s.stores.AuditLog }

// Catalog returns the catalog service.
func (s *Server) Catalog() *catalog.Service { return s.catalog }

// Promotions returns the promotion code service.
func (s *Server) Promotions() *promo.Service { return s.promos }

// Tenants returns the tenant resolver.
func (s *Server) Tenants() *tenant.Resolver { return s.tenants }

// Run listens and serves until ctx is cancelled, then shuts down gracefully:
// it stops accepting, lets requests in flight finish within the shutdown
// timeout, and returns. ready is called with the URL once listening.
func (s *Server) Run(ctx context.Context, ready func(url string)) error {
	tlsCfg, acme, certDir, err := buildTLS(s.cfg, s.acmeHTTP, s.tenants.Claims, s.log)
	if err != nil {
		return err
	}
	if certDir != nil {
		// SIGHUP reads the certificate files again at once (after a renewal
		// script replaced them), besides the look for changes at handshakes.
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-hup:
					certDir.Reload()
				}
			}
		}()
	}
	srv := &http.Server{
		Handler: s.handler,
		// Timeouts bound what a slow or malicious client can hold: headers must
		// arrive in 5 s (slowloris), a whole request in 30 s.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         tlsCfg,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Addr, err)
	}
	if tlsCfg == nil {
		// Plain HTTP (loopback, or behind a proxy): a response whose body
		// the handler has whole (cached and rendered pages, JSON) leaves
		// with its header in one write(2) instead of two (httpx/whole.go).
		ln = httpx.WholeListener(ln)
		srv.ConnContext = httpx.WholeConnContext
	}
	scheme := "http"
	if tlsCfg != nil {
		scheme = "https"
	}
	servers := []*http.Server{srv}
	errc := make(chan error, 3)
	var wg sync.WaitGroup
	wg.Go(func() {
		if tlsCfg != nil {
			errc <- srv.ServeTLS(ln, "", "")
		} else {
			errc <- srv.Serve(ln)
		}
	})

	if s.cfg.RedirectAddr != "" {
		rs := redirectServer(s.cfg, acme, s.log)
		rln, err := lc.Listen(ctx, "tcp", s.cfg.RedirectAddr)
		if err != nil {
			_ = srv.Close()
			return fmt.Errorf("listen on %s: %w", s.cfg.RedirectAddr, err)
		}
		servers = append(servers, rs)
		wg.Go(func() { errc <- rs.Serve(rln) })
	}
	if s.metrics != nil {
		ms := s.metrics.server(s.log)
		mln, err := lc.Listen(ctx, "tcp", s.cfg.MetricsAddr)
		if err != nil {
			for _, x := range servers {
				_ = x.Close()
			}
			return fmt.Errorf("listen on %s: %w", s.cfg.MetricsAddr, err)
		}
		servers = append(servers, ms)
		s.metricsAddr = mln.Addr().String()
		s.log.Info("metrics listening", "addr", s.metricsAddr)
		wg.Go(func() { errc <- ms.Serve(mln) })
	}

	jobsCtx, stopJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer stopJobs()
	if s.services != nil {
		// What a crash left held is given back before the server says it is
		// ready, not only when the job's lease next comes round (a lease the
		// dead process held runs out first). A failure does not stop the
		// start: the job tries again every minute.
		if n, err := s.services.Orders.ReleaseLeftovers(ctx); err != nil {
			s.log.Error("releasing stock held for orders never stored", "err", err)
		} else if n > 0 {
			s.log.Info("released stock held for orders never stored", "count", n)
		}
		// The software version running is recorded with the changes when
		// it differs from the last recorded (the first start, an upgrade).
		if s.services.Changes != nil {
			v := BuildVersion()
			if rec, err := s.services.Changes.RecordVersion(ctx, v); err != nil {
				s.log.Error("recording the software version with the changes", "err", err)
			} else if rec {
				s.log.Info("recorded a new software version with the changes", "version", v)
			}
		}
		// The scheduler runs every due job at once (the hold expiry among
		// them), then every tick.
		wg.Go(func() { s.services.Jobs.Run(jobsCtx, time.Second) })
		// Each process flushes its own dashboard counts (not a leased job:
		// a replica's counts are in its memory), and once more at shutdown.
		wg.Go(func() { s.services.Portal.RunFlusher(jobsCtx, time.Minute) })
	}

	url := scheme + "://" + displayAddr(ln.Addr().String(), scheme == "http") + "/"
	s.log.Info("listening", "url", url, "role", string(s.cfg.Role))
	if ready != nil {
		ready(url)
	}

	var runErr error
	select {
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = err
		}
	}
	s.log.Info("shutting down", "timeout", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	for _, x := range servers {
		if err := x.Shutdown(sctx); err != nil {
			runErr = errors.Join(runErr, fmt.Errorf("shutdown: %w", err))
		}
	}
	stopJobs()
	wg.Wait()
	if s.services != nil {
		// What requests handed off after their answer (reset and
		// verification emails) is queued before the process ends.
		s.services.After.Wait()
	}
	return runErr
}

// displayAddr turns a wildcard listen address into one a person can open;
// with named, a loopback address too becomes localhost (over TLS the address
// stays as the certificate names it).
func displayAddr(addr string, named bool) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	// Why localhost for loopback addresses too: browsers refuse passkeys on
	// an IP address (WebAuthn needs a domain name as its relying party), so
	// the printed URL must be one where every sign-in method works.
	if ip := net.ParseIP(host); host == "" || host == "localhost" || (ip != nil && (ip.IsUnspecified() || (named && ip.IsLoopback()))) {
		host = "localhost"
	}
	return net.JoinHostPort(host, port)
}

// productExists reports whether a product id names one of the tenant's
// products, for forms attached to a product (forms.Deps.Product).
func productExists(c *catalog.Service) func(ctx context.Context, tenantID, productID string) bool {
	return func(ctx context.Context, tenantID, productID string) bool {
		_, err := c.ProductByID(ctx, tenantID, productID)
		return err == nil
	}
}
