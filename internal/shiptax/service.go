package shiptax

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/tenant"
)

// Store keeps a tenant's settings (internal/store implements it over the
// catalog store).
type Store interface {
	// Shipping returns the tenant's stored shipping table; ok is false
	// when it never stored one (the defaults apply).
	Shipping(ctx context.Context, tenantID string) (s *Shipping, ok bool, err error)
	// PutShipping replaces the tenant's whole shipping table, in one
	// transaction.
	PutShipping(ctx context.Context, tenantID string, s *Shipping, now time.Time) error
	// TaxRegions returns the tax rows the tenant set (overrides of the
	// defaults), without names.
	TaxRegions(ctx context.Context, tenantID string) ([]TaxRegion, error)
	// PutTaxRegion sets one region's row.
	PutTaxRegion(ctx context.Context, tenantID string, t TaxRegion, now time.Time) error
}

// Service reads and edits the settings.
type Service struct {
	store Store
	audit audit.Appender
	clock clock.Clock
}

// New returns the service. al records every change; nil is refused at
// change time (fail closed), so a process without an audit log (the
// storefront role) can quote but never edit.
func New(st Store, al audit.Appender, c clock.Clock) *Service {
	return &Service{store: st, audit: al, clock: c}
}

// Settings returns the tenant's settings: its stored shipping table or the
// default one, and every tax region with the tenant's rows over the defaults.
func (s *Service) Settings(ctx context.Context, tenantID string) (*Settings, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	sh, ok, err := s.store.Shipping(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := &Settings{Shipping: DefaultShipping(), Tax: DefaultTax()}
	if ok {
		out.Shipping = *sh
	}
	set, err := s.store.TaxRegions(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for _, t := range set {
		for i := range out.Tax {
			if out.Tax[i].Code == t.Code {
				name := out.Tax[i].Name
				out.Tax[i] = t
				out.Tax[i].Name, out.Tax[i].Edited = name, true
			}
		}
	}
	return out, nil
}

// record writes the audit event of a change before it is made. Why first
// and fail closed: a change to what patients are charged that cannot be
// recorded must not happen; an event whose write then fails says so in the
// log of the request (and the settings are unchanged).
func (s *Service) record(ctx context.Context, tenantID, action, resource, id, detail string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.audit == nil {
		return apperr.New(apperr.Unavailable, "Salve cannot record this change here, so it was not made.")
	}
	if err := s.audit.Append(ctx, audit.Entry{TenantID: tenantID, Action: action, ResourceType: resource, ResourceID: id,
		Purpose: access.PurposeOperations, Severity: audit.Normal, Detail: detail}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}

// editShipping loads the shipping table, lets change edit it, checks it,
// records the change and stores the whole table.
func (s *Service) editShipping(ctx context.Context, tenantID, action, resource, id, detail string, change func(*Shipping) error) error {
	ctx = tenant.WithScope(ctx, tenantID)
	cur, err := s.Settings(ctx, tenantID)
	if err != nil {
		return err
	}
	sh := cur.Shipping
	if err := change(&sh); err != nil {
		return err
	}
	if err := sh.Check(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "These shipping settings do not fit together: "+err.Error()+".")
	}
	if err := s.record(ctx, tenantID, action, resource, id, detail); err != nil {
		return err
	}
	return s.store.PutShipping(ctx, tenantID, &sh, s.clock.Now())
}

// text checks a required one-line text field.
func text(fields map[string]string, name, v, missing string, limit int) string {
	v = strings.TrimSpace(v)
	switch {
	case v == "":
		fields[name] = missing
	case utf8.RuneCountInString(v) > limit || strings.ContainsAny(v, "\r\n\x00"):
		fields[name] = fmt.Sprintf("Use at most %d characters on one line.", limit)
	}
	return v
}

// code checks a code field.
func code(fields map[string]string, name, v string) string {
	v = strings.ToLower(strings.TrimSpace(v))
	if !validCode(v) {
		fields[name] = "Use lower-case letters, digits, - or _ (at most 32), such as standard."
	}
	return v
}

// money reads an amount field; empty is zero when optional.
func money(fields map[string]string, name, v string, optional bool) int64 {
	v = strings.TrimSpace(v)
	if v == "" && optional {
		return 0
	}
	n, err := catalog.ParsePrice(v)
	if err != nil || n < 0 {
		fields[name] = "Enter an amount such as 4.99."
		return 0
	}
	return n
}

func invalid(fields map[string]string) error {
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	return nil
}

// SaveMethod adds a shipping method or renames one.
func (s *Service) SaveMethod(ctx context.Context, tenantID, methodCode, label string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	fields := map[string]string{}
	c := code(fields, "code", methodCode)
	l := text(fields, "label", label, "Enter the name buyers see, such as Standard (3–5 business days).", 100)
	if err := invalid(fields); err != nil {
		return err
	}
	return s.editShipping(ctx, tenantID, "shipping.method.save", "shipping_method", c, "", func(sh *Shipping) error {
		for i := range sh.Methods {
			if sh.Methods[i].Code == c {
				sh.Methods[i].Label = l
				return nil
			}
		}
		sh.Methods = append(sh.Methods, Method{Code: c, Label: l})
		return nil
	})
}

// DeleteMethod removes a method with its rates.
func (s *Service) DeleteMethod(ctx context.Context, tenantID, methodCode string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.editShipping(ctx, tenantID, "shipping.method.delete", "shipping_method", methodCode, "", func(sh *Shipping) error {
		if _, ok := sh.Method(methodCode); !ok {
			return apperr.NotFoundError()
		}
		var ms []Method
		for _, m := range sh.Methods {
			if m.Code != methodCode {
				ms = append(ms, m)
			}
		}
		var rs []Rate
		for _, r := range sh.Rates {
			if r.Method != methodCode {
				rs = append(rs, r)
			}
		}
		sh.Methods, sh.Rates = ms, rs
		return nil
	})
}

// SaveZone adds a zone or changes one. regions is a list of region codes
// separated by commas, spaces or lines. A region already in another zone
// is refused with the zone it is in, so a region's zone is never ambiguous.
func (s *Service) SaveZone(ctx context.Context, tenantID, zoneCode, name, regionList string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	fields := map[string]string{}
	c := code(fields, "code", zoneCode)
	n := text(fields, "name", name, "Enter the zone's name, such as Contiguous states.", 100)
	rs := SortedRegions(strings.FieldsFunc(strings.ToUpper(regionList), func(r rune) bool {
		return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' || r == ';'
	}))
	var unknown []string
	for _, r := range rs {
		if _, ok := RegionName(r); !ok {
			unknown = append(unknown, r)
		}
	}
	switch {
	case len(rs) == 0:
		fields["regions"] = "Enter the regions of the zone, such as CA, OR, WA."
	case len(unknown) > 0:
		fields["regions"] = "Not a US state, DC or territory code: " + strings.Join(unknown, ", ") + "."
	}
	if err := invalid(fields); err != nil {
		return err
	}
	return s.editShipping(ctx, tenantID, "shipping.zone.save", "shipping_zone", c, "regions="+strings.Join(rs, ","), func(sh *Shipping) error {
		for _, z := range sh.Zones {
			if z.Code == c {
				continue
			}
			for _, r := range rs {
				if z.Has(r) {
					return apperr.InvalidFields("Check the highlighted fields.", map[string]string{
						"regions": fmt.Sprintf("%s is already in the zone %s; take it out of that zone first.", r, z.Name)})
				}
			}
		}
		for i := range sh.Zones {
			if sh.Zones[i].Code == c {
				sh.Zones[i].Name, sh.Zones[i].Regions = n, rs
				return nil
			}
		}
		sh.Zones = append(sh.Zones, Zone{Code: c, Name: n, Regions: rs})
		return nil
	})
}

// DeleteZone removes a zone with its rates: its regions can no longer be
// shipped to unless another zone holds them.
func (s *Service) DeleteZone(ctx context.Context, tenantID, zoneCode string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.editShipping(ctx, tenantID, "shipping.zone.delete", "shipping_zone", zoneCode, "", func(sh *Shipping) error {
		found := false
		var zs []Zone
		for _, z := range sh.Zones {
			if z.Code == zoneCode {
				found = true
				continue
			}
			zs = append(zs, z)
		}
		if !found {
			return apperr.NotFoundError()
		}
		var rs []Rate
		for _, r := range sh.Rates {
			if r.Zone != zoneCode {
				rs = append(rs, r)
			}
		}
		sh.Zones, sh.Rates = zs, rs
		return nil
	})
}

// RateInput is a rate as the form sends it.
type RateInput struct {
	Method, Zone, Kind, Price, PerKg, FreeOver string
}

// SaveRate sets what a method costs into a zone.
func (s *Service) SaveRate(ctx context.Context, tenantID string, in RateInput) error {
	ctx = tenant.WithScope(ctx, tenantID)
	fields := map[string]string{}
	r := Rate{Method: strings.TrimSpace(in.Method), Zone: strings.TrimSpace(in.Zone), Kind: strings.TrimSpace(in.Kind)}
	if r.Kind != Flat && r.Kind != Weight {
		fields["kind"] = "Choose flat or by weight."
	}
	r.Price = money(fields, "price", in.Price, false)
	r.PerKg = money(fields, "per_kg", in.PerKg, true)
	if r.Kind == Weight && r.PerKg == 0 && fields["per_kg"] == "" {
		fields["per_kg"] = "Enter what each kilogram adds, such as 1.50."
	}
	if r.Kind != Weight {
		r.PerKg = 0
	}
	r.FreeOver = money(fields, "free_over", in.FreeOver, true)
	return s.editShipping(ctx, tenantID, "shipping.rate.save", "shipping_rate", r.Method+"/"+r.Zone,
		fmt.Sprintf("kind=%s price=%d per_kg=%d free_over=%d", r.Kind, r.Price, r.PerKg, r.FreeOver), func(sh *Shipping) error {
			if _, ok := sh.Method(r.Method); !ok {
				fields["method"] = "Choose a shipping method."
			}
			found := false
			for _, z := range sh.Zones {
				found = found || z.Code == r.Zone
			}
			if !found {
				fields["zone"] = "Choose a zone."
			}
			if err := invalid(fields); err != nil {
				return err
			}
			for i := range sh.Rates {
				if sh.Rates[i].Method == r.Method && sh.Rates[i].Zone == r.Zone {
					sh.Rates[i] = r
					return nil
				}
			}
			sh.Rates = append(sh.Rates, r)
			return nil
		})
}

// DeleteRate removes what a method costs into a zone: the method is then
// not offered there.
func (s *Service) DeleteRate(ctx context.Context, tenantID, methodCode, zoneCode string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.editShipping(ctx, tenantID, "shipping.rate.delete", "shipping_rate", methodCode+"/"+zoneCode, "", func(sh *Shipping) error {
		var rs []Rate
		for _, r := range sh.Rates {
			if r.Method != methodCode || r.Zone != zoneCode {
				rs = append(rs, r)
			}
		}
		if len(rs) == len(sh.Rates) {
			return apperr.NotFoundError()
		}
		sh.Rates = rs
		return nil
	})
}

// ParsePercent reads a rate such as "7.25" or "6.875 %" in thousandths of
// a percent.
func ParsePercent(v string) (int64, error) {
	v = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "%"))
	whole, frac, _ := strings.Cut(v, ".")
	if whole == "" || len(frac) > 3 || len(whole) > 2 {
		return 0, fmt.Errorf("not a rate: %q", v)
	}
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || w < 0 {
		return 0, fmt.Errorf("not a rate: %q", v)
	}
	var f int64
	if frac != "" {
		if f, err = strconv.ParseInt((frac + "000")[:3], 10, 64); err != nil || f < 0 || strings.ContainsAny(frac, "+-") {
			return 0, fmt.Errorf("not a rate: %q", v)
		}
	}
	return w*1000 + f, nil
}

// MaxRatePCM is the highest rate accepted (30 %): anything above is a typo.
const MaxRatePCM = 30000

// SaveTaxRegion sets a region's rate and exemptions.
func (s *Service) SaveTaxRegion(ctx context.Context, tenantID, regionCode, percent string, exemptRx, exemptHSA bool) error {
	ctx = tenant.WithScope(ctx, tenantID)
	name, ok := RegionName(regionCode)
	if !ok {
		return apperr.NotFoundError()
	}
	pcm, err := ParsePercent(percent)
	if err != nil || pcm > MaxRatePCM {
		return apperr.InvalidFields("Check the highlighted fields.", map[string]string{
			"rate": "Enter the rate of " + name + " as a percentage from 0 to 30, such as 7.25."})
	}
	t := TaxRegion{Code: regionCode, RatePCM: pcm, ExemptRx: exemptRx, ExemptHSA: exemptHSA}
	if err := s.record(ctx, tenantID, "tax.region.save", "tax_region", regionCode,
		fmt.Sprintf("rate_pcm=%d exempt_rx=%t exempt_hsa=%t", pcm, exemptRx, exemptHSA)); err != nil {
		return err
	}
	return s.store.PutTaxRegion(ctx, tenantID, t, s.clock.Now())
}
