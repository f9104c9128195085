// Package shiptax holds a tenant's shipping and sales tax settings: the
// shipping methods it offers, the zones (sets of regions) it ships to, what
// each method costs into each zone (flat, by weight, free over an amount),
// and the sales tax rate of every region with its exemptions for
// prescription and HSA/FSA-eligible items. They are catalog data (never
// about a person); a tenant that never edited them uses the seeded defaults
// (Defaults). Every change goes through the Service, which records it in the
// audit log first and refuses the change when it cannot (fail closed).
package shiptax

import (
	"fmt"
	"sort"
	"strings"
)

// Rate kinds.
const (
	Flat   = "flat"
	Weight = "weight"
)

// Method is a way to ship, such as standard or express.
type Method struct {
	Code, Label string
}

// Zone is a named set of regions (region codes such as CA, DC, PR).
type Zone struct {
	Code, Name string
	Regions    []string
}

// Has reports whether the zone holds region.
func (z Zone) Has(region string) bool {
	for _, r := range z.Regions {
		if r == region {
			return true
		}
	}
	return false
}

// Rate is what a method costs into a zone, in minor units.
type Rate struct {
	Method, Zone string
	// Kind is Flat (Price) or Weight (Price plus PerKg for each started
	// kilogram of the order's weight).
	Kind  string
	Price int64
	PerKg int64
	// FreeOver, when positive, makes shipping free from this subtotal
	// (after discounts) on.
	FreeOver int64
}

// Cost is the rate for an order of subtotal and weight in grams.
func (r Rate) Cost(subtotal, grams int64) int64 {
	if r.FreeOver > 0 && subtotal >= r.FreeOver {
		return 0
	}
	if r.Kind == Weight && grams > 0 {
		return r.Price + r.PerKg*((grams+999)/1000)
	}
	return r.Price
}

// Shipping is a tenant's shipping table.
type Shipping struct {
	Methods []Method
	Zones   []Zone
	Rates   []Rate
}

// Method returns the method of code.
func (s *Shipping) Method(code string) (Method, bool) {
	for _, m := range s.Methods {
		if m.Code == code {
			return m, true
		}
	}
	return Method{}, false
}

// ZoneOf returns the first zone holding region.
func (s *Shipping) ZoneOf(region string) (Zone, bool) {
	for _, z := range s.Zones {
		if z.Has(region) {
			return z, true
		}
	}
	return Zone{}, false
}

// Rate returns what method costs into zone.
func (s *Shipping) Rate(method, zone string) (Rate, bool) {
	for _, r := range s.Rates {
		if r.Method == method && r.Zone == zone {
			return r, true
		}
	}
	return Rate{}, false
}

// Check validates the table: codes well formed and unique, every zone's
// regions known and in no other zone (so a region's zone is never
// ambiguous), and every rate naming a method and zone that exist.
func (s *Shipping) Check() error {
	methods, zones, regions := map[string]bool{}, map[string]bool{}, map[string]string{}
	for _, m := range s.Methods {
		if !validCode(m.Code) || methods[m.Code] {
			return fmt.Errorf("method code %q is not a unique code", m.Code)
		}
		methods[m.Code] = true
	}
	for _, z := range s.Zones {
		if !validCode(z.Code) || zones[z.Code] {
			return fmt.Errorf("zone code %q is not a unique code", z.Code)
		}
		zones[z.Code] = true
		for _, r := range z.Regions {
			if _, ok := RegionName(r); !ok {
				return fmt.Errorf("zone %s: unknown region %q", z.Code, r)
			}
			if other, ok := regions[r]; ok {
				return fmt.Errorf("region %s is in zones %s and %s", r, other, z.Code)
			}
			regions[r] = z.Code
		}
	}
	seen := map[[2]string]bool{}
	for _, r := range s.Rates {
		if !methods[r.Method] || !zones[r.Zone] || seen[[2]string{r.Method, r.Zone}] {
			return fmt.Errorf("rate %s/%s names no method and zone, or repeats", r.Method, r.Zone)
		}
		if r.Kind != Flat && r.Kind != Weight || r.Price < 0 || r.PerKg < 0 || r.FreeOver < 0 {
			return fmt.Errorf("rate %s/%s is not valid", r.Method, r.Zone)
		}
		seen[[2]string{r.Method, r.Zone}] = true
	}
	return nil
}

// validCode is a short lower-case code: letters, digits, - and _.
func validCode(c string) bool {
	if c == "" || len(c) > 32 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

// TaxRegion is a region's sales tax with its exemptions.
type TaxRegion struct {
	Code, Name string
	// RatePCM is the rate in thousandths of a percent (7250 is 7.25 %).
	RatePCM int64
	// ExemptRx: prescription items are not taxed in this region.
	ExemptRx bool
	// ExemptHSA: HSA/FSA-eligible items are not taxed in this region.
	ExemptHSA bool
	// Edited reports that the tenant set this row (else it is the default).
	Edited bool
}

// Percent is the rate as the form shows it, such as "7.25".
func (t TaxRegion) Percent() string { return FormatPercent(t.RatePCM) }

// FormatPercent writes a rate in thousandths of a percent as a percentage
// without trailing zeros: 7250 is "7.25", 6875 "6.875", 0 "0".
func FormatPercent(pcm int64) string {
	s := fmt.Sprintf("%d.%03d", pcm/1000, pcm%1000)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

// Taxable reports whether an item with these flags is taxed in the region.
func (t TaxRegion) Taxable(rx, hsa bool) bool {
	if rx && t.ExemptRx {
		return false
	}
	if hsa && t.ExemptHSA {
		return false
	}
	return true
}

// Tax is the tax on amount at the region's rate, rounded half up to the
// minor unit.
func (t TaxRegion) Tax(amount int64) int64 {
	return (amount*t.RatePCM + 50000) / 100000
}

// Settings is a tenant's shipping table and tax regions.
type Settings struct {
	Shipping Shipping
	// Tax is every region, in the order of Regions.
	Tax []TaxRegion
}

// TaxRegion returns the region of code.
func (s *Settings) TaxRegion(code string) (TaxRegion, bool) {
	for _, t := range s.Tax {
		if t.Code == code {
			return t, true
		}
	}
	return TaxRegion{}, false
}

// ShipsTo are the tax regions in some shipping zone, for the checkout's
// list of states.
func (s *Settings) ShipsTo() []TaxRegion {
	var out []TaxRegion
	for _, t := range s.Tax {
		if _, ok := s.Shipping.ZoneOf(t.Code); ok {
			out = append(out, t)
		}
	}
	return out
}

// SortedRegions returns region codes sorted and deduplicated.
func SortedRegions(rs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		if r != "" && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sort.Strings(out)
	return out
}
