package server_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/demo"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/records"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// heldRecord is what seedRecord gave a patient: the ids of each kind of
// record, for a test to find every one in the copy.
type heldRecord struct {
	patient                             testkit.Person
	pharmacist                          testkit.Person
	prescriptions, appointments, orders []string
	reports, observations               []string
	lists                               int
	rxOne                               string
}

// seedRecord gives a new patient what the demo patient has (two years of
// lab results, appointments past and upcoming, prescriptions verified and
// pending) plus an order and a list: every domain of a copy.
func seedRecord(t testing.TB, s *testkit.Server) heldRecord {
	t.Helper()
	ctx := context.Background()
	h := heldRecord{patient: s.NewPerson(t, access.RolePatient), pharmacist: s.NewPerson(t, access.RolePharmacist)}
	mgr, doc := s.NewPerson(t, access.RoleStoreManager), s.NewPerson(t, access.RoleClinician)
	asPatient := access.WithActor(ctx, access.Actor{ID: h.patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	var err error
	if h.appointments, err = demo.SeedAppointmentsFor(ctx, s.Services().Appointments, s.Clock, s.Tenant.ID, mgr.ID, doc.ID, h.patient.ID); err != nil {
		t.Fatal(err)
	}
	giveCare(t, s, s.Tenant, doc.ID, h.patient.ID)
	dctx := access.WithActor(ctx, access.Actor{ID: doc.ID, Role: access.RoleClinician, TenantID: s.Tenant.ID})
	if _, err := s.Services().Labs.EnterAll(dctx, s.Tenant.ID, demo.LabHistory(h.patient.ID, doc.ID, s.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	reps, _, _, err := s.Services().Labs.List(asPatient, s.Tenant.ID, h.patient.ID, labs.ListLimit)
	if err != nil || len(reps) == 0 {
		t.Fatalf("lab reports: %d %v", len(reps), err)
	}
	for _, r := range reps {
		h.reports = append(h.reports, r.ID)
		for _, o := range r.Observations {
			h.observations = append(h.observations, o.ID)
		}
	}
	p := &catalog.Product{Name: "Zetapril 10 mg", RequiresPrescription: true,
		Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 1000, Stock: 10}}}
	otc := &catalog.Product{Name: "Bandages", Variants: []catalog.Variant{{SKU: "SKU-" + id.New()[24:], Price: 499, Stock: 10}}}
	for _, pr := range []*catalog.Product{p, otc} {
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, pr); err != nil {
			t.Fatal(err)
		}
	}
	asPharmacist := access.WithActor(ctx, access.Actor{ID: h.pharmacist.ID, Role: access.RolePharmacist, TenantID: s.Tenant.ID})
	for i := range 2 {
		pr, err := s.Services().Rx.Submit(asPatient, s.Tenant.ID, h.patient.ID, rx.Submission{File: []byte("%PDF-1.4\n%%EOF\n")})
		if err != nil {
			t.Fatal(err)
		}
		h.prescriptions = append(h.prescriptions, pr.ID)
		if i == 0 {
			h.rxOne = pr.ID
			if _, err := s.Services().Rx.Decide(asPharmacist, s.Tenant.ID, pr.ID, rx.Verification{Version: 1, Drug: "Zetapril", Strength: "10 mg",
				Quantity: 30, Refills: 2, Prescriber: "Dr Ana Rivera", IssuedOn: "2026-11-01", ExpiresOn: "2027-11-01", DaysSupply: 30,
				VariantID: p.Variants[0].ID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	o, err := s.Services().Orders.Place(asPatient, orders.PlaceRequest{TenantID: s.Tenant.ID, UserID: h.patient.ID,
		Items:    []orders.ItemRef{{VariantID: otc.Variants[0].ID, Quantity: 2}},
		Address:  orders.Address{Name: "Pat Doe", Line1: "1 Main St", City: "Springfield", Region: "CA", PostalCode: "90001"},
		Shipping: "standard", Region: "CA", Gateway: "test", Brand: s.Tenant.Name, BaseURL: s.URL})
	if err != nil {
		t.Fatal(err)
	}
	h.orders = []string{o.ID}
	if _, err := s.Services().Lists.Create(asPatient, s.Tenant.ID, h.patient.ID, "Travel kit"); err != nil {
		t.Fatal(err)
	}
	ls, err := s.Services().Lists.All(asPatient, s.Tenant.ID, h.patient.ID)
	if err != nil {
		t.Fatal(err)
	}
	h.lists = len(ls)
	return h
}

var downloadLink = regexp.MustCompile(`/account/records/([0-9a-f-]{36})/download`)

// askForCopy asks for a copy as c, runs the build job, and returns the
// download's path from the page.
func askForCopy(t *testing.T, s *testkit.Server, c *http.Client, forID string) string {
	t.Helper()
	form := url.Values{}
	if forID != "" {
		form.Set("for", forID)
	}
	r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/account/records", form))
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/account/records?") {
		t.Fatalf("ask for a copy: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r, body := testkit.Do(t, c, s.NewRequest(t, "GET", r.Header.Get("Location"), nil))
	if r.StatusCode != http.StatusOK || r.Header.Get("Refresh") == "" || !strings.Contains(body, "<progress") ||
		!strings.Contains(body, "We are preparing your copy") {
		t.Fatalf("while preparing: %d refresh=%q\n%s", r.StatusCode, r.Header.Get("Refresh"), body)
	}
	if n, err := s.Services().Records.BuildPending(context.Background(), 10); err != nil || n != 1 {
		t.Fatalf("build: %d %v", n, err)
	}
	page := "/account/records"
	if forID != "" {
		page += "?for=" + forID
	}
	r, body = testkit.Do(t, c, s.NewRequest(t, "GET", page, nil))
	m := downloadLink.FindString(body)
	if r.StatusCode != http.StatusOK || m == "" || r.Header.Get("Refresh") != "" {
		t.Fatalf("when ready: %d refresh=%q\n%s", r.StatusCode, r.Header.Get("Refresh"), body)
	}
	return m
}

// download fetches a copy and returns its two files.
func download(t *testing.T, s *testkit.Server, c *http.Client, path string) (arch map[string]any, bundle []byte) {
	t.Helper()
	resp, err := c.Do(s.NewRequest(t, "GET", path, nil))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="health-record-`) {
		t.Fatalf("download: %d %v", resp.StatusCode, resp.Header)
	}
	a, b, err := records.Files(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(a, &arch); err != nil {
		t.Fatal(err)
	}
	return arch, b
}

// resourceIDs are a bundle's resource ids by type.
func resourceIDs(t *testing.T, bundle []byte) (string, map[string][]string) {
	t.Helper()
	var b struct {
		ResourceType, Type string
		Entry              []struct {
			FullURL  string `json:"fullUrl"`
			Resource struct{ ResourceType, ID string }
		}
	}
	if err := json.Unmarshal(bundle, &b); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, e := range b.Entry {
		if e.FullURL != "urn:uuid:"+e.Resource.ID {
			t.Errorf("entry %s has fullUrl %s", e.Resource.ID, e.FullURL)
		}
		out[e.Resource.ResourceType] = append(out[e.Resource.ResourceType], e.Resource.ID)
	}
	return b.Type, out
}

func sameIDs(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestRecordCopy is the right of access (164.524): the patient asks for a
// copy at /account/records, the page shows its progress (refreshing itself,
// no script) until the job has built it, and the download holds every
// record of the patient: in record.json, and in a FHIR R4 Bundle of type
// collection that the official R4 JSON schema accepts (Patient,
// Observation, DiagnosticReport, MedicationRequest, Appointment, the order
// as a DocumentReference). Request, build and download are audited; after 7
// days the file is deleted (audited) and the link is the plain 404. Both
// engines.
func TestRecordCopy(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		h := seedRecord(t, s)
		c := s.ClientAs(t, h.patient)
		link := askForCopy(t, s, c, "")
		arch, bundle := download(t, s, c, link)
		testkit.ValidateFHIR(t, bundle)
		// The validator does reject what is not FHIR: a bundle type and an
		// observation status outside their value sets.
		for _, bad := range [][2]string{{`"type": "collection"`, `"type": "heap"`}, {`"status": "final"`, `"status": "done"`}} {
			if !strings.Contains(string(bundle), bad[0]) {
				t.Fatalf("the bundle has no %s", bad[0])
			}
			if testkit.CheckFHIR([]byte(strings.Replace(string(bundle), bad[0], bad[1], 1))) == nil {
				t.Errorf("the validator accepts a bundle with %s", bad[1])
			}
		}
		typ, ids := resourceIDs(t, bundle)
		if typ != "collection" {
			t.Errorf("bundle type %q", typ)
		}
		for what, c := range map[string]struct{ got, want []string }{
			"Patient":           {ids["Patient"], []string{h.patient.ID}},
			"MedicationRequest": {ids["MedicationRequest"], h.prescriptions},
			"Appointment":       {ids["Appointment"], h.appointments},
			"DiagnosticReport":  {ids["DiagnosticReport"], h.reports},
			"Observation":       {ids["Observation"], h.observations},
			"DocumentReference": {ids["DocumentReference"], h.orders},
		} {
			if !sameIDs(c.got, c.want) {
				t.Errorf("%s in the bundle: %v, want %v", what, c.got, c.want)
			}
		}
		counts, _ := arch["counts"].(map[string]any)
		want := map[string]float64{"profile": 1, "orders": float64(len(h.orders)), "prescriptions": float64(len(h.prescriptions)),
			"appointments": float64(len(h.appointments)), "lab_results": float64(len(h.reports)), "lists": float64(h.lists),
			"dashboard_layout": 1}
		for k, n := range want {
			if counts[k] != n {
				t.Errorf("record.json counts %s = %v, want %v (all: %v)", k, counts[k], n, counts)
			}
		}
		if arch["format"] != records.ArchiveFormat || arch["patient_id"] != h.patient.ID {
			t.Errorf("record.json: %v %v", arch["format"], arch["patient_id"])
		}
		sections, _ := arch["sections"].(map[string]any)
		if prof, _ := sections["profile"].(map[string]any); prof["email"] != h.patient.Email {
			t.Errorf("profile section: %v", sections["profile"])
		}

		evs := subjectEvents(t, s, h.patient.ID)
		for _, action := range []string{"records.export.request", "records.export.build", "records.export.download"} {
			if !testkit.HasEvent(evs, action, audit.Allowed) {
				t.Errorf("no %s event", action)
			}
		}

		// Seven days later the purge job deletes it: the link is the same
		// 404 as a made-up one, and the deletion is audited.
		s.Clock.Advance(records.Keep + time.Minute)
		if n, err := s.Services().Records.Purge(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		var left int
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM record_exports`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d exports left, %v", left, err)
		}
		ctx := access.WithActor(context.Background(), access.Actor{ID: h.patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		m := downloadLink.FindStringSubmatch(link)
		if _, _, err := s.Services().Records.Download(ctx, s.Tenant.ID, m[1]); err == nil {
			t.Fatal("an expired copy was still served")
		}
		if !testkit.HasEvent(subjectEvents(t, s, h.patient.ID), "records.export.delete", audit.Allowed) {
			t.Error("no records.export.delete event")
		}
	})
}

// subjectEvents are the audit events about a person.
func subjectEvents(t testing.TB, s *testkit.Server, subject string) []audit.Record {
	t.Helper()
	recs, err := s.AuditLog().Find(context.Background(), audit.Query{TenantID: s.Tenant.ID, Subject: subject, Limit: 5000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestRecordCopyForAProxy: a proxy granted only prescriptions gets a copy
// with only the prescriptions (and the bundle still validates); the
// patient's own copy is not theirs to download, nor theirs the patient's;
// a person with no grant asking for someone's copy gets the plain 404.
// Both engines.
func TestRecordCopyForAProxy(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		h := seedRecord(t, s)
		proxy, stranger := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		asPatient := access.WithActor(context.Background(), access.Actor{ID: h.patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		if err := s.Services().Grants.GrantProxy(asPatient, proxy.Email, []string{"rx"}); err != nil {
			t.Fatal(err)
		}
		s.Services().After.Wait()
		pc, sc, own := s.ClientAs(t, proxy), s.ClientAs(t, stranger), s.ClientAs(t, h.patient)
		link := askForCopy(t, s, pc, h.patient.ID)
		arch, bundle := download(t, s, pc, link)
		testkit.ValidateFHIR(t, bundle)
		_, ids := resourceIDs(t, bundle)
		if len(ids) != 1 || !sameIDs(ids["MedicationRequest"], h.prescriptions) {
			t.Errorf("a proxy with the rx grant got %v", ids)
		}
		sections, _ := arch["sections"].(map[string]any)
		if len(sections) != 1 || sections["prescriptions"] == nil {
			t.Errorf("a proxy's record.json sections: %v", sections)
		}
		_, notFound := get(t, sc, s.NewRequest(t, "GET", "/no/such/page", nil))
		for name, c := range map[string]*http.Client{"the patient": own, "a stranger": sc} {
			r, body := get(t, c, s.NewRequest(t, "GET", link, nil))
			if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
				t.Errorf("%s downloads the proxy's copy: %d", name, r.StatusCode)
			}
		}
		for _, req := range []*http.Request{s.NewRequest(t, "POST", "/account/records", url.Values{"for": {h.patient.ID}}),
			s.NewRequest(t, "GET", "/account/records?for="+h.patient.ID, nil)} {
			r, body := get(t, sc, req)
			if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
				t.Errorf("a stranger %s %s: %d", req.Method, req.URL.Path, r.StatusCode)
			}
		}
		if !testkit.HasEvent(subjectEvents(t, s, h.patient.ID), "records.export.request", audit.Denied) {
			t.Error("the stranger's request is not audited as denied")
		}
	})
}

// TestAccessLogShowsAPharmacistsRead is 164.528's "who accessed my record":
// a pharmacist opens the patient's prescription, and within a second the
// patient's /account/access-log names them (role and name), what they did
// and why, newest first; the log pages by 50. A proxy sees it only with the
// access history granted; anyone else gets the plain 404. Both engines.
func TestAccessLogShowsAPharmacistsRead(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient, pharmacist := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePharmacist)
		asPatient := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		pr, err := s.Services().Rx.Submit(asPatient, s.Tenant.ID, patient.ID, rx.Submission{File: []byte("%PDF-1.4\n%%EOF\n")})
		if err != nil {
			t.Fatal(err)
		}
		pc := s.ClientAs(t, patient)
		r, _ := get(t, s.ClientAs(t, pharmacist), s.NewRequest(t, "GET", "/staff/prescriptions/"+pr.ID, nil))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("the pharmacist's read: %d", r.StatusCode)
		}
		read := time.Now()
		r, body := get(t, pc, s.NewRequest(t, "GET", "/account/access-log", nil))
		if took := time.Since(read); took > time.Second {
			t.Errorf("the access log took %v to show the read", took)
		}
		rows := accessRows(body)
		if r.StatusCode != http.StatusOK || len(rows) < 3 {
			t.Fatalf("access log: %d %v\n%s", r.StatusCode, rows, body)
		}
		if want := []string{"You", "Viewed access history", "Your own request"}; !slices.Equal(rows[0][1:], want) {
			t.Errorf("newest row %v, want %v", rows[0], want)
		}
		if want := []string{"Pharmacist Test Person", "Viewed prescriptions", "Treatment"}; !slices.Equal(rows[1][1:], want) {
			t.Errorf("the pharmacist's read shows as %v, want %v", rows[1], want)
		}
		if !slices.ContainsFunc(rows, func(r []string) bool { return r[1] == "You" && r[2] == "Changed prescriptions" }) {
			t.Errorf("the patient's own upload is not in %v", rows)
		}

		// Paged by 50, newest first, the older page linked.
		for range 60 {
			if _, err := s.Services().Rx.List(asPatient, s.Tenant.ID, patient.ID); err != nil {
				t.Fatal(err)
			}
		}
		_, body = get(t, pc, s.NewRequest(t, "GET", "/account/access-log", nil))
		first := accessRows(body)
		older := regexp.MustCompile(`href="(/account/access-log\?before=\d+)"`).FindStringSubmatch(body)
		if len(first) != 50 || older == nil {
			t.Fatalf("first page: %d rows, older link %v", len(first), older)
		}
		_, body = get(t, pc, s.NewRequest(t, "GET", older[1], nil))
		second := accessRows(body)
		if len(second) == 0 || len(second) > 50 || second[0][0] > first[49][0] || !strings.Contains(body, "Back to the latest entries") {
			t.Fatalf("second page: %d rows", len(second))
		}

		// A proxy with the access history, one without, another patient.
		withAudit, withoutAudit, other := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
		for who, scopes := range map[string][]string{withAudit.Email: {"audit"}, withoutAudit.Email: {"rx"}} {
			if err := s.Services().Grants.GrantProxy(asPatient, who, scopes); err != nil {
				t.Fatal(err)
			}
		}
		s.Services().After.Wait()
		for _, c := range []struct {
			who  testkit.Person
			want int
		}{{withAudit, http.StatusOK}, {withoutAudit, http.StatusNotFound}, {other, http.StatusNotFound}} {
			cl := s.ClientAs(t, c.who)
			_, notFound := get(t, cl, s.NewRequest(t, "GET", "/no/such/page", nil))
			for _, path := range []string{"/account/access-log?for=" + patient.ID, "/account/access-log/disclosures.csv?for=" + patient.ID} {
				r, body := get(t, cl, s.NewRequest(t, "GET", path, nil))
				if r.StatusCode != c.want || (c.want == http.StatusNotFound && strip(body) != strip(notFound)) {
					t.Errorf("%s as %s: %d, want %d", path, c.who.Email, r.StatusCode, c.want)
				}
			}
		}
		_, body = get(t, pc, s.NewRequest(t, "GET", "/account/access-log", nil))
		if !slices.ContainsFunc(accessRows(body), func(r []string) bool { return r[1] == "Your proxy Test Person" && r[2] == "Viewed access history" }) {
			t.Errorf("the proxy's view is not named in %v", accessRows(body)[:5])
		}
	})
}

var accessRow = regexp.MustCompile(`<td data-label="When">([^<]*)</td>\s*<td data-label="Who">([^<]*)</td>\s*<td data-label="What">([^<]*?)(?: <span[^<]*</span>)?</td>\s*<td data-label="Why">([^<]*)</td>`)

// accessRows are the rows of the access log in a page: when, who, what, why.
func accessRows(body string) [][]string {
	var out [][]string
	for _, m := range accessRow.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1:])
	}
	return out
}

// TestDisclosuresAreAccounted: staff record a disclosure to an outside
// party at /staff/patients/{id}/disclosures (bad input: each field's error,
// nothing stored; a role or a clinician without care who may not: the plain
// 404); the patient sees it in the accounting on /account/access-log and
// downloads it as CSV, a formula typed by staff defused. Both engines.
func TestDisclosuresAreAccounted(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient, pharmacist := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePharmacist)
		doc, mgr := s.NewPerson(t, access.RoleClinician), s.NewPerson(t, access.RoleStoreManager)
		path := "/staff/patients/" + patient.ID + "/disclosures"
		count := func() int {
			var n int
			if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM disclosures`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		phc := s.ClientAs(t, pharmacist)
		r, body := get(t, phc, s.NewRequest(t, "GET", path, nil))
		if r.StatusCode != http.StatusOK || !strings.Contains(body, `name="recipient"`) {
			t.Fatalf("form: %d", r.StatusCode)
		}
		future := s.Clock.Now().AddDate(0, 0, 2).Format("2006-01-02")
		r, body = get(t, phc, s.NewRequest(t, "POST", path, url.Values{"recipient": {""}, "purpose": {"Lab order"}, "sent": {"x"}, "date": {future}}))
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-recipient-error"`) ||
			!strings.Contains(body, `id="f-date-error"`) || !strings.Contains(body, `value="Lab order"`) || count() != 0 {
			t.Fatalf("bad input: %d, %d stored\n%s", r.StatusCode, count(), body)
		}
		good := url.Values{"recipient": {"=HYPERLINK(\"x\") Quest Lab, 1 Lab Way"}, "purpose": {"Lab testing ordered by the clinician"},
			"sent": {"Name, date of birth and the tests ordered"}, "date": {s.Clock.Now().Format("2006-01-02")}}
		for _, who := range []testkit.Person{doc, mgr} {
			c := s.ClientAs(t, who)
			_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			r, body := get(t, c, s.NewRequest(t, "POST", path, good))
			if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) || count() != 0 {
				t.Errorf("%s records a disclosure: %d", who.Role, r.StatusCode)
			}
		}
		r, _ = get(t, phc, s.NewRequest(t, "POST", path, good))
		if r.StatusCode != http.StatusSeeOther || count() != 1 {
			t.Fatalf("record: %d, %d stored", r.StatusCode, count())
		}
		// Sealed: the recipient is nowhere in the row in the clear.
		var ct []byte
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT details_ct FROM disclosures`).Scan(&ct); err != nil || strings.Contains(string(ct), "Quest") {
			t.Fatalf("details not sealed: %v", err)
		}
		pc := s.ClientAs(t, patient)
		_, body = get(t, pc, s.NewRequest(t, "GET", "/account/access-log", nil))
		if !strings.Contains(body, "Quest Lab, 1 Lab Way") || !strings.Contains(body, "Lab testing ordered by the clinician") {
			t.Errorf("the accounting does not list the disclosure")
		}
		r, body = get(t, pc, s.NewRequest(t, "GET", "/account/access-log/disclosures.csv", nil))
		if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") ||
			!strings.Contains(body, `'=HYPERLINK(""x"") Quest Lab, 1 Lab Way`) || !strings.Contains(body, "Test Person") {
			t.Errorf("CSV: %d %q", r.StatusCode, body)
		}
		if !testkit.HasEvent(subjectEvents(t, s, patient.ID), "disclosure.create", audit.Denied) ||
			!testkit.HasEvent(subjectEvents(t, s, patient.ID), "disclosure.list", audit.Allowed) {
			t.Error("the disclosure's recording, refusal or reading is not audited")
		}
	})
}

// TestRightsObjectMatrix opens one patient's copy, access log, accounting
// and disclosure form as every kind of person: the patient, a proxy granted
// the access history and contact details, a proxy granted orders only,
// another patient, every staff role, and people of another tenant. Each
// gets what the rules give them; everyone else exactly the 404 of a page
// that does not exist as they see it (another tenant's session: the
// sign-in).
func TestRightsObjectMatrix(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	ctx := context.Background()
	patient := s.NewPerson(t, access.RolePatient)
	asPatient := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
	people := map[string]testkit.Person{"patient": patient, "other patient": s.NewPerson(t, access.RolePatient)}
	for name, scopes := range map[string][]string{"proxy with history": {"audit", "contact"}, "proxy with orders": {"orders"}} {
		p := s.NewPerson(t, access.RolePatient)
		if err := s.Services().Grants.GrantProxy(asPatient, p.Email, scopes); err != nil {
			t.Fatal(err)
		}
		people[name] = p
	}
	s.Services().After.Wait()
	for _, r := range access.Roles {
		if r.Staff() {
			people[string(r)] = s.NewPerson(t, r)
		}
	}
	other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
		Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
	if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
		t.Fatal(err)
	}
	people["other tenant's patient"] = s.NewPersonIn(t, other, access.RolePatient)
	people["other tenant's pharmacist"] = s.NewPersonIn(t, other, access.RolePharmacist)
	exp, err := s.Services().Records.Request(asPatient, s.Tenant.ID, patient.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Services().Records.BuildPending(ctx, 10); err != nil || n != 1 {
		t.Fatalf("build: %d %v", n, err)
	}
	disclosure := url.Values{"recipient": {"Quest Lab"}, "purpose": {"Lab testing"}, "sent": {"Name and tests"}}
	type probe struct {
		method, path string
		form         url.Values
		allowed      []string
	}
	history := []string{"patient", "proxy with history"}
	probes := []probe{
		{"GET", "/account/records?for=" + patient.ID, nil, []string{"patient", "proxy with history", "proxy with orders"}},
		{"POST", "/account/records", url.Values{"for": {patient.ID}}, []string{"patient", "proxy with history", "proxy with orders"}},
		{"GET", "/account/records/" + exp.ID + "/download", nil, []string{"patient"}},
		{"GET", "/account/access-log?for=" + patient.ID, nil, history},
		{"GET", "/account/access-log/disclosures.csv?for=" + patient.ID, nil, history},
		{"POST", "/staff/patients/" + patient.ID + "/disclosures", disclosure,
			[]string{string(access.RolePharmacist), string(access.RoleCustomerService), string(access.RoleFulfillment)}},
	}
	for name, who := range people {
		c := s.ClientAs(t, who)
		_, notFound := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, pb := range probes {
			r, body := get(t, c, s.NewRequest(t, pb.method, pb.path, pb.form))
			switch {
			case who.TenantID == other.ID:
				if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
					t.Errorf("%s %s × %s: %d %s, want the sign-in", pb.method, pb.path, name, r.StatusCode, r.Header.Get("Location"))
				}
			case slices.Contains(pb.allowed, name):
				if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusSeeOther {
					t.Errorf("%s %s × %s: %d, want it allowed", pb.method, pb.path, name, r.StatusCode)
				}
			default:
				if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
					t.Errorf("%s %s × %s: %d, want the plain 404", pb.method, pb.path, name, r.StatusCode)
				}
			}
		}
	}
}
