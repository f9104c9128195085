package staff_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

var pngFile = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{7}, 200)...)

// upload posts a prescription file as the patient's browser does.
func upload(t *testing.T, s *testkit.Server, c *http.Client, name string, data []byte) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := s.NewRequest(t, "POST", "/account/prescriptions", nil)
	req.Body, req.ContentLength = io.NopCloser(&buf), int64(buf.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return testkit.Do(t, c, req)
}

var queueLink = regexp.MustCompile(`href="/staff/prescriptions/([0-9a-f-]{36})"`)

// pendingID returns the id of the first prescription in the pharmacist's
// queue.
func pendingID(t *testing.T, s *testkit.Server, rxc *http.Client) string {
	t.Helper()
	r, body := testkit.Do(t, rxc, s.NewRequest(t, "GET", "/staff/prescriptions", nil))
	m := queueLink.FindStringSubmatch(body)
	if r.StatusCode != 200 || m == nil {
		t.Fatalf("queue: %d\n%s", r.StatusCode, body)
	}
	return m[1]
}

func verifyForm(variantID, version string) url.Values {
	return url.Values{"version": {version}, "variant": {variantID}, "drug": {"Zetapril"}, "strength": {"10 mg"}, "quantity": {"30"},
		"refills": {"2"}, "days_supply": {"30"}, "prescriber": {"Dr Ana Rivera"}, "issued_on": {"2026-11-01"}, "expires_on": {"2027-11-01"}}
}

// verifyPrescription has the patient upload a prescription and a
// pharmacist verify it for the variant, through the pages.
func verifyPrescription(t *testing.T, s *testkit.Server, pc, rxc *http.Client, variantID string) string {
	t.Helper()
	if r, body := upload(t, s, pc, "scan.png", pngFile); r.StatusCode != 303 {
		t.Fatalf("upload: %d\n%s", r.StatusCode, body)
	}
	id := pendingID(t, s, rxc)
	r, body := testkit.Do(t, rxc, s.NewRequest(t, "POST", "/staff/prescriptions/"+id+"/verify", verifyForm(variantID, "1")))
	if r.StatusCode != 303 {
		t.Fatalf("verify: %d\n%s", r.StatusCode, body)
	}
	return id
}

// TestPrescriptionPages walks a prescription through the pages with real
// sign-ins: a renamed executable and an 11 MB file are refused with a clear
// error and store nothing; a PNG is uploaded; the pharmacist opens it from
// the queue (served as image/png, no-store, audited), verifies it and the
// patient's waiting order moves on; fulfilment's order page shows neither
// the paper nor the prescriber, and the paper is the plain 404 to everyone
// but pharmacists; the patient refills it into the cart.
func TestPrescriptionPages(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		v := product(t, s, s.Tenant.ID, "Zetapril Insulin Pen", true)
		patient := s.NewPerson(t, access.RolePatient)
		pc := s.ClientAs(t, patient)
		rxc := s.ClientAs(t, s.NewPerson(t, access.RolePharmacist))
		fc := s.ClientAs(t, s.NewPerson(t, access.RoleFulfillment))
		count := func() int {
			var n int
			if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT (SELECT COUNT(*) FROM rx_prescriptions) + (SELECT COUNT(*) FROM rx_uploads)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		r, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/prescriptions", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "No prescriptions yet") || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("empty page: %d", r.StatusCode)
		}
		for name, data := range map[string][]byte{
			"setup.pdf":  append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 500)...),
			"big.pdf":    append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte{'x'}, 11<<20)...),
			"script.png": []byte("<script>alert(1)</script>"),
		} {
			r, body := upload(t, s, pc, name, data)
			if r.StatusCode != 422 || !strings.Contains(body, `id="f-file-error"`) {
				t.Errorf("%s: %d, want the form again with the file's error", name, r.StatusCode)
			}
			if name == "big.pdf" && !strings.Contains(body, "at most 10 MB") {
				t.Errorf("the 11 MB file's error does not say the limit")
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("bad uploads stored %d rows", n)
		}

		orderID := buy(t, s, pc, v.ID, "test")
		if r, body := upload(t, s, pc, "scan.png", pngFile); r.StatusCode != 303 {
			t.Fatalf("upload: %d\n%s", r.StatusCode, body)
		}
		id := pendingID(t, s, rxc)
		r, body = testkit.Do(t, rxc, s.NewRequest(t, "GET", "/staff/prescriptions/"+id, nil))
		if r.StatusCode != 200 || !strings.Contains(body, "/staff/prescriptions/"+id+"/document") || !strings.Contains(body, "Zetapril Insulin Pen") {
			t.Fatalf("prescription page: %d\n%s", r.StatusCode, body)
		}
		r, body = testkit.Do(t, rxc, s.NewRequest(t, "GET", "/staff/prescriptions/"+id+"/document", nil))
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("Cache-Control") != "no-store" ||
			r.Header.Get("X-Content-Type-Options") != "nosniff" || body != string(pngFile) {
			t.Fatalf("document: %d %s %s", r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
		}
		// A bad verification shows each field's error and changes nothing.
		bad := verifyForm(v.ID, "1")
		bad.Set("drug", "")
		bad.Set("expires_on", "2020-01-01")
		r, body = testkit.Do(t, rxc, s.NewRequest(t, "POST", "/staff/prescriptions/"+id+"/verify", bad))
		if r.StatusCode != 422 || !strings.Contains(body, `id="f-drug-error"`) || !strings.Contains(body, `id="f-expires_on-error"`) {
			t.Fatalf("bad verification: %d", r.StatusCode)
		}
		if st, _ := row(t, s, orderID); st != "awaiting_rx" {
			t.Fatalf("before verification: %s", st)
		}
		// Two pharmacists at once: one decision is kept, the other is told.
		rxc2 := s.ClientAs(t, s.NewPerson(t, access.RolePharmacist))
		codes := make([]int, 2)
		var wg sync.WaitGroup
		for i, c := range []*http.Client{rxc, rxc2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, _ := testkit.Do(t, c, s.NewRequest(t, "POST", "/staff/prescriptions/"+id+"/verify", verifyForm(v.ID, "1")))
				codes[i] = r.StatusCode
			}()
		}
		wg.Wait()
		if slices.Sort(codes); codes[0] != 303 || codes[1] != 409 {
			t.Fatalf("two pharmacists verifying: %v, want one 303 and one 409", codes)
		}
		if st, _ := row(t, s, orderID); st != "ready" {
			t.Fatalf("the waiting order did not move on: %s", st)
		}

		// Fulfilment: the order page has neither the paper nor the prescriber,
		// and the paper and the prescription are the plain 404.
		_, notFound := testkit.Do(t, fc, s.NewRequest(t, "GET", "/no/such/page", nil))
		r, body = testkit.Do(t, fc, s.NewRequest(t, "GET", "/staff/orders/"+orderID, nil))
		if r.StatusCode != 200 || strings.Contains(body, "Ana Rivera") || strings.Contains(body, "/staff/prescriptions/") ||
			strings.Contains(body, "/document") {
			t.Fatalf("fulfilment's order page: %d", r.StatusCode)
		}
		for _, path := range []string{"/staff/prescriptions/" + id + "/document", "/staff/prescriptions/" + id, "/staff/prescriptions"} {
			r, body := testkit.Do(t, fc, s.NewRequest(t, "GET", path, nil))
			if r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("fulfilment %s: %d", path, r.StatusCode)
			}
		}
		// Another patient: the same 404 for the refill of someone else's.
		other := s.ClientAs(t, s.NewPerson(t, access.RolePatient))
		_, otherNotFound := testkit.Do(t, other, s.NewRequest(t, "GET", "/no/such/page", nil))
		r, body = testkit.Do(t, other, s.NewRequest(t, "POST", "/account/prescriptions/"+id+"/refill", url.Values{}))
		if r.StatusCode != 404 || strip(body) != strip(otherNotFound) {
			t.Errorf("another patient's refill: %d", r.StatusCode)
		}

		// The patient sees it verified, with fills left, and refills it.
		r, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/prescriptions", nil))
		if r.StatusCode != 200 || !strings.Contains(body, "Zetapril 10 mg") || !strings.Contains(body, "Verified") ||
			!strings.Contains(body, "/account/prescriptions/"+id+"/refill") {
			t.Fatalf("patient's page: %d\n%s", r.StatusCode, body)
		}
		r, _ = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/prescriptions/"+id+"/refill", url.Values{}))
		if r.StatusCode != 303 || r.Header.Get("Location") != "/cart" {
			t.Fatalf("refill: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/cart", nil)); !strings.Contains(body, "Zetapril Insulin Pen") {
			t.Fatal("the refill is not in the cart")
		}

		// A rejection: the patient reads the reason.
		if r, _ := upload(t, s, pc, "blurry.png", pngFile); r.StatusCode != 303 {
			t.Fatal("second upload")
		}
		id2 := pendingID(t, s, rxc)
		r, _ = testkit.Do(t, rxc, s.NewRequest(t, "POST", "/staff/prescriptions/"+id2+"/reject", url.Values{"version": {"1"},
			"reason": {"The photo is unreadable: upload a sharper one."}}))
		if r.StatusCode != 303 {
			t.Fatalf("reject: %d", r.StatusCode)
		}
		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/prescriptions", nil)); !strings.Contains(body, "The photo is unreadable: upload a sharper one.") {
			t.Fatal("the patient does not see the reason")
		}
	})
}
