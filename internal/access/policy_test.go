package access

import (
	"slices"
	"testing"
	"time"
)

// expected lists, per staff role, the classes it may read and write of a
// patient in its tenant (clinicians: with a care relationship). It restates
// DESIGN §1 independently of the code, so a change to either shows here.
var expected = map[Role]struct{ read, write []DataClass }{
	// Customer service writes contact to decide profile amendments (issue
	// 16, 164.526): the one staff role that holds the profile.
	RoleCustomerService: {read: []DataClass{DataContact, DataAddress, DataOrders, DataBilling, DataMessages}, write: []DataClass{DataContact, DataAddress, DataOrders, DataMessages}},
	RolePharmacist:      {read: []DataClass{DataContact, DataAddress, DataOrders, DataRx, DataMessages}, write: []DataClass{DataRx, DataOrders, DataMessages}},
	RoleClinician:       {read: []DataClass{DataContact, DataClinical, DataRx, DataDevices, DataMessages}, write: []DataClass{DataClinical, DataMessages}},
	RoleFulfillment:     {read: []DataClass{DataAddress, DataOrders}, write: []DataClass{DataOrders}},
	RoleCompliance:      {read: []DataClass{DataAuditMeta}},
	RoleStoreManager:    {},
	RoleAdmin:           {},
}

func TestStaffMatrix(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for role, want := range expected {
		a := Actor{ID: "staff-1", Role: role, TenantID: "t1"}
		for _, class := range DataClasses {
			for _, act := range []Action{Read, Write} {
				allowedList := want.read
				if act == Write {
					allowedList = want.write
				}
				wantAllowed := slices.Contains(allowedList, class)
				for _, care := range []bool{true, false} {
					d := Decide(a, Request{TenantID: "t1", PatientID: "p1", Class: class, Action: act}, Facts{Care: care}, now)
					w := wantAllowed && (role != RoleClinician || care)
					if d.Allowed != w {
						t.Errorf("%s %s %s (care %v): allowed %v, want %v (%s)", role, act, class, care, d.Allowed, w, d.Reason)
					}
					if d.Allowed && d.Purpose == "" {
						t.Errorf("%s: allowed without a purpose", role)
					}
				}
				// Another tenant: never.
				if d := Decide(a, Request{TenantID: "t2", PatientID: "p1", Class: class, Action: act}, Facts{Care: true}, now); d.Allowed {
					t.Errorf("%s reached another tenant's %s", role, class)
				}
			}
		}
	}
	if len(expected) != len(Roles)-1 {
		t.Fatalf("the matrix must cover every staff role: %d of %d", len(expected), len(Roles)-1)
	}
}

func TestPatientsAndProxies(t *testing.T) {
	now := time.Now()
	jane := Actor{ID: "jane", Role: RolePatient, TenantID: "t1"}
	for _, class := range DataClasses {
		own := Decide(jane, Request{TenantID: "t1", PatientID: "jane", Class: class, Action: Read}, Facts{}, now)
		if !own.Allowed || own.Purpose != PurposeSelf {
			t.Errorf("own %s denied", class)
		}
		other := Decide(jane, Request{TenantID: "t1", PatientID: "bob", Class: class, Action: Read}, Facts{}, now)
		if other.Allowed {
			t.Errorf("another patient's %s allowed", class)
		}
		granted := slices.Contains([]DataClass{DataOrders, DataRx}, class)
		proxy := Decide(jane, Request{TenantID: "t1", PatientID: "mum", Class: class, Action: Read}, Facts{ProxyScopes: []DataClass{DataOrders, DataRx}}, now)
		if proxy.Allowed != granted {
			t.Errorf("proxy %s: allowed %v, want %v", class, proxy.Allowed, granted)
		}
		if d := Decide(jane, Request{TenantID: "t2", PatientID: "jane", Class: class, Action: Read}, Facts{}, now); d.Allowed {
			t.Errorf("own record through another tenant allowed")
		}
	}
	// A proxy grant never reaches the account's security data (sessions, factors).
	if d := Decide(jane, Request{TenantID: "t1", PatientID: "mum", Class: DataSecurity, Action: Read}, Facts{ProxyScopes: DataClasses}, now); d.Allowed {
		t.Fatal("proxy reached security data")
	}
	if d := Decide(jane, Request{TenantID: "t1", PatientID: "jane", Class: DataAuditMeta, Action: Write}, Facts{}, now); d.Allowed {
		t.Fatal("a patient may not write the audit log")
	}
}

func TestBreakGlassExpires(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	doc := Actor{ID: "doc", Role: RoleClinician, TenantID: "t1"}
	req := Request{TenantID: "t1", PatientID: "p1", Class: DataClinical, Action: Read}
	if Decide(doc, req, Facts{}, now).Allowed {
		t.Fatal("clinician without care relationship allowed")
	}
	f := Facts{BreakGlassUntil: now.Add(BreakGlassDuration)}
	if d := Decide(doc, req, f, now.Add(59*time.Minute)); !d.Allowed || d.Purpose != PurposeBreakGlass {
		t.Fatalf("break-glass within the hour: %+v", d)
	}
	if Decide(doc, req, f, now.Add(60*time.Minute)).Allowed {
		t.Fatal("break-glass grant outlived its hour")
	}
	// Break-glass reads, never writes, and never opens billing.
	if Decide(doc, Request{TenantID: "t1", PatientID: "p1", Class: DataClinical, Action: Write}, f, now).Allowed {
		t.Fatal("break-glass allowed a write")
	}
	if Decide(doc, Request{TenantID: "t1", PatientID: "p1", Class: DataBilling, Action: Read}, f, now).Allowed {
		t.Fatal("break-glass opened billing")
	}
	// It opens the patient's orders to read (what it unlocks until the
	// portal holds records), never to change, and never their address.
	orders := Request{TenantID: "t1", PatientID: "p1", Class: DataOrders, Action: Read}
	if d := Decide(doc, orders, Facts{}, now); d.Allowed {
		t.Fatal("a clinician read orders without a grant")
	}
	if d := Decide(doc, orders, f, now); !d.Allowed || d.Purpose != PurposeBreakGlass {
		t.Fatalf("break-glass orders: %+v", d)
	}
	if Decide(doc, Request{TenantID: "t1", PatientID: "p1", Class: DataOrders, Action: Write}, f, now).Allowed ||
		Decide(doc, Request{TenantID: "t1", PatientID: "p1", Class: DataAddress, Action: Read}, f, now).Allowed {
		t.Fatal("break-glass changed orders or opened the address")
	}
	fulfil := Actor{ID: "f", Role: RoleFulfillment, TenantID: "t1"}
	if Decide(fulfil, req, f, now).Allowed {
		t.Fatal("break-glass applies to clinicians and pharmacists only")
	}
}

func TestMalformedRequestsAreDenied(t *testing.T) {
	now := time.Now()
	a := Actor{ID: "x", Role: RolePharmacist, TenantID: "t1"}
	for _, req := range []Request{
		{TenantID: "t1", PatientID: "", Class: DataRx, Action: Read},
		{TenantID: "t1", PatientID: "p", Class: "secrets", Action: Read},
		{TenantID: "t1", PatientID: "p", Class: DataRx, Action: "delete"},
		{TenantID: "", PatientID: "p", Class: DataRx, Action: Read},
	} {
		if d := Decide(a, req, Facts{}, now); d.Allowed || d.Err() == nil {
			t.Errorf("allowed %+v", req)
		}
	}
	if Decide(Actor{}, Request{TenantID: "t1", PatientID: "p", Class: DataRx, Action: Read}, Facts{}, now).Allowed {
		t.Fatal("no actor allowed")
	}
}

// TestSisterBrandNeedsConsent: staff of another brand reach a patient only
// through the patient's consent to share with that brand (BrandScopes), only
// the classes shared that their role reads anyway, only to read, and only
// with a care relationship; patients, jobs and break-glass of another brand
// never.
func TestSisterBrandNeedsConsent(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	all := slices.Clone(DataClasses)
	for _, role := range append(slices.Clone(Roles), RoleSystem) {
		a := Actor{ID: "staff-b", Role: role, TenantID: "brand-b"}
		for _, class := range DataClasses {
			for _, act := range []Action{Read, Write} {
				req := Request{TenantID: "brand-a", PatientID: "p1", Class: class, Action: act}
				for _, f := range []Facts{{Care: true}, {BrandScopes: all}, {Care: true, BreakGlassUntil: now.Add(time.Hour)}} {
					if d := Decide(a, req, f, now); d.Allowed {
						t.Errorf("%s %s %s with %+v: allowed without consent and care (%s)", role, act, class, f, d.Reason)
					}
				}
				d := Decide(a, req, Facts{Care: true, BrandScopes: all}, now)
				want := act == Read && class != DataSecurity && slices.Contains(expected[role].read, class)
				if d.Allowed != want {
					t.Errorf("%s %s %s shared with care: allowed %v, want %v (%s)", role, act, class, d.Allowed, want, d.Reason)
				}
				// Consent to other classes only: denied.
				others := slices.DeleteFunc(slices.Clone(all), func(c DataClass) bool { return c == class })
				if d := Decide(a, req, Facts{Care: true, BrandScopes: others}, now); d.Allowed {
					t.Errorf("%s %s %s: allowed by consent to other classes", role, act, class)
				}
			}
		}
	}
}
