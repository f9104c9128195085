package labs

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/apperr"
)

// Flag is how a value reads against its ranges.
type Flag string

// The flags. Critical wins over low and high: a value past the critical
// range is both, and the alert is what matters.
const (
	Normal   Flag = ""
	Low      Flag = "low"
	High     Flag = "high"
	Critical Flag = "critical"
)

// Label is the flag as a patient reads it.
func (f Flag) Label() string {
	switch f {
	case Low:
		return "Low"
	case High:
		return "High"
	case Critical:
		return "Critical"
	}
	return "In range"
}

// Range is a low and a high bound; either may be missing (nil).
type Range struct {
	Low  *float64 `json:"low,omitempty"`
	High *float64 `json:"high,omitempty"`
}

// Empty reports whether the range has no bound.
func (r Range) Empty() bool { return r.Low == nil && r.High == nil }

// String is the range as people write it: "40–60", "< 200", "> 40".
func (r Range) String() string {
	switch {
	case r.Low != nil && r.High != nil:
		return FormatValue(*r.Low) + "–" + FormatValue(*r.High)
	case r.High != nil:
		return "≤ " + FormatValue(*r.High)
	case r.Low != nil:
		return "≥ " + FormatValue(*r.Low)
	}
	return ""
}

// FormatValue writes a number without trailing zeros ("5.4", "120").
func FormatValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ComputeFlag reads v against the reference range and the critical range.
func ComputeFlag(v float64, ref, critical Range) Flag {
	switch {
	case critical.Low != nil && v < *critical.Low, critical.High != nil && v > *critical.High:
		return Critical
	case ref.Low != nil && v < *ref.Low:
		return Low
	case ref.High != nil && v > *ref.High:
		return High
	}
	return Normal
}

// loincRE is a LOINC code's shape: up to seven digits, a hyphen, a check digit.
var loincRE = regexp.MustCompile(`^[0-9]{1,7}-[0-9]$`)

// ValidLOINC reports whether code is a well-formed LOINC code whose check
// digit is right (LOINC's mod 10 algorithm, the same as Luhn's).
func ValidLOINC(code string) bool {
	if !loincRE.MatchString(code) {
		return false
	}
	num, check, _ := strings.Cut(code, "-")
	sum := 0
	for i := len(num) - 1; i >= 0; i-- {
		d := int(num[i] - '0')
		if (len(num)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return strconv.Itoa((10-sum%10)%10) == check
}

// units are the UCUM units Salve takes for lab values: the ones clinical
// chemistry, haematology and endocrine panels report in. Why a list rather
// than a UCUM grammar: a unit outside it is far more likely a typo ("mg/dl",
// "mmol") than a rare unit, and a wrong unit makes a value mean something
// else; the list grows when a lab needs one.
var units = []string{
	"%", "mg/dL", "g/dL", "g/L", "mg/L", "ug/dL", "ug/L", "ng/mL", "ng/dL", "pg/mL", "mmol/L", "umol/L", "nmol/L", "pmol/L",
	"mmol/mol", "mEq/L", "U/L", "[IU]/L", "m[IU]/L", "u[IU]/mL", "m[IU]/mL", "10*3/uL", "10*6/uL", "10*9/L", "10*12/L", "/uL",
	"fL", "pg", "s", "min", "mm/h", "mm[Hg]", "mL/min/{1.73_m2}", "kg", "kg/m2", "cm", "Cel", "{ratio}", "1", "{titer}", "mosm/kg",
}

// ValidUnit reports whether u is a UCUM unit Salve takes (case matters in
// UCUM: "mg/dl" is not a unit).
func ValidUnit(u string) bool { return slices.Contains(units, u) }

// Units lists the units Salve takes, for forms and error messages.
func Units() []string { return slices.Clone(units) }

// Observation is one result in a report: a test (LOINC), its value, unit,
// reference range and critical range, and the flag computed from them.
type Observation struct {
	// ID names the observation inside its report (random): the trend page
	// is found by it, so no test code goes in a URL.
	ID       string  `json:"id"`
	LOINC    string  `json:"loinc"`
	Name     string  `json:"name"`
	Value    float64 `json:"value"`
	Unit     string  `json:"unit"`
	Range    Range   `json:"range"`
	Critical Range   `json:"critical"`
	Flag     Flag    `json:"flag"`
}

// ValueText is the value with its unit.
func (o Observation) ValueText() string { return FormatValue(o.Value) + " " + o.Unit }

// check validates an observation, its problems keyed by field under prefix
// (the form's field names, or a FHIR path), and computes its flag.
func (o *Observation) check(prefix string, fields map[string]string) {
	o.Name = strings.TrimSpace(o.Name)
	o.LOINC = strings.TrimSpace(o.LOINC)
	o.Unit = strings.TrimSpace(o.Unit)
	if !ValidLOINC(o.LOINC) {
		fields[prefix+"loinc"] = "Enter a LOINC code such as 4548-4 (digits, a hyphen and the check digit)."
	}
	if o.Name == "" {
		fields[prefix+"name"] = "Name the test, such as Hemoglobin A1c."
	} else if utf8.RuneCountInString(o.Name) > 120 || strings.ContainsAny(o.Name, "\r\n\x00") {
		fields[prefix+"name"] = "This is too long."
	}
	if !ValidUnit(o.Unit) {
		fields[prefix+"unit"] = "Unknown unit: use a UCUM unit such as mg/dL, mmol/L or % (case matters)."
	}
	if math.IsNaN(o.Value) || math.IsInf(o.Value, 0) {
		fields[prefix+"value"] = "Enter a number."
	}
	bad := func(r Range) bool { return r.Low != nil && r.High != nil && *r.Low > *r.High }
	if bad(o.Range) {
		fields[prefix+"range"] = "The low end of the range is above the high end."
	}
	if bad(o.Critical) {
		fields[prefix+"critical"] = "The low end of the critical range is above the high end."
	}
	o.Flag = ComputeFlag(o.Value, o.Range, o.Critical)
}

// ParseNumber reads a decimal number as typed in a form; empty is nil.
func ParseNumber(s string) (*float64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, false
	}
	return &v, true
}

// invalid is the error of a report with problems.
func invalid(fields map[string]string) error {
	return apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
}
