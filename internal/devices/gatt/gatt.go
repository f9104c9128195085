// Package gatt parses the measurements Bluetooth LE health devices send,
// per the Bluetooth SIG's GATT specifications: Glucose (service 0x1808:
// Glucose Measurement 0x2A18, Glucose Measurement Context 0x2A34, Record
// Access Control Point 0x2A52), Blood Pressure (0x1810: 0x2A35), Weight
// Scale (0x181D: 0x2A9D), Heart Rate (0x180D: 0x2A37) and Pulse Oximeter
// (0x1822: PLX Continuous Measurement 0x2A5F).
//
// The portal's devices page reads a meter through Web Bluetooth and parses
// the same bytes with js/gatt.js; the two parsers give the same JSON for the
// same bytes (TestGATTModuleAgreesWithGo), so the server can check what a
// page sends. Values keep the device's unit (Reading converts them into
// the units the ingestion API takes); SFLOAT and FLOAT special values
// (NaN, NRes, ±INF, reserved) come out as strings, never as numbers.
package gatt

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// UUIDs of the services and characteristics read, as 16-bit assigned numbers.
const (
	ServiceGlucose        = 0x1808
	ServiceBloodPressure  = 0x1810
	ServiceWeightScale    = 0x181D
	ServiceHeartRate      = 0x180D
	ServicePulseOximeter  = 0x1822
	CharGlucose           = 0x2A18
	CharGlucoseContext    = 0x2A34
	CharRACP              = 0x2A52
	CharBloodPressure     = 0x2A35
	CharWeight            = 0x2A9D
	CharHeartRate         = 0x2A37
	CharPLXContinuous     = 0x2A5F
	maxSFloatMantissaBits = 12
)

// ErrShort is returned when the bytes end before a field the flags announce.
var ErrShort = errors.New("gatt: value shorter than its flags announce")

// Float is an IEEE 11073-20601 SFLOAT or FLOAT: a number, or one of the
// special values, which JSON shows as "NaN", "NRes", "+INF", "-INF" or
// "reserved" (a special value is never a measurement).
type Float struct {
	Value   float64
	Special string
}

// Number reports the value and whether it is a real number.
func (f Float) Number() (float64, bool) { return f.Value, f.Special == "" }

// MarshalJSON writes the number, or the special value's name as a string.
func (f Float) MarshalJSON() ([]byte, error) {
	if f.Special != "" {
		return json.Marshal(f.Special)
	}
	// encoding/json writes numbers as JavaScript does (ES6 Number to
	// String), so the two parsers' JSON compare byte for byte.
	return json.Marshal(f.Value)
}

// scale is mantissa × 10^exponent, dividing for negative exponents so that
// 120 × 10^-1 is exactly 12 (as js/gatt.js computes it).
func scale(m, e int) float64 {
	if e < 0 {
		return float64(m) / math.Pow10(-e)
	}
	return float64(m) * math.Pow10(e)
}

// SFloat decodes a 16-bit SFLOAT: a 4-bit signed exponent and a 12-bit
// signed mantissa, with the special values of exponent 0.
func SFloat(raw uint16) Float {
	// Why the whole value and not the mantissa alone: the specifications
	// define the special values with exponent 0; 0xF7FF is 204.7.
	switch raw {
	case 0x07FF:
		return Float{Special: "NaN"}
	case 0x0800:
		return Float{Special: "NRes"}
	case 0x07FE:
		return Float{Special: "+INF"}
	case 0x0802:
		return Float{Special: "-INF"}
	case 0x0801:
		return Float{Special: "reserved"}
	}
	m := int(raw & 0x0FFF)
	if m >= 0x0800 {
		m -= 0x1000
	}
	e := int(raw >> maxSFloatMantissaBits)
	if e >= 0x8 {
		e -= 0x10
	}
	return Float{Value: scale(m, e)}
}

// Float32 decodes a 32-bit FLOAT: an 8-bit signed exponent and a 24-bit
// signed mantissa, with the special values of exponent 0.
func Float32(raw uint32) Float {
	switch raw {
	case 0x007FFFFF:
		return Float{Special: "NaN"}
	case 0x00800000:
		return Float{Special: "NRes"}
	case 0x007FFFFE:
		return Float{Special: "+INF"}
	case 0x00800002:
		return Float{Special: "-INF"}
	case 0x00800001:
		return Float{Special: "reserved"}
	}
	m := int(raw & 0x00FFFFFF)
	if m >= 0x00800000 {
		m -= 0x01000000
	}
	e := int(int8(raw >> 24)) //nolint:gosec // reinterpreting the top 8 bits as signed is the point
	return Float{Value: scale(m, e)}
}

// reader walks a value's bytes, little-endian as GATT sends them; the
// first read past the end sets err and every later read returns zero.
type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || len(r.b) < n {
		r.err = ErrShort
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) u8() int {
	if v := r.take(1); v != nil {
		return int(v[0])
	}
	return 0
}

func (r *reader) u16() int {
	if v := r.take(2); v != nil {
		return int(binary.LittleEndian.Uint16(v))
	}
	return 0
}

func (r *reader) s16() int { return int(int16(uint16(r.u16()))) } //nolint:gosec // reinterpreting 16 bits as signed is the point

func (r *reader) u24() int {
	if v := r.take(3); v != nil {
		return int(v[0]) | int(v[1])<<8 | int(v[2])<<16
	}
	return 0
}

func (r *reader) sfloat() Float { return SFloat(uint16(r.u16())) } //nolint:gosec // u16 is 16 bits

// dateTime reads a Date Time: year uint16, month, day, hours, minutes,
// seconds.
func (r *reader) dateTime() DateTime {
	return DateTime{Year: r.u16(), Month: r.u8(), Day: r.u8(), Hours: r.u8(), Minutes: r.u8(), Seconds: r.u8()}
}

// DateTime is a GATT Date Time: the device's wall clock, no zone.
type DateTime struct {
	Year, Month, Day, Hours, Minutes, Seconds int
}

// Local returns the time plus offset minutes as "2006-01-02T15:04:05" (the
// device's clock, no zone: the page, which knows the patient's zone, turns
// it into an instant), or "" when the date is unknown (year, month or day
// 0) or out of range.
func (d DateTime) Local(offset int) string {
	if d.Year < 1582 || d.Year > 9999 || d.Month < 1 || d.Month > 12 || d.Day < 1 || d.Day > 31 ||
		d.Hours > 23 || d.Minutes > 59 || d.Seconds > 59 {
		return ""
	}
	// Minutes since a fixed epoch, counted by days from the civil calendar,
	// as js/gatt.js does (no time zone, no leap seconds).
	days := daysFromCivil(d.Year, d.Month, d.Day)
	if d.Day > daysIn(d.Year, d.Month) {
		return ""
	}
	secs := days*86400 + int64(d.Hours)*3600 + int64(d.Minutes)*60 + int64(d.Seconds) + int64(offset)*60
	y, m, dd := civilFromDays(floorDiv(secs, 86400))
	s := secs - floorDiv(secs, 86400)*86400
	return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", y, m, dd, s/3600, s%3600/60, s%60)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil and civilFromDays are Howard Hinnant's algorithms: days
// since 1970-01-01 in the proleptic Gregorian calendar, and back.
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

func civilFromDays(z int64) (int, int, int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return int(y), int(m), int(d)
}

// done returns the reader's error. Octets past the fields the flags
// announce are ignored, as the specifications ask of a client (a later
// revision may append fields).
func (r *reader) done() error { return r.err }

// Characteristics are the characteristics ParseJSON knows, as the
// uppercase hex of their 16-bit UUIDs.
var Characteristics = []string{"2A18", "2A34", "2A52", "2A35", "2A9D", "2A37", "2A5F"}

// ParseJSON parses the value of the characteristic named by the uppercase
// hex of its UUID ("2A18") and returns it as JSON: the shape js/gatt.js's
// parse returns for the same bytes.
func ParseJSON(char string, b []byte) ([]byte, error) {
	var v any
	var err error
	switch char {
	case "2A18":
		v, err = ParseGlucose(b)
	case "2A34":
		v, err = ParseGlucoseContext(b)
	case "2A52":
		v, err = ParseRACP(b)
	case "2A35":
		v, err = ParseBloodPressure(b)
	case "2A9D":
		v, err = ParseWeight(b)
	case "2A37":
		v, err = ParseHeartRate(b)
	case "2A5F":
		v, err = ParsePLX(b)
	default:
		return nil, fmt.Errorf("gatt: unknown characteristic %q", char)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}
