package devices_test

import (
	"testing"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/devices"
)

// TestParseChecksTheBluetoothValue: a reading sent with the Bluetooth value
// it came from (issue 22) must say what the Go parsers read in the bytes:
// value within rounding, type, and a glucose record's sequence number.
func TestParseChecksTheBluetoothValue(t *testing.T) {
	// 104 mg/dL as 0.00104 kg/L, record 42; 6.1 mmol/L as mol/L, record 43;
	// 16.0/10.7 kPa with pulse 72; 155.4 lb; SpO2 97 % pulse 72; 72 /min.
	const glucose = `"char": "2A18", "value": "0b2a00ea070c07081e00c4ff68b0110100"`
	good := `{"batch_id": "x", "readings": [
		{"type": "glucose", "value": 104, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 42, "gatt": {` + glucose + `}},
		{"type": "glucose", "value": 6.1, "unit": "mmol/L", "measured_at": "2026-12-01T08:00:00Z", "seq": 43, "gatt": {"char": "2A18", "value": "162b00ea070c07081e003dc011"}},
		{"type": "blood_pressure", "systolic": 120, "diastolic": 80, "unit": "mm[Hg]", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A35", "value": "1fa0f06bf07df0ea070c07081e004800010400"}},
		{"type": "heart_rate", "value": 72, "unit": "/min", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A35", "value": "1fa0f06bf07df0ea070c07081e004800010400"}},
		{"type": "weight", "value": 155.4, "unit": "[lb_av]", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A9D", "value": "0fb43cea070c07081e0002ea00ad02"}},
		{"type": "spo2", "value": 97, "unit": "%", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A5F", "value": "0061004800"}},
		{"type": "heart_rate", "value": 72, "unit": "/min", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A37", "value": "0048"}}]}`
	if _, err := devices.Parse([]byte(good), "", now); err != nil {
		t.Fatalf("good: %v", err)
	}
	for name, reading := range map[string]string{
		"another value":      `{"type": "glucose", "value": 140, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 42, "gatt": {` + glucose + `}}`,
		"another record":     `{"type": "glucose", "value": 104, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 7, "gatt": {` + glucose + `}}`,
		"no record number":   `{"type": "glucose", "value": 104, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "gatt": {` + glucose + `}}`,
		"another type":       `{"type": "weight", "value": 104, "unit": "kg", "measured_at": "2026-12-01T08:00:00Z", "gatt": {` + glucose + `}}`,
		"NaN":                `{"type": "glucose", "value": 104, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 5, "gatt": {"char": "2A18", "value": "020500ea070c07081e00ff0711"}}`,
		"cut short":          `{"type": "glucose", "value": 104, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 7, "gatt": {"char": "2A18", "value": "020700ea070c07081e00"}}`,
		"not hex":            `{"type": "glucose", "value": 104, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 42, "gatt": {"char": "2A18", "value": "zz"}}`,
		"unknown":            `{"type": "glucose", "value": 104, "unit": "mg/dL", "measured_at": "2026-12-01T08:00:00Z", "seq": 42, "gatt": {"char": "2A99", "value": "00"}}`,
		"another pressure":   `{"type": "blood_pressure", "systolic": 140, "diastolic": 90, "unit": "mm[Hg]", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A35", "value": "1fa0f06bf07df0ea070c07081e004800010400"}}`,
		"pounds as kilos":    `{"type": "weight", "value": 155.4, "unit": "kg", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A9D", "value": "0fb43cea070c07081e0002ea00ad02"}}`,
		"oximeter's pulse":   `{"type": "spo2", "value": 72, "unit": "%", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A5F", "value": "0061004800"}}`,
		"heart rate changed": `{"type": "heart_rate", "value": 80, "unit": "/min", "measured_at": "2026-12-01T08:00:00Z", "gatt": {"char": "2A37", "value": "0048"}}`,
	} {
		_, err := devices.Parse([]byte(`{"batch_id": "x", "readings": [`+reading+`]}`), "", now)
		if e := apperr.As(err); e == nil || e.Fields["readings[0].gatt"] == "" {
			t.Errorf("%s: %v", name, err)
		}
	}
}
