// Package vendors is the registry of a tenant's vendors (the outside parties
// Salve sends data to) and their business associate agreements, and the gate
// every outbound integration passes: an integration that carries PHI sends
// nothing while its vendor has no current BAA (none signed, or expired). A
// refused attempt is recorded (for the compliance page), audited and logged
// with ids only.
//
// Integrations declare themselves in a Registry (Builtin lists Salve's own:
// the SMTP relay, Stripe, outgoing webhooks, S3 backups); each is bound to a
// vendor per tenant on the compliance page. One that carries no PHI says why
// (Stripe: the order reference and the amount only), and a test holds it to
// that.
package vendors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// DateLayout is how BAA dates are written and kept: a day, no time.
const DateLayout = "2006-01-02"

// MaxDocument is the largest signed BAA accepted (a scanned contract).
const MaxDocument = 10 << 20

// Vendor is an outside party and its BAA. Dates are days (DateLayout); ""
// is none.
type Vendor struct {
	ID, TenantID string
	Name         string
	Service      string // what it does for the tenant, e.g. "email relay"
	Contact      string // who to call about the agreement (business contact, not PHI)
	SignedOn     string
	ExpiresOn    string
	Notes        string
	// HasDocument is true once the signed BAA was uploaded (sealed).
	HasDocument bool
	DocumentAt  time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Current reports whether the vendor's BAA is in force on now's day: signed
// on or before it, and expiring on or after it.
func (v Vendor) Current(now time.Time) bool {
	day := now.UTC().Format(DateLayout)
	return v.SignedOn != "" && v.ExpiresOn != "" && v.SignedOn <= day && day <= v.ExpiresOn
}

// Status says where the BAA stands, in words for the compliance page.
func (v Vendor) Status(now time.Time) string {
	day := now.UTC().Format(DateLayout)
	switch {
	case v.SignedOn == "":
		return "no BAA signed"
	case v.SignedOn > day:
		return "BAA starts " + v.SignedOn
	case v.ExpiresOn < day:
		return "BAA expired " + v.ExpiresOn
	}
	return "BAA current until " + v.ExpiresOn
}

// Integration is one way data leaves Salve for an outside party.
type Integration struct {
	// Key names it in bindings and refusals, e.g. "smtp".
	Key string
	// Name is what the compliance page calls it.
	Name string
	// CarriesPHI: it sends PHI (an email address is PHI), so it sends nothing
	// without a current BAA.
	CarriesPHI bool
	// PHIFree says why an integration that carries no PHI carries none.
	PHIFree string
}

// The built-in integrations' keys.
const (
	SMTP     = "smtp"
	Stripe   = "stripe"
	Webhooks = "webhooks"
	BackupS3 = "backup.s3"
)

// Builtin lists Salve's own outbound integrations. Why webhooks carry PHI
// here: a subscription approved to carry PHI is gated against its own
// vendor (AllowVendor); this entry is the kind, shown on the page.
func Builtin() []Integration {
	return []Integration{
		{Key: SMTP, Name: "Email relay (SMTP)", CarriesPHI: true},
		{Key: Stripe, Name: "Payment gateway (Stripe)", PHIFree: "order reference and amount only: no name, email, address or product names"},
		{Key: Webhooks, Name: "Outgoing webhooks", CarriesPHI: true},
		{Key: BackupS3, Name: "Backups to S3 storage", CarriesPHI: true},
	}
}

// Registry is the set of declared integrations. Later integrations declare
// themselves at start-up with Declare.
type Registry struct {
	mu   sync.Mutex
	list []Integration
}

// NewRegistry returns a registry holding list.
func NewRegistry(list ...Integration) *Registry { return &Registry{list: list} }

// Declare adds an integration (replacing one of the same key). One that
// carries no PHI must say why: an undocumented claim is refused.
func (r *Registry) Declare(i Integration) error {
	if i.Key == "" || i.Name == "" {
		return errors.New("vendors: an integration needs a key and a name")
	}
	if !i.CarriesPHI && strings.TrimSpace(i.PHIFree) == "" {
		return fmt.Errorf("vendors: integration %s: say why it carries no PHI, or mark it as carrying PHI", i.Key)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.list = slices.DeleteFunc(r.list, func(x Integration) bool { return x.Key == i.Key })
	r.list = append(r.list, i)
	return nil
}

// All lists the integrations in the order declared.
func (r *Registry) All() []Integration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.list)
}

// Get returns the integration of key.
func (r *Registry) Get(key string) (Integration, bool) {
	for _, i := range r.All() {
		if i.Key == key {
			return i, true
		}
	}
	return Integration{}, false
}

// Refusal is one attempt refused for want of a current BAA.
type Refusal struct {
	ID, TenantID, Integration, VendorID string
	Reason                              string
	At                                  time.Time
}

// Store is the vendors' storage in the PHI store (internal/store.Vendors).
type Store interface {
	List(ctx context.Context, tenantID string) ([]Vendor, error)
	// ByID returns a tenant's vendor; apperr NotFound when it has none such.
	ByID(ctx context.Context, tenantID, id string) (Vendor, error)
	Insert(ctx context.Context, v Vendor) error
	Update(ctx context.Context, v Vendor) error
	SetDocument(ctx context.Context, tenantID, id string, ct []byte, at time.Time) error
	Document(ctx context.Context, tenantID, id string) ([]byte, error)
	// Bindings maps integration keys to vendor ids.
	Bindings(ctx context.Context, tenantID string) (map[string]string, error)
	Bind(ctx context.Context, tenantID, integration, vendorID string, at time.Time) error
	AddRefusal(ctx context.Context, r Refusal) error
	Refusals(ctx context.Context, tenantID string, limit int) ([]Refusal, error)
}

// ErrRefused is what the gate returns: the integration may not send.
var ErrRefused = errors.New("refused: no current BAA for this integration's vendor")

// Deps are what the service works with.
type Deps struct {
	Store    Store
	Vault    phi.Vault
	Audit    audit.Appender
	Registry *Registry
	Clock    clock.Clock
	Log      *slog.Logger
}

// Service keeps the registry and gates integrations.
type Service struct {
	d       Deps
	mu      sync.Mutex
	changes Requester
}

// New returns the service; a nil Registry holds the built-in integrations.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Registry == nil {
		d.Registry = NewRegistry(Builtin()...)
	}
	return &Service{d: d}
}

// Registry returns the integrations registry (later integrations declare
// themselves in it).
func (s *Service) Registry() *Registry { return s.d.Registry }

// Now is the service's clock, for pages that show BAA status.
func (s *Service) Now() time.Time { return s.d.Clock.Now() }

// Why these checks here as well as on the routes: the registry decides what
// may leave Salve, so only the compliance officer changes it (admins may look;
// separation of duties), whatever surface calls.
func (s *Service) editor(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || a.Role != access.RoleCompliance {
		return apperr.DeniedError(errors.New("vendors: only the compliance officer edits vendors"))
	}
	return nil
}

func (s *Service) viewer(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || (a.TenantID != tenantID && !a.IsSystem()) {
		return apperr.DeniedError(errors.New("vendors: other tenant"))
	}
	if a.Role != access.RoleCompliance && a.Role != access.RoleAdmin && a.Role != access.RoleSystem {
		return apperr.DeniedError(errors.New("vendors: compliance and admins only"))
	}
	return nil
}

// event records a change to the registry. Why fail closed: a change to what
// may receive PHI that cannot be recorded must not happen.
func (s *Service) event(ctx context.Context, e audit.Entry) error {
	if e.Purpose == "" {
		e.Purpose = access.PurposeCompliance
	}
	if err := s.d.Audit.Append(ctx, e); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// Input is a vendor as the form sends it.
type Input struct {
	Name, Service, Contact, SignedOn, ExpiresOn, Notes string
}

func (in Input) check() error {
	fields := map[string]string{}
	for k, v := range map[string]string{"name": in.Name, "service": in.Service, "contact": in.Contact} {
		switch {
		case strings.TrimSpace(v) == "":
			fields[k] = "Enter the vendor's " + k + "."
		case utf8.RuneCountInString(v) > 200:
			fields[k] = "Keep this under 200 characters."
		}
	}
	var signed, expires time.Time
	var err error
	if in.SignedOn != "" {
		if signed, err = time.Parse(DateLayout, in.SignedOn); err != nil {
			fields["signed_on"] = "Enter the date as YYYY-MM-DD."
		}
	}
	if in.ExpiresOn != "" {
		if expires, err = time.Parse(DateLayout, in.ExpiresOn); err != nil {
			fields["expires_on"] = "Enter the date as YYYY-MM-DD."
		}
	}
	switch {
	case in.SignedOn != "" && in.ExpiresOn == "":
		fields["expires_on"] = "Enter when the BAA ends (its term or renewal date)."
	case in.SignedOn == "" && in.ExpiresOn != "":
		fields["signed_on"] = "Enter when the BAA was signed."
	case !signed.IsZero() && !expires.IsZero() && expires.Before(signed):
		fields["expires_on"] = "The BAA cannot end before it was signed."
	}
	if utf8.RuneCountInString(in.Notes) > 2000 {
		fields["notes"] = "Keep notes under 2000 characters."
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
	}
	return nil
}

// Add registers a vendor. Bad input changes nothing.
func (s *Service) Add(ctx context.Context, tenantID string, in Input) (Vendor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.editor(ctx, tenantID); err != nil {
		return Vendor{}, err
	}
	in = in.trim()
	if err := in.check(); err != nil {
		return Vendor{}, err
	}
	now := s.d.Clock.Now()
	v := Vendor{ID: id.NewAt(now), TenantID: tenantID, Name: in.Name, Service: in.Service, Contact: in.Contact,
		SignedOn: in.SignedOn, ExpiresOn: in.ExpiresOn, Notes: in.Notes, CreatedAt: now, UpdatedAt: now}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "vendor.add", ResourceType: "vendor", ResourceID: v.ID,
		Severity: audit.High, Detail: "baa=" + v.SignedOn + ".." + v.ExpiresOn}); err != nil {
		return Vendor{}, err
	}
	return v, s.d.Store.Insert(ctx, v)
}

// Update changes a vendor's details and BAA dates.
func (s *Service) Update(ctx context.Context, tenantID, vendorID string, in Input) (Vendor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.editor(ctx, tenantID); err != nil {
		return Vendor{}, err
	}
	v, err := s.d.Store.ByID(ctx, tenantID, vendorID)
	if err != nil {
		return Vendor{}, err
	}
	in = in.trim()
	if err := in.check(); err != nil {
		return v, err
	}
	before := v.SignedOn + ".." + v.ExpiresOn
	v.Name, v.Service, v.Contact, v.SignedOn, v.ExpiresOn, v.Notes = in.Name, in.Service, in.Contact, in.SignedOn, in.ExpiresOn, in.Notes
	v.UpdatedAt = s.d.Clock.Now()
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "vendor.update", ResourceType: "vendor", ResourceID: v.ID,
		Severity: audit.High, Detail: "baa=" + before + "->" + v.SignedOn + ".." + v.ExpiresOn}); err != nil {
		return Vendor{}, err
	}
	return v, s.d.Store.Update(ctx, v)
}

func (in Input) trim() Input {
	return Input{Name: strings.TrimSpace(in.Name), Service: strings.TrimSpace(in.Service), Contact: strings.TrimSpace(in.Contact),
		SignedOn: strings.TrimSpace(in.SignedOn), ExpiresOn: strings.TrimSpace(in.ExpiresOn), Notes: strings.TrimSpace(in.Notes)}
}

// subject is what a vendor's document is sealed under: its own key, so the
// document can be shredded on its own.
func subject(vendorID string) string { return "vendor:" + vendorID }

// Upload seals the signed BAA of a vendor. Why the content is checked, not
// the name or the browser's type: what is kept as the signed agreement must
// be a PDF, whatever the file was called.
func (s *Service) Upload(ctx context.Context, tenantID, vendorID string, data []byte) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.editor(ctx, tenantID); err != nil {
		return err
	}
	v, err := s.d.Store.ByID(ctx, tenantID, vendorID)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		return apperr.InvalidFields("Choose the signed BAA to upload.", map[string]string{"document": "Choose a PDF file."})
	}
	if len(data) > MaxDocument {
		return apperr.InvalidFields("The file is larger than 10 MB.", map[string]string{"document": "Upload a PDF under 10 MB."})
	}
	// A PDF starts with its signature, "%PDF-" (ISO 32000-1, 7.5.2), as
	// content sniffing (WHATWG MIME Sniffing) also decides.
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return apperr.InvalidFields("That file is not a PDF; nothing was saved.", map[string]string{"document": "Upload the signed BAA as a PDF."})
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject(v.ID)}, Action: access.Write,
		Purpose: access.PurposeCompliance, Resource: "vendor_baa", ResourceID: v.ID, AuditAction: "vendor.baa.upload", High: true})
	if err != nil {
		return err
	}
	ct, err := h.SealBytes(subject(v.ID), "vendors", "document_ct", v.ID, data)
	if err != nil {
		return err
	}
	return s.d.Store.SetDocument(ctx, tenantID, v.ID, ct, s.d.Clock.Now())
}

// Document opens a vendor's signed BAA for compliance or an admin; the
// vault records the read.
func (s *Service) Document(ctx context.Context, tenantID, vendorID string) ([]byte, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.viewer(ctx, tenantID); err != nil {
		return nil, err
	}
	v, err := s.d.Store.ByID(ctx, tenantID, vendorID)
	if err != nil {
		return nil, err
	}
	if !v.HasDocument {
		return nil, apperr.NotFoundError()
	}
	ct, err := s.d.Store.Document(ctx, tenantID, v.ID)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject(v.ID)}, Action: access.Read,
		Purpose: access.PurposeCompliance, Resource: "vendor_baa", ResourceID: v.ID, AuditAction: "vendor.baa.read"})
	if err != nil {
		return nil, err
	}
	b, err := h.OpenBytes(subject(v.ID), "vendors", "document_ct", v.ID, ct)
	if err != nil {
		return nil, err
	}
	return b.Reveal(), nil
}

// KindBinding is the governed setting "this integration sends to this
// vendor" (target: the integration's key; fields vendor, its id, and
// vendor_name).
const KindBinding = "integration.vendor"

// Requester asks for a governed change (changes.Service.Request).
type Requester interface {
	Request(ctx context.Context, tenantID, kind, target string, after map[string]string, reason string) (changes.Change, error)
}

// SetChanges sets where requests to bind an integration go (the change
// service is built after this one).
func (s *Service) SetChanges(r Requester) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.changes = r
}

// RequestBind files the request to send integration key to a vendor; it
// takes effect when a second person approves it (/admin/compliance/changes).
// Only the compliance officer asks (as Bind); an unknown integration is
// NotFound, a vendor not listed a field error, and nothing is recorded.
func (s *Service) RequestBind(ctx context.Context, tenantID, key, vendorID, reason string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.editor(ctx, tenantID); err != nil {
		return err
	}
	s.mu.Lock()
	req := s.changes
	s.mu.Unlock()
	if req == nil {
		return apperr.Errorf(apperr.Invalid, "Binding an integration needs the approvals of changes, which this process does not run.")
	}
	if _, ok := s.d.Registry.Get(key); !ok {
		return apperr.NotFoundError()
	}
	v, err := s.d.Store.ByID(ctx, tenantID, vendorID)
	if err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.InvalidFields("Choose one of the vendors listed.", map[string]string{"vendor": "Choose a vendor."})
		}
		return err
	}
	_, err = req.Request(ctx, tenantID, KindBinding, key, map[string]string{"vendor": v.ID, "vendor_name": v.Name}, reason)
	return err
}

// BindingKind is the governed setting "integration key sends to vendor",
// for the change service. Why governed: the binding decides which BAA an
// integration's PHI relies on; one person alone must not move it.
func (s *Service) BindingKind() changes.Kind {
	return changes.Kind{Name: KindBinding, Title: "Integration's vendor",
		Current: func(ctx context.Context, tenantID, key string) (map[string]string, error) {
			if _, ok := s.d.Registry.Get(key); !ok {
				return nil, apperr.NotFoundError()
			}
			binds, err := s.d.Store.Bindings(ctx, tenantID)
			if err != nil {
				return nil, err
			}
			cur := map[string]string{"vendor": binds[key], "vendor_name": ""}
			if vid := binds[key]; vid != "" {
				if v, err := s.d.Store.ByID(ctx, tenantID, vid); err == nil {
					cur["vendor_name"] = v.Name
				} else if !apperr.Is(err, apperr.NotFound) {
					return nil, err
				}
			}
			return cur, nil
		},
		Check: func(ctx context.Context, tenantID, key string, after map[string]string) error {
			if _, ok := s.d.Registry.Get(key); !ok {
				return apperr.NotFoundError()
			}
			v, err := s.d.Store.ByID(ctx, tenantID, after["vendor"])
			if apperr.Is(err, apperr.NotFound) || (err == nil && v.Name != after["vendor_name"]) {
				return apperr.InvalidFields("Choose one of the vendors listed.", map[string]string{"vendor": "Choose a vendor."})
			}
			return err
		},
		Apply: func(ctx context.Context, c changes.Change) error {
			// The vendor must still exist when the approval comes.
			if _, err := s.d.Store.ByID(ctx, c.TenantID, c.Payload["vendor"]); err != nil {
				return err
			}
			if err := s.event(ctx, audit.Entry{TenantID: c.TenantID, Action: "integration.bind", ResourceType: "integration", ResourceID: c.Target,
				Severity: audit.High, Detail: "vendor=" + c.Payload["vendor"] + " change=" + c.ID}); err != nil {
				return err
			}
			return s.d.Store.Bind(ctx, c.TenantID, c.Target, c.Payload["vendor"], s.d.Clock.Now())
		}}
}

// Bind sends integration key of a tenant to a vendor at once (for code
// acting in the process's own name; a person on the web files RequestBind).
func (s *Service) Bind(ctx context.Context, tenantID, key, vendorID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.editor(ctx, tenantID); err != nil {
		return err
	}
	if _, ok := s.d.Registry.Get(key); !ok {
		return apperr.NotFoundError()
	}
	if _, err := s.d.Store.ByID(ctx, tenantID, vendorID); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return apperr.InvalidFields("Choose one of the vendors listed.", map[string]string{"vendor": "Choose a vendor."})
		}
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "integration.bind", ResourceType: "integration", ResourceID: key,
		Severity: audit.High, Detail: "vendor=" + vendorID}); err != nil {
		return err
	}
	return s.d.Store.Bind(ctx, tenantID, key, vendorID, s.d.Clock.Now())
}

// Status is a vendor with where its BAA stands and what is bound to it.
type Status struct {
	Vendor
	Current      bool
	Label        string
	Integrations []Integration
}

// Bound is an integration with the vendor it sends to ("" none).
type Bound struct {
	Integration
	VendorID, VendorName string
	// Sends is false when it carries PHI and its vendor has no current BAA:
	// it sends nothing.
	Sends  bool
	Reason string
}

// Overview is the compliance page's data: the vendors, each integration
// with its vendor, and the latest refusals.
type Overview struct {
	Vendors      []Status
	Integrations []Bound
	Refusals     []Refusal
}

// Vendors lists a tenant's vendors with their BAA status and the
// integrations bound to each: the Go API the compliance report and the
// data-flow diagram read.
func (s *Service) Vendors(ctx context.Context, tenantID string) ([]Status, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	o, err := s.Overview(ctx, tenantID)
	return o.Vendors, err
}

// Overview gathers the compliance page's data.
func (s *Service) Overview(ctx context.Context, tenantID string) (Overview, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.viewer(ctx, tenantID); err != nil {
		return Overview{}, err
	}
	list, err := s.d.Store.List(ctx, tenantID)
	if err != nil {
		return Overview{}, err
	}
	binds, err := s.d.Store.Bindings(ctx, tenantID)
	if err != nil {
		return Overview{}, err
	}
	now := s.d.Clock.Now()
	var o Overview
	byID := map[string]int{}
	for i, v := range list {
		byID[v.ID] = i
		o.Vendors = append(o.Vendors, Status{Vendor: v, Current: v.Current(now), Label: v.Status(now)})
	}
	for _, in := range s.d.Registry.All() {
		b := Bound{Integration: in, VendorID: binds[in.Key]}
		if i, ok := byID[b.VendorID]; ok {
			b.VendorName = list[i].Name
			o.Vendors[i].Integrations = append(o.Vendors[i].Integrations, in)
		}
		b.Reason = decide(in, list, byID, b.VendorID, now)
		b.Sends = b.Reason == ""
		o.Integrations = append(o.Integrations, b)
	}
	o.Refusals, err = s.d.Store.Refusals(ctx, tenantID, 50)
	return o, err
}

// decide returns why integration in may not send to vendorID now, or "".
func decide(in Integration, list []Vendor, byID map[string]int, vendorID string, now time.Time) string {
	if !in.CarriesPHI {
		return ""
	}
	i, ok := byID[vendorID]
	switch {
	case vendorID == "" || !ok:
		return "no vendor is bound to " + in.Name + ", so it sends nothing"
	case !list[i].Current(now):
		return list[i].Name + ": " + list[i].Status(now) + ", so " + in.Name + " sends nothing"
	}
	return ""
}

// Allow is the gate: nil when integration key of a tenant may send now. One
// that carries PHI without a bound vendor whose BAA is current is refused:
// recorded, audited and logged (ids only), and ErrRefused returned.
func (s *Service) Allow(ctx context.Context, tenantID, key string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	in, ok := s.d.Registry.Get(key)
	if !ok {
		// Why refuse the undeclared: an integration nobody declared has no
		// record of what it carries.
		in = Integration{Key: key, Name: key, CarriesPHI: true}
	}
	if !in.CarriesPHI {
		return nil
	}
	binds, err := s.d.Store.Bindings(ctx, tenantID)
	if err != nil {
		return err
	}
	return s.allow(ctx, tenantID, in, binds[key])
}

// AllowVendor is Allow for an integration whose vendor is chosen per use
// (a webhook subscription names its own): carriesPHI says whether this use
// carries PHI.
func (s *Service) AllowVendor(ctx context.Context, tenantID, key, vendorID string, carriesPHI bool) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if !carriesPHI {
		return nil
	}
	in, ok := s.d.Registry.Get(key)
	if !ok {
		in = Integration{Key: key, Name: key}
	}
	in.CarriesPHI = true
	return s.allow(ctx, tenantID, in, vendorID)
}

// Current reports whether a tenant's vendor has a current BAA (false for a
// vendor it has not).
func (s *Service) Current(ctx context.Context, tenantID, vendorID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	v, err := s.d.Store.ByID(ctx, tenantID, vendorID)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil && v.Current(s.d.Clock.Now()), err
}

func (s *Service) allow(ctx context.Context, tenantID string, in Integration, vendorID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.d.Clock.Now()
	var list []Vendor
	byID := map[string]int{}
	if vendorID != "" {
		v, err := s.d.Store.ByID(ctx, tenantID, vendorID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if err == nil {
			list, byID[v.ID] = []Vendor{v}, 0
		}
	}
	reason := decide(in, list, byID, vendorID, now)
	if reason == "" {
		return nil
	}
	r := Refusal{ID: id.NewAt(now), TenantID: tenantID, Integration: in.Key, VendorID: vendorID, Reason: reason, At: now}
	jctx := ctx
	if _, ok := access.ActorFrom(ctx); !ok {
		jctx = access.WithActor(ctx, access.System("vendors.gate", tenantID))
	}
	// Why audited as a denial of high severity: PHI was about to leave for a
	// party without an agreement; compliance looks at these first.
	if err := s.d.Audit.Append(jctx, audit.Entry{TenantID: tenantID, Action: "integration.refused", ResourceType: "integration",
		ResourceID: in.Key, Outcome: audit.Denied, Severity: audit.High, Purpose: access.PurposeSystem, Detail: "vendor=" + vendorID}); err != nil {
		s.d.Log.ErrorContext(ctx, "audit of a refused integration failed", "integration", in.Key, "err", err)
	}
	if err := s.d.Store.AddRefusal(ctx, r); err != nil {
		s.d.Log.ErrorContext(ctx, "refused integration not recorded", "integration", in.Key, "err", err)
	}
	// Ids and the reason only: the reason names the vendor and the
	// integration, never a person.
	s.d.Log.WarnContext(ctx, "integration refused: its vendor has no current BAA", "integration", in.Key, "tenant", tenantID,
		"vendor", vendorID, "reason", reason)
	return fmt.Errorf("%s: %w", in.Key, ErrRefused)
}

// Exists reports whether a tenant has the vendor (a form's check).
func (s *Service) Exists(ctx context.Context, tenantID, vendorID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if vendorID == "" {
		return false, nil
	}
	_, err := s.d.Store.ByID(ctx, tenantID, vendorID)
	if apperr.Is(err, apperr.NotFound) {
		return false, nil
	}
	return err == nil, err
}
