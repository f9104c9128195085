package server_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// recordReviewWithFile posts the "Record a review" form with a file, as
// the browser sends it (multipart).
func recordReviewWithFile(t *testing.T, s *testkit.Server, kind reviews.Kind, evidence, name string, data []byte) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("kind", string(kind))
	_ = mw.WriteField("evidence", evidence)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(data)
	_ = mw.Close()
	req := s.NewRequest(t, "POST", "/admin/compliance/reviews", nil)
	req.Body = io.NopCloser(&b)
	req.ContentLength = int64(b.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return req
}

// TestReviewEvidenceFiles: a review completion carries an evidence file,
// checked by its content. A renamed executable (an ELF binary called
// drill.pdf), an HTML page called notes.txt and a file over 10 MB are
// refused with the field's error and nothing is recorded; a PDF is kept
// sealed (not in the clear in the PHI store), listed in the history with
// its type and size, and downloads byte for byte for the compliance officer
// and an admin (each download audited as review.evidence_file); a
// pharmacist, a patient, another tenant's completion, a completion without
// a file and a made-up id are the plain 404.
func TestReviewEvidenceFiles(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		officer := s.NewPerson(t, access.RoleCompliance)
		comp := s.ClientAs(t, officer)
		oc := access.WithActor(ctx, access.Actor{ID: officer.ID, Role: access.RoleCompliance, TenantID: s.Tenant.ID})
		count := func() int {
			done, err := s.Services().Reviews.Completions(oc, s.Tenant.ID, 100)
			if err != nil {
				t.Fatal(err)
			}
			return len(done)
		}

		elf := append([]byte("\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00"), bytes.Repeat([]byte{0, 1, 2, 3}, 64)...)
		for name, data := range map[string][]byte{"drill.pdf": elf, "notes.txt": []byte("<!DOCTYPE html><script>alert(1)</script>"),
			"big.pdf": append([]byte("%PDF-1.7\n"), make([]byte, reviews.MaxFile)...)} {
			r, body := get(t, comp, recordReviewWithFile(t, s, reviews.RestoreDrill, "restore drill of "+name, name, data))
			if r.StatusCode != 422 || !strings.Contains(body, "review-file-error") || !strings.Contains(body, "restore drill of "+name) {
				t.Errorf("%s: %d (want 422 with the file's error and the evidence kept)", name, r.StatusCode)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("after refused files: %d completions", n)
		}

		pdf := []byte("%PDF-1.4\n% restore drill output: 3 stores restored, audit chain verified SECRET-MARKER\n%%EOF\n")
		if r, _ := get(t, comp, recordReviewWithFile(t, s, reviews.RestoreDrill, "restored last night's backup", "drill.PDF", pdf)); r.StatusCode != 303 {
			t.Fatalf("record with a PDF: %d", r.StatusCode)
		}
		csv := []byte("account,role,confirmed\nab12,pharmacist,yes\n")
		if r, _ := get(t, comp, recordReviewWithFile(t, s, reviews.RiskAssessment, "risk register", "register.csv", csv)); r.StatusCode != 303 {
			t.Fatalf("record with a CSV: %d", r.StatusCode)
		}
		done, err := s.Services().Reviews.Completions(oc, s.Tenant.ID, 10)
		if err != nil || len(done) != 2 {
			t.Fatalf("completions: %d %v", len(done), err)
		}
		byKind := map[reviews.Kind]reviews.Completion{}
		for _, c := range done {
			byKind[c.Kind] = c
		}
		drill, risk := byKind[reviews.RestoreDrill], byKind[reviews.RiskAssessment]
		if drill.FileType != reviews.FilePDF || drill.FileSize != int64(len(pdf)) || risk.FileType != reviews.FileCSV {
			t.Fatalf("kept as %q %d, %q", drill.FileType, drill.FileSize, risk.FileType)
		}
		// Sealed: the bytes are not in the PHI store in the clear.
		var raw []byte
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(ctx), `SELECT file_ct FROM review_completions WHERE id = $1`, drill.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if len(raw) == 0 || bytes.Contains(raw, []byte("SECRET-MARKER")) {
			t.Fatal("the evidence file is not sealed")
		}
		if r, body := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/reviews", nil)); r.StatusCode != 200 ||
			!strings.Contains(body, `href="/admin/compliance/reviews/`+drill.ID+`/file"`) || !strings.Contains(body, "PDF, 1 KB") {
			t.Fatalf("history: %d, no link to the file", r.StatusCode)
		}

		admin := s.NewPerson(t, access.RoleAdmin)
		for who, c := range map[string]*http.Client{"compliance": comp, "admin": s.ClientAs(t, admin)} {
			r, body := get(t, c, s.NewRequest(t, "GET", "/admin/compliance/reviews/"+drill.ID+"/file", nil))
			if r.StatusCode != 200 || body != string(pdf) || r.Header.Get("Content-Type") != "application/pdf" ||
				!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || r.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatalf("%s download: %d %q %q", who, r.StatusCode, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
		}
		if r, body := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/reviews/"+risk.ID+"/file", nil)); r.StatusCode != 200 ||
			body != string(csv) || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv download: %d %q", r.StatusCode, r.Header.Get("Content-Type"))
		}
		recs, err := s.Stores.AuditLog.Find(ctx, audit.Query{TenantID: s.Tenant.ID, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		readers := map[string]bool{}
		for _, rec := range recs {
			if rec.Action == "review.evidence_file" && rec.ResourceID == drill.ID {
				readers[rec.ActorID] = true
			}
		}
		if !readers[officer.ID] || !readers[admin.ID] {
			t.Errorf("downloads not audited: %v", readers)
		}

		// Another tenant's completion with a file, one without a file, a
		// made-up id: the plain 404 for the officer; every other role is
		// refused even its own tenant's file.
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		otherComp := access.WithActor(ctx, access.Actor{ID: id.New(), Role: access.RoleCompliance, TenantID: other.ID})
		theirs, err := s.Services().Reviews.CompleteWithFile(otherComp, other.ID, reviews.RestoreDrill, "", "theirs", reviews.Attachment{Name: "t.pdf", Data: pdf})
		if err != nil {
			t.Fatal(err)
		}
		plain, err := s.Services().Reviews.Complete(oc, s.Tenant.ID, reviews.ActivityReview, "", "no file")
		if err != nil {
			t.Fatal(err)
		}
		_, notFound := get(t, comp, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, target := range []string{theirs.ID, plain.ID, id.New(), "not-an-id"} {
			if r, body := get(t, comp, s.NewRequest(t, "GET", "/admin/compliance/reviews/"+target+"/file", nil)); r.StatusCode != 404 || strip(body) != strip(notFound) {
				t.Errorf("file %s: %d (want the plain 404)", target, r.StatusCode)
			}
		}
		for _, role := range []access.Role{access.RolePharmacist, access.RolePatient, access.RoleStoreManager} {
			c := s.ClientAs(t, s.NewPerson(t, role))
			_, nf := get(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
			if r, body := get(t, c, s.NewRequest(t, "GET", "/admin/compliance/reviews/"+drill.ID+"/file", nil)); r.StatusCode != 404 || strip(body) != strip(nf) {
				t.Errorf("%s: %d (want the plain 404)", role, r.StatusCode)
			}
		}
	})
}
