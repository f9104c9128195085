package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
)

// Form is a submitted form as a page shows it again: the values typed (never
// passwords: the field partial leaves them out), a message for the whole form
// and one per field.
type Form struct {
	Values  url.Values
	Message string
	Errors  map[string]string
	// Done is a confirmation to show instead of an error.
	Done string
}

// FormOf reads a request's form. A body that is too large or malformed is an
// error for the caller to return.
func FormOf(r *http.Request) (*Form, error) {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
	}
	return &Form{Values: r.PostForm}, nil
}

// Value returns the value typed into a field.
func (f *Form) Value(name string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Error returns a field's error message.
func (f *Form) Error(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Fail takes an error that the person can fix by changing the form (invalid
// input, too many attempts, a stale link) onto the form and returns the
// status to answer with; any other error is returned as it is, for the error
// page. Why re-render rather than redirect: what was typed is kept (bad input
// loses nothing), and it never travels in a URL.
func (f *Form) Fail(err error) (int, error) {
	e := apperr.As(err)
	if e == nil {
		return 0, err
	}
	switch e.Code {
	case apperr.Invalid, apperr.RateLimited, apperr.Conflict, apperr.Unauthenticated:
		f.Message = e.Message
		f.Errors = e.Fields
		return httpx.FormStatus(e.Code), nil
	}
	return 0, err
}
