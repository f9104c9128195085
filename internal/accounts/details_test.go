package accounts_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestProfileDetailsRoundTripSealed (issue 16): the rest of the profile is
// saved sealed (the raw row holds none of the canaries), opens again as it
// was saved, and a submit with wrong fields names each of them and changes
// nothing. The reminder preference defaults to on and follows the profile.
func TestProfileDetailsRoundTripSealed(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := testkit.NewIdentity(t, e)
		ctx := context.Background()
		uid, err := en.Accounts.CreateUser(ctx, en.Tenant.ID, access.RolePatient, "pat@example.com", "Pat Doe", testkit.PatientPassword)
		if err != nil {
			t.Fatal(err)
		}
		me := access.WithActor(ctx, access.Actor{ID: uid, Role: access.RolePatient, TenantID: en.Tenant.ID})
		if on, err := en.Accounts.WantsReminders(me, en.Tenant.ID, uid); err != nil || !on {
			t.Fatalf("reminders before any profile: %v %v", on, err)
		}
		d := accounts.Details{Preferred: "Canary Street Pharmacy", InsurancePayer: "CanaryCare Health", InsuranceMemberID: "CAN-4711-ARY",
			EmergencyName: "Canary Sister", EmergencyPhone: "555 0199", EmergencyRelation: "sister", Allergies: "canarycillin; latex", RemindersOff: true}
		if err := en.Accounts.UpdateProfile(me, accounts.Profile{Name: "Pat Doe", Phone: "555 0100", DOB: "1980-04-23", Details: &d}); err != nil {
			t.Fatal(err)
		}
		acct, err := en.Accounts.Account(me, en.Tenant.ID, uid, access.PurposeSelf)
		if err != nil || acct.Details != d || acct.DOB.Reveal() != "1980-04-23" {
			t.Fatalf("opened %+v %v", acct.Details, err)
		}
		var raw []byte
		if err := en.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT details_ct FROM users WHERE id = $1`, uid).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 || bytes.Contains(bytes.ToLower(raw), []byte("canary")) || bytes.Contains(raw, []byte("4711")) {
			t.Fatalf("details_ct is empty or holds plaintext (%d bytes)", len(raw))
		}
		if on, err := en.Accounts.WantsReminders(me, en.Tenant.ID, uid); err != nil || on {
			t.Fatalf("reminders turned off: %v %v", on, err)
		}
		// A bad submit: every wrong field named at once, nothing changed.
		bad := accounts.Details{InsuranceMemberID: "X1", EmergencyPhone: "call me maybe", Allergies: "ok"}
		err = en.Accounts.UpdateProfile(me, accounts.Profile{Name: "Pat Doe", Phone: "555 0100", DOB: "3000-01-01", Details: &bad})
		ae := apperr.As(err)
		if ae == nil || ae.Code != apperr.Invalid || ae.Fields["insurance_payer"] == "" || ae.Fields["emergency_phone"] == "" ||
			ae.Fields["emergency_name"] == "" || ae.Fields["dob"] == "" {
			t.Fatalf("bad submit: %v", err)
		}
		after, err := en.Accounts.Account(me, en.Tenant.ID, uid, access.PurposeSelf)
		if err != nil || after.Details != d || after.DOB.Reveal() != "1980-04-23" {
			t.Fatalf("a bad submit changed the profile: %+v %v", after.Details, err)
		}
		// A preferred location must be one of the tenant's when it has any.
		err = en.Accounts.UpdateProfile(me, accounts.Profile{Name: "Pat Doe", Details: &accounts.Details{Preferred: "elsewhere"}, Choices: []string{"loc-1"}})
		if ae := apperr.As(err); ae == nil || ae.Fields["preferred"] == "" {
			t.Fatalf("a preferred location not offered: %v", err)
		}
	})
}

// TestCompletionPicksTheNextField: the meter counts what is done, and the
// next field is the one that helps most of those missing: the name, then
// the date of birth (so the pharmacy can match prescriptions), then
// allergies, the phone, insurance, an emergency contact, the preferred
// location, a confirmed address and a second factor.
func TestCompletionPicksTheNextField(t *testing.T) {
	var a accounts.Account
	next := func() string {
		_, missing := accounts.Completion(a)
		if len(missing) == 0 {
			return ""
		}
		return missing[0].Key
	}
	if p, m := accounts.Completion(a); p != 0 || len(m) != 9 || next() != "name" {
		t.Fatalf("empty profile: %d%% %v", p, m)
	}
	a.Name = phi.NewString("Pat Doe")
	if next() != "dob" {
		t.Fatalf("after the name: %s", next())
	}
	_, m := accounts.Completion(a)
	if m[0].Title != "Add your date of birth" || m[0].Why != "So the pharmacy can match your prescriptions." {
		t.Errorf("the date of birth's step: %+v", m[0])
	}
	a.DOB = phi.NewString("1980-04-23")
	if next() != "allergies" {
		t.Fatalf("after the date of birth: %s", next())
	}
	a.Details.Allergies, a.Phone = "none known", phi.NewString("555 0100")
	a.Details.InsurancePayer = "Plan" // without a member id, insurance is not done
	if next() != "insurance" {
		t.Fatalf("after allergies and phone: %s", next())
	}
	a.Details.InsuranceMemberID, a.Details.EmergencyName, a.Details.EmergencyPhone, a.Details.Preferred = "M1", "Sam", "555 0199", "loc"
	a.EmailVerified = true
	if p, _ := accounts.Completion(a); p != 88 || next() != "mfa" {
		t.Fatalf("all but the second factor: %d%% next %s", p, next())
	}
	a.TOTP = true
	if p, m := accounts.Completion(a); p != 100 || len(m) != 0 {
		t.Fatalf("complete: %d%% %v", p, m)
	}
}
