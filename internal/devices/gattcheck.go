package devices

import (
	"encoding/hex"
	"fmt"
	"math"

	"github.com/salvehealth/salve/internal/devices/gatt"
)

// gattValue is the raw Bluetooth value a reading was read from, sent by
// the devices page beside the reading it derived (issue 22): the
// characteristic ("2A18") and the value's bytes in hex.
type gattValue struct {
	Char  string `json:"char"`
	Value string `json:"value"`
}

// maxGATTValue is the longest characteristic value taken, in bytes (the
// longest measurement, a PLX with every field, is 19; a heart rate with RR
// intervals fits an ATT MTU of 512).
const maxGATTValue = 512

// checkGATT parses the raw value with the Go parsers and requires the
// reading to say what the bytes say: the type, the value in its canonical
// unit (within the page's rounding) and, for glucose, the sequence number.
// Why: the page's parser runs in the browser; the server does not take its
// word for what the meter measured. The time is not compared: the meter's
// clock has no zone, and only the browser knows the patient's.
func checkGATT(g *gattValue, in Input, prefix string, fields map[string]string) {
	field := prefix + "gatt"
	b, err := hex.DecodeString(g.Value)
	if err != nil || len(b) > maxGATTValue {
		fields[field] = fmt.Sprintf("Send the characteristic's value as hex, at most %d bytes.", maxGATTValue)
		return
	}
	var want []float64 // the values the bytes allow for in.Type, in order
	var seq = int64(-1)
	switch g.Char {
	case "2A18":
		m, err := gatt.ParseGlucose(b)
		if err != nil || m.Concentration == nil || in.Type != Glucose {
			break
		}
		v, ok := m.Concentration.Number()
		if !ok {
			break
		}
		// kg/L is 100,000 mg/dL; mol/L is 1,000 mmol/L.
		if m.Unit == "mol/L" {
			v *= 1000 * conversions[Glucose]["mmol/L"]
		} else {
			v *= 100000
		}
		want, seq = []float64{v}, int64(m.Seq)
	case "2A35":
		m, err := gatt.ParseBloodPressure(b)
		if err != nil {
			break
		}
		f := 1.0
		if m.Unit == "kPa" {
			f = 7.50062
		}
		sys, ok1 := m.Systolic.Number()
		dia, ok2 := m.Diastolic.Number()
		switch {
		case in.Type == BP && ok1 && ok2:
			want = []float64{sys * f, dia * f}
		case in.Type == HeartRate && m.Pulse != nil:
			if p, ok := m.Pulse.Number(); ok {
				want = []float64{p}
			}
		}
	case "2A9D":
		m, err := gatt.ParseWeight(b)
		if err != nil || m.Weight == nil || in.Type != Weight {
			break
		}
		v := *m.Weight
		if m.Unit == "lb" {
			v *= conversions[Weight]["lb"]
		}
		want = []float64{v}
	case "2A5F":
		m, err := gatt.ParsePLX(b)
		if err != nil {
			break
		}
		f := m.SpO2
		if in.Type == HeartRate {
			f = m.PR
		}
		if v, ok := f.Number(); ok && (in.Type == SpO2 || in.Type == HeartRate) {
			want = []float64{v}
		}
	case "2A37":
		m, err := gatt.ParseHeartRate(b)
		if err == nil && in.Type == HeartRate {
			want = []float64{float64(m.BPM)}
		}
	}
	if want == nil {
		fields[field] = "The device's value holds no " + string(in.Type) + " measurement."
		return
	}
	got := []float64{in.Value, in.Value2}
	for i, w := range want {
		// The page rounds (mg/dL to 0.1, mmol/L to 0.1, mmHg to 1): within
		// 1 % and half a unit the reading is what the device measured.
		if math.Abs(got[i]-w) > 0.5+0.01*math.Abs(w) {
			fields[field] = fmt.Sprintf("The reading says %s, the device's value %s.", Format(in.Type, got[i]), Format(in.Type, w))
			return
		}
	}
	if seq >= 0 && (!in.HasSeq || in.Seq != seq) {
		fields[field] = fmt.Sprintf("The device's value is record %d; send it as seq.", seq)
	}
}
