package server_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/testkit"
)

// pendingChange returns the pending change of kind on target.
func pendingChange(t *testing.T, s *testkit.Server, kind, target string) changes.Change {
	t.Helper()
	cs, err := s.Services().Changes.List(context.Background(), s.Tenant.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		if c.Kind == kind && c.Target == target && c.Status == changes.Pending {
			return c
		}
	}
	t.Fatalf("no pending %s of %s", kind, target)
	return changes.Change{}
}

// approvePending approves, over HTTP as the client (a second person), the
// pending change of kind on target.
func approvePending(t *testing.T, s *testkit.Server, c *http.Client, kind, target string) {
	t.Helper()
	ch := pendingChange(t, s, kind, target)
	if r, body := get(t, c, s.NewRequest(t, "POST", "/admin/compliance/changes/"+ch.ID+"/approve", url.Values{})); r.StatusCode != 200 ||
		!strings.Contains(body, "approved and is in effect") {
		t.Fatalf("approve %s of %s: %d", kind, target, r.StatusCode)
	}
}
