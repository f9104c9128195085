package server_test

// Issue 16 part 5, finished: an accepted correction changes the record
// itself (lab result, prescription), wherever it is read, and the old
// value stays in the amendment history. Both engines, the real HTTP
// server.

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// widgetHTML is one dashboard widget's markup: from its item to the next
// widget's.
func widgetHTML(t *testing.T, page, key string) string {
	t.Helper()
	i := strings.Index(page, `id="widget-`+key+`"`)
	if i < 0 {
		t.Fatalf("no %s widget on the dashboard", key)
	}
	rest := page[i+1:]
	if j := strings.Index(rest, `<li class="widget"`); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// TestAcceptedCorrectionChangesTheRecord: a patient asks to correct an
// HbA1c of 8.1 % (flagged high) with a proposal that is no number; the
// clinician's acceptance without a value is refused on the field and
// changes nothing (the request still waits, the record still reads 8.1);
// accepted with the value 5.2, the record reads 5.2 % with no flag on the
// result page, the trend, the dashboard widget, the staff view and the
// FHIR bundle of the copy of the record, while the history keeps 8.1. The
// same for a prescription's strength, accepted by the pharmacist.
func TestAcceptedCorrectionChangesTheRecord(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		pharmacist := s.NewPerson(t, access.RolePharmacist)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		rep := hba1c(t, s, doc.ID, patient.ID, 8.1)
		obs := rep.Observations[0].ID
		pc, dc, rc := s.ClientAs(t, patient), s.ClientAs(t, doc), s.ClientAs(t, pharmacist)
		me := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})

		// Opened once (no longer new): the widget's badge is the flag.
		testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+rep.ID, nil))
		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil)); !strings.Contains(widgetHTML(t, body, "lab_results"), "High") {
			t.Fatal("before the correction the widget does not flag the result high")
		}

		lab := requestCorrection(t, s, patient, rep, "about five point two")
		r, body := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+lab+"/accept", url.Values{}))
		if r.StatusCode == 303 || !strings.Contains(body, "Type the corrected value as a number in %") {
			t.Fatalf("accepting a value that is no number: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/amendments/"+lab, nil)); !strings.Contains(body, "Waiting for a decision") {
			t.Fatal("a refused acceptance did not leave the request waiting")
		}
		if again, err := s.Services().Labs.Get(me, s.Tenant.ID, rep.ID); err != nil || again.Observations[0].Value != 8.1 {
			t.Fatalf("a refused acceptance changed the record: %v", err)
		}
		if r, _ := testkit.Do(t, dc, s.NewRequest(t, "POST", "/staff/amendments/"+lab+"/accept", url.Values{"value": {"5.2 %"}})); r.StatusCode != 303 {
			t.Fatalf("accept with the value: %d", r.StatusCode)
		}

		// The record itself.
		got, err := s.Services().Labs.Get(me, s.Tenant.ID, rep.ID)
		if err != nil || got.Observations[0].Value != 5.2 || got.Observations[0].Flag != labs.Normal {
			t.Fatalf("the stored report after the correction: %+v %v", got, err)
		}
		// The result page: the new value, marked, with the old; the history.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+rep.ID, nil))
		if !strings.Contains(body, `<strong>5.2 %</strong> <span class="badge">Corrected</span> <span class="muted">(was 8.1 %)</span>`) ||
			!strings.Contains(body, "it now reads <strong>5.2 %</strong>; it read 8.1 % before") {
			t.Fatal("the result page does not show the corrected value with the old one in its history")
		}
		// The trend reads the record: the new value only.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/results/"+rep.ID+"/trend/"+obs, nil))
		if !strings.Contains(body, "5.2") || strings.Contains(body, "8.1") {
			t.Fatal("the trend does not show the corrected value")
		}
		// The widget: no longer flagged.
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil))
		if w := widgetHTML(t, body, "lab_results"); strings.Contains(w, "High") || !strings.Contains(w, "Glycated haemoglobin") {
			t.Fatalf("the widget after the correction: %s", w)
		}
		// The staff view of the patient.
		_, body = testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/patients/"+patient.ID, nil))
		if !strings.Contains(body, "Now 5.2 % (was 8.1 %)") {
			t.Error("the staff view of the patient does not show the correction")
		}

		// A prescription's strength, corrected by the pharmacist.
		prod := &catalog.Product{Name: "Metformin 500 mg", RequiresPrescription: true,
			Variants: []catalog.Variant{{SKU: "MET-" + id.New()[24:], Price: 900, Stock: 10}}}
		if err := s.Catalog().SaveProduct(ctx, s.Tenant.ID, prod); err != nil {
			t.Fatal(err)
		}
		ph := access.WithActor(ctx, access.Actor{ID: pharmacist.ID, Role: access.RolePharmacist, TenantID: s.Tenant.ID})
		p, err := s.Services().Rx.Submit(me, s.Tenant.ID, patient.ID, rx.Submission{File: []byte("%PDF-1.4\n%%EOF\n")})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Services().Rx.Decide(ph, s.Tenant.ID, p.ID, rx.Verification{Version: 1, Drug: "Metformin", Strength: "500 mg",
			Quantity: 60, Refills: 2, Prescriber: "Dr Ana Rivera", IssuedOn: "2026-11-01", ExpiresOn: "2027-11-01", DaysSupply: 30, VariantID: prod.Variants[0].ID}); err != nil {
			t.Fatal(err)
		}
		r, _ = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/amendments", url.Values{"kind": {"prescription"}, "record": {p.ID},
			"field": {"strength"}, "proposed": {"850 mg"}, "reason": {"My prescriber wrote 850 mg."}}))
		m := amendmentLink.FindStringSubmatch(r.Header.Get("Location"))
		if m == nil {
			t.Fatalf("request: %d", r.StatusCode)
		}
		if r, _ := testkit.Do(t, rc, s.NewRequest(t, "POST", "/staff/amendments/"+m[1]+"/accept", url.Values{})); r.StatusCode != 303 {
			t.Fatalf("the pharmacist accepting: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/amendments/"+m[1], nil)); !strings.Contains(body, `<dd id="amend-applied">850 mg</dd>`) {
			t.Error("the request's page does not say what the record now reads")
		}
		if got, err := s.Services().Rx.Get(me, s.Tenant.ID, p.ID); err != nil || got.Strength != "850 mg" || got.Drug != "Metformin" {
			t.Fatalf("the stored prescription after the correction: %+v %v", got, err)
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/prescriptions", nil))
		if !strings.Contains(body, "Metformin 850 mg") || !strings.Contains(body, "it now reads <strong>850 mg</strong>; it read 500 mg before") {
			t.Error("the prescriptions page does not show the corrected strength with the old one in its history")
		}
		_, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil))
		if w := widgetHTML(t, body, "prescriptions"); !strings.Contains(w, "Metformin 850 mg") || strings.Contains(w, "500 mg") {
			t.Errorf("the prescriptions widget after the correction: %s", w)
		}

		// The FHIR bundle of a copy of the record: the corrected values.
		_, bundle := download(t, s, pc, askForCopy(t, s, pc, ""))
		if !regexp.MustCompile(`"value":\s*5\.2\b`).Match(bundle) || regexp.MustCompile(`"value":\s*8\.1\b`).Match(bundle) {
			t.Error("the FHIR bundle does not carry the corrected lab value")
		}
		if !strings.Contains(string(bundle), "Metformin 850 mg") || strings.Contains(string(bundle), "Metformin 500 mg") {
			t.Error("the FHIR bundle does not carry the corrected prescription")
		}
		recs := auditOf(t, s, patient.ID)
		for _, a := range []string{"lab_report.amend", "rx.amend", "amendment.accept"} {
			if !hasAction(recs, a) {
				t.Errorf("no %s in the audit log", a)
			}
		}
	})
}
