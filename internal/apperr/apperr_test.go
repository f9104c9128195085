package apperr

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCodeOfWalksTheChain(t *testing.T) {
	base := New(Conflict, "already exists")
	wrapped := fmt.Errorf("creating tenant: %w", base)
	if got := CodeOf(wrapped); got != Conflict {
		t.Fatalf("CodeOf = %q, want conflict", got)
	}
	if got := CodeOf(errors.New("plain")); got != Internal {
		t.Fatalf("CodeOf(plain) = %q, want internal", got)
	}
	if !Is(wrapped, Conflict) || Is(nil, Conflict) {
		t.Fatal("Is misreports")
	}
}

func TestSafeMessageNeverShowsCause(t *testing.T) {
	cause := errors.New("pq: duplicate key value violates unique constraint secret_idx")
	for _, err := range []error{
		Wrap(cause, Internal, "insert failed with details"),
		Internalf("select: %w", cause),
		cause,
	} {
		msg := SafeMessage(err)
		if strings.Contains(msg, "secret_idx") || strings.Contains(msg, "details") {
			t.Errorf("SafeMessage(%v) = %q leaks internals", err, msg)
		}
	}
	if got := SafeMessage(Wrap(cause, Invalid, "Name is required.")); got != "Name is required." {
		t.Errorf("SafeMessage = %q", got)
	}
}

func TestDeniedLooksLikeNotFound(t *testing.T) {
	if SafeMessage(DeniedError(errors.New("other tenant"))) != SafeMessage(NotFoundError()) {
		t.Fatal("a denial must read exactly like not-found")
	}
}

func TestErrorStringHasCodeMessageFieldsAndCause(t *testing.T) {
	e := &Error{Code: Invalid, Message: "bad", Fields: map[string]string{"b": "y", "a": "x"}, Err: errors.New("cause")}
	if got, want := e.Error(), "invalid: bad [a: x] [b: y]: cause"; got != want {
		t.Fatalf("Error() = %q, want %q", got, want)
	}
}
