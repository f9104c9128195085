// Package webhooks sends a tenant's events (an order paid or shipped, an
// appointment booked, a result released, a message received) to the URLs
// its admins subscribed. Each subscription has its own secret, sealed at rest
// and shown once; each request is signed (webhooksig: HMAC-SHA256 over a
// timestamp and the body, refused by receivers outside a 5-minute window).
//
// Deliveries are queued in the PHI store beside the change they report and
// sent by a job with retries and a growing delay, each try logged with the
// receiver's response code. A payload carries ids and the event's name only,
// unless the subscription was approved to carry PHI through the two-person
// change path (KindCarryPHI, with the compliance officer as one of the two).
// Such a subscription is gated like every integration carrying PHI: nothing
// is sent while its vendor has no current BAA (vendors.Service.AllowVendor),
// and its payload's PHI fields (Details) are read at the moment of sending,
// an audited read, so that no PHI waits in the queue outside the vault.
package webhooks

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/webhooksig"
)

// The events a subscription can ask for. Orders, appointments, lab results
// and secure messaging (a message from the patient's side) publish theirs
// (wired in internal/server).
const (
	OrderPaid         = "order.paid"
	OrderShipped      = "order.shipped"
	AppointmentBooked = "appointment.booked"
	ResultReleased    = "result.released"
	MessageReceived   = "message.received"
	// Test is what the "send test" button sends.
	Test = "webhook.test"
)

// Events lists the events a subscription can ask for, in order.
func Events() []string {
	return []string{OrderPaid, OrderShipped, AppointmentBooked, ResultReleased, MessageReceived}
}

// Integration is the key webhooks are gated under (vendors.Webhooks).
const Integration = "webhooks"

// MaxAttempts is how often a delivery is tried before it is given up.
const MaxAttempts = 10

// HoldRefused is how long a delivery refused by the gate waits.
const HoldRefused = 10 * time.Minute

// Backoff is the wait after the n-th failed try (1-based): 30 s doubling,
// at most 6 hours.
func Backoff(n int) time.Duration {
	d := 30 * time.Second << min(max(n-1, 0), 10)
	return min(d, 6*time.Hour)
}

// Subscription is one URL a tenant's events go to.
type Subscription struct {
	ID, TenantID string
	URL          string
	Events       []string
	VendorID     string
	// CarryPHI is the compliance officer's approval to carry PHI.
	CarryPHI   bool
	SecretCT   []byte
	CreatedAt  time.Time
	DisabledAt time.Time
}

// Active reports whether the subscription still receives events.
func (s Subscription) Active() bool { return s.DisabledAt.IsZero() }

// Delivery is one event to one subscription.
type Delivery struct {
	ID, TenantID, SubscriptionID string
	Event                        string
	Payload                      string
	CreatedAt, NextAttemptAt     time.Time
	Attempts                     int
	DeliveredAt, FailedAt        time.Time
	LastStatus                   int
	LastError                    string
}

// State says where a delivery is, in words.
func (d Delivery) State() string {
	switch {
	case !d.DeliveredAt.IsZero():
		return "delivered"
	case !d.FailedAt.IsZero():
		return "given up"
	case d.Attempts == 0 && d.LastError == "":
		return "waiting"
	}
	return "retrying"
}

// Attempt is one try of a delivery: the receiver's response code, or 0 and
// why there was none.
type Attempt struct {
	DeliveryID string
	N          int
	At         time.Time
	Status     int
	Error      string
}

// Store is the webhooks' storage in the PHI store (internal/store.Webhooks).
type Store interface {
	InsertSubscription(ctx context.Context, s Subscription) error
	Subscriptions(ctx context.Context, tenantID string) ([]Subscription, error)
	// Subscription returns one of a tenant's; apperr NotFound if none such.
	Subscription(ctx context.Context, tenantID, id string) (Subscription, error)
	Disable(ctx context.Context, tenantID, id string, at time.Time) error
	// Enable switches a subscription on (an approved request to add it).
	Enable(ctx context.Context, tenantID, id string) error
	Enqueue(ctx context.Context, ds []Delivery) error
	// Due lists deliveries whose next try is due, oldest first.
	Due(ctx context.Context, now time.Time, limit int) ([]Delivery, error)
	Recent(ctx context.Context, tenantID string, limit int) ([]Delivery, error)
	Attempts(ctx context.Context, tenantID string, limit int) ([]Attempt, error)
	// Record saves a try: the delivery's new state and the attempt, together.
	Record(ctx context.Context, d Delivery, a Attempt) error
	// Hold puts a delivery off without counting a try.
	Hold(ctx context.Context, id string, next time.Time, why string) error
	// SetCarryPHI records an approved change of a subscription's PHI choice.
	SetCarryPHI(ctx context.Context, tenantID, id string, carry bool) error
}

// Details reads the PHI fields of an event for a payload, as the actor in
// ctx (the delivery job): each service it calls reads through the vault,
// audited. The fields per event are listed in docs/compliance.md (a result
// released: the test's name and status; an order paid or shipped: its
// items). No fields (nil): the event has none to add.
type Details func(ctx context.Context, tenantID, event string, ids map[string]string) (map[string]string, error)

// Requester asks for a governed change (changes.Service.Request).
type Requester interface {
	Request(ctx context.Context, tenantID, kind, target string, after map[string]string, reason string) (changes.Change, error)
}

// Gate is the vendors' gate (vendors.Service).
type Gate interface {
	AllowVendor(ctx context.Context, tenantID, key, vendorID string, carriesPHI bool) error
	Current(ctx context.Context, tenantID, vendorID string) (bool, error)
}

// Vendors says whether a tenant has a vendor (for the form's check).
type Vendors interface {
	Exists(ctx context.Context, tenantID, vendorID string) (bool, error)
}

// Deps are what the service works with.
type Deps struct {
	Store Store
	Vault phi.Vault
	Audit audit.Appender
	Gate  Gate
	Clock clock.Clock
	Log   *slog.Logger
	// Client sends the requests; nil: one with a 10-second timeout that
	// follows no redirect.
	Client *http.Client
	// AllowLoopbackHTTP lets http:// URLs to a loopback host through (tests
	// and development); everything else must be https. It also lets
	// deliveries connect to loopback addresses at all (Reach).
	AllowLoopbackHTTP bool
	// AllowPrivateNetworks lets deliveries connect to private network
	// addresses (Reach); public addresses only otherwise.
	AllowPrivateNetworks bool
	// Details reads an event's PHI for a subscription approved to carry it
	// (nil: such payloads get no PHI fields).
	Details Details
	// Changes takes the requests to carry PHI (nil: refused).
	Changes Requester
}

// Service keeps subscriptions and delivers.
type Service struct{ d Deps }

// SetDetails sets the reader of the events' PHI (the services that hold it
// are built after this one).
func (s *Service) SetDetails(d Details) { s.d.Details = d }

// SetChanges sets where requests to carry PHI go (the change service is
// built after this one).
func (s *Service) SetChanges(r Requester) { s.d.Changes = r }

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	if d.Client == nil {
		d.Client = &http.Client{Timeout: 10 * time.Second}
	}
	// Why no redirects: a receiver could send a signed request on to a
	// place nobody subscribed (and nobody signed a BAA with).
	c := *d.Client
	// Connections reach public addresses only, unless the operator allows
	// more (reach.go), whatever client is given; only a round tripper that
	// is not an *http.Transport (a test's stand-in) is left as it is.
	reach := Reach{Loopback: d.AllowLoopbackHTTP, Private: d.AllowPrivateNetworks}
	switch t := c.Transport.(type) {
	case nil:
		c.Transport = reach.transport(nil)
	case *http.Transport:
		c.Transport = reach.transport(t)
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	d.Client = &c
	return &Service{d: d}
}

// Why both roles: webhooks are integrations, which admins set up; approving
// one to carry PHI is the compliance officer's alone (Subscribe).
func (s *Service) manager(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleAdmin && a.Role != access.RoleCompliance) {
		return a, apperr.DeniedError(errors.New("webhooks: admins and compliance only"))
	}
	return a, nil
}

func (s *Service) event(ctx context.Context, e audit.Entry) error {
	if e.Purpose == "" {
		e.Purpose = access.PurposeOperations
	}
	e.ResourceType = "webhook"
	if err := s.d.Audit.Append(ctx, e); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// Input is a subscription as the form sends it.
type Input struct {
	URL      string
	Events   []string
	VendorID string
	// CarryPHI asks (through a change a second person approves) for the
	// payloads to carry the events' PHI; Reason says why.
	CarryPHI bool
	Reason   string
}

// CheckURL says what is wrong with a subscription's URL for the form ("":
// nothing): it must be https (or, when allowed, http to a loopback host),
// without credentials or a fragment.
func CheckURL(raw string, allowLoopbackHTTP bool) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil || u.Fragment != "" {
		return "Enter a full https:// address, without a user name or #part."
	}
	switch u.Scheme {
	case "https":
		return ""
	case "http":
		host := u.Hostname()
		ip := net.ParseIP(host)
		if allowLoopbackHTTP && (host == "localhost" || (ip != nil && ip.IsLoopback())) {
			return ""
		}
	}
	// Why https only: the payload and its signature would otherwise cross
	// the network in the clear.
	return "Use an https:// address: webhooks are only sent encrypted."
}

// NewSecret returns a fresh subscription secret.
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return "whsec_" + base64.RawURLEncoding.EncodeToString(b)
}

func subject(subID string) string { return "webhook:" + subID }

// Subscribe adds a subscription, switched on at once, and returns it with
// its secret, which is shown this once and kept only sealed. Bad input
// changes nothing. Why both: Subscribe is for code acting in the process's
// own name (tests, tools); a person on the web adds one through
// RequestSubscribe, which a second person approves.
func (s *Service) Subscribe(ctx context.Context, tenantID string, in Input, vendors Vendors) (Subscription, string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	_, err := s.manager(ctx, tenantID)
	if err != nil {
		return Subscription{}, "", err
	}
	fields, err := s.check(ctx, tenantID, &in, vendors)
	if err != nil {
		return Subscription{}, "", err
	}
	if in.CarryPHI && s.d.Changes == nil {
		fields["carry_phi"] = "Carrying PHI needs the approvals of changes, which this process does not run."
	}
	if len(fields) > 0 {
		return Subscription{}, "", apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
	}
	sub, secret, err := s.insert(ctx, tenantID, in, false)
	if err != nil {
		return Subscription{}, "", err
	}
	if in.CarryPHI {
		reason := strings.TrimSpace(in.Reason)
		if reason == "" {
			reason = "a new webhook asks to carry its events' PHI to its vendor"
		}
		if err := s.RequestCarryPHI(ctx, tenantID, sub.ID, true, reason); err != nil {
			return sub, secret, err
		}
	}
	return sub, secret, nil
}

// check returns what is wrong with a subscription's input, by field.
func (s *Service) check(ctx context.Context, tenantID string, in *Input, vendors Vendors) (map[string]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	fields := map[string]string{}
	if msg := CheckURL(in.URL, s.d.AllowLoopbackHTTP); msg != "" {
		fields["url"] = msg
	} else if u, err := url.Parse(strings.TrimSpace(in.URL)); err == nil {
		// An address typed as an IP that no delivery may reach (reach.go)
		// is refused here, where the admin can correct it; a name is
		// checked on every delivery, once resolved.
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil && !(Reach{Loopback: s.d.AllowLoopbackHTTP, Private: s.d.AllowPrivateNetworks}).allows(ip) {
			fields["url"] = "That address is not on the public internet: webhooks go only to public addresses."
		}
	}
	in.Events = slices.DeleteFunc(slices.Clone(in.Events), func(e string) bool { return !slices.Contains(Events(), e) })
	if len(in.Events) == 0 {
		fields["events"] = "Choose at least one event."
	}
	if ok, err := vendors.Exists(ctx, tenantID, in.VendorID); err != nil {
		return nil, err
	} else if !ok {
		fields["vendor"] = "Choose the vendor who receives these events (add it under Vendors first)."
	}
	return fields, nil
}

// insert stores a new subscription (switched off when off) with a fresh
// secret, sealed, and returns the secret.
func (s *Service) insert(ctx context.Context, tenantID string, in Input, off bool) (Subscription, string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.d.Clock.Now()
	// Why the subscription starts PHI-free even when PHI was asked for:
	// carrying PHI to an outside party is a disclosure; it is a governed
	// change that a second person approves (RequestCarryPHI), not a box.
	sub := Subscription{ID: id.NewAt(now), TenantID: tenantID, URL: strings.TrimSpace(in.URL), Events: in.Events, VendorID: in.VendorID,
		CreatedAt: now}
	if off {
		sub.DisabledAt = now
	}
	secret := NewSecret()
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{subject(sub.ID)}, Action: access.Write,
		Purpose: access.PurposeOperations, Resource: "webhook_secret", ResourceID: sub.ID, AuditAction: "webhook.secret.seal"})
	if err != nil {
		return Subscription{}, "", err
	}
	if sub.SecretCT, err = h.SealString(subject(sub.ID), "webhook_subscriptions", "secret_ct", sub.ID, secret); err != nil {
		return Subscription{}, "", err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "webhook.subscribe", ResourceID: sub.ID, Severity: audit.High,
		Detail: fmt.Sprintf("vendor=%s carry_phi=%t events=%s awaiting_approval=%t", sub.VendorID, sub.CarryPHI, strings.Join(sub.Events, " "), off)}); err != nil {
		return Subscription{}, "", err
	}
	if err := s.d.Store.InsertSubscription(ctx, sub); err != nil {
		return Subscription{}, "", err
	}
	return sub, secret, nil
}

// KindCarryPHI is the governed change of a subscription's PHI choice
// (target: the subscription's id; field carry_phi, yes or no).
const KindCarryPHI = "webhook.carry_phi"

// RequestCarryPHI asks for a subscription to carry its events' PHI (carry)
// or to stop; it takes effect when a second person approves it
// (/admin/compliance/changes).
func (s *Service) RequestCarryPHI(ctx context.Context, tenantID, subID string, carry bool, reason string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.manager(ctx, tenantID); err != nil {
		return err
	}
	if s.d.Changes == nil {
		return apperr.Errorf(apperr.Invalid, "Carrying PHI needs the approvals of changes, which this process does not run.")
	}
	_, err := s.d.Changes.Request(ctx, tenantID, KindCarryPHI, subID, map[string]string{"carry_phi": yesNo(carry)}, reason)
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// CarryPHIKind is the governed setting "this webhook carries PHI", for the
// change service. Turning it on needs the compliance officer as requester
// or approver (or the operator at the console): the disclosure needs
// someone accountable for it, beside the BAA the delivery checks.
func (s *Service) CarryPHIKind() changes.Kind {
	return changes.Kind{Name: KindCarryPHI, Title: "Webhook carries PHI",
		Current: func(ctx context.Context, tenantID, target string) (map[string]string, error) {
			sub, err := s.d.Store.Subscription(ctx, tenantID, target)
			if err != nil {
				return nil, err
			}
			return map[string]string{"carry_phi": yesNo(sub.CarryPHI)}, nil
		},
		Check: func(ctx context.Context, tenantID, target string, after map[string]string) error {
			if v := after["carry_phi"]; v != "yes" && v != "no" {
				return apperr.InvalidFields("Choose yes or no.", map[string]string{"carry_phi": "Choose yes or no."})
			}
			sub, err := s.d.Store.Subscription(ctx, tenantID, target)
			if err != nil {
				return err
			}
			if !sub.Active() {
				return apperr.Errorf(apperr.Invalid, "This webhook is switched off.")
			}
			return nil
		},
		Apply: func(ctx context.Context, c changes.Change) error {
			carry := c.Payload["carry_phi"] == "yes"
			// Why: approving a disclosure of PHI is the compliance
			// officer's to answer for; two admins alone cannot turn it on.
			if carry && c.RequestedRole != access.RoleCompliance && c.DecidedRole != access.RoleCompliance && c.DecidedBy != changes.Operator {
				return apperr.New(apperr.Forbidden, "A webhook carries PHI only with the compliance officer's approval: the compliance officer must request or approve this.")
			}
			if err := s.event(ctx, audit.Entry{TenantID: c.TenantID, Action: "webhook.carry_phi", ResourceID: c.Target, Severity: audit.High,
				Detail: "carry_phi=" + yesNo(carry) + " change=" + c.ID}); err != nil {
				return err
			}
			return s.d.Store.SetCarryPHI(ctx, c.TenantID, c.Target, carry)
		}}
}

// KindSubscription is the governed setting "this webhook sends" (target:
// the subscription's id; fields state on or off, and what it sends where,
// its secret masked). Adding a webhook on the web files a request to
// switch it on; switching one off is a request too.
const KindSubscription = "webhook.subscription"

// RequestSubscribe adds a subscription switched off and files the request
// that a second person approves to switch it on (with carrying PHI, if
// asked). The secret is made now and returned this once (it never waits
// in a request); nothing is sent until the approval. Bad input, or no
// reason, changes nothing.
func (s *Service) RequestSubscribe(ctx context.Context, tenantID string, in Input, vendors Vendors) (Subscription, string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.manager(ctx, tenantID); err != nil {
		return Subscription{}, "", err
	}
	if s.d.Changes == nil {
		return Subscription{}, "", apperr.Errorf(apperr.Invalid, "Adding a webhook needs the approvals of changes, which this process does not run.")
	}
	fields, err := s.check(ctx, tenantID, &in, vendors)
	if err != nil {
		return Subscription{}, "", err
	}
	if r := strings.TrimSpace(in.Reason); r == "" || len(r) > 500 || strings.ContainsAny(r, "\r\n") {
		fields["reason"] = "Say why this webhook is needed, in one line (up to 500 characters)."
	}
	if len(fields) > 0 {
		return Subscription{}, "", apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
	}
	sub, secret, err := s.insert(ctx, tenantID, in, true)
	if err != nil {
		return Subscription{}, "", err
	}
	after, err := subscriptionFields(sub)
	if err != nil {
		return Subscription{}, "", err
	}
	after["state"], after["carry_phi"] = "on", yesNo(in.CarryPHI)
	if _, err := s.d.Changes.Request(ctx, tenantID, KindSubscription, sub.ID, after, in.Reason); err != nil {
		return Subscription{}, "", err
	}
	return sub, secret, nil
}

// RequestDisable files the request to switch a subscription off; a second
// person approves it. Another tenant's, or a made-up id, is NotFound.
func (s *Service) RequestDisable(ctx context.Context, tenantID, subID, reason string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.manager(ctx, tenantID); err != nil {
		return err
	}
	if s.d.Changes == nil {
		return apperr.Errorf(apperr.Invalid, "Switching a webhook off needs the approvals of changes, which this process does not run.")
	}
	sub, err := s.d.Store.Subscription(ctx, tenantID, subID)
	if err != nil {
		return err
	}
	after, err := subscriptionFields(sub)
	if err != nil {
		return err
	}
	after["state"] = "off"
	_, err = s.d.Changes.Request(ctx, tenantID, KindSubscription, sub.ID, after, reason)
	return err
}

// ShownURL is a subscription's address as a change record shows it: a
// query string (where a receiver may put a token) is masked.
func ShownURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return changes.Mask
	}
	if u.RawQuery != "" {
		u.RawQuery = ""
		return u.String() + "?" + changes.Mask
	}
	return u.String()
}

// subscriptionFields are a subscription's fields as the change record
// holds them: never the secret (masked), the address's query masked.
func subscriptionFields(sub Subscription) (map[string]string, error) {
	state := "on"
	if !sub.Active() {
		state = "off"
	}
	return map[string]string{"state": state, "url": ShownURL(sub.URL), "events": strings.Join(sub.Events, " "), "vendor": sub.VendorID,
		"carry_phi": yesNo(sub.CarryPHI), "secret": changes.Mask}, nil
}

// SubscriptionKind is the governed setting "this webhook sends", for the
// change service. Only the state may change (and, with switching on,
// carrying PHI, under the same rule as CarryPHIKind); the address, events
// and vendor are those it was added with.
func (s *Service) SubscriptionKind() changes.Kind {
	return changes.Kind{Name: KindSubscription, Title: "Outgoing webhook", Secrets: []string{"secret"},
		Current: func(ctx context.Context, tenantID, target string) (map[string]string, error) {
			sub, err := s.d.Store.Subscription(ctx, tenantID, target)
			if err != nil {
				return nil, err
			}
			return subscriptionFields(sub)
		},
		Check: func(ctx context.Context, tenantID, target string, after map[string]string) error {
			sub, err := s.d.Store.Subscription(ctx, tenantID, target)
			if err != nil {
				return err
			}
			cur, err := subscriptionFields(sub)
			if err != nil {
				return err
			}
			if v := after["state"]; v != "on" && v != "off" {
				return apperr.InvalidFields("Choose on or off.", map[string]string{"state": "Choose on or off."})
			}
			if v := after["carry_phi"]; v != "yes" && v != "no" {
				return apperr.InvalidFields("Choose yes or no.", map[string]string{"carry_phi": "Choose yes or no."})
			}
			for _, f := range []string{"url", "events", "vendor"} {
				if after[f] != cur[f] {
					return apperr.Errorf(apperr.Invalid, "A webhook's %s cannot be changed: switch it off and add a new one.", f)
				}
			}
			if after["state"] == "off" && after["carry_phi"] != cur["carry_phi"] {
				return apperr.Errorf(apperr.Invalid, "Switching a webhook off leaves its PHI choice as it is.")
			}
			return nil
		},
		Apply: func(ctx context.Context, c changes.Change) error {
			sub, err := s.d.Store.Subscription(ctx, c.TenantID, c.Target)
			if err != nil {
				return err
			}
			if c.Payload["state"] == "off" {
				if !sub.Active() {
					return nil
				}
				if err := s.event(ctx, audit.Entry{TenantID: c.TenantID, Action: "webhook.disable", ResourceID: sub.ID, Severity: audit.High,
					Detail: "change=" + c.ID}); err != nil {
					return err
				}
				return s.d.Store.Disable(ctx, c.TenantID, sub.ID, s.d.Clock.Now())
			}
			carry := c.Payload["carry_phi"] == "yes"
			// The same rule as CarryPHIKind: a disclosure of PHI needs the
			// compliance officer as one of the two.
			if carry && !sub.CarryPHI && c.RequestedRole != access.RoleCompliance && c.DecidedRole != access.RoleCompliance && c.DecidedBy != changes.Operator {
				return apperr.New(apperr.Forbidden, "A webhook carries PHI only with the compliance officer's approval: the compliance officer must request or approve this.")
			}
			if err := s.event(ctx, audit.Entry{TenantID: c.TenantID, Action: "webhook.enable", ResourceID: sub.ID, Severity: audit.High,
				Detail: "carry_phi=" + yesNo(carry) + " change=" + c.ID}); err != nil {
				return err
			}
			if carry != sub.CarryPHI {
				if err := s.d.Store.SetCarryPHI(ctx, c.TenantID, sub.ID, carry); err != nil {
					return err
				}
			}
			return s.d.Store.Enable(ctx, c.TenantID, sub.ID)
		}}
}

// Disable stops a subscription; its waiting deliveries are given up.
func (s *Service) Disable(ctx context.Context, tenantID, subID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.manager(ctx, tenantID); err != nil {
		return err
	}
	sub, err := s.d.Store.Subscription(ctx, tenantID, subID)
	if err != nil {
		return err
	}
	if !sub.Active() {
		return nil
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "webhook.disable", ResourceID: sub.ID, Severity: audit.High}); err != nil {
		return err
	}
	return s.d.Store.Disable(ctx, tenantID, sub.ID, s.d.Clock.Now())
}

// payload is what a receiver gets: ids and the event's name.
type payload struct {
	ID        string            `json:"id"`
	Event     string            `json:"event"`
	CreatedAt time.Time         `json:"created_at"`
	Data      map[string]string `json:"data"`
	// PHI is the event's PHI fields, only for a subscription approved to
	// carry them; never stored in the queue.
	PHI map[string]string `json:"phi,omitempty"`
}

// Publish queues event for every active subscription of the tenant that
// asked for it. ids name what the event is about ("order_id": ...); they
// are random ids, never PHI.
func (s *Service) Publish(ctx context.Context, tenantID, event string, ids map[string]string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	subs, err := s.d.Store.Subscriptions(ctx, tenantID)
	if err != nil {
		return err
	}
	now := s.d.Clock.Now()
	var ds []Delivery
	for _, sub := range subs {
		if sub.Active() && slices.Contains(sub.Events, event) {
			d, err := newDelivery(sub, event, ids, now)
			if err != nil {
				return err
			}
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	return s.d.Store.Enqueue(ctx, ds)
}

func newDelivery(sub Subscription, event string, ids map[string]string, now time.Time) (Delivery, error) {
	d := Delivery{ID: id.NewAt(now), TenantID: sub.TenantID, SubscriptionID: sub.ID, Event: event, CreatedAt: now, NextAttemptAt: now}
	if ids == nil {
		ids = map[string]string{}
	}
	b, err := json.Marshal(payload{ID: d.ID, Event: event, CreatedAt: now, Data: ids})
	if err != nil {
		return d, err
	}
	d.Payload = string(b)
	return d, nil
}

// SendTest queues a test event for one subscription (the "send test"
// button): it goes through the same queue, signature and gate as any other.
func (s *Service) SendTest(ctx context.Context, tenantID, subID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.manager(ctx, tenantID); err != nil {
		return err
	}
	sub, err := s.d.Store.Subscription(ctx, tenantID, subID)
	if err != nil {
		return err
	}
	if !sub.Active() {
		return apperr.Errorf(apperr.Invalid, "This webhook is switched off; add a new one to send to this address again.")
	}
	d, err := newDelivery(sub, Test, map[string]string{"subscription_id": sub.ID}, s.d.Clock.Now())
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "webhook.test", ResourceID: sub.ID}); err != nil {
		return err
	}
	return s.d.Store.Enqueue(ctx, []Delivery{d})
}

// Deliver tries the deliveries that are due, at most limit, and returns how
// many were delivered. A 2xx answer delivers; anything else (another code,
// a timeout, no connection) is retried after Backoff, and given up after
// MaxAttempts. A delivery the gate refuses is not sent and waits.
func (s *Service) Deliver(ctx context.Context, limit int) (int, error) {
	due, err := s.d.Store.Due(ctx, s.d.Clock.Now(), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range due {
		ok, err := s.deliver(ctx, d)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

func (s *Service) deliver(ctx context.Context, d Delivery) (bool, error) {
	ctx = tenant.WithScope(ctx, d.TenantID)
	jctx := access.WithActor(ctx, access.System("webhooks.deliver", d.TenantID))
	sub, err := s.d.Store.Subscription(ctx, d.TenantID, d.SubscriptionID)
	if err != nil {
		return false, err
	}
	now := s.d.Clock.Now()
	if !sub.Active() {
		d.FailedAt, d.LastError = now, "the webhook was switched off"
		return false, s.d.Store.Record(ctx, d, Attempt{DeliveryID: d.ID, N: d.Attempts + 1, At: now, Error: d.LastError})
	}
	if err := s.d.Gate.AllowVendor(jctx, d.TenantID, Integration, sub.VendorID, sub.CarryPHI); err != nil {
		return false, s.d.Store.Hold(ctx, d.ID, now.Add(HoldRefused), "refused: no current BAA for this webhook's vendor")
	}
	h, err := s.d.Vault.Access(jctx, phi.Request{TenantID: d.TenantID, Subjects: []string{subject(sub.ID)}, Action: access.Read,
		Purpose: access.PurposeSystem, Resource: "webhook_secret", ResourceID: sub.ID, AuditAction: "webhook.sign"})
	if err != nil {
		return false, err
	}
	secret, err := h.OpenString(subject(sub.ID), "webhook_subscriptions", "secret_ct", sub.ID, sub.SecretCT)
	if err != nil {
		return false, err
	}
	// Why a failed try rather than an ids-only send: the receiver was
	// promised the PHI fields; if they cannot be read (or the read cannot
	// be audited) nothing is sent, and the try is retried like any other.
	var status int
	body, sendErr := s.body(jctx, sub, d)
	if sendErr != nil {
		s.d.Log.WarnContext(ctx, "webhook payload not built", "delivery", d.ID, "err", sendErr)
		sendErr = errors.New("the event's details could not be read")
	} else {
		status, sendErr = s.post(ctx, sub.URL, d, body, []byte(secret.Reveal()))
	}
	now = s.d.Clock.Now()
	d.Attempts++
	a := Attempt{DeliveryID: d.ID, N: d.Attempts, At: now, Status: status}
	d.LastStatus = status
	if sendErr == nil && status >= 200 && status < 300 {
		d.DeliveredAt, d.LastError = now, ""
		return true, s.d.Store.Record(ctx, d, a)
	}
	a.Error = fmt.Sprintf("answered %d", status)
	if sendErr != nil {
		a.Error = sendErr.Error()
	}
	d.LastError = a.Error
	if d.Attempts >= MaxAttempts {
		d.FailedAt = now
	} else {
		d.NextAttemptAt = now.Add(Backoff(d.Attempts))
	}
	s.d.Log.WarnContext(ctx, "webhook delivery failed", "delivery", d.ID, "subscription", sub.ID, "event", d.Event,
		"attempt", d.Attempts, "status", status, "give_up", !d.FailedAt.IsZero())
	return false, s.d.Store.Record(ctx, d, a)
}

// post sends one signed request and returns the response code (0: none).
func (s *Service) post(ctx context.Context, target string, d Delivery, body, secret []byte) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return 0, errors.New("the address cannot be used")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Salve-Webhooks/1")
	req.Header.Set(webhooksig.Header, webhooksig.Sign(secret, body, s.d.Clock.Now()))
	req.Header.Set(webhooksig.DeliveryHeader, d.ID)
	req.Header.Set(webhooksig.EventHeader, d.Event)
	resp, err := s.d.Client.Do(req)
	if err != nil {
		// Why not err.Error(): it repeats the URL, which may carry a token
		// the receiver put in it; the log and the page need only the kind.
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return 0, errors.New("no answer in time")
		}
		if errors.Is(err, errNotPublic) {
			return 0, errors.New("refused: the address is not on the public internet (see --webhook-private-networks)")
		}
		return 0, errors.New("could not connect")
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return resp.StatusCode, nil
}

// body is what is sent for d: the queued payload (ids only), and for a
// subscription approved to carry PHI (whose vendor's BAA the gate has just
// found current) the event's PHI fields under "phi", read now. The read is
// audited as a disclosure to the vendor before it happens; if that record
// cannot be written nothing is read or sent.
func (s *Service) body(ctx context.Context, sub Subscription, d Delivery) ([]byte, error) {
	ctx = tenant.WithScope(ctx, d.TenantID)
	if !sub.CarryPHI || s.d.Details == nil || d.Event == Test {
		return []byte(d.Payload), nil
	}
	var p payload
	if err := json.Unmarshal([]byte(d.Payload), &p); err != nil {
		return nil, fmt.Errorf("webhook payload %s: %w", d.ID, err)
	}
	if err := s.event(ctx, audit.Entry{TenantID: d.TenantID, Action: "webhook.phi.disclose", ResourceID: d.ID, Severity: audit.High,
		Purpose: access.PurposeSystem, Detail: "event=" + d.Event + " subscription=" + sub.ID + " vendor=" + sub.VendorID}); err != nil {
		return nil, err
	}
	fields, err := s.d.Details(ctx, d.TenantID, d.Event, p.Data)
	if err != nil {
		return nil, err
	}
	p.PHI = fields
	return json.Marshal(p)
}

// Log is the webhooks page's data.
type Log struct {
	Subscriptions []Subscription
	Deliveries    []Delivery
	Attempts      []Attempt
}

// Overview lists a tenant's subscriptions, newest deliveries and tries.
func (s *Service) Overview(ctx context.Context, tenantID string) (Log, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.manager(ctx, tenantID); err != nil {
		return Log{}, err
	}
	var l Log
	var err error
	if l.Subscriptions, err = s.d.Store.Subscriptions(ctx, tenantID); err != nil {
		return l, err
	}
	if l.Deliveries, err = s.d.Store.Recent(ctx, tenantID, 50); err != nil {
		return l, err
	}
	l.Attempts, err = s.d.Store.Attempts(ctx, tenantID, 50)
	return l, err
}
