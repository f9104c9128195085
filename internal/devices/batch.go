package devices

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/apperr"
)

// Type is a type of reading.
type Type string

// The reading types.
const (
	Glucose   Type = "glucose"
	BP        Type = "blood_pressure"
	Weight    Type = "weight"
	SpO2      Type = "spo2"
	HeartRate Type = "heart_rate"
	Steps     Type = "steps"
)

// Types lists every type, in the order pages show them.
var Types = []Type{Glucose, BP, Weight, SpO2, HeartRate, Steps}

// ParseType returns the type named s, or false.
func ParseType(s string) (Type, bool) {
	for _, t := range Types {
		if string(t) == s {
			return t, true
		}
	}
	return "", false
}

// Label is the type's name for people.
func (t Type) Label() string {
	switch t {
	case Glucose:
		return "Blood glucose"
	case BP:
		return "Blood pressure"
	case Weight:
		return "Weight"
	case SpO2:
		return "Oxygen saturation"
	case HeartRate:
		return "Heart rate"
	case Steps:
		return "Steps"
	}
	return string(t)
}

// Unit is the canonical unit every reading of the type is stored in.
func (t Type) Unit() string {
	switch t {
	case Glucose:
		return "mg/dL"
	case BP:
		return "mmHg"
	case Weight:
		return "kg"
	case SpO2:
		return "%"
	case HeartRate:
		return "/min"
	case Steps:
		return "steps"
	}
	return ""
}

// Totals reports whether the type's daily figure is a total (steps) rather
// than an average.
func (t Type) Totals() bool { return t == Steps }

// conversions maps a type's accepted units (UCUM and their common
// spellings) to the factor into its canonical unit.
var conversions = map[Type]map[string]float64{
	// 1 mmol/L of glucose (180.156 g/mol) is 18.0156 mg/dL.
	Glucose:   {"mg/dL": 1, "mg/dl": 1, "mmol/L": 18.0156, "mmol/l": 18.0156},
	BP:        {"mmHg": 1, "mm[Hg]": 1},
	Weight:    {"kg": 1, "g": 0.001, "[lb_av]": 0.45359237, "lb": 0.45359237},
	SpO2:      {"%": 1},
	HeartRate: {"/min": 1, "{beats}/min": 1, "bpm": 1},
	Steps:     {"steps": 1, "{steps}": 1, "1": 1, "{steps}/d": 1},
}

// plausible is each type's range of possible values in its canonical unit:
// outside it the reading is a fault, not a measurement.
var plausible = map[Type][2]float64{
	Glucose:   {10, 1000},
	BP:        {20, 300},
	Weight:    {1, 500},
	SpO2:      {50, 100},
	HeartRate: {20, 300},
	Steps:     {0, 200000},
}

// LOINC codes of the FHIR vital-signs Observations taken.
var loinc = map[string]Type{
	"2339-0":  Glucose, // Glucose [Mass/volume] in Blood
	"15074-8": Glucose, // Glucose [Moles/volume] in Blood
	"85354-9": BP,      // Blood pressure panel
	"29463-7": Weight,
	"59408-5": SpO2,
	"8867-4":  HeartRate,
	"55423-8": Steps,
}

// The LOINC codes of a blood pressure panel's components.
const (
	loincSystolic  = "8480-6"
	loincDiastolic = "8462-4"
)

// Limits of a batch.
const (
	// MaxBatch is the most readings one batch holds.
	MaxBatch = 1000
	// MaxBody is the largest batch body, in bytes (a thousand FHIR
	// Observations fit).
	MaxBody = 2 << 20
	// MaxFuture is how far in the future a reading's time may be (clocks
	// drift).
	MaxFuture = 5 * time.Minute
	// MaxAge is how old a reading may be.
	MaxAge = 2 * 365 * 24 * time.Hour
	// maxBatchID is the longest batch id.
	maxBatchID = 64
)

// Input is one reading as checked and converted to its type's unit.
type Input struct {
	Type Type
	At   time.Time
	// Value is the reading (systolic for blood pressure); Value2 the
	// diastolic.
	Value, Value2 float64
	// Seq is the device's sequence number; HasSeq when it sent one.
	Seq    int64
	HasSeq bool
	// Where names the reading in errors ("readings[3].", "entry[2].resource.").
	Where string
}

// Batch is a checked batch.
type Batch struct {
	ID       string
	Readings []Input
}

// jsonReading is a reading of the JSON batch format.
type jsonReading struct {
	Type       string   `json:"type"`
	Value      *float64 `json:"value"`
	Systolic   *float64 `json:"systolic"`
	Diastolic  *float64 `json:"diastolic"`
	Unit       string   `json:"unit"`
	MeasuredAt string   `json:"measured_at"`
	Seq        *int64   `json:"seq"`
	// GATT is the Bluetooth value the reading came from, when the devices
	// page read it from the device (checked against the reading).
	GATT *gattValue `json:"gatt"`
}

// envelope is either format: a JSON batch ({"batch_id", "readings"}) or a
// FHIR resource (an Observation, or a Bundle of them).
type envelope struct {
	ResourceType string          `json:"resourceType"`
	BatchID      string          `json:"batch_id"`
	Readings     []jsonReading   `json:"readings"`
	Identifier   json.RawMessage `json:"identifier"`
	Entry        []struct {
		Resource json.RawMessage `json:"resource"`
	} `json:"entry"`
}

// fhirObservation is what is read of a FHIR R4 Observation.
type fhirObservation struct {
	ResourceType      string          `json:"resourceType"`
	Status            string          `json:"status"`
	Code              fhirCode        `json:"code"`
	EffectiveDateTime string          `json:"effectiveDateTime"`
	ValueQuantity     *fhirQuantity   `json:"valueQuantity"`
	Component         []fhirComponent `json:"component"`
	Identifier        []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
}

type fhirCode struct {
	Coding []struct {
		System string `json:"system"`
		Code   string `json:"code"`
	} `json:"coding"`
}

// loinc returns the first LOINC code of the concept.
func (c fhirCode) loinc() string {
	for _, k := range c.Coding {
		if k.System == "http://loinc.org" {
			return k.Code
		}
	}
	return ""
}

type fhirQuantity struct {
	Value *float64 `json:"value"`
	Unit  string   `json:"unit"`
	// Code is the UCUM code, preferred over the display unit.
	Code string `json:"code"`
}

func (q *fhirQuantity) unit() string {
	if q.Code != "" {
		return q.Code
	}
	return q.Unit
}

type fhirComponent struct {
	Code          fhirCode      `json:"code"`
	ValueQuantity *fhirQuantity `json:"valueQuantity"`
}

// Parse reads and checks a batch body: every reading's problems are named
// with its index and field ("readings[3].unit", "entry[2].valueQuantity"),
// and one bad reading refuses the whole batch (nothing half stored).
// idemKey is the Idempotency-Key header, the batch id when the body names
// none. now bounds the readings' times.
func Parse(body []byte, idemKey string, now time.Time) (*Batch, error) {
	var env envelope
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&env); err != nil {
		return nil, apperr.InvalidFields("The body is not a readings batch.", map[string]string{"body": "Send a JSON object: " + jsonError(err)})
	}
	if dec.More() {
		return nil, apperr.InvalidFields("The body is not a readings batch.", map[string]string{"body": "Send one JSON object."})
	}
	fields := map[string]string{}
	b := &Batch{}
	switch env.ResourceType {
	case "":
		b.ID = env.BatchID
		if len(env.Readings) > MaxBatch {
			return nil, apperr.InvalidFields("The batch is too large.", map[string]string{"readings": fmt.Sprintf("Send at most %d readings in one batch (this one has %d).", MaxBatch, len(env.Readings))})
		}
		if len(env.Readings) == 0 {
			fields["readings"] = "Send at least one reading."
		}
		for i, r := range env.Readings {
			if in, ok := r.check(fmt.Sprintf("readings[%d].", i), now, fields); ok {
				b.Readings = append(b.Readings, in)
			}
		}
	case "Observation":
		if in, ok := checkObservation(body, "", now, fields); ok {
			b.Readings = append(b.Readings, in)
		}
	case "Bundle":
		b.ID = bundleID(env.Identifier)
		if len(env.Entry) > MaxBatch {
			return nil, apperr.InvalidFields("The bundle is too large.", map[string]string{"entry": fmt.Sprintf("Send at most %d Observations in one bundle (this one has %d).", MaxBatch, len(env.Entry))})
		}
		if len(env.Entry) == 0 {
			fields["entry"] = "Send at least one Observation."
		}
		for i, e := range env.Entry {
			if in, ok := checkObservation(e.Resource, fmt.Sprintf("entry[%d].resource.", i), now, fields); ok {
				b.Readings = append(b.Readings, in)
			}
		}
	default:
		fields["resourceType"] = "Send an Observation or a Bundle of Observations."
	}
	if b.ID == "" {
		b.ID = idemKey
	}
	b.ID = strings.TrimSpace(b.ID)
	switch {
	case b.ID == "":
		fields["batch_id"] = "Give the batch an id (batch_id, the bundle's identifier, or an Idempotency-Key header), so that a retry is not stored twice."
	case len(b.ID) > maxBatchID || !printable(b.ID):
		fields["batch_id"] = fmt.Sprintf("Use at most %d printable characters.", maxBatchID)
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields("Some readings are not right; nothing was stored.", fields)
	}
	return b, nil
}

func jsonError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("the JSON is malformed at byte %d.", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("%s should be a %s.", te.Field, te.Type)
	}
	return "the JSON could not be read."
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// bundleID reads a Bundle's identifier (an object with a value).
func bundleID(raw json.RawMessage) string {
	var ident struct {
		Value string `json:"value"`
	}
	if len(raw) == 0 || json.Unmarshal(raw, &ident) != nil {
		return ""
	}
	return ident.Value
}

// check validates a JSON reading and converts it.
func (r jsonReading) check(prefix string, now time.Time, fields map[string]string) (Input, bool) {
	n := len(fields)
	in := Input{Where: prefix}
	t, ok := ParseType(r.Type)
	if !ok {
		fields[prefix+"type"] = "Use one of glucose, blood_pressure, weight, spo2, heart_rate, steps."
	}
	in.Type = t
	in.At = checkTime(r.MeasuredAt, prefix+"measured_at", now, fields)
	if r.Seq != nil {
		if *r.Seq < 0 {
			fields[prefix+"seq"] = "Use a sequence number of 0 or more."
		}
		in.Seq, in.HasSeq = *r.Seq, true
	}
	if ok {
		factor, known := conversions[t][r.Unit]
		if !known {
			fields[prefix+"unit"] = fmt.Sprintf("Use a unit for %s: %s.", t, unitList(t))
		}
		if t == BP {
			in.Value = checkValue(t, r.Systolic, factor, known, prefix+"systolic", fields)
			in.Value2 = checkValue(t, r.Diastolic, factor, known, prefix+"diastolic", fields)
			if r.Value != nil {
				fields[prefix+"value"] = "Send blood pressure as systolic and diastolic."
			}
		} else {
			in.Value = checkValue(t, r.Value, factor, known, prefix+"value", fields)
		}
	}
	if r.GATT != nil && len(fields) == n {
		checkGATT(r.GATT, in, prefix, fields)
	}
	return in, len(fields) == n
}

// checkObservation validates one FHIR Observation and converts it.
func checkObservation(raw json.RawMessage, prefix string, now time.Time, fields map[string]string) (Input, bool) {
	n := len(fields)
	var o fhirObservation
	if err := json.Unmarshal(raw, &o); err != nil {
		fields[prefix+"resourceType"] = "This is not an Observation: " + jsonError(err)
		return Input{}, false
	}
	if o.ResourceType != "Observation" {
		fields[prefix+"resourceType"] = "Send an Observation."
		return Input{}, false
	}
	switch o.Status {
	case "final", "amended", "corrected", "preliminary":
	default:
		fields[prefix+"status"] = "Use a status of final, amended, corrected or preliminary."
	}
	in := Input{Where: prefix}
	code := o.Code.loinc()
	t, ok := loinc[code]
	if !ok {
		fields[prefix+"code"] = "Use a LOINC code of a vital sign taken here: 2339-0, 15074-8, 85354-9, 29463-7, 59408-5, 8867-4, 55423-8."
	}
	in.Type = t
	in.At = checkTime(o.EffectiveDateTime, prefix+"effectiveDateTime", now, fields)
	for _, id := range o.Identifier {
		if id.System == "urn:salve:device-seq" {
			var seq int64
			if _, err := fmt.Sscan(id.Value, &seq); err != nil || seq < 0 {
				fields[prefix+"identifier"] = "The device sequence number should be a whole number of 0 or more."
			}
			in.Seq, in.HasSeq = seq, true
		}
	}
	if !ok {
		return in, false
	}
	quantity := func(q *fhirQuantity, f string) float64 {
		if q == nil {
			fields[prefix+f] = "Send the value as a valueQuantity with a UCUM unit."
			return 0
		}
		factor, known := conversions[t][q.unit()]
		if !known {
			fields[prefix+f+".code"] = fmt.Sprintf("Use a UCUM unit for %s: %s.", t, unitList(t))
		}
		return checkValue(t, q.Value, factor, known, prefix+f+".value", fields)
	}
	if t == BP {
		var sys, dia *fhirQuantity
		for _, c := range o.Component {
			switch c.Code.loinc() {
			case loincSystolic:
				sys = c.ValueQuantity
			case loincDiastolic:
				dia = c.ValueQuantity
			}
		}
		in.Value = quantity(sys, "component[8480-6].valueQuantity")
		in.Value2 = quantity(dia, "component[8462-4].valueQuantity")
	} else {
		in.Value = quantity(o.ValueQuantity, "valueQuantity")
	}
	return in, len(fields) == n
}

func checkTime(s, field string, now time.Time, fields map[string]string) time.Time {
	if s == "" {
		fields[field] = "Send when the reading was taken (RFC 3339, such as 2026-03-01T08:30:00Z)."
		return time.Time{}
	}
	at, err := time.Parse(time.RFC3339, s)
	switch {
	case err != nil:
		fields[field] = "Use RFC 3339 with a time zone, such as 2026-03-01T08:30:00Z."
	case at.After(now.Add(MaxFuture)):
		fields[field] = "This time is in the future; check the device's clock."
	case at.Before(now.Add(-MaxAge)):
		fields[field] = "This reading is more than two years old."
	}
	return at.UTC().Truncate(time.Second)
}

func checkValue(t Type, v *float64, factor float64, known bool, field string, fields map[string]string) float64 {
	if v == nil {
		fields[field] = "Send the value."
		return 0
	}
	if !known || math.IsNaN(*v) || math.IsInf(*v, 0) {
		return 0
	}
	c := *v * factor
	if r := plausible[t]; c < r[0] || c > r[1] {
		fields[field] = fmt.Sprintf("This value is outside what a device measures (%s to %s %s).", Format(t, r[0]), Format(t, r[1]), t.Unit())
		return 0
	}
	return math.Round(c*10) / 10
}

func unitList(t Type) string {
	switch t {
	case Glucose:
		return "mg/dL or mmol/L"
	case BP:
		return "mm[Hg]"
	case Weight:
		return "kg, g or [lb_av]"
	case SpO2:
		return "%"
	case HeartRate:
		return "/min"
	case Steps:
		return "{steps}"
	}
	return ""
}

// Format shows a value of a type in its canonical unit's usual precision.
func Format(t Type, v float64) string { return string(AppendFormat(nil, t, v)) }

// AppendFormat appends what Format shows (the chart page's tables write
// hundreds of cells; strconv, not fmt).
func AppendFormat(dst []byte, t Type, v float64) []byte {
	prec := 0
	if t == Weight {
		prec = 1
	}
	return strconv.AppendFloat(dst, v, 'f', prec, 64)
}
