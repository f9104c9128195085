package labs

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func bundle(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile("testdata/lipid_bundle.json")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestParseBundle(t *testing.T) {
	entries, err := ParseBundle([]byte(bundle(t)))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("%d reports", len(entries))
	}
	e := entries[0]
	if e.PatientID != "PATIENT_ID" || e.Panel != "Lipid panel" || e.CollectedAt.Format("2006-01-02") != "2026-03-01" || len(e.Observations) != 2 {
		t.Fatalf("entry %+v", e)
	}
	ldl := e.Observations[0]
	if ldl.LOINC != "13457-7" || ldl.Value != 162 || ldl.Unit != "mg/dL" || ldl.Flag != High || ldl.Critical.High == nil || *ldl.Critical.High != 400 {
		t.Fatalf("LDL %+v", ldl)
	}
	if e.Observations[1].Flag != Normal {
		t.Fatalf("HDL flag %q", e.Observations[1].Flag)
	}
}

// problems returns the bundle's problems as text, failing when it parses.
func problems(t *testing.T, doc string) string {
	t.Helper()
	_, err := ParseBundle([]byte(doc))
	var be *BundleError
	if !errors.As(err, &be) {
		t.Fatalf("accepted (or another error: %v)", err)
	}
	return be.Error()
}

func TestBundleErrorsNameLineAndField(t *testing.T) {
	good := bundle(t)
	cases := []struct{ name, doc, want string }{
		{"syntax", strings.Replace(good, `"status": "final",`, `"status": "final"`, 1), "line 9:"},
		{"unknown unit", strings.Replace(good, `"code": "mg/dL"},
        "referenceRange": [{"low"`, `"code": "mg/dl"},
        "referenceRange": [{"low"`, 1), "entry[2].resource.valueQuantity.code: Unknown unit"},
		{"bad LOINC", strings.Replace(good, `"13457-7"`, `"13457-1"`, 1), "entry[1].resource.code.coding: Enter a LOINC code"},
		{"wrong type", strings.Replace(good, `"value": 52,`, `"value": true,`, 1), "line 35:"},
		{"not a bundle", strings.Replace(good, `"resourceType": "Bundle"`, `"resourceType": "Patient"`, 1), "line 2:19: resourceType"},
		{"no subject", strings.Replace(good, `"subject": {"reference": "Patient/PATIENT_ID"},`, ``, 1), "entry[0].resource.subject.reference"},
		{"dangling result", strings.Replace(good, `{"reference": "urn:uuid:obs-hdl"}`, `{"reference": "urn:uuid:nope"}`, 1), "entry[0].resource.result[1].reference"},
		{"other resource", strings.Replace(good, `"resourceType": "Observation",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2085-9"`, `"resourceType": "Patient",
        "status": "final",
        "code": {"coding": [{"system": "http://loinc.org", "code": "2085-9"`, 1), "Only DiagnosticReport and Observation"},
		{"truncated", good[:len(good)/2], "line "},
		{"trailing", good + "{}", "Nothing may follow"},
		{"empty", `{"resourceType": "Bundle", "entry": []}`, "no DiagnosticReport"},
		{"array", `[]`, "line 1:1: A FHIR bundle is a JSON object."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := problems(t, c.doc); !strings.Contains(got, c.want) {
				t.Fatalf("%s\nwant it to contain %q", got, c.want)
			}
		})
	}
}

// FuzzParseBundle: no input makes the parser panic, and what it accepts is
// only reports whose every observation passed the checks. The seeds (the
// good bundle and broken ones) run in every go test.
func FuzzParseBundle(f *testing.F) {
	good := bundle(f)
	f.Add(good)
	f.Add(good[:len(good)/3])
	f.Add(strings.ReplaceAll(good, "mg/dL", "furlongs"))
	f.Add(`{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Observation"}}]}`)
	f.Add(`{"resourceType":"Bundle","entry":{}}`)
	f.Add(`{"entry":[1,2,3]}`)
	f.Add(`null`)
	f.Add(``)
	f.Fuzz(func(t *testing.T, doc string) {
		entries, err := ParseBundle([]byte(doc))
		if err != nil {
			var be *BundleError
			if !errors.As(err, &be) || len(be.Problems) == 0 {
				t.Fatalf("an error that is not a list of problems: %v", err)
			}
			for _, p := range be.Problems {
				if p.Line < 1 || p.Column < 1 {
					t.Fatalf("a problem without a place: %+v", p)
				}
			}
			return
		}
		if len(entries) == 0 {
			t.Fatal("accepted a bundle with no report")
		}
		for _, e := range entries {
			for _, o := range e.Observations {
				if !ValidLOINC(o.LOINC) || !ValidUnit(o.Unit) {
					t.Fatalf("accepted %+v", o)
				}
			}
		}
	})
}
