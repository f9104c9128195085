package web

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/signin"
)

type failingSaved struct{ calls int }

func (f *failingSaved) Get(context.Context, string, string) ([]cart.Item, error) {
	f.calls++
	return nil, errors.New("phi store down")
}

// TestCartSyncNeverBlocks: a saved cart that cannot be read is logged with
// ids only and leaves the sign-in alone; staff and half-finished sign-ins do
// not touch saved carts at all.
func TestCartSyncNeverBlocks(t *testing.T) {
	var logs bytes.Buffer
	saved := &failingSaved{}
	c := &CartSync{Saved: saved, Log: slog.New(slog.NewTextHandler(&logs, nil))}
	w, r := httptest.NewRecorder(), httptest.NewRequest("POST", "/login", nil)
	c.SignedIn(w, r, signin.Session{TenantID: "t1", UserID: "u1", Role: access.RolePatient, Stage: auth.StageComplete})
	if saved.calls != 1 || !strings.Contains(logs.String(), "user=u1") || w.Header().Get("Set-Cookie") != "" {
		t.Fatalf("calls %d, log %q, cookie %q", saved.calls, logs.String(), w.Header().Get("Set-Cookie"))
	}
	for _, sess := range []signin.Session{
		{TenantID: "t1", UserID: "u2", Role: access.RolePharmacist, Stage: auth.StageComplete},
		{TenantID: "t1", UserID: "u3", Role: access.RolePatient, Stage: auth.StageNeedsMFA},
	} {
		c.SignedIn(w, r, sess)
		c.SignedOut(w, r, sess)
	}
	if saved.calls != 1 {
		t.Fatalf("saved carts read for staff or a half sign-in: %d", saved.calls)
	}
	var none *CartSync
	none.SignedIn(w, r, signin.Session{Role: access.RolePatient, Stage: auth.StageComplete})
}
