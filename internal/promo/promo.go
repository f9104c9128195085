// Package promo is promotion codes: a percentage or a fixed amount off an
// order's items, with a validity window, a usage limit and a minimum
// quantity. Codes are catalog data (no PHI): who used a code is only known
// through the order, in the PHI store.
package promo

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
)

// Kinds of promotion.
const (
	Percent = "percent" // Value is a whole percentage, 1–100
	Fixed   = "fixed"   // Value is minor units of Currency
)

// Promotion is a code and its rules.
type Promotion struct {
	ID, TenantID string
	Code         string // upper case
	Kind         string
	Value        int64
	Currency     string // for Fixed
	// MinQuantity is the fewest items (all quantities added) the order needs.
	MinQuantity int64
	// StartsAt and EndsAt bound when the code works; zero EndsAt is open.
	StartsAt, EndsAt time.Time
	// UsageLimit is how many orders may use the code; 0 is unlimited.
	UsageLimit, Used int64
	CreatedAt        time.Time
	// Paused is set by a manager: the code refuses buyers until resumed,
	// keeping its window, its uses and its limit.
	Paused bool
	// Given is the discount the code's uses gave, per currency (filled by
	// Get and List; uses given back by a cancelled order are not counted).
	Given []Amount
	// Target, when set, offers the code on the dashboard only to patients
	// whose health data matches it and who signed a current marketing
	// authorization for health-based offers (internal/marketing).
	Target Target
}

// Amount is a sum of money in minor units of a currency.
type Amount struct {
	Minor    int64
	Currency string
}

// Status says where a promotion stands at now, for the manager's pages.
func (p *Promotion) Status(now time.Time) string {
	switch {
	case !p.EndsAt.IsZero() && !now.Before(p.EndsAt):
		return "Ended"
	case p.Paused:
		return "Paused"
	case now.Before(p.StartsAt):
		return "Scheduled"
	case p.UsageLimit > 0 && p.Used >= p.UsageLimit:
		return "Used up"
	}
	return "Active"
}

// Kinds of targeting rule: explicit and few, so that a manager (who sees no
// PHI) knows exactly what a rule selects.
const (
	TargetNone    = ""
	TargetLabHigh = "lab_high" // a released lab result of the test (LOINC code) flagged high or critical
	TargetRxDrug  = "rx_drug"  // a verified prescription whose drug name contains the word
)

// Target is a promotion's targeting rule from health data.
type Target struct {
	Kind string
	// Code is the LOINC code (TargetLabHigh) or the drug word (TargetRxDrug).
	Code string
}

// Targeted reports whether the promotion has a rule.
func (p *Promotion) Targeted() bool { return p.Target.Kind != TargetNone }

// Label describes the rule for the manager's page.
func (t Target) Label() string {
	switch t.Kind {
	case TargetLabHigh:
		return "Lab result " + t.Code + " high"
	case TargetRxDrug:
		return "Prescription of " + t.Code
	}
	return "Everyone"
}

// Active reports whether the promotion can be used at now.
func (p *Promotion) Active(now time.Time) bool {
	return !p.Paused && !now.Before(p.StartsAt) && (p.EndsAt.IsZero() || now.Before(p.EndsAt)) && (p.UsageLimit == 0 || p.Used < p.UsageLimit)
}

var (
	loincRE = regexp.MustCompile(`^[0-9]{1,7}-[0-9]$`)
	drugRE  = regexp.MustCompile(`^[a-z][a-z -]{1,59}$`)
)

var codeRE = regexp.MustCompile(`^[A-Z0-9][A-Z0-9-]{2,31}$`)

// NormalizeCode returns a code as stored: trimmed, upper case.
func NormalizeCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Validate checks a promotion before it is saved.
func (p *Promotion) Validate() error {
	p.Code = NormalizeCode(p.Code)
	f := map[string]string{}
	if !codeRE.MatchString(p.Code) {
		f["code"] = "Use 3 to 32 letters, digits or dashes."
	}
	switch p.Kind {
	case Percent:
		if p.Value < 1 || p.Value > 100 {
			f["value"] = "A percentage from 1 to 100."
		}
	case Fixed:
		if p.Value < 1 || p.Value > catalog.MaxPrice {
			f["value"] = "An amount above zero."
		}
		if len(p.Currency) != 3 {
			f["currency"] = "A currency such as USD."
		}
	default:
		f["kind"] = "Choose percentage or fixed amount."
	}
	if p.MinQuantity < 0 || p.UsageLimit < 0 {
		f["limits"] = "Limits cannot be negative."
	}
	p.Target.Code = strings.TrimSpace(p.Target.Code)
	switch p.Target.Kind {
	case TargetNone:
		p.Target.Code = ""
	case TargetLabHigh:
		if !loincRE.MatchString(p.Target.Code) {
			f["target_code"] = "Enter the test's LOINC code, such as 4548-4 for HbA1c."
		}
	case TargetRxDrug:
		p.Target.Code = strings.ToLower(p.Target.Code)
		if !drugRE.MatchString(p.Target.Code) {
			f["target_code"] = "Enter a drug name in letters, such as metformin."
		}
	default:
		f["target_kind"] = "Choose who the offer is for."
	}
	if !p.EndsAt.IsZero() && !p.EndsAt.After(p.StartsAt) {
		f["ends_at"] = "The end must come after the start."
	}
	if len(f) > 0 {
		return apperr.InvalidFields("Check the highlighted fields.", f)
	}
	return nil
}

// errCode is the answer for every code that cannot be used: what is wrong is
// said, but on the code field, and the order is not placed.
func errCode(msg string) error {
	return apperr.InvalidFields("Check the promotion code.", map[string]string{"promo": msg})
}

// ErrUnknown is the error for a code that does not exist.
func ErrUnknown() error { return errCode("This code is not valid.") }

// Discount returns what the promotion takes off a subtotal of qty items at
// now, or a clear error when it cannot be used.
func (p *Promotion) Discount(subtotal, qty int64, currency string, now time.Time) (int64, error) {
	switch {
	case p.Paused:
		return 0, errCode("This code is paused; try it again later.")
	case now.Before(p.StartsAt):
		return 0, errCode("This code is not valid yet.")
	case !p.EndsAt.IsZero() && !now.Before(p.EndsAt):
		return 0, errCode("This code has expired.")
	case p.UsageLimit > 0 && p.Used >= p.UsageLimit:
		return 0, errCode("This code has been used up.")
	case qty < p.MinQuantity:
		return 0, errCode(fmt.Sprintf("This code needs at least %d items in the order.", p.MinQuantity))
	case p.Kind == Fixed && p.Currency != currency:
		return 0, errCode("This code is not valid for this order.")
	}
	d := p.Value
	if p.Kind == Percent {
		d = (subtotal*p.Value + 50) / 100
	}
	return min(d, subtotal), nil
}
