package account

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneWayToSetTheSessionCookie keeps every way in going through
// setSession, the one place that merges a patient's saved cart at sign-in:
// a new sign-in flow that set the cookie itself would silently skip it.
func TestOneWayToSetTheSessionCookie(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		n := strings.Count(string(b), "h.cookies.Set(")
		if want := map[bool]int{true: 1, false: 0}[f == "account.go"]; n != want {
			t.Errorf("%s sets the session cookie %d times outside setSession", f, n)
		}
	}
}
