// Package phi holds value types for protected health information (PHI).
//
// A phi.String or phi.Bytes prints as "[redacted]" however it is printed: through
// fmt with any verb, log/slog, encoding/json, encoding.TextMarshaler, and inside
// errors built with fmt.Errorf. The plaintext comes out only through Reveal, which
// is easy to find in review.
//
// Why the plaintext sits behind two pointers: fmt cannot call methods on a value
// held in an unexported struct field, so it prints such a value by reflection. A
// plain string field would then be printed verbatim; a pointer below the top level
// is printed as an address. One pointer is not enough: for a verb that does not
// fit a pointer (%s, %q) fmt reports the bad verb and prints the pointed-to value
// again from the top level, dereferencing it once. The second pointer is what it
// then meets, and prints as an address. TestPHINeverPrints covers both paths.
package phi

import (
	"fmt"
	"log/slog"
)

// Redacted is what every PHI value prints as.
const Redacted = "[redacted]"

type secretString struct{ s *string }

// String is a piece of PHI text: a name, an email address, a diagnosis.
// The zero value is the empty string.
type String struct{ p *secretString }

// NewString wraps s.
func NewString(s string) String { return String{p: &secretString{s: &s}} }

// Reveal returns the plaintext. Every call is a place where PHI leaves its
// wrapper: keep the result out of logs, URLs, emails and errors.
func (v String) Reveal() string {
	if v.p == nil {
		return ""
	}
	return *v.p.s
}

// IsZero reports whether the value is empty.
func (v String) IsZero() bool { return v.Reveal() == "" }

// Equal reports whether two values hold the same text.
func (v String) Equal(o String) bool { return v.Reveal() == o.Reveal() }

// String implements fmt.Stringer.
func (String) String() string { return Redacted }

// GoString implements fmt.GoStringer (%#v).
func (String) GoString() string { return Redacted }

// Format implements fmt.Formatter, so every verb (%v %+v %#v %s %q %x %d ...)
// prints the redaction.
func (String) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue implements slog.LogValuer.
func (String) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON implements json.Marshaler. PHI that must go out as JSON (the
// patient's own data export) is revealed explicitly into a plain string first.
func (String) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler (XML, YAML and map keys).
func (String) MarshalText() ([]byte, error) { return []byte(Redacted), nil }

type secretBytes struct{ b *[]byte }

// Bytes is binary PHI: a document, an image, a device payload.
type Bytes struct{ p *secretBytes }

// NewBytes wraps b. It keeps b itself; callers must not change b afterwards.
func NewBytes(b []byte) Bytes { return Bytes{p: &secretBytes{b: &b}} }

// Reveal returns the plaintext bytes. Callers must not change them.
func (v Bytes) Reveal() []byte {
	if v.p == nil {
		return nil
	}
	return *v.p.b
}

// Len returns the length in bytes; lengths are not PHI.
func (v Bytes) Len() int { return len(v.Reveal()) }

// String implements fmt.Stringer.
func (Bytes) String() string { return Redacted }

// GoString implements fmt.GoStringer.
func (Bytes) GoString() string { return Redacted }

// Format implements fmt.Formatter.
func (Bytes) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Redacted)) }

// LogValue implements slog.LogValuer.
func (Bytes) LogValue() slog.Value { return slog.StringValue(Redacted) }

// MarshalJSON implements json.Marshaler.
func (Bytes) MarshalJSON() ([]byte, error) { return []byte(`"` + Redacted + `"`), nil }

// MarshalText implements encoding.TextMarshaler.
func (Bytes) MarshalText() ([]byte, error) { return []byte(Redacted), nil }
