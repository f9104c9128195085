package server_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// msgPNG is a small PNG (its magic numbers and some bytes).
var msgPNG = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{3}, 64)...)

// seedMessages makes a Pharmacy team with the pharmacist on it and a
// thread of the patient's to it, with a file and the pharmacist's answer;
// it returns the thread's id.
func seedMessages(t testing.TB, s *testkit.Server, patientID, adminID, pharmacistID string) string {
	t.Helper()
	ctx := context.Background()
	m := s.Services().Messages
	as := func(uid string, role access.Role) context.Context {
		return access.WithActor(ctx, access.Actor{ID: uid, Role: role, TenantID: s.Tenant.ID})
	}
	team, err := m.CreateTeam(as(adminID, access.RoleAdmin), s.Tenant.ID, "Pharmacy", messaging.KindPharmacy)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddMember(as(adminID, access.RoleAdmin), s.Tenant.ID, team.ID, pharmacistID); err != nil {
		t.Fatal(err)
	}
	th, err := m.Start(as(patientID, access.RolePatient), s.Tenant.ID, patientID, messaging.NewThread{TeamID: team.ID,
		Subject: "Question about my insulin pen", Body: "The pen clicks but nothing comes out. Photo attached.",
		File: messaging.File{Data: msgPNG}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Reply(as(pharmacistID, access.RolePharmacist), s.Tenant.ID, th.ID,
		"Prime the pen with 2 units before each dose, then try again.", messaging.File{}); err != nil {
		t.Fatal(err)
	}
	return th.ID
}

// multipartRequest is a POST of a multipart form with an optional file.
func multipartRequest(t *testing.T, s *testkit.Server, path string, fields map[string]string, fileName string, file []byte) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		if err := mw.WriteField(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := s.NewRequest(t, "POST", path, nil)
	req.Body = http.NoBody
	r, err := http.NewRequest("POST", req.URL.String(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	r.Header = req.Header.Clone()
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

// TestMessageObjectsAnswerLikeAbsence: a patient's thread to the pharmacy,
// its file and its reply form, as every kind of person. The patient, their
// proxy with the messages class and the pharmacy's pharmacist reach them;
// another patient, a proxy without the class, customer service (another
// team), a clinician without a care relationship, the other staff roles and
// a person of another tenant get exactly the answer of a made-up id, and
// nothing is stored. The file is served as a download with nosniff.
func TestMessageObjectsAnswerLikeAbsence(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		ctx := context.Background()
		other := &tenant.Tenant{ID: id.New(), Slug: "other", Name: "Other Pharmacy", Hostnames: []string{"other.test"},
			Theme: tenant.DefaultTheme, CreatedAt: s.Clock.Now(), UpdatedAt: s.Clock.Now()}
		if err := store.NewTenants(s.Stores.Catalog).Create(ctx, other); err != nil {
			t.Fatal(err)
		}
		if err := s.Tenants().Refresh(ctx); err != nil {
			t.Fatal(err)
		}
		patient := s.NewPerson(t, access.RolePatient)
		staff := map[access.Role]testkit.Person{}
		for _, r := range access.Roles {
			if r.Staff() {
				staff[r] = s.NewPerson(t, r)
			}
		}
		threadID := seedMessages(t, s, patient.ID, staff[access.RoleAdmin].ID, staff[access.RolePharmacist].ID)
		me := access.WithActor(ctx, access.Actor{ID: patient.ID, Role: access.RolePatient, TenantID: s.Tenant.ID})
		th, err := s.Services().Messages.Open(me, s.Tenant.ID, threadID)
		if err != nil {
			t.Fatal(err)
		}
		attID := th.Posts[0].Attachment.ID
		people := map[string]testkit.Person{"other patient": s.NewPerson(t, access.RolePatient),
			"other tenant's patient": s.NewPersonIn(t, other, access.RolePatient), "other tenant's pharmacist": s.NewPersonIn(t, other, access.RolePharmacist)}
		for name, scopes := range map[string][]string{"proxy with messages": {"messages"}, "proxy with orders": {"orders"}} {
			carer := s.NewPerson(t, access.RolePatient)
			if err := s.Services().Grants.GrantProxy(me, carer.Email, scopes); err != nil {
				t.Fatal(err)
			}
			people[name] = carer
		}
		s.Services().After.Wait() // grants are made after the answer
		for r, p := range staff {
			people[string(r)] = p
		}
		countPosts := func() int {
			var n int
			if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM message_posts`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		posts := countPosts()
		reaches := map[string]bool{"owner": true, "proxy with messages": true, string(access.RolePharmacist): true}
		people["owner"] = patient
		for name, p := range people {
			c := s.ClientAs(t, p)
			prefix := "/account/messages/"
			if p.Role.Staff() {
				prefix = "/staff/messages/"
			}
			requests := func(thread, att string) []*http.Request {
				return []*http.Request{
					s.NewRequest(t, "GET", prefix+thread, nil),
					s.NewRequest(t, "GET", prefix+"attachments/"+att, nil),
					multipartRequest(t, s, prefix+thread+"/reply", map[string]string{"body": "Hello from " + name}, "", nil),
				}
			}
			madeThread, madeAtt := id.New(), id.New()
			made := requests(madeThread, madeAtt)
			for i, rq := range requests(threadID, attID) {
				r, body := get(t, c, rq)
				if reaches[name] {
					switch i {
					case 0:
						if r.StatusCode != 200 || !strings.Contains(body, "Question about my insulin pen") || !strings.Contains(body, "Prime the pen") {
							t.Errorf("%s GET thread: %d", name, r.StatusCode)
						}
					case 1:
						if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" ||
							!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") || body != string(msgPNG) {
							t.Errorf("%s GET file: %d %v", name, r.StatusCode, r.Header)
						}
					case 2:
						if r.StatusCode != 303 {
							t.Errorf("%s reply: %d", name, r.StatusCode)
						}
					}
					continue
				}
				mr, mbody := get(t, c, made[i])
				same := strings.NewReplacer(madeThread, threadID, madeAtt, attID).Replace // the made-up ids as the real ones
				if r.StatusCode != mr.StatusCode || r.Header.Get("Location") != same(mr.Header.Get("Location")) ||
					r.StatusCode == 200 || r.StatusCode == 303 && !strings.Contains(r.Header.Get("Location"), "/login") ||
					strip(body) != strip(same(mbody)) || strings.Contains(body, "insulin") {
					t.Errorf("%s %s × %s: %d (made-up id: %d)", rq.Method, rq.URL.Path, name, r.StatusCode, mr.StatusCode)
				}
			}
			// The list of someone else's threads (?for=) is the same 404 for
			// anyone without the grant.
			if !p.Role.Staff() && p.TenantID == s.Tenant.ID && name != "owner" {
				r, body := get(t, c, s.NewRequest(t, "GET", "/account/messages?for="+patient.ID, nil))
				if reaches[name] != (r.StatusCode == 200) || strings.Contains(body, "insulin") != reaches[name] {
					t.Errorf("%s on the patient's list: %d", name, r.StatusCode)
				}
			}
		}
		if got := countPosts(); got != posts+3 {
			t.Errorf("%d messages stored, want %d (the three allowed replies)", got, posts+3)
		}
		// The inbox lists the thread for the pharmacy, not for customer
		// service (another team's inbox is empty, never a 404 of the page).
		for role, want := range map[access.Role]bool{access.RolePharmacist: true, access.RoleCustomerService: false} {
			r, body := get(t, s.ClientAs(t, staff[role]), s.NewRequest(t, "GET", "/staff/messages", nil))
			if r.StatusCode != 200 || strings.Contains(body, "/staff/messages/"+threadID) != want {
				t.Errorf("%s inbox: %d, lists the thread: %v", role, r.StatusCode, !want)
			}
		}
		// The staff view of the patient: its messages section lists the
		// thread for the pharmacy's pharmacist, linked to the staff page;
		// customer service (another team) sees no thread of theirs.
		for role, want := range map[access.Role]bool{access.RolePharmacist: true, access.RoleCustomerService: false} {
			r, body := get(t, s.ClientAs(t, staff[role]), s.NewRequest(t, "GET", "/staff/patients/"+patient.ID, nil))
			if r.StatusCode != 200 || strings.Contains(body, `href="/staff/messages/`+threadID+`"`) != want ||
				strings.Contains(body, "Question about my insulin pen") != want {
				t.Errorf("%s staff view: %d, shows the thread: %v", role, r.StatusCode, !want)
			}
		}
	})
}

// TestMessageUploadsOverHTTP: the new-thread form refuses a .png that is
// really HTML and a file of 10 MB and one byte with the error on the file
// field and the text typed kept; a real PNG goes, and the patient lands on
// the thread.
func TestMessageUploadsOverHTTP(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	admin := s.NewPerson(t, access.RoleAdmin)
	pharm := s.NewPerson(t, access.RolePharmacist)
	seedMessages(t, s, patient.ID, admin.ID, pharm.ID)
	teams, err := s.Services().Messages.TeamNames(context.Background(), s.Tenant.ID)
	if err != nil || len(teams) != 1 {
		t.Fatalf("teams: %v %v", teams, err)
	}
	c := s.ClientAs(t, patient)
	form := map[string]string{"team": teams[0].ID, "subject": "Rash on my arm", "body": "It started after the new cream."}
	big := append(append([]byte{}, msgPNG...), make([]byte, messaging.MaxAttachment+1-len(msgPNG))...)
	for name, file := range map[string][]byte{"html as png": []byte("<html><script>alert(1)</script></html>"), "10 MB + 1": big} {
		r, body := get(t, c, multipartRequest(t, s, "/account/messages", form, "photo.png", file))
		if r.StatusCode != 400 && r.StatusCode != 422 && r.StatusCode != 413 {
			t.Errorf("%s: %d", name, r.StatusCode)
		}
		want := "Attach a photo (PNG, JPEG, WebP or GIF) or a PDF."
		if name == "10 MB + 1" {
			want = "Attach a file of at most 10 MB."
		}
		if !strings.Contains(body, want) || !strings.Contains(body, "It started after the new cream.") {
			t.Errorf("%s: the page lacks the error or the text typed", name)
		}
	}
	// About an order: another patient's order is refused on its field;
	// the patient's own is linked, and the pharmacist's page links it.
	p := &catalog.Product{Name: "Thermometer", Variants: []catalog.Variant{{SKU: "TH-" + id.New()[24:], Price: 2500, Stock: 9}}}
	if err := s.Catalog().SaveProduct(context.Background(), s.Tenant.ID, p); err != nil {
		t.Fatal(err)
	}
	buy := func(c *http.Client) string {
		t.Helper()
		get(t, c, s.NewRequest(t, "POST", "/cart/items", url.Values{"variant": {p.Variants[0].ID}, "quantity": {"1"}}))
		r, _ := get(t, c, s.NewRequest(t, "POST", "/checkout/pay", url.Values{"gateway": {"invoice"}, "name": {"Pat Doe"},
			"line1": {"12 Quince Lane"}, "city": {"Springfield"}, "region": {"NY"}, "postal_code": {"10001"}, "shipping": {"standard"}}))
		m := regexp.MustCompile(`^/account/orders/([0-9a-f-]{36})$`).FindStringSubmatch(r.Header.Get("Location"))
		if m == nil {
			t.Fatalf("order: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		return m[1]
	}
	mine, theirs := buy(c), buy(s.ClientAs(t, s.NewPerson(t, access.RolePatient)))
	form["about"] = "order:" + theirs
	if r, body := get(t, c, multipartRequest(t, s, "/account/messages", form, "", nil)); r.StatusCode == 303 ||
		!strings.Contains(body, "Choose one of the orders or prescriptions listed") {
		t.Errorf("about another patient's order: %d", r.StatusCode)
	}
	form["about"] = "order:" + mine
	r, _ := get(t, c, multipartRequest(t, s, "/account/messages", form, "photo.png", msgPNG))
	m := regexp.MustCompile(`^/account/messages/([0-9a-f-]{36})\?done=sent$`).FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != 303 || m == nil {
		t.Fatalf("send: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	r, body := get(t, s.ClientAs(t, pharm), s.NewRequest(t, "GET", "/staff/messages/"+m[1], nil))
	if r.StatusCode != 200 || !strings.Contains(body, `href="/staff/orders/`+mine+`"`) {
		t.Errorf("the pharmacist's page does not link the order: %d", r.StatusCode)
	}
}
