// Package audit is Salve's tamper-evident audit log (DESIGN §5): events about
// PHI access, denials, sign-ins and security settings, appended to the audit
// store in a SHA-256 hash chain, batched by group commit, anchored by Ed25519
// signed checkpoints in a second sink outside the audit store, and verified by
// walking the chain against those checkpoints.
package audit

import (
	"context"
	"time"

	"github.com/salvehealth/salve/internal/access"
)

// Outcome is how an audited attempt ended.
type Outcome string

// The outcomes.
const (
	Allowed Outcome = "allowed"
	Denied  Outcome = "denied"
	Error   Outcome = "error"
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == Allowed || o == Denied || o == Error }

// DeniedIf is Denied when denied is true, else Allowed.
func DeniedIf(denied bool) Outcome {
	if denied {
		return Denied
	}
	return Allowed
}

// Severity marks events that compliance should look at first.
type Severity string

// The severities.
const (
	Normal Severity = "normal"
	High   Severity = "high"
)

// Valid reports whether s is a known severity.
func (s Severity) Valid() bool { return s == Normal || s == High }

// HighIf is High when high is true, else Normal.
func HighIf(high bool) Severity {
	if high {
		return High
	}
	return Normal
}

// Entry is one audit event as a caller describes it. Append fills the time,
// the actor and the request source when they are left empty.
type Entry struct {
	Time      time.Time
	ActorID   string
	ActorRole access.Role
	TenantID  string
	// Subjects are the people whose data the event is about.
	Subjects []string
	// Action is what happened, e.g. "user.login", "order.view".
	Action string
	// ResourceType and ResourceID name the thing acted on.
	ResourceType, ResourceID string
	Purpose                  access.Purpose
	Outcome                  Outcome
	Severity                 Severity
	RequestID, SourceIP      string
	UserAgent                string
	// Detail is short machine text, never PHI.
	Detail string
	// TextHMAC holds free text (a search term) as Log.TextHMAC, never raw.
	TextHMAC []byte
}

// Record is a stored event: the entry with its place in the chain.
type Record struct {
	Entry
	// Seq is the event's position in the chain, from 1 without gaps.
	Seq int64
	// Hash is SHA-256 over the previous record's hash and this record's
	// canonical encoding.
	Hash []byte
}

// Appender is what records an audit event. The vault takes one so that tests
// can inject a sink that fails.
type Appender interface {
	// Append records e and returns only once it is durably stored.
	Append(ctx context.Context, e Entry) error
}

// Source is where a request came from, as the HTTP middleware saw it.
type Source struct{ RequestID, IP, UserAgent string }

type sourceKey struct{}

// WithSource returns ctx carrying the request's source, for every event
// appended while serving it.
func WithSource(ctx context.Context, s Source) context.Context {
	return context.WithValue(ctx, sourceKey{}, s)
}

// SourceFrom returns the source in ctx; zero outside a request.
func SourceFrom(ctx context.Context) Source {
	s, _ := ctx.Value(sourceKey{}).(Source)
	return s
}

// maxUserAgent bounds the stored user agent: it is chosen by the client, and an
// unbounded one would let anyone bloat the append-only store.
const maxUserAgent = 256

// fill completes e from the context and the clock and checks it.
func fill(ctx context.Context, e Entry, now time.Time) (Entry, error) {
	src := SourceFrom(ctx)
	if e.RequestID == "" {
		e.RequestID = src.RequestID
	}
	if e.SourceIP == "" {
		e.SourceIP = src.IP
	}
	if e.UserAgent == "" {
		e.UserAgent = src.UserAgent
	}
	if len(e.UserAgent) > maxUserAgent {
		e.UserAgent = e.UserAgent[:maxUserAgent]
	}
	if a, ok := access.ActorFrom(ctx); ok {
		if e.ActorID == "" {
			e.ActorID = a.ID
		}
		if e.ActorRole == "" {
			e.ActorRole = a.Role
		}
		if e.TenantID == "" {
			e.TenantID = a.TenantID
		}
	}
	if e.Time.IsZero() {
		e.Time = now
	}
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	if e.Outcome == "" {
		e.Outcome = Allowed
	}
	if e.Severity == "" {
		e.Severity = Normal
	}
	switch {
	case e.Action == "":
		return e, errInvalid("an event needs an action")
	case !e.Outcome.Valid():
		return e, errInvalid("unknown outcome")
	case !e.Severity.Valid():
		return e, errInvalid("unknown severity")
	}
	if e.Subjects == nil {
		e.Subjects = []string{}
	}
	return e, nil
}

type invalidError string

func (e invalidError) Error() string { return "audit: " + string(e) }

func errInvalid(s string) error { return invalidError(s) }
