package rx_test

import (
	"context"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestRefillReminderRespectsPreference (issue 16): a patient who turned
// email reminders off in their profile gets no refill reminder (and is not
// asked about again every hour); one who left them on gets theirs.
func TestRefillReminderRespectsPreference(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		quiet, quietCtx := en.person(t, access.RolePatient)
		loud, loudCtx := en.person(t, access.RolePatient)
		_, pharm := en.person(t, access.RolePharmacist)
		statin := en.product(t, "Atorvastatin 20 mg", true)
		en.submitAndVerify(t, quietCtx, pharm, quiet, statin.ID, 2)
		en.submitAndVerify(t, loudCtx, pharm, loud, statin.ID, 2)
		if err := en.ids.Accounts.UpdateProfile(quietCtx, accounts.Profile{Details: &accounts.Details{RemindersOff: true}}); err != nil {
			t.Fatal(err)
		}
		en.Clock.Advance(26 * 24 * time.Hour)
		if n, err := en.Rx.RemindRefills(context.Background()); err != nil || n != 1 {
			t.Fatalf("reminders queued: %d %v, want only the one who wants them", n, err)
		}
		if n, err := en.Rx.RemindRefills(context.Background()); err != nil || n != 0 {
			t.Fatalf("again: %d %v", n, err)
		}
	})
}
