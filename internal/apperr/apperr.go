// Package apperr holds Salve's one application error type.
//
// An *Error carries a Code (what kind of failure, which decides the HTTP status),
// a Message that is safe to show to whoever made the request, optional per-field
// messages for forms, and the wrapped cause, which is only ever logged.
//
// Why the split: causes (SQL errors, I/O errors) can describe internals an attacker
// should not see, so only Message ever reaches a response, and only the adapter in
// httpx decides how an error is shown.
package apperr

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// Code classifies an error.
type Code string

// The codes. Each maps to one HTTP status in httpx.
const (
	// Invalid: the input is wrong; Message (and Fields) say how to fix it.
	Invalid Code = "invalid"
	// NotFound: no such thing, or the caller may not know whether it exists.
	NotFound Code = "not_found"
	// Denied: the thing exists but the caller may not have it. Shown exactly like
	// NotFound so that a denial does not confirm that a record exists; the
	// distinct code lets audit and logs tell the two apart.
	Denied Code = "denied"
	// Unauthenticated: a sign-in is needed.
	Unauthenticated Code = "unauthenticated"
	// Forbidden: the request itself is refused (for example cross-origin), not a record.
	Forbidden Code = "forbidden"
	// Conflict: the request clashes with the current state (duplicate, stale version).
	Conflict Code = "conflict"
	// TooLarge: the request body is over its limit.
	TooLarge Code = "too_large"
	// RateLimited: too many attempts; try later.
	RateLimited Code = "rate_limited"
	// Unavailable: a dependency is down; try later.
	Unavailable Code = "unavailable"
	// Internal: a bug or an unexpected failure. Its message is always generic.
	Internal Code = "internal"
)

// Error is the application error.
type Error struct {
	Code    Code
	Message string            // safe to show to the requester
	Fields  map[string]string // per-field messages for forms; safe to show
	Err     error             // the cause; logged, never shown
}

// Error describes the error for logs: code, message and cause.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if len(e.Fields) > 0 {
		for _, k := range slices.Sorted(maps.Keys(e.Fields)) {
			fmt.Fprintf(&b, " [%s: %s]", k, e.Fields[k])
		}
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// New returns an error with a code and a safe message.
func New(code Code, message string) *Error {
	return &Error{Code: code, Message: message}
}

// Errorf returns an error with a code and a formatted safe message. Use it only
// with arguments that are safe to show.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap returns an error with a code and a safe message around a cause.
func Wrap(err error, code Code, message string) *Error {
	return &Error{Code: code, Message: message, Err: err}
}

// Internalf wraps an unexpected failure. The message is for logs only; requesters
// see a generic one.
func Internalf(format string, args ...any) *Error {
	return &Error{Code: Internal, Err: fmt.Errorf(format, args...)}
}

// NotFoundError returns the one not-found error. Every not-found and every denial
// carries the same message, so responses cannot be told apart.
func NotFoundError() *Error { return &Error{Code: NotFound, Message: NotFoundMessage} }

// DeniedError returns a denial that is shown exactly as NotFoundError.
func DeniedError(cause error) *Error {
	return &Error{Code: Denied, Message: NotFoundMessage, Err: cause}
}

// The causes store puts under a Conflict, so that a domain can tell a repeated
// unique key (retry with another reference, or treat as done) from a row that
// changed under a conditional update (read again and retry).
var (
	// ErrDuplicate: the row would repeat a unique key.
	ErrDuplicate = errors.New("duplicate")
	// ErrStale: the row changed since it was read.
	ErrStale = errors.New("the row changed meanwhile")
)

// DuplicateError returns the Conflict of a repeated unique key; what names
// the thing for the message ("an account with this email address").
func DuplicateError(what string) *Error {
	return &Error{Code: Conflict, Message: "There is already " + what + ".", Err: ErrDuplicate}
}

// StaleError returns the Conflict of a row that changed meanwhile.
func StaleError() *Error {
	return &Error{Code: Conflict, Message: "This changed meanwhile. Reload the page and try again.", Err: ErrStale}
}

// NotFoundMessage is the message of every not-found and denied response.
const NotFoundMessage = "The page or record you asked for does not exist, or you may not see it."

// InvalidFields returns an Invalid error with per-field messages.
func InvalidFields(message string, fields map[string]string) *Error {
	return &Error{Code: Invalid, Message: message, Fields: fields}
}

// As returns the *Error in err's chain, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// CodeOf returns the code of the first *Error in err's chain; Internal if none.
func CodeOf(err error) Code {
	if e := As(err); e != nil {
		return e.Code
	}
	return Internal
}

// Is reports whether err carries the given code.
func Is(err error, code Code) bool {
	return err != nil && CodeOf(err) == code
}

// SafeMessage returns what may be shown to the requester for err.
func SafeMessage(err error) string {
	e := As(err)
	if e == nil || e.Code == Internal || e.Message == "" {
		return DefaultMessage(CodeOf(err))
	}
	return e.Message
}

// DefaultMessage is the message shown for a code when the error has none.
func DefaultMessage(code Code) string {
	switch code {
	case Invalid:
		return "The request is not valid."
	case NotFound, Denied:
		return NotFoundMessage
	case Unauthenticated:
		return "Please sign in to continue."
	case Forbidden:
		return "This request was refused."
	case Conflict:
		return "The request conflicts with the current state. Reload and try again."
	case TooLarge:
		return "The request is too large."
	case RateLimited:
		return "Too many attempts. Please wait and try again."
	case Unavailable:
		return "The service is temporarily unavailable. Please try again shortly."
	default:
		return "Something went wrong on our side. It has been logged; please try again."
	}
}
