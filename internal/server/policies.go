package server

import (
	"context"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/vault"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// The brand policies (issue 20 point 2: session lengths, the appointment
// cancellation window, the lab result release delay, the payment gateways
// offered) are inheritable settings (internal/tenant): set at the
// organisation, inherited by each brand, overridden by any brand. The
// services that use them read them through the adapters here, which answer
// with the brand's effective value, so a change at the organisation reaches
// every inheriting brand and no overriding one.

// brandOf returns a tenant with its effective settings: the request's
// tenant when it is the one asked about (resolved at the resolver's last
// reload), else the catalog store's (resolved now).
func brandOf(ctx context.Context, tenants *store.Tenants, tenantID string) (*tenant.Tenant, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if t := tenant.FromContext(ctx); t != nil && t.ID == tenantID && t.Settings != nil {
		return t, nil
	}
	return tenants.ByID(ctx, tenantID)
}

// hoursSetting reads a brand's setting in whole hours.
//
// Why not the request's copy of the brand (brandOf): the resolver reloads
// that every few seconds, and a cancellation window or release delay
// decides what a patient may do or see, so it is read as stored now; a
// store manager who just changed it sees the new value on the next page.
func hoursSetting(ctx context.Context, tenants *store.Tenants, tenantID, key string) (time.Duration, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	t, err := tenants.ByID(ctx, tenantID)
	if err != nil {
		return 0, false, err
	}
	// A setting is checked when it is set; one that is not a whole number
	// (unset) counts as not set, so the service's own default applies.
	n, convErr := strconv.Atoi(t.Setting(key))
	if set := convErr == nil; !set {
		return 0, false, nil
	}
	return time.Duration(n) * time.Hour, true, nil
}

// policyAppointments is the appointments store with the cancellation window
// read from and written to the brand's settings.
type policyAppointments struct {
	*store.Appointments
	tenants *store.Tenants
	clock   clock.Clock
}

// CancelWindow returns the brand's effective window.
func (p policyAppointments) CancelWindow(ctx context.Context, tenantID string) (time.Duration, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return hoursSetting(ctx, p.tenants, tenantID, tenant.SetCancelWindowHours)
}

// SetCancelWindow sets the window for this brand (an override).
func (p policyAppointments) SetCancelWindow(ctx context.Context, tenantID string, d time.Duration) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return p.tenants.SetSetting(ctx, tenantID, tenant.SetCancelWindowHours, strconv.Itoa(int(d/time.Hour)), p.clock.Now())
}

// policyLabs is the labs store with the release delay read from and written
// to the brand's settings.
type policyLabs struct {
	*store.Labs
	tenants *store.Tenants
}

// ReleaseDelay returns the brand's effective delay (0: never).
func (p policyLabs) ReleaseDelay(ctx context.Context, tenantID string) (time.Duration, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, _, err := hoursSetting(ctx, p.tenants, tenantID, tenant.SetResultReleaseHours)
	return d, err
}

// SetReleaseDelay sets the delay for this brand (an override), in whole
// hours.
func (p policyLabs) SetReleaseDelay(ctx context.Context, tenantID string, d time.Duration, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return p.tenants.SetSetting(ctx, tenantID, tenant.SetResultReleaseHours, strconv.Itoa(int(d/time.Hour)), now)
}

// policyLimits reads a brand's session lengths from its settings; it
// implements signin.TenantLimits. A length not set anywhere is the
// server's (signin takes the shorter of the two in any case).
type policyLimits struct{ tenants *store.Tenants }

// Limits returns the brand's effective limits; ok is false when none is set.
// They are read from the store, not the request's tenant: signin keeps them
// for its own interval, and forgets them at once after an approved change,
// which must then apply on this replica.
func (p policyLimits) Limits(ctx context.Context, tenantID string) (signin.Limits, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	t, err := p.tenants.ByID(ctx, tenantID)
	if apperr.Is(err, apperr.NotFound) {
		return signin.Limits{}, false, nil
	}
	if err != nil {
		return signin.Limits{}, false, err
	}
	var l signin.Limits
	ok := false
	for key, d := range map[string]*time.Duration{tenant.SetStaffIdleMinutes: &l.StaffIdle, tenant.SetPatientIdleMinutes: &l.PatientIdle,
		tenant.SetAbsoluteMinutes: &l.Absolute} {
		if n, err := strconv.Atoi(t.Setting(key)); err == nil && n > 0 {
			*d, ok = time.Duration(n)*time.Minute, true
		}
	}
	return l, ok, nil
}

// gatewaysOffered returns the payment gateways a brand offers: its
// effective setting among those the server was started with.
func gatewaysOffered(tenants *store.Tenants, configured []string) func(ctx context.Context, tenantID string) []string {
	return func(ctx context.Context, tenantID string) []string {
		t, err := brandOf(ctx, tenants, tenantID)
		if err != nil {
			return configured
		}
		return tenant.OfferedGateways(t.Setting(tenant.SetPaymentGateways), configured)
	}
}

// AdoptLegacyPolicies moves the per-brand policies kept before they were
// inherited settings (the cancellation window, the release delay and the
// approved session limits, each in its own PHI-store table) into the
// brand's settings, as the brand's own values, and removes the old rows.
// A brand that already has its own value keeps it. It runs at every start
// and does nothing once the old tables are empty: nothing set before is
// lost, and nothing is read from two places.
func AdoptLegacyPolicies(ctx context.Context, phi *store.DB, tenants *store.Tenants, now time.Time) error {
	ts, err := tenants.List(ctx)
	if err != nil {
		return err
	}
	appts, lab, limits := store.NewAppointments(phi), store.NewLabs(phi), store.NewSessionLimits(phi)
	for _, t := range ts {
		set := func(key, value string) error {
			if _, own := t.Own[key]; own {
				return nil
			}
			return tenants.SetSetting(ctx, t.ID, key, value, now)
		}
		if d, ok, err := appts.CancelWindow(ctx, t.ID); err != nil {
			return err
		} else if ok {
			if err := set(tenant.SetCancelWindowHours, strconv.Itoa(int(d/time.Hour))); err != nil {
				return fmt.Errorf("adopt cancellation window of %s: %w", t.Slug, err)
			}
			if err := appts.ClearCancelWindow(ctx, t.ID); err != nil {
				return err
			}
		}
		if d, found, err := lab.LegacyReleaseDelay(ctx, t.ID); err != nil {
			return err
		} else if found {
			if err := set(tenant.SetResultReleaseHours, strconv.Itoa(int(d/time.Hour))); err != nil {
				return fmt.Errorf("adopt release delay of %s: %w", t.Slug, err)
			}
			if err := lab.ClearReleaseDelay(ctx, t.ID); err != nil {
				return err
			}
		}
		if l, ok, err := limits.Limits(ctx, t.ID); err != nil {
			return err
		} else if ok {
			for key, d := range map[string]time.Duration{tenant.SetStaffIdleMinutes: l.StaffIdle, tenant.SetPatientIdleMinutes: l.PatientIdle,
				tenant.SetAbsoluteMinutes: l.Absolute} {
				if d >= time.Minute {
					if err := set(key, strconv.Itoa(min(int(d/time.Minute), tenant.MaxSessionMinutes))); err != nil {
						return fmt.Errorf("adopt session limits of %s: %w", t.Slug, err)
					}
				}
			}
			if err := limits.Clear(ctx, t.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// LandingFormLimits throttle visitors sending landing-page forms, per
// client address: five sendings free, then a wait that doubles from a
// minute up to an hour, forgotten after a quiet hour.
var LandingFormLimits = auth.Limits{Free: 5, Base: time.Minute, Max: time.Hour, ResetAfter: time.Hour}

// landingThrottle counts a visitor's sendings of landing-page forms by
// client address (kept as a keyed digest, never the address) in the PHI
// store's throttles, so every replica counts alike; past the limits a
// sending is refused as RateLimited and stores nothing.
func landingThrottle(th *store.Throttles, v *vault.Vault, c clock.Clock) func(ctx context.Context, tenantID string) error {
	return func(ctx context.Context, tenantID string) error {
		ip := httpx.InfoFrom(ctx).ClientIP
		if !ip.IsValid() {
			return nil // not a request (a test or a job): nothing to count by
		}
		key := "landing:" + hex.EncodeToString(v.BlindIndex(tenantID, "client-ip", ip.String()))
		now := c.Now()
		cur, err := th.Throttle(ctx, key)
		if err != nil {
			return err
		}
		if wait := LandingFormLimits.RetryAfter(cur, now); wait > 0 {
			return apperr.New(apperr.RateLimited, fmt.Sprintf("This form was sent from your connection many times lately. Try again in %d minutes; nothing was sent.", int(wait.Minutes())+1))
		}
		next, _ := LandingFormLimits.Failed(cur, now)
		return th.SetThrottle(ctx, tenantID, key, next)
	}
}

// pageExists reports whether a slug names a published landing page of the
// tenant.
func pageExists(c *catalog.Service) func(ctx context.Context, tenantID, slug string) bool {
	return func(ctx context.Context, tenantID, slug string) bool {
		p, err := c.PageBySlug(ctx, tenantID, slug)
		return err == nil && p.Published
	}
}
