package staff_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/web"
)

// TestStaffHome: every staff role gets a home at /staff listing exactly the
// pages its role may open, each of which opens for it (the staff menu offers
// no page that would answer 404); the counts say what waits; patients and
// a patient gets the 404 of a page that does not exist.
func TestStaffHome(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		v := product(t, s, s.Tenant.ID, "Thermometer", false)
		buy(t, s, s.ClientAs(t, patient), v.ID, "invoice")
		// A clinician breaks the glass once, so a review is due.
		doc := s.NewPerson(t, access.RoleClinician)
		r, _ := testkit.Do(t, s.ClientAs(t, doc), s.NewRequest(t, "POST", "/staff/break-glass",
			url.Values{"email": {patient.Email}, "reason": {"Collapsed in the pharmacy, need allergy history"}}))
		if r.StatusCode != 200 {
			t.Fatalf("break glass: %d", r.StatusCode)
		}
		for _, role := range access.Roles {
			if !role.Staff() {
				continue
			}
			p := s.NewPerson(t, role)
			c := s.ClientAs(t, p)
			r, body := testkit.Do(t, c, s.NewRequest(t, "GET", "/staff", nil))
			if r.StatusCode != 200 || !strings.Contains(body, "Staff home") {
				t.Fatalf("%s: /staff answered %d", role, r.StatusCode)
			}
			for _, task := range web.Tasks {
				want := web.TasksOf(role)
				offered := strings.Contains(body, `<h2><a href="`+task.Href+`">`)
				mine := false
				for _, w := range want {
					mine = mine || w.Key == task.Key
				}
				if offered != mine {
					t.Errorf("%s: staff home offers %s = %v, want %v", role, task.Href, offered, mine)
				}
				if !mine {
					continue
				}
				if r, _ := testkit.Do(t, c, s.NewRequest(t, "GET", task.Href, nil)); r.StatusCode != 200 {
					t.Errorf("%s: %s is on the staff home but answers %d", role, task.Href, r.StatusCode)
				}
			}
			switch role {
			case access.RoleCustomerService:
				if !strings.Contains(body, `<span class="count-figure">1</span> waiting`) {
					t.Errorf("customer service: the waiting order is not counted:\n%s", body)
				}
			case access.RoleCompliance, access.RoleAdmin:
				if !strings.Contains(body, `<span class="count-figure">1</span> due`) {
					t.Errorf("%s: the break-glass review due is not counted:\n%s", role, body)
				}
			}
		}
		if r, _ := testkit.Do(t, s.ClientAs(t, patient), s.NewRequest(t, "GET", "/staff", nil)); r.StatusCode != 404 {
			t.Errorf("patient: /staff answered %d, want 404", r.StatusCode)
		}
	})
}

// TestDeniedStaffPageShowsTheWay: an admin who opens the order queue (not
// theirs) gets the same 404 as for a missing page, and that page points a
// member of staff to their staff home; a patient's 404 points home.
func TestDeniedStaffPageShowsTheWay(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	for _, role := range []access.Role{access.RoleAdmin, access.RoleStoreManager} {
		r, body := testkit.Do(t, s.ClientAs(t, s.NewPerson(t, role)), s.NewRequest(t, "GET", "/staff/orders", nil))
		if r.StatusCode != 404 || !strings.Contains(body, `href="/staff">Go to your staff home`) {
			t.Fatalf("%s at /staff/orders: %d\n%s", role, r.StatusCode, body)
		}
	}
	r, body := testkit.Do(t, s.ClientAs(t, s.NewPerson(t, access.RolePatient)), s.NewRequest(t, "GET", "/staff/orders", nil))
	if r.StatusCode != 404 || strings.Contains(body, `href="/staff"`) {
		t.Fatalf("patient at /staff/orders: %d", r.StatusCode)
	}
}
