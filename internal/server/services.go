package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/backup"
	"github.com/salvehealth/salve/internal/billing"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/config"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/jobs"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/marketing"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/patients"
	"github.com/salvehealth/salve/internal/payment"
	"github.com/salvehealth/salve/internal/payment/stripe"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/portal/commerce"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/records"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/savedcart"
	"github.com/salvehealth/salve/internal/shiptax"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/vendors"
	"github.com/salvehealth/salve/internal/webhooks"
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
	Lists  *lists.Service
	// Rx are prescriptions: uploads, the pharmacist's queue, fills.
	Rx *rx.Service
	// Appointments are clinicians' hours, appointment types and bookings.
	Appointments *appointments.Service
	// Patients is the staff view of patients; its sections' Sources are in
	// PatientSources (patientSources).
	Patients       *patients.Service
	PatientSources portal.Sources
	// Promotions are the promotion codes (catalog data) orders are priced with.
	Promotions *promo.Service
	// SavedCarts are signed-in patients' carts, mirrored from the browser's.
	SavedCarts *savedcart.Service
	// Labs are lab results: entered, imported, held and released.
	Labs *labs.Service
	// Devices are patients' measuring devices and their readings (issue 17).
	Devices *devices.Service
	// APITokens are patients' personal access tokens and staff
	// integrations' service tokens for /api/v1 (issue 18 point 4).
	APITokens *apitokens.Service
	// OAuth is the authorization server for the tenant's mobile app
	// (issue 18 point 4): clients, consent, codes and app tokens.
	OAuth *oauth.Service
	// Retention holds the retention rules and disposes of patients whose
	// retention ended.
	Retention *retention.Service
	// TestGateway is the demo's payment gateway; tests count its charges.
	TestGateway *payment.Test
	// Portal keeps dashboard arrangements and the PHI-free open counts.
	Portal *portal.Service
	// Sources fill the dashboard's widgets, one per widget key; each
	// domain adds its own here (a widget without one shows its empty state).
	Sources portal.Sources
	// Amendments are patients' requests to correct their records (issue 16,
	// 164.526); Marketing their marketing authorizations and the targeted
	// promotions (164.508).
	Amendments *amend.Service
	Marketing  *marketing.Service
	// Forms are the digital forms (issue 18): definitions, intake
	// questionnaires checkout waits for, and the sealed answers.
	Forms *forms.Service
	// ShipTax are the shipping and tax settings (issue 18).
	ShipTax *shiptax.Service
	// Mail is false when no mail relay is configured: email waits in the
	// outbox, where admins see it masked.
	Mail bool
	// Messages is secure messaging (issue 16): teams, threads, messages.
	Messages *messaging.Service
	// Billing is patients' bills and receipts, read from their orders
	// (issue 16).
	Billing *billing.Service
	// Changes (issue 19): security settings change through a request a
	// second person approves; software versions are recorded there too.
	Changes *changes.Service
	// BrandsChanged reloads the brands after an approved brand policy
	// (set by the server that resolves them; nil: their own refresh).
	BrandsChanged func(context.Context) error
	// Issue 16, right of access and accounting: Records builds patients'
	// copies of their record (exporters in record_sources.go); Accounting
	// is the access log and the disclosures.
	Records    *records.Service
	Accounting *accounting.Service
	// Vendors (issue 19) are the vendors and BAAs, and the gate every
	// outbound integration carrying PHI passes.
	Vendors *vendors.Service
	// Webhooks (issue 19) are the outgoing webhook subscriptions and their
	// deliveries.
	Webhooks *webhooks.Service
	// Incidents (issue 19) are the incident register and breach
	// notification (164.400–414), for the compliance officer.
	Incidents *incidents.Service
	// Reviews (issue 19) are the scheduled compliance reviews: the
	// calendar, completions with evidence, and the daily job.
	Reviews *reviews.Service
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
	ob.SetBrandMail(BrandMail(store.NewTenants(stores.Catalog)))
	// Vendors and webhooks (issue 19). Why the relay is gated: an email
	// address is PHI, so the relay sends nothing while its vendor has no
	// current BAA on file (the no-relay outbox is no outside party).
	if log == nil { // tests build services without a logger
		log = slog.New(slog.DiscardHandler)
	}
	vend := vendors.New(vendors.Deps{Store: store.NewVendors(stores.PHI), Vault: v, Audit: al, Clock: c, Log: log})
	ob.SetGate(vend)
	if sender != nil {
		log.Info("mail relay configured: email leaves only for tenants whose compliance officer bound the relay to a vendor with a current BAA (/admin/compliance/vendors); until then it waits in the outbox")
	}
	hooks := webhooks.New(webhooks.Deps{Store: store.NewWebhooks(stores.PHI), Vault: v, Audit: al, Gate: vend, Clock: c, Log: log,
		AllowLoopbackHTTP: cfg.WebhookLoopbackHTTP, AllowPrivateNetworks: cfg.WebhookPrivateNetworks})
	policy := auth.DefaultSessionPolicy()
	if cfg.SessionAbsolute > 0 {
		policy.Absolute = cfg.SessionAbsolute
	}
	links := shopLinks(cfg, store.NewTenants(stores.Catalog))
	// Brands' effective settings (what each sets and inherits) for the
	// policies the services read (policies.go).
	brands := store.NewTenants(stores.Catalog)
	if err := AdoptLegacyPolicies(context.Background(), stores.PHI, brands, c.Now()); err != nil {
		return nil, err
	}
	ids := NewIdentity(stores.PHI, v, al, ob, IdentityOptions{Clock: c, Log: log, Argon2: argon, Sessions: policy, Limits: policyLimits{brands},
		StaffInactivity: cfg.StaffInactivity, Links: func(ctx context.Context, tenantID string) (string, string) {
			l := links(ctx, tenantID)
			return l.Brand, l.BaseURL
		}, OrgOf: orgOf(store.NewTenants(stores.Catalog))})
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
	// Prescriptions cover orders' prescription lines, and a verification
	// moves the patient's waiting orders on (set once orders exist).
	jobLinks := shopLinks(cfg, store.NewTenants(stores.Catalog))
	rxs := rx.New(rx.Deps{Store: store.NewRx(stores.PHI), Vault: v, Audit: al, Auth: ids.Grants, Catalog: variants, Outbox: ob,
		Contacts: ids.Accounts.Email, Reminders: ids.Accounts.WantsReminders, Links: func(ctx context.Context, tenantID string) (string, string) {
			l := jobLinks(ctx, tenantID)
			return l.Brand, l.BaseURL
		}, Clock: c, Log: log})
	// Digital forms (issue 18): definitions in the catalog store, answers
	// sealed in the PHI store; an intake questionnaire gates checkout.
	frm := forms.New(forms.Deps{Definitions: store.NewFormDefinitions(stores.Catalog), Responses: store.NewFormResponses(stores.PHI),
		Vault: v, Grants: ids.Grants, Audit: al, Clock: c,
		Product: productExists(catalog.NewService(store.NewCatalogRepo(stores.Catalog), c)),
		// Landing-page forms: on a real page, throttled per sender.
		Page: pageExists(catalog.NewService(store.NewCatalogRepo(stores.Catalog), c)), Throttle: landingThrottle(store.NewThrottles(stores.PHI), v, c)})
	// Shipping and tax settings (issue 18) in the catalog store; every
	// change is audited first.
	shipTax := shiptax.New(store.NewShipTax(stores.Catalog), al, c)
	ord := orders.New(orders.Deps{ShipTax: shipTax, Intake: frm.Intake, Prescriptions: rxs, Orders: store.NewOrders(stores.PHI), Stock: store.NewStock(stores.Catalog), Catalog: variants,
		Promotions: promos, Vault: v, Audit: al, Outbox: ob,
		Contacts: ids.Accounts.Email, Facts: ids.Grants.Facts,
		Gateways: gateways, Offered: gatewaysOffered(brands, cfg.PaymentGateways), Bought: lst.Bought, Links: shopLinks(cfg, store.NewTenants(stores.Catalog)), Clock: c, Log: log,
		Changed: orderWebhooks(hooks, log),
		// Issue 16: invoices paid later on the online gateway's page.
		InvoicePages: store.NewInvoicePayments(stores.PHI),
		// Issue 18 point 2: returns, under the tenant's return rules.
		Returns: store.NewReturns(stores.PHI), ReturnRules: returnRules(store.NewTenants(stores.Catalog))})
	rxs.SetVerified(ord.CoverWaiting)
	// The cancellation window and the release delay are brand policies,
	// inherited from the organisation (policies.go).
	appts := appointments.New(appointments.Deps{Store: policyAppointments{store.NewAppointments(stores.PHI), brands, c}, Vault: v, Grants: ids.Grants, Care: ids.Grants,
		Outbox: ob, Contacts: ids.Accounts.Email, Reminders: ids.Accounts.WantsReminders, Clock: c, Log: log, Links: func(ctx context.Context, tenantID string) (string, string) {
			l := links(ctx, tenantID)
			return l.Brand, l.BaseURL
		},
		Booked: func(ctx context.Context, tenantID, appointmentID, _ string) {
			publishQuietly(ctx, hooks, log, tenantID, webhooks.AppointmentBooked, "appointment_id", appointmentID)
		}})
	users := store.NewUsers(stores.PHI)
	lab := labs.New(labs.Deps{Store: policyLabs{store.NewLabs(stores.PHI), brands}, Grants: ids.Grants, Vault: v, Audit: al, Outbox: ob,
		Contacts: ids.Accounts.Email,
		Role: func(ctx context.Context, tenantID, userID string) (access.Role, error) {
			u, err := users.ByID(ctx, tenantID, userID)
			return u.Role, err
		},
		Links: func(ctx context.Context, tenantID string) (string, string) {
			l := links(ctx, tenantID)
			return l.Brand, l.BaseURL
		}, Clock: c, Log: log,
		Released: func(ctx context.Context, tenantID, reportID, _ string) {
			publishQuietly(ctx, hooks, log, tenantID, webhooks.ResultReleased, "result_id", reportID)
		}})
	// Devices (issue 17): pairing, ingestion, charts, thresholds, alerts.
	devStore := store.NewDevices(stores.PHI)
	dev := devices.New(devices.Deps{Store: devStore, Grants: ids.Grants, Vault: v, Throttle: devStore, Index: v, Outbox: ob,
		CareTeam: devStore.CareTeam, Contacts: ids.Accounts.Email,
		Links: func(ctx context.Context, tenantID string) (string, string) {
			l := links(ctx, tenantID)
			return l.Brand, l.BaseURL
		}, Clock: c, Log: log})
	ret := retention.New(store.NewRetention(stores.PHI), v, c)
	revs := newReviews(stores, ids, ob, links, c, log)
	scheduled := []jobs.Job{
		// Scheduled compliance reviews (issue 19): reminders to compliance
		// officers, and staff accounts not recertified are disabled.
		{Name: "reviews.run", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			r, err := revs.Run(ctx)
			if r.Disabled > 0 {
				log.InfoContext(ctx, "disabled staff accounts whose roles were not recertified", "count", r.Disabled)
			}
			return err
		}},
		// Patients whose retention ended are crypto-shredded and certified.
		{Name: "retention.dispose", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := ret.Dispose(ctx, 500)
			if n > 0 {
				log.InfoContext(ctx, "disposed of patients whose retention ended", "count", n)
			}
			return err
		}},
		{Name: "identity.staff_inactivity", Every: 24 * time.Hour, Run: func(ctx context.Context) error {
			n, err := ids.Accounts.DisableInactiveStaff(ctx)
			if n > 0 {
				log.InfoContext(ctx, "disabled inactive staff accounts", "count", n)
			}
			return err
		}},
		// Unpaid orders give their stock back when the hold runs out.
		{Name: "orders.expire_reservations", Every: time.Minute, Run: func(ctx context.Context) error {
			n, err := ord.ExpireReservations(ctx)
			if n > 0 {
				log.InfoContext(ctx, "cancelled unpaid orders", "count", n)
			}
			return err
		}},
		// Stock held for orders never stored (a process killed in the middle
		// of checkouts) goes back once no checkout can still be storing them
		// (orders.LeftoverGrace); server start-up runs it too.
		{Name: "orders.release_leftovers", Every: time.Minute, Run: func(ctx context.Context) error {
			_, err := ord.ReleaseLeftovers(ctx)
			return err
		}},
		// Orders paid while Salve did not hear of it are settled.
		{Name: "orders.reconcile_payments", Every: time.Minute, Run: func(ctx context.Context) error {
			n, err := ord.ReconcilePayments(ctx)
			if n > 0 {
				log.InfoContext(ctx, "settled orders paid without word from the gateway", "count", n)
			}
			return err
		}},
		// Refill reminders: "You have a refill due — sign in", nothing more.
		{Name: "rx.refill_reminders", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := rxs.RemindRefills(ctx)
			if n > 0 {
				log.InfoContext(ctx, "queued refill reminders", "count", n)
			}
			return err
		}},
		// Appointments of the next day get their reminder (time and brand
		// only, with the calendar file); every 10 minutes, so none is late.
		{Name: "appointments.remind", Every: 10 * time.Minute, Run: func(ctx context.Context) error {
			_, err := appts.SendReminders(ctx, 200)
			return err
		}},
		// Held lab reports are released once the tenant's delay has passed.
		{Name: "labs.release_due", Every: time.Minute, Run: func(ctx context.Context) error {
			n, err := lab.ReleaseDue(ctx)
			if n > 0 {
				log.InfoContext(ctx, "released lab reports after the tenant's delay", "count", n)
			}
			return err
		}},
		{Name: "identity.session_purge", Every: time.Hour, Run: func(ctx context.Context) error {
			_, err := ids.SignIn.PurgeSessions(ctx)
			return err
		}},
		// Device readings' day summaries (issue 17) are sealed for chunks
		// stored before summaries existed, and counted again after a
		// clinician changed a patient's target range. Why every minute: the
		// charts are right meanwhile (they read such days whole), only
		// slower; 200 chunks a run is a patient's 90 days of two types.
		{Name: "devices.summarize", Every: time.Minute, Run: func(ctx context.Context) error {
			n, err := dev.Summarize(ctx, 200)
			if n > 0 {
				log.InfoContext(ctx, "sealed device day summaries", "count", n)
			}
			if err != nil {
				return err
			}
			// Then the roll-ups (rollup.go) to build again, from those
			// summaries.
			n, err = dev.BuildRollups(ctx, 100)
			if n > 0 {
				log.InfoContext(ctx, "sealed device roll-ups", "count", n)
			}
			return err
		}},
	}
	if sender != nil {
		// Only with a mail relay: without one email waits in the outbox and
		// delivering is a no-op, which every five seconds was most of an
		// idle replica's database traffic.
		scheduled = append(scheduled, jobs.Job{Name: "email.deliver", Every: 5 * time.Second, Run: func(ctx context.Context) error {
			_, err := ob.Deliver(ctx, 100)
			return err
		}})
	}
	// Outgoing webhooks (issue 19): due deliveries, with their retries.
	scheduled = append(scheduled, jobs.Job{Name: "webhooks.deliver", Every: 15 * time.Second, Run: func(ctx context.Context) error {
		_, err := hooks.Deliver(ctx, 100)
		return err
	}})
	if len(cfg.BackupTo) > 0 {
		bs, err := backupSchedule(cfg, stores, c, log)
		if err != nil {
			return nil, err
		}
		run := bs.Run
		if backupToS3(cfg) {
			// Why gated: a backup holds every patient's PHI (encrypted, but
			// a storage provider holding ePHI is a business associate); the
			// S3 target is bound to a vendor in the default tenant, where
			// the operator's compliance officer works.
			run = func(ctx context.Context) error {
				ts, err := store.NewTenants(stores.Catalog).List(ctx)
				if err != nil {
					return err
				}
				def := ""
				for _, t := range ts {
					if t.IsDefault {
						def = t.ID
					}
				}
				if err := vend.Allow(ctx, def, vendors.BackupS3); err != nil {
					return err
				}
				return bs.Run(ctx)
			}
		}
		scheduled = append(scheduled, jobs.Job{Name: "backup.scheduled", Every: cfg.BackupEvery, Run: run})
	}
	// Issue 16: copies of records asked for at /account/records are built
	// within seconds, and deleted with their file once their 7 days are over.
	// Why every 15 s and not faster: an idle replica must cost the database
	// almost nothing (each run is a lease and a query); the page says a copy
	// takes up to a minute.
	recs := records.New(records.Deps{Store: store.NewRecords(stores.PHI), Vault: v, Audit: al, Facts: ids.Grants.Facts, Clock: c, Log: log})
	scheduled = append(scheduled,
		jobs.Job{Name: "records.build", Every: 15 * time.Second, Run: func(ctx context.Context) error {
			_, err := recs.BuildPending(ctx, 4)
			return err
		}},
		jobs.Job{Name: "records.purge", Every: time.Hour, Run: func(ctx context.Context) error {
			n, err := recs.Purge(ctx, 500)
			if n > 0 {
				log.InfoContext(ctx, "deleted expired copies of records", "count", n)
			}
			return err
		}})
	sched := jobs.New(store.NewJobs(stores.PHI), c, log, scheduled...)
	svc := &Services{Portal: portal.New(portal.Deps{Store: store.NewDashboards(stores.PHI), Clock: c, Log: log}),
		Outbox: ob, Accounts: ids.Accounts, SignIn: ids.SignIn, Grants: ids.Grants, Jobs: sched, After: ids.After, Hasher: ids.Hasher, Orders: ord, Lists: lst, Rx: rxs, Promotions: promos,
		Appointments: appts,
		Labs:         lab,
		Devices:      dev,
		APITokens:    apitokens.New(store.NewAPITokens(stores.PHI), c, al, users),
		OAuth:        oauth.New(store.NewOAuth(stores.PHI), c, al, users),
		Retention:    ret,
		SavedCarts:   savedcart.New(store.NewSavedCarts(stores.PHI), v, c),
		TestGateway:  testGW, Mail: sender != nil,
		Vendors: vend, Webhooks: hooks, Reviews: revs}
	// Secure messaging (issue 16): notices name the tenant, staff names come
	// from the accounts service (audited), and a thread may be about an
	// order or a prescription the writer may see of the patient.
	svc.Messages = newMessages(stores, ids, ob, ord, rxs, hooks, func(ctx context.Context, tenantID string) (string, string) {
		l := links(ctx, tenantID)
		return l.Brand, l.BaseURL
	}, c, log)
	// Billing (issue 16): bills and receipts from the orders, with the
	// gateways' labels and the merchant named by the tenant and its first
	// location.
	svc.Billing = newBilling(ord, appts, store.NewTenants(stores.Catalog), c)
	// Amendments and marketing authorizations (issue 16 parts 5 and 7).
	svc.Amendments = amend.New(amend.Deps{Store: store.NewAmendments(stores.PHI), Grants: ids.Grants, Vault: v, Audit: al,
		Resolver: amendTargets(lab, rxs, &ids), Apply: amendApply(lab, rxs, &ids), Outbox: ob, Contacts: ids.Accounts.Email, Log: log, Clock: c,
		Links: func(ctx context.Context, tenantID string) (string, string) {
			l := links(ctx, tenantID)
			return l.Brand, l.BaseURL
		}})
	svc.Forms = frm
	svc.ShipTax = shipTax
	svc.Marketing = marketing.New(marketing.Deps{Store: store.NewMarketingAuthorizations(stores.PHI), Vault: v, Audit: al,
		Labs: lab, Prescriptions: rxs, Promotions: promos, Clock: c})
	// The dashboard's widgets: the shop side's (orders, lists, profile,
	// offer), then each clinical domain's.
	// The offer reads its products from a catalog service's memory at the
	// current catalog version (public data): a catalog edit on this replica
	// shows in it within the version's second, as on another replica.
	svc.Sources = portalSources(svc, commerce.Sources(commerce.Deps{Orders: ord, Lists: lst, Accounts: ids.Accounts,
		Products: catalog.NewService(store.NewCatalogRepo(stores.Catalog), c)}))
	// The staff view's sections: orders with links to the staff order
	// pages, and the clinical domains' summaries.
	svc.PatientSources = patientSources(ord, svc)
	svc.Patients = newPatients(stores, ids, svc.PatientSources, patientsOptions{clock: c})
	// Changes with approvals (issue 19).
	refreshBrands := func(ctx context.Context) error {
		if svc.BrandsChanged == nil {
			return nil
		}
		return svc.BrandsChanged(ctx)
	}
	svc.Changes = newChanges(stores.PHI, al, c, ids.Accounts, ids.SignIn, ret, svc.OAuth, brands, refreshBrands, hooks.CarryPHIKind(),
		hooks.SubscriptionKind(), vend.BindingKind())
	hooks.SetChanges(svc.Changes)
	vend.SetChanges(svc.Changes)
	hooks.SetDetails(webhookDetails(ord, lab))
	// Issue 16: the sections of a copy of a record, and the accounting.
	svc.Records = recs
	recordExporters(recs, ids.Accounts, ord, rxs, appts, lab, lst, svc.Portal)
	svc.Accounting = accounting.New(accounting.Deps{Store: store.NewDisclosures(stores.PHI), Events: al, Users: users, Vault: v,
		Audit: al, Grants: ids.Grants, Clock: c, Log: log})
	// Incidents and breach notification (issue 19, item 7).
	svc.Incidents = NewIncidents(IncidentDeps{Stores: stores, Accounts: ids.Accounts, Outbox: ob, Orders: ord, Clock: c, Log: log,
		Links: func(ctx context.Context, tenantID string) (string, string) {
			l := links(ctx, tenantID)
			return l.Brand, l.BaseURL
		}})
	return svc, nil
}

// orderWebhooks publishes the order events webhooks subscribe to (paid,
// shipped), ids only. A failure to queue is logged and leaves the order as
// it is: the change was made, and the webhook is not what made it.
func orderWebhooks(hooks *webhooks.Service, log *slog.Logger) func(ctx context.Context, tenantID, orderID string, to orders.Status) {
	events := map[orders.Status]string{orders.Paid: webhooks.OrderPaid, orders.Shipped: webhooks.OrderShipped}
	return func(ctx context.Context, tenantID, orderID string, to orders.Status) {
		ev, ok := events[to]
		if !ok {
			return
		}
		publishQuietly(ctx, hooks, log, tenantID, ev, "order_id", orderID)
	}
}

// webhookDetails reads an event's PHI fields for a webhook approved to carry
// PHI, as the delivery job (each read audited by the service it goes
// through): a result released gives the test's name and status; an order
// paid or shipped its items and status. Other events add none: an
// appointment's reason and a message's text stay in Salve.
func webhookDetails(ord *orders.Service, lab *labs.Service) webhooks.Details {
	return func(ctx context.Context, tenantID, event string, ids map[string]string) (map[string]string, error) {
		switch event {
		case webhooks.ResultReleased:
			r, err := lab.Get(ctx, tenantID, ids["result_id"])
			if err != nil {
				return nil, err
			}
			return map[string]string{"test": r.Panel, "status": string(r.Status)}, nil
		case webhooks.OrderPaid, webhooks.OrderShipped:
			o, err := ord.Get(ctx, tenantID, ids["order_id"])
			if err != nil {
				return nil, err
			}
			items := make([]string, 0, len(o.Items))
			for _, it := range o.Items {
				name := it.Name
				if it.VariantName != "" {
					name += " (" + it.VariantName + ")"
				}
				items = append(items, strconv.FormatInt(it.Quantity, 10)+" × "+name)
			}
			return map[string]string{"items": strings.Join(items, "; "), "status": string(o.Status)}, nil
		}
		return nil, nil
	}
}

// publishQuietly queues a webhook event about one thing, named by its id
// alone (never the patient's id: with the event it would say who has what).
// A failure is logged with ids and does not undo the change it reports.
func publishQuietly(ctx context.Context, hooks *webhooks.Service, log *slog.Logger, tenantID, event, key, id string) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := hooks.Publish(ctx, tenantID, event, map[string]string{key: id}); err != nil {
		log.ErrorContext(ctx, "webhook not queued", key, id, "event", event, "err", err)
	}
}

// backupToS3 reports whether a backup target is S3 storage (an outside
// party); a directory target is the operator's own.
func backupToS3(cfg *config.Config) bool {
	for _, t := range cfg.BackupTo {
		if strings.HasPrefix(t, "s3://") {
			return true
		}
	}
	return false
}

// backupSchedule is the scheduled backup of the configuration: its targets
// (S3 ones with the configured credentials), recipients and retention policy.
func backupSchedule(cfg *config.Config, stores *Stores, c clock.Clock, log *slog.Logger) (*backup.Schedule, error) {
	creds := map[string]string{"AWS_ACCESS_KEY_ID": cfg.BackupS3AccessKey, "AWS_SECRET_ACCESS_KEY": cfg.BackupS3SecretKey}
	s := &backup.Schedule{
		Sources: backup.Sources{Catalog: stores.Catalog, PHI: stores.PHI, Audit: stores.Audit,
			AuditKeyFile: cfg.AuditKeyPath(), CheckpointFile: cfg.AuditCheckpointPath()},
		Policy: backup.Policy{Daily: cfg.BackupKeepDaily, Weekly: cfg.BackupKeepWeekly, Monthly: cfg.BackupKeepMonthly, Within: cfg.BackupKeepWithin},
		Now:    c.Now, Log: log,
	}
	for _, spec := range cfg.BackupTo {
		t, err := backup.ParseTarget(spec, func(k string) string { return creds[k] })
		if err != nil {
			return nil, &config.Error{Setting: "backup-to", Msg: err.Error()}
		}
		s.Targets = append(s.Targets, t)
	}
	for _, r := range cfg.BackupRecipients {
		x, err := age.ParseX25519Recipient(r)
		if err != nil {
			return nil, &config.Error{Setting: "backup-recipients", Msg: err.Error()}
		}
		s.Recipients = append(s.Recipients, x)
	}
	return s, nil
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
// returnRules reads a tenant's return rules from its settings: the tenant
// of the request when it is the one asked about (resolved with what it
// inherits), else the stored tenant; the defaults when neither is found.
func returnRules(tenants *store.Tenants) func(ctx context.Context, tenantID string) orders.ReturnRules {
	return func(ctx context.Context, tenantID string) orders.ReturnRules {
		t := tenant.FromContext(ctx)
		if t == nil || t.ID != tenantID {
			var err error
			if t, err = tenants.ByID(ctx, tenantID); err != nil {
				return orders.DefaultReturnRules
			}
		}
		days, err := strconv.Atoi(t.Setting(tenant.SetReturnWindowDays))
		if err != nil {
			days = orders.DefaultReturnRules.WindowDays
		}
		return orders.ReturnRules{WindowDays: days, Prescription: t.Setting(tenant.SetReturnsPrescription) == "yes",
			Opened: t.Setting(tenant.SetReturnsOpened) == "yes"}
	}
}

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

// BrandMail reads a brand's email sender and footer from the catalog store
// (not the resolver's snapshot, so a brand created a moment ago signs its
// first email too). A tenant the store does not know sends unbranded, from
// the relay's sender: that is no person's data and no other brand's name.
func BrandMail(tenants *store.Tenants) outbox.BrandMailFunc {
	return func(ctx context.Context, tenantID string) (notify.BrandMail, error) {
		t, err := tenants.ByID(ctx, tenantID)
		if apperr.Is(err, apperr.NotFound) {
			return notify.BrandMail{}, nil
		}
		if err != nil {
			return notify.BrandMail{}, err
		}
		return notify.BrandMail{SenderName: t.Setting(tenant.SetEmailSenderName), SenderAddress: t.Setting(tenant.SetEmailSenderAddress),
			Footer: t.Setting(tenant.SetFooter)}, nil
	}
}

// afterAnswer starts the work a request handed off (jobs.After) only once
// its answer is written and flushed; see jobs.After.Collect for why.
func afterAnswer(a *jobs.After, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions:
			// Only forms hand work off (registration, forgot password, the
			// proxy grant: all posts). A read goes without the collecting
			// context, a few allocations and a copy of the request fewer on
			// every page; should one ever hand work off, it starts at once
			// (jobs.After.Go), as outside a request.
			next.ServeHTTP(w, r)
			return
		}
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

// newBilling builds the billing service (issue 16): the merchant on receipts
// is the tenant's name with the address of its first location, if it has
// one; payment methods are the gateways' labels.
func newBilling(ord *orders.Service, appts *appointments.Service, tenants *store.Tenants, c clock.Clock) *billing.Service {
	methods := map[string]string{}
	for _, g := range ord.Gateways() {
		methods[g.Name()] = g.Label()
	}
	methods["invoice"] = "Invoice"
	return billing.New(billing.Deps{Orders: ord, Methods: methods, Clock: c,
		Merchant: func(ctx context.Context, tenantID string) (billing.Merchant, error) {
			t, err := tenants.ByID(ctx, tenantID)
			if err != nil {
				return billing.Merchant{}, err
			}
			m := billing.Merchant{Name: t.Name}
			locs, err := appts.Locations(ctx, tenantID)
			if err != nil {
				return m, err
			}
			if len(locs) > 0 {
				m.Address = locs[0].Address
			}
			return m, nil
		}})
}

// orgOf tells a brand's organisation from the catalog store ("" for none, or
// for a brand that does not exist).
func orgOf(tenants *store.Tenants) grants.OrgOf {
	return func(ctx context.Context, tenantID string) (string, error) {
		t, err := tenants.ByID(ctx, tenantID)
		if apperr.Is(err, apperr.NotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return t.OrgID, nil
	}
}
