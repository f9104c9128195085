package devices_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/devices"
)

var now = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// TestParseConvertsUnits: mmol/L glucose and pounds are stored in the
// canonical unit; blood pressure keeps both values.
func TestParseConvertsUnits(t *testing.T) {
	b, err := devices.Parse([]byte(`{"batch_id": "x", "readings": [
		{"type": "glucose", "value": 5.5, "unit": "mmol/L", "measured_at": "2026-12-01T08:00:00Z", "seq": 1},
		{"type": "weight", "value": 154, "unit": "[lb_av]", "measured_at": "2026-12-01T08:00:00+01:00"},
		{"type": "blood_pressure", "systolic": 120, "diastolic": 80, "unit": "mm[Hg]", "measured_at": "2026-12-01T08:00:00Z"}]}`), "", now)
	if err != nil {
		t.Fatal(err)
	}
	got := b.Readings
	if got[0].Value != 99.1 || !got[0].HasSeq || got[1].Value != 69.9 || got[1].At.Hour() != 7 || got[2].Value != 120 || got[2].Value2 != 80 {
		t.Fatalf("converted %+v", got)
	}
}

// TestParseNamesEveryBadReading: each problem is keyed by its reading and
// field, all at once.
func TestParseNamesEveryBadReading(t *testing.T) {
	_, err := devices.Parse([]byte(`{"batch_id": "x", "readings": [
		{"type": "glucose", "value": 5000, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z"},
		{"type": "pressure", "value": 1, "unit": "mg/dL", "measured_at": "yesterday"},
		{"type": "blood_pressure", "systolic": 120, "unit": "mm[Hg]", "measured_at": "2026-12-01T08:00:00Z", "seq": -1}]}`), "", now)
	e := apperr.As(err)
	if e == nil {
		t.Fatal("no error")
	}
	for _, f := range []string{"readings[0].value", "readings[1].type", "readings[1].measured_at", "readings[2].diastolic", "readings[2].seq"} {
		if e.Fields[f] == "" {
			t.Errorf("no message on %s: %v", f, e.Fields)
		}
	}
}

// TestParseBloodPressureObservation reads a FHIR blood pressure panel.
func TestParseBloodPressureObservation(t *testing.T) {
	b, err := devices.Parse([]byte(`{"resourceType": "Observation", "status": "final",
		"code": {"coding": [{"system": "http://loinc.org", "code": "85354-9"}]}, "effectiveDateTime": "2026-12-01T08:00:00Z",
		"identifier": [{"system": "urn:salve:device-seq", "value": "42"}],
		"component": [{"code": {"coding": [{"system": "http://loinc.org", "code": "8480-6"}]}, "valueQuantity": {"value": 132, "code": "mm[Hg]"}},
		              {"code": {"coding": [{"system": "http://loinc.org", "code": "8462-4"}]}, "valueQuantity": {"value": 84, "code": "mm[Hg]"}}]}`), "k1", now)
	if err != nil {
		t.Fatal(err)
	}
	if b.ID != "k1" || len(b.Readings) != 1 || b.Readings[0].Type != devices.BP || b.Readings[0].Value2 != 84 || b.Readings[0].Seq != 42 {
		t.Fatalf("parsed %+v", b)
	}
}

// FuzzParse: the batch parser never panics, and what it accepts is within
// the limits (at most MaxBatch readings, each a known type, a time not in
// the future, a finite value).
func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"batch_id": "a", "readings": [{"type": "glucose", "value": 100, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 3}]}`), "")
	f.Add([]byte(`{"resourceType": "Bundle", "identifier": {"value": "b"}, "entry": [{"resource": {"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "8867-4"}]}, "effectiveDateTime": "2026-12-01T08:00:00Z", "valueQuantity": {"value": 60, "code": "/min"}}}]}`), "")
	f.Add([]byte(`{"resourceType": "Observation"}`), "k")
	f.Add([]byte(`[]`), "")
	f.Fuzz(func(t *testing.T, body []byte, key string) {
		b, err := devices.Parse(body, key, now)
		if err != nil {
			if apperr.CodeOf(err) != apperr.Invalid {
				t.Fatalf("not an Invalid error: %v", err)
			}
			return
		}
		if b.ID == "" || len(b.Readings) == 0 || len(b.Readings) > devices.MaxBatch {
			t.Fatalf("accepted a batch of %d readings, id %q", len(b.Readings), b.ID)
		}
		for _, r := range b.Readings {
			if _, ok := devices.ParseType(string(r.Type)); !ok || r.At.After(now.Add(devices.MaxFuture)) || math.IsNaN(r.Value) || strings.ContainsRune(b.ID, 0) {
				t.Fatalf("accepted %+v", r)
			}
		}
	})
}
