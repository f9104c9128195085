package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneWayToSetTheSessionCookie keeps every way in going through
// SessionStarter.Start, the one place that merges a patient's saved cart at
// sign-in: a new sign-in flow in any surface (web/login, web/portal, ...)
// that set the cookie itself would silently skip it.
func TestOneWayToSetTheSessionCookie(t *testing.T) {
	files := 0
	err := filepath.WalkDir(".", func(f string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(f, ".go") || strings.HasSuffix(f, "_test.go") {
			return err
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		files++
		n := strings.Count(strings.ToLower(string(b)), "cookies.set(")
		if want := map[bool]int{true: 1, false: 0}[f == "session.go"]; n != want {
			t.Errorf("%s sets the session cookie %d times outside SessionStarter.Start", f, n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 20 {
		t.Fatalf("read %d files; expected every surface's", files)
	}
}
