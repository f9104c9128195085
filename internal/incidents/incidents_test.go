package incidents_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

func officer(tenantID string) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: tenantID})
}

// world is a register on fresh stores with its people.
type world struct {
	svc      *incidents.Service
	st       *testkit.Stores
	tenant   string
	states   map[string]string
	accounts *accounts.Service
	ob       *outbox.Outbox
}

type mail struct{ subject, text string }

func outboxItems(w *world) ([]mail, error) {
	ctx := access.WithActor(context.Background(), access.System("test", w.tenant))
	items, err := w.ob.Recent(ctx, w.tenant, 100)
	var out []mail
	for _, it := range items {
		out = append(out, mail{it.Subject, it.Text.Reveal()})
	}
	return out, err
}

func newWorld(t *testing.T, e store.Engine) *world {
	t.Helper()
	en := testkit.NewIdentity(t, e)
	w := &world{st: en.Stores, tenant: en.Tenant.ID, states: map[string]string{}, accounts: en.Accounts, ob: en.Outbox}
	users := store.NewUsers(en.Stores.PHI)
	var mu sync.Mutex
	w.svc = incidents.New(incidents.Deps{Store: store.NewIncidents(en.Stores.PHI), Vault: en.Stores.Vault, Audit: en.Log, Events: en.Log,
		Outbox: en.Outbox, Contacts: en.Accounts.Email,
		Names: func(ctx context.Context, tenantID, userID string) (string, error) {
			a, err := en.Accounts.Account(ctx, tenantID, userID, access.PurposeCompliance)
			return a.Name.Reveal(), err
		},
		Patient: func(ctx context.Context, tenantID, userID string) (bool, error) {
			u, err := users.ByID(ctx, tenantID, userID)
			if apperr.Is(err, apperr.NotFound) {
				return false, nil
			}
			return u.Role == access.RolePatient, err
		},
		Residence: func(_ context.Context, _, userID string) (string, error) {
			mu.Lock()
			defer mu.Unlock()
			return w.states[userID], nil
		},
		Links: func(context.Context, string) (string, string) { return "Test Pharmacy", "https://pharmacy.test" },
		Clock: en.Clock})
	return w
}

// people stores n accounts of a role straight in the users table (no
// password hashing: the register only reads their role).
func (w *world) people(t *testing.T, n int, role access.Role) []string {
	t.Helper()
	users := store.NewUsers(w.st.PHI)
	out := make([]string, n)
	now := w.st.Clock.Now()
	for i := range out {
		out[i] = id.New()
		if err := users.Insert(context.Background(), accounts.User{ID: out[i], TenantID: w.tenant, Role: role, Status: accounts.StatusActive,
			EmailBidx: []byte(out[i]), EmailCT: []byte{1}, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// reads records that reader read each subject, one second apart from at.
func (w *world) reads(t *testing.T, reader string, subjects []string, at time.Time) {
	t.Helper()
	ctx := access.WithActor(context.Background(), access.Actor{ID: reader, Role: access.RoleCustomerService, TenantID: w.tenant})
	var wg sync.WaitGroup
	errs := make(chan error, len(subjects))
	sem := make(chan struct{}, 32)
	for i, s := range subjects {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			errs <- w.st.AuditLog.Append(ctx, audit.Entry{Time: at.Add(time.Duration(i) * time.Second), TenantID: w.tenant, Subjects: []string{s},
				Action: "user.read", ResourceType: "user", ResourceID: s, Purpose: access.PurposeOperations, Outcome: audit.Allowed, Severity: audit.Normal})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func (w *world) incident(t *testing.T, ctx context.Context, discovered string) incidents.Incident {
	t.Helper()
	inc, err := w.svc.Create(ctx, w.tenant, incidents.Input{Title: "Customer service account misused", DiscoveredOn: discovered,
		Description: "A customer service login was used to read records it had no reason to read.", BreachType: "unauthorized access or disclosure",
		Systems: []string{"portal"}, DataClasses: []string{"names", "orders"}})
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// TestBreachClockAndThresholdsAt499And500 selects the people affected from
// the audit log (everyone whose record one account read in a window) on
// both engines, and holds the thresholds at their edges: 499 people go in
// the yearly HHS log; 500 are notified to HHS within 60 days; 500 residents
// of one state need no media notice (164.406: more than 500), 501 do. Staff
// read by the account, subjects that are not people, other accounts' reads
// and reads outside the window are not "affected". The 60-day clock runs
// from discovery, is overdue the day after, and stops when notices are sent.
func TestBreachClockAndThresholdsAt499And500(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newWorld(t, e)
		ctx := officer(w.tenant)
		reader, other := id.New(), id.New()
		pats := w.people(t, 501, access.RolePatient)
		staff := w.people(t, 2, access.RoleClinician)
		for _, p := range pats {
			w.states[p] = "CA"
		}
		start := w.st.Clock.Now().Add(-48 * time.Hour)
		w.reads(t, reader, pats, start)
		w.reads(t, reader, append(staff, "vendor:x"), start)
		w.reads(t, other, w.people(t, 3, access.RolePatient), start)
		w.reads(t, reader, w.people(t, 2, access.RolePatient), start.Add(-time.Hour))

		inc := w.incident(t, ctx, w.st.Clock.Now().Format(incidents.DateLayout))
		sel := func(n int) incidents.Incident {
			t.Helper()
			// The window ends just after the n-th read.
			got, err := w.svc.SelectAffected(ctx, w.tenant, inc.ID, incidents.Selection{Kind: incidents.ByAccount, ActorID: reader,
				From: start, To: start.Add(time.Duration(n-1)*time.Second + time.Millisecond)})
			if err != nil {
				t.Fatal(err)
			}
			if got != n {
				t.Fatalf("selected %d, want %d", got, n)
			}
			inc, err := w.svc.Get(ctx, w.tenant, inc.ID)
			if err != nil {
				t.Fatal(err)
			}
			if inc.AffectedCount != n || inc.ByState["CA"]+inc.ByState[""] != n {
				t.Fatalf("stored %d, by state %v", inc.AffectedCount, inc.ByState)
			}
			return inc
		}
		o := w.svc.Obligations(sel(499))
		if o.HHSNow || !o.YearlyLog || len(o.MediaStates) != 0 {
			t.Fatalf("499: %+v", o)
		}
		disc, _ := time.Parse(incidents.DateLayout, inc.DiscoveredOn)
		if want := time.Date(disc.Year(), 12, 31, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 60); !o.LogDue.Equal(want) {
			t.Fatalf("yearly log due %v, want %v", o.LogDue, want)
		}
		o = w.svc.Obligations(sel(500))
		if !o.HHSNow || o.YearlyLog || len(o.MediaStates) != 0 {
			t.Fatalf("500: %+v", o)
		}
		o = w.svc.Obligations(sel(501))
		if !o.HHSNow || len(o.MediaStates) != 1 || o.MediaStates[0] != "CA" {
			t.Fatalf("501: %+v", o)
		}
		// People with no state on file who could tip a state over.
		w.states[pats[0]] = ""
		o = w.svc.Obligations(sel(501))
		if len(o.MediaStates) != 0 || !o.MediaUnsure || o.Unknown != 1 {
			t.Fatalf("501 with one unknown: %+v", o)
		}

		// The clock: 60 days from discovery.
		if want := disc.AddDate(0, 0, 60); !o.Deadline.Equal(want) || o.DaysLeft != 60 || o.Overdue {
			t.Fatalf("clock: %+v", o)
		}
		w.st.Clock.Advance(60 * 24 * time.Hour)
		if o = w.svc.Obligations(sel(501)); o.Overdue || o.DaysLeft != 0 {
			t.Fatalf("day 60: %+v", o)
		}
		w.st.Clock.Advance(24 * time.Hour)
		cur, _ := w.svc.Get(ctx, w.tenant, inc.ID)
		if o = w.svc.Obligations(cur); !o.Overdue || o.DaysLeft != -1 {
			t.Fatalf("day 61: %+v", o)
		}
		cur.NotifiedAt = w.st.Clock.Now()
		if o = w.svc.Obligations(cur); o.Overdue {
			t.Fatalf("notified: %+v", o)
		}

		// The list is sealed: the stored column holds no id of a person.
		ct, err := store.NewIncidents(w.st.PHI).Affected(context.Background(), w.tenant, inc.ID)
		if err != nil || bytes.Contains(ct, []byte(pats[1])) {
			t.Fatalf("affected column: %v, holds an id in the clear: %v", err, bytes.Contains(ct, []byte(pats[1])))
		}
		list, err := w.svc.Affected(ctx, w.tenant, inc.ID)
		if err != nil || len(list) != 501 {
			t.Fatalf("affected: %d %v", len(list), err)
		}
		recs, err := w.st.AuditLog.Find(context.Background(), audit.Query{TenantID: w.tenant, Limit: audit.MaxLimit, After: 0})
		if err != nil {
			t.Fatal(err)
		}
		if !testkit.HasEvent(recs, "incident.affected.select", audit.Allowed) || !testkit.HasEvent(recs, "incident.affected.read", audit.Allowed) {
			t.Fatal("the selection and the read of the list are not in the audit log")
		}

		// Anyone but the compliance officer is refused, an admin too.
		admin := access.WithActor(context.Background(), access.Actor{ID: id.New(), Role: access.RoleAdmin, TenantID: w.tenant})
		if _, err := w.svc.Affected(admin, w.tenant, inc.ID); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("admin reads the list: %v", err)
		}
		if _, err := w.svc.Get(officer(id.New()), w.tenant, inc.ID); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("another tenant's officer: %v", err)
		}
	})
}

// TestObligationsAtTheEdges holds the pure thresholds without stores.
func TestObligationsAtTheEdges(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		by          map[string]int
		hhs, yearly bool
		media       int
	}{
		{map[string]int{"NY": 499}, false, true, 0},
		{map[string]int{"NY": 500}, true, false, 0},
		{map[string]int{"NY": 501}, true, false, 1},
		{map[string]int{"NY": 250, "NJ": 250}, true, false, 0},
		{map[string]int{"NY": 250, "NJ": 249}, false, true, 0},
		{map[string]int{"NY": 600, "NJ": 700}, true, false, 2},
	} {
		o := incidents.Obligate("2026-02-01", c.by, time.Time{}, now)
		if o.HHSNow != c.hhs || o.YearlyLog != c.yearly || len(o.MediaStates) != c.media {
			t.Errorf("%v: %+v", c.by, o)
		}
	}
}

// TestNoticesLettersAndTheHHSLog follows a breach to its notices on both
// engines: nothing is sent before the assessment concludes a breach and the
// letter is complete; then each person gets a notice in their portal and an
// email that says only "an important notice about your information — sign
// in" (no PHI); a second run sends nothing twice; each person's letter is a
// PDF with 164.404(c)'s parts and their name, made on request and audited;
// the person reads their own notice and nobody else's; the HHS log is CSV
// with the breach's counts and no name or account id.
func TestNoticesLettersAndTheHHSLog(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		w := newWorld(t, e)
		ctx := officer(w.tenant)
		sys := context.Background()
		var pats []string
		for _, email := range []string{"ann@example.com", "bob@example.com"} {
			uid, err := w.accounts.CreateUser(sys, w.tenant, access.RolePatient, email, "Ann Example", "a long test password")
			if err != nil {
				t.Fatal(err)
			}
			pats = append(pats, uid)
		}
		bystander, err := w.accounts.CreateUser(sys, w.tenant, access.RolePatient, "cy@example.com", "Cy Else", "a long test password")
		if err != nil {
			t.Fatal(err)
		}
		reader := id.New()
		start := w.st.Clock.Now().Add(-time.Hour)
		w.reads(t, reader, pats, start)
		inc := w.incident(t, ctx, w.st.Clock.Now().Format(incidents.DateLayout))

		// Bad input changes nothing and says what is wrong.
		if _, err := w.svc.SelectAffected(ctx, w.tenant, inc.ID, incidents.Selection{Kind: incidents.ByAccount, From: start, To: start}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("bad selection: %v", err)
		} else if e := apperr.As(err); e.Fields["actor"] == "" || e.Fields["to"] == "" {
			t.Fatalf("fields: %v", e.Fields)
		}
		if n, err := w.svc.SelectAffected(ctx, w.tenant, inc.ID, incidents.Selection{Kind: incidents.ByAccount, ActorID: reader,
			From: start, To: w.st.Clock.Now()}); err != nil || n != 2 {
			t.Fatalf("select: %d %v", n, err)
		}
		if _, err := w.svc.Notify(ctx, w.tenant, inc.ID); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("notify before the assessment: %v", err)
		}
		if _, err := w.svc.Assess(ctx, w.tenant, inc.ID, incidents.Assessment{Nature: "names and order history", Conclusion: incidents.Breach}); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("an assessment missing factors: %v", err)
		}
		if _, err := w.svc.Assess(ctx, w.tenant, inc.ID, incidents.Assessment{Nature: "Names and order history; no payment data.",
			Recipient: "A former employee, not a covered entity.", Acquired: "Viewed on screen; nothing downloaded.",
			Mitigation: "Account disabled the same day; no further access.", Conclusion: incidents.Breach}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Notify(ctx, w.tenant, inc.ID); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("notify without a letter: %v", err)
		}
		letter := incidents.Letter{WhatHappened: "On November 20 a staff login was used to view customer records without a reason.",
			Information: "Your name and your order history.", Steps: "Watch for messages claiming to be from us.",
			Doing: "We disabled the login and retrained staff.", Contact: "Call 1-800-555-0100 or write to privacy@pharmacy.test."}
		if _, err := w.svc.SetLetter(ctx, w.tenant, inc.ID, letter); err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.Notify(ctx, w.tenant, inc.ID); err != nil || n != 2 {
			t.Fatalf("notify: %d %v", n, err)
		}
		if n, err := w.svc.Notify(ctx, w.tenant, inc.ID); err != nil || n != 0 {
			t.Fatalf("notify again: %d %v", n, err)
		}
		// The emails: one per person, nothing but the sign-in notice.
		items, err := outboxItems(w)
		if err != nil {
			t.Fatal(err)
		}
		got := 0
		for _, it := range items {
			if !strings.Contains(it.subject, "An important notice about your information") {
				continue
			}
			got++
			for _, bad := range []string{"order", "name", "staff", "November", "breach"} {
				if strings.Contains(strings.ToLower(it.text), bad) {
					t.Errorf("the email says %q: %s", bad, it.text)
				}
			}
			if !strings.Contains(it.text, "https://pharmacy.test/account/notices") || !strings.Contains(it.text, "sign in") {
				t.Errorf("email text: %s", it.text)
			}
		}
		if got != 2 {
			t.Fatalf("%d notice emails, want 2", got)
		}

		// The letter, per person, on request.
		var pdf bytes.Buffer
		if err := w.svc.Letter(ctx, w.tenant, inc.ID, pats[0], &pdf); err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"%PDF-", "Ann Example", "What happened", "What information was involved", "What you should do",
			"What we are doing", "For more information", "1-800-555-0100", "Test Pharmacy"} {
			if !bytes.Contains(pdf.Bytes(), []byte(want)) {
				t.Errorf("the letter lacks %q", want)
			}
		}
		if err := w.svc.Letter(ctx, w.tenant, inc.ID, bystander, &bytes.Buffer{}); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("a letter for someone not affected: %v", err)
		}

		// The portal: the person's own notices only.
		me := access.WithActor(context.Background(), access.Actor{ID: pats[1], Role: access.RolePatient, TenantID: w.tenant})
		ns, err := w.svc.Notices(me, w.tenant, pats[1])
		if err != nil || len(ns) != 1 || ns[0].Letter != letter {
			t.Fatalf("notices: %+v %v", ns, err)
		}
		if _, err := w.svc.Notices(me, w.tenant, pats[0]); !apperr.Is(err, apperr.Denied) {
			t.Fatalf("another's notices: %v", err)
		}
		if err := w.svc.OwnLetter(me, w.tenant, pats[1], ns[0].ID, &bytes.Buffer{}); err != nil {
			t.Fatal(err)
		}
		cy := access.WithActor(context.Background(), access.Actor{ID: bystander, Role: access.RolePatient, TenantID: w.tenant})
		if ns, err := w.svc.Notices(cy, w.tenant, bystander); err != nil || len(ns) != 0 {
			t.Fatalf("bystander: %+v %v", ns, err)
		}

		// The HHS log: the breach's row, no person.
		var out bytes.Buffer
		n, err := w.svc.HHSLog(ctx, w.tenant, w.st.Clock.Now().Year(), &out)
		if err != nil || n != 1 {
			t.Fatalf("hhs log: %d %v", n, err)
		}
		rows, err := csv.NewReader(&out).ReadAll()
		if err != nil || len(rows) != 2 || rows[1][5] != "2" || !strings.Contains(rows[1][10], "yearly log") {
			t.Fatalf("hhs rows: %q %v", rows, err)
		}
		for _, bad := range append(pats, "Ann", reader) {
			if strings.Contains(out.String(), bad) {
				t.Fatalf("the HHS log holds %q", bad)
			}
		}
		// Closing: the breach was notified, so it may close.
		if err := w.svc.Close(ctx, w.tenant, inc.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := w.svc.CountOpen(ctx, w.tenant); err != nil || n != 0 {
			t.Fatalf("open: %d %v", n, err)
		}
	})
}
