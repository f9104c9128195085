package server

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/activity"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/retention"
	"github.com/salvehealth/salve/internal/signin"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// newChanges builds the change service over the PHI store with the kinds
// this process governs. A tenant's session limits change here (only
// shorter than the server's flags, the deploy-time ceiling); the MFA rule
// is fixed (every staff role needs a second factor) and has no setting to
// change; docs/compliance.md says so.
func newChanges(phiDB *store.DB, al audit.Appender, c clock.Clock, acc *accounts.Service, sso *signin.Service, ret *retention.Service, apps *oauth.Service, brands *store.Tenants,
	refresh func(context.Context) error, more ...changes.Kind) *changes.Service {
	users, ssoStore := store.NewUsers(phiDB), store.NewSSO(phiDB)
	const day = 24 * time.Hour
	retentionKind := changes.Kind{Name: changes.KindRetentionRule, Title: "Retention rule",
		Current: func(ctx context.Context, tenantID, target string) (map[string]string, error) {
			rules, err := ret.Rules(ctx, tenantID)
			if err != nil {
				return nil, err
			}
			for _, r := range rules {
				if r.RecordType == target {
					return map[string]string{"keep_days": strconv.Itoa(r.KeepDays)}, nil
				}
			}
			return nil, apperr.Errorf(apperr.Invalid, "unknown record type %q: use one of %v", target, retention.RecordTypes())
		},
		Check: func(_ context.Context, _, target string, after map[string]string) error {
			days, err := strconv.Atoi(strings.TrimSpace(after["keep_days"]))
			if err != nil || days <= 0 {
				return apperr.InvalidFields("Enter the period as a whole number of days.", map[string]string{"keep_days": "Enter a whole number of days."})
			}
			return retention.CheckRule(target, time.Duration(days)*day)
		},
		Apply: func(ctx context.Context, c changes.Change) error {
			days, err := strconv.Atoi(c.Payload["keep_days"])
			if err != nil {
				return apperr.Errorf(apperr.Invalid, "keep_days %q is not a number", c.Payload["keep_days"])
			}
			return ret.SetRule(ctx, c.TenantID, c.Target, time.Duration(days)*day)
		}}
	roleKind := changes.Kind{Name: changes.KindStaffRole, Title: "Staff role", TargetIsPerson: true,
		Current: func(ctx context.Context, tenantID, target string) (map[string]string, error) {
			u, err := users.ByID(ctx, tenantID, target)
			if err != nil || !u.Role.Staff() {
				return nil, apperr.NotFoundError()
			}
			return map[string]string{"role": string(u.Role)}, nil
		},
		// Nobody requests or approves a change of their own role
		// (TargetIsPerson, enforced by internal/changes).
		Check: func(_ context.Context, _, _ string, after map[string]string) error {
			if !access.Role(after["role"]).Staff() {
				return apperr.InvalidFields("Choose a staff role.", map[string]string{"role": "Choose a staff role."})
			}
			return nil
		},
		// Applied in the requesting admin's name (accounts allows only an
		// admin of the tenant to set roles); the approval is audited beside it.
		Apply: func(ctx context.Context, c changes.Change) error {
			actx := access.WithActor(ctx, access.Actor{ID: c.RequestedBy, Role: c.RequestedRole, TenantID: c.TenantID})
			return acc.SetRole(actx, c.TenantID, c.Target, access.Role(c.Payload["role"]))
		}}
	// Why single sign-on is governed: whoever controls the provider signs
	// staff in (a second factor still follows); a request on the web may
	// change the provider, client id and domains, or turn it off, keeping
	// the stored secret; a new secret is set at the console.
	ssoKind := changes.Kind{Name: changes.KindSSO, Title: "Single sign-on", Secrets: []string{"client_secret"},
		Check: func(_ context.Context, _, _ string, after map[string]string) error {
			switch after["enabled"] {
			case "no":
				return nil
			case "yes":
			default:
				return apperr.InvalidFields("Choose on or off.", map[string]string{"enabled": "Choose on or off."})
			}
			fields := map[string]string{}
			if u, err := url.Parse(strings.TrimSpace(after["issuer"])); err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
				fields["issuer"] = "Use the provider's https issuer URL."
			}
			if strings.TrimSpace(after["client_id"]) == "" {
				fields["client_id"] = "Enter the client id the provider gave Salve."
			}
			if len(fields) > 0 {
				return apperr.InvalidFields("Check the highlighted fields; nothing was requested.", fields)
			}
			return nil
		},
		Current: func(ctx context.Context, tenantID, _ string) (map[string]string, error) {
			cur, err := ssoStore.Get(ctx, tenantID)
			if apperr.Is(err, apperr.NotFound) {
				return map[string]string{"enabled": "no"}, nil
			}
			if err != nil {
				return nil, err
			}
			return map[string]string{"enabled": "yes", "issuer": cur.Issuer, "client_id": cur.ClientID,
				"client_secret": changes.Mask, "allowed_domains": strings.Join(cur.AllowedDomains, ",")}, nil
		},
		Apply: func(ctx context.Context, c changes.Change) error {
			if c.Payload["enabled"] != "yes" {
				return sso.DisableSSO(ctx, c.TenantID)
			}
			// The mask (a request made on the web) keeps the stored secret.
			secret := c.Payload["client_secret"]
			if secret == changes.Mask {
				secret = ""
			}
			s := signin.SSO{Issuer: c.Payload["issuer"], ClientID: c.Payload["client_id"], ClientSecret: secret}
			for d := range strings.SplitSeq(c.Payload["allowed_domains"], ",") {
				if d = strings.TrimSpace(d); d != "" {
					s.AllowedDomains = append(s.AllowedDomains, d)
				}
			}
			return sso.SetSSO(ctx, c.TenantID, s)
		}}
	kinds := append([]changes.Kind{retentionKind, roleKind, ssoKind, sessionLimitsKind(brands, sso, c), orgSessionLimitsKind(brands, sso, c), oauthClientKind(apps),
		workingHoursKind(store.NewWorkingHours(phiDB), c), brandPolicyKind(brands, c, refresh)}, more...)
	return changes.New(store.NewChanges(phiDB), al, c, kinds...)
}

// The fields of the session limits, in minutes: the brand settings' keys.
var limitFields = []string{tenant.SetStaffIdleMinutes, tenant.SetPatientIdleMinutes, tenant.SetAbsoluteMinutes}

// sessionLimitsKind governs a tenant's session limits (target: the tenant,
// "sessions"). Why through approvals: a longer session is a weaker
// automatic logoff (164.312(a)(2)(iii)); the two-person rule keeps one
// admin from loosening it alone, and the server's flags stay the ceiling.
// The limits are the brand's own settings (inherited from its organisation
// until set): an approved change sets them for the brand, and a field left
// empty resets it to inherited, which needs the same approval because the
// inherited value may be longer.
func sessionLimitsKind(brands *store.Tenants, si *signin.Service, c clock.Clock) changes.Kind {
	mins := func(d time.Duration) string { return strconv.Itoa(int(d / time.Minute)) }
	return changes.Kind{Name: changes.KindSessionLimits, Title: "Session limits",
		Current: func(ctx context.Context, tenantID, _ string) (map[string]string, error) {
			p := si.PolicyFor(ctx, tenantID)
			return map[string]string{"staff_idle_minutes": mins(p.StaffIdle), "patient_idle_minutes": mins(p.PatientIdle),
				"absolute_minutes": mins(p.Absolute)}, nil
		},
		Check: func(_ context.Context, _, _ string, after map[string]string) error {
			server := si.Policy()
			ceiling := map[string]time.Duration{"staff_idle_minutes": server.StaffIdle, "patient_idle_minutes": server.PatientIdle,
				"absolute_minutes": server.Absolute}
			fields := map[string]string{}
			for _, f := range limitFields {
				v := strings.TrimSpace(after[f])
				if v == "" {
					continue // inherit again
				}
				n, err := strconv.Atoi(v)
				if err != nil || n < 1 || time.Duration(n)*time.Minute > ceiling[f] {
					fields[f] = "A whole number of minutes from 1 to " + mins(ceiling[f]) + " (the server's limit), or empty to inherit."
				}
			}
			if len(fields) > 0 {
				return apperr.InvalidFields("Session limits can only be shortened, down to a minute.", fields)
			}
			return nil
		},
		Apply: func(ctx context.Context, ch changes.Change) error {
			for _, f := range limitFields {
				v := strings.TrimSpace(ch.Payload[f])
				var err error
				if v == "" {
					err = brands.ResetSetting(ctx, ch.TenantID, f, c.Now())
				} else {
					err = brands.SetSetting(ctx, ch.TenantID, f, v, c.Now())
				}
				if err != nil {
					return err
				}
			}
			si.ForgetLimits(ch.TenantID)
			return nil
		}}
}

// orgSessionLimitsKind governs an organisation's session limits (target:
// the organisation's id), requested on /admin/organisation by the
// organisation's admin and recorded with the brand they act in, where a
// second admin or the compliance officer approves it. Why as a brand's: the
// organisation's value is what every brand without its own inherits, so
// loosening it is the same weaker automatic logoff for all of them. The
// organisation must still be the brand's when the change is requested and
// when it applies; the server's flags stay the ceiling; a field left empty
// removes the organisation's value (the server's limit then applies to the
// brands that inherit it).
func orgSessionLimitsKind(brands *store.Tenants, si *signin.Service, c clock.Clock) changes.Kind {
	base := sessionLimitsKind(brands, si, c)
	orgOf := func(ctx context.Context, tenantID, orgID string) (*tenant.Organisation, error) {
		t, err := brands.ByID(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		orgs, err := brands.ListOrgs(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			if o.ID == orgID && t.OrgID == orgID {
				return o, nil
			}
		}
		return nil, apperr.NotFoundError()
	}
	return changes.Kind{Name: changes.KindOrgSessionLimits, Title: "Organisation session limits",
		Current: func(ctx context.Context, tenantID, orgID string) (map[string]string, error) {
			o, err := orgOf(ctx, tenantID, orgID)
			if err != nil {
				return nil, err
			}
			out := map[string]string{}
			for _, f := range limitFields {
				out[f] = o.Settings[f]
			}
			return out, nil
		},
		Check: func(ctx context.Context, tenantID, orgID string, after map[string]string) error {
			if _, err := orgOf(ctx, tenantID, orgID); err != nil {
				return err
			}
			return base.Check(ctx, tenantID, orgID, after)
		},
		Apply: func(ctx context.Context, ch changes.Change) error {
			o, err := orgOf(ctx, ch.TenantID, ch.Target)
			if err != nil {
				return err
			}
			for _, f := range limitFields {
				v := strings.TrimSpace(ch.Payload[f])
				if v == "" {
					err = brands.ResetSetting(ctx, o.ID, f, c.Now())
				} else {
					err = brands.SetSetting(ctx, o.ID, f, v, c.Now())
				}
				if err != nil {
					return err
				}
			}
			ts, err := brands.List(ctx)
			if err != nil {
				return err
			}
			for _, t := range ts {
				if t.OrgID == o.ID {
					si.ForgetLimits(t.ID)
				}
			}
			return nil
		}}
}

// brandPolicyKind governs the brand policies of tenant.PolicyKeys. Why
// through approvals: the gateways decide where payment data goes (a vendor
// integration), and the break-glass policy how wide emergency access to
// any patient's record opens; one admin alone changes neither. The values
// are the brand's own settings; applying one reloads the brands (refresh)
// so it holds at once in this process (other replicas within their 15
// seconds).
func brandPolicyKind(brands *store.Tenants, c clock.Clock, refresh func(context.Context) error) changes.Kind {
	known := func(key string) error {
		if !slices.Contains(tenant.PolicyKeys, key) {
			return apperr.Errorf(apperr.Invalid, "unknown policy %q: use one of %v", key, tenant.PolicyKeys)
		}
		return nil
	}
	return changes.Kind{Name: changes.KindBrandPolicy, Title: "Brand policy",
		Current: func(ctx context.Context, tenantID, key string) (map[string]string, error) {
			if err := known(key); err != nil {
				return nil, err
			}
			t, err := brands.ByID(ctx, tenantID)
			if err != nil {
				return nil, err
			}
			return map[string]string{key: t.Setting(key)}, nil
		},
		Check: func(_ context.Context, _, key string, after map[string]string) error {
			if err := known(key); err != nil {
				return err
			}
			if len(after) != 1 {
				return apperr.Errorf(apperr.Invalid, "A policy change names its one setting, %s.", key)
			}
			if v := strings.TrimSpace(after[key]); v != "" {
				if _, err := tenant.CheckSetting(key, v); err != nil {
					return err
				}
			}
			return nil
		},
		Apply: func(ctx context.Context, ch changes.Change) error {
			v := strings.TrimSpace(ch.Payload[ch.Target])
			var err error
			if v == "" {
				err = brands.ResetSetting(ctx, ch.TenantID, ch.Target, c.Now())
			} else {
				err = brands.SetSetting(ctx, ch.TenantID, ch.Target, v, c.Now())
			}
			if err != nil {
				return err
			}
			return refresh(ctx)
		}}
}

// workingHours returns a tenant's working hours: its own, or 07:00 to 19:00
// UTC (activity.Defaults).
func workingHours(ctx context.Context, q *store.WorkingHours, tenantID string) (zone *time.Location, start, end int, err error) {
	ctx = tenant.WithScope(ctx, tenantID)
	name, start, end, ok, err := q.Hours(ctx, tenantID)
	if err != nil {
		return nil, 0, 0, err
	}
	d := activity.Defaults()
	if !ok {
		return d.Zone, d.WorkStart, d.WorkEnd, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("working hours of %s: %w", tenantID, err)
	}
	return loc, start, end, nil
}

// workingHoursKind governs a tenant's working hours (target: the tenant,
// "hours"). Why through approvals: the off-hours rule is how the review
// notices reads at night; widening the hours quietly would hide them, so
// one person alone does not change them.
func workingHoursKind(q *store.WorkingHours, c clock.Clock) changes.Kind {
	return changes.Kind{Name: changes.KindWorkingHours, Title: "Working hours (activity review)",
		Current: func(ctx context.Context, tenantID, _ string) (map[string]string, error) {
			loc, start, end, err := workingHours(ctx, q, tenantID)
			if err != nil {
				return nil, err
			}
			return map[string]string{"zone": loc.String(), "start_hour": strconv.Itoa(start), "end_hour": strconv.Itoa(end)}, nil
		},
		Check: func(_ context.Context, _, _ string, after map[string]string) error {
			fields := map[string]string{}
			if z := strings.TrimSpace(after["zone"]); z == "" || strings.EqualFold(z, "local") {
				fields["zone"] = "Enter a time zone such as America/New_York or Europe/Berlin."
			} else if _, err := time.LoadLocation(z); err != nil {
				fields["zone"] = "Unknown time zone: use a name such as America/New_York or Europe/Berlin."
			}
			start, err1 := strconv.Atoi(strings.TrimSpace(after["start_hour"]))
			end, err2 := strconv.Atoi(strings.TrimSpace(after["end_hour"]))
			if err1 != nil || start < 0 || start > 23 {
				fields["start_hour"] = "An hour from 0 to 23."
			}
			if err2 != nil || end < 1 || end > 24 || (err1 == nil && end <= start) {
				fields["end_hour"] = "An hour from 1 to 24, after the first hour."
			}
			if len(fields) > 0 {
				return apperr.InvalidFields("Check the working hours; nothing was requested.", fields)
			}
			return nil
		},
		Apply: func(ctx context.Context, ch changes.Change) error {
			start, err1 := strconv.Atoi(strings.TrimSpace(ch.Payload["start_hour"]))
			end, err2 := strconv.Atoi(strings.TrimSpace(ch.Payload["end_hour"]))
			if err := errors.Join(err1, err2); err != nil {
				return apperr.Wrap(err, apperr.Invalid, "The hours are not numbers.")
			}
			return q.SetHours(ctx, ch.TenantID, strings.TrimSpace(ch.Payload["zone"]), start, end, c.Now())
		}}
}
