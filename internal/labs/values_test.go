package labs

import (
	"strings"
	"testing"
	"time"
)

func f(v float64) *float64 { return &v }

func TestLOINCCheckDigit(t *testing.T) {
	for _, c := range []string{"4548-4", "2093-3", "2085-9", "13457-7", "2571-8", "57698-3", "718-7"} {
		if !ValidLOINC(c) {
			t.Errorf("%s: a real LOINC code refused", c)
		}
	}
	for _, c := range []string{"4548-5", "4548", "4548-", "-4", "12345678-0", "45a8-4", " 4548-4", "4548-44", ""} {
		if ValidLOINC(c) {
			t.Errorf("%q: accepted", c)
		}
	}
}

func TestFlags(t *testing.T) {
	ref := Range{Low: f(4), High: f(5.6)}
	crit := Range{Low: f(2), High: f(15)}
	for _, c := range []struct {
		v    float64
		want Flag
	}{{5, Normal}, {4, Normal}, {5.6, Normal}, {3.9, Low}, {5.7, High}, {1.9, Critical}, {15.1, Critical}, {15, High}} {
		if got := ComputeFlag(c.v, ref, crit); got != c.want {
			t.Errorf("%v: %q, want %q", c.v, got, c.want)
		}
	}
	// One-sided ranges: only the bound given counts.
	if ComputeFlag(300, Range{Low: f(40)}, Range{}) != Normal || ComputeFlag(30, Range{Low: f(40)}, Range{}) != Low {
		t.Fatal("a low-only range")
	}
	if (Range{Low: f(4), High: f(5.6)}).String() != "4–5.6" || (Range{High: f(100)}).String() != "≤ 100" || (Range{}).String() != "" {
		t.Fatal("range text")
	}
}

func TestEntryErrorsPerField(t *testing.T) {
	e := Entry{Panel: "Lipid panel", CollectedAt: time.Now(), Observations: []Observation{
		{LOINC: "13457-7", Name: "LDL", Value: 120, Unit: "mg/dL"},
		{LOINC: "13457-8", Name: "HDL", Value: 50, Unit: "mg/dl", Range: Range{Low: f(60), High: f(40)}},
	}}
	fields := map[string]string{}
	e.check("", time.Now(), fields)
	for _, k := range []string{"obs.1.loinc", "obs.1.unit", "obs.1.range"} {
		if fields[k] == "" {
			t.Errorf("no error on %s: %v", k, fields)
		}
	}
	if len(fields) != 3 {
		t.Errorf("errors on good fields: %v", fields)
	}
	if !strings.Contains(fields["obs.1.unit"], "UCUM") {
		t.Errorf("the unit error says what to use: %q", fields["obs.1.unit"])
	}
	empty := Entry{CollectedAt: time.Now().Add(48 * time.Hour)}
	fields = map[string]string{}
	empty.check("", time.Now(), fields)
	for _, k := range []string{"panel", "collected", "observations"} {
		if fields[k] == "" {
			t.Errorf("no error on %s", k)
		}
	}
}
