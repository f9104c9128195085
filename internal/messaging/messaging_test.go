package messaging_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// env is the messaging service on fresh stores, wired as the server wires
// it (grants for access, the accounts for addresses and staff names, the
// outbox for notices).
type env struct {
	*testkit.Stores
	ids    server.Identity
	Msg    *messaging.Service
	Outbox *outbox.Outbox
	admin  context.Context
}

func newEnv(t *testing.T, e store.Engine) *env {
	t.Helper()
	st := testkit.NewStores(t, e)
	ob := outbox.New(store.NewOutbox(st.PHI), st.Vault, nil, st.Clock, nil)
	ids := server.NewIdentity(st.PHI, st.Vault, st.AuditLog, ob, server.IdentityOptions{Clock: st.Clock, Argon2: testkit.TestArgon2})
	svc := messaging.New(messaging.Deps{Store: store.NewMessages(st.PHI), Vault: st.Vault, Audit: st.AuditLog, Auth: ids.Grants, Outbox: ob,
		Contacts: ids.Accounts.Email,
		Links:    func(context.Context, string) (string, string) { return "Acme Pharmacy", "https://acme.test" },
		Staff: func(ctx context.Context, tenantID string) ([]messaging.Member, error) {
			list, _, err := ids.Accounts.StaffList(ctx, tenantID)
			out := make([]messaging.Member, 0, len(list))
			for _, a := range list {
				out = append(out, messaging.Member{ID: a.ID, Name: a.Name.Reveal(), Role: a.Role})
			}
			return out, err
		},
		Clock: st.Clock, Log: st.Log.Logger()})
	en := &env{Stores: st, ids: ids, Msg: svc, Outbox: ob}
	_, en.admin = en.person(t, access.RoleAdmin)
	return en
}

// person makes an account of a role and returns its id and a context acting
// as it.
func (en *env) person(t *testing.T, role access.Role) (string, context.Context) {
	t.Helper()
	email := string(role) + "-" + id.New()[24:] + "@example.com"
	uid, err := en.ids.Accounts.CreateUser(context.Background(), en.Tenant.ID, role, email, "Sam "+string(role), testkit.PersonPassword)
	if err != nil {
		t.Fatal(err)
	}
	return uid, access.WithActor(context.Background(), access.Actor{ID: uid, Role: role, TenantID: en.Tenant.ID})
}

// team makes a team with members.
func (en *env) team(t *testing.T, name string, kind messaging.TeamKind, members ...string) messaging.Team {
	t.Helper()
	tm, err := en.Msg.CreateTeam(en.admin, en.Tenant.ID, name, kind)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if err := en.Msg.AddMember(en.admin, en.Tenant.ID, tm.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	return tm
}

var pngBytes = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 64)...)

func isNotFound(err error) bool {
	return apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Denied)
}

// TestThreadsStayWithinTheirTeam: a thread to the pharmacy is read by the
// patient, their proxy with the messages class and the pharmacy's
// pharmacist; not by another team's staff, another patient, a proxy without
// the class, a clinician without a care relationship, nor another tenant,
// and each of those is the same NotFound as an unknown thread. A clinician
// on a care team reads threads of the patients they care for only.
func TestThreadsStayWithinTheirTeam(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		pid, me := en.person(t, access.RolePatient)
		_, other := en.person(t, access.RolePatient)
		proxyID, proxy := en.person(t, access.RolePatient)
		narrowID, narrow := en.person(t, access.RolePatient)
		pharmID, pharm := en.person(t, access.RolePharmacist)
		csID, cs := en.person(t, access.RoleCustomerService)
		clinID, clin := en.person(t, access.RoleClinician)
		_, fulfil := en.person(t, access.RoleFulfillment)
		pharmacy := en.team(t, "Pharmacy", messaging.KindPharmacy, pharmID)
		en.team(t, "Customer service", messaging.KindService, csID)
		care := en.team(t, "Dr Rivera's team", messaging.KindCare, clinID)
		links := store.NewLinks(en.PHI)
		ctx := context.Background()
		for _, g := range []grants.ProxyGrant{
			{ID: id.New(), TenantID: en.Tenant.ID, PatientID: pid, ProxyID: proxyID, Scopes: []access.DataClass{access.DataMessages}, CreatedAt: en.Clock.Now()},
			{ID: id.New(), TenantID: en.Tenant.ID, PatientID: pid, ProxyID: narrowID, Scopes: []access.DataClass{access.DataOrders}, CreatedAt: en.Clock.Now()},
		} {
			if err := links.InsertProxy(ctx, g); err != nil {
				t.Fatal(err)
			}
		}
		th, err := en.Msg.Start(me, en.Tenant.ID, pid, messaging.NewThread{TeamID: pharmacy.ID, Subject: "Side effects of my statin",
			Body: "I get muscle aches since Monday.", File: messaging.File{Data: pngBytes}})
		if err != nil {
			t.Fatal(err)
		}
		for name, c := range map[string]context.Context{"patient": me, "proxy with messages": proxy, "pharmacist": pharm} {
			got, err := en.Msg.Open(c, en.Tenant.ID, th.ID)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.Subject != "Side effects of my statin" || len(got.Posts) != 1 || got.Posts[0].Body != "I get muscle aches since Monday." ||
				got.Posts[0].Attachment == nil {
				t.Fatalf("%s read %+v", name, got)
			}
			if _, err := en.Msg.Attachment(c, en.Tenant.ID, got.Posts[0].Attachment.ID); err != nil {
				t.Fatalf("%s attachment: %v", name, err)
			}
		}
		// A proxy with the messages class writes for the patient; one
		// without it cannot, and nothing is stored.
		if _, err := en.Msg.Start(proxy, en.Tenant.ID, pid, messaging.NewThread{TeamID: pharmacy.ID, Subject: "For my mother",
			Body: "She needs a refill."}); err != nil {
			t.Fatalf("proxy with messages starting a thread: %v", err)
		}
		if _, err := en.Msg.Start(narrow, en.Tenant.ID, pid, messaging.NewThread{TeamID: pharmacy.ID, Subject: "For my mother",
			Body: "She needs a refill."}); !isNotFound(err) {
			t.Fatalf("proxy without messages starting a thread: %v", err)
		}
		if list, err := en.Msg.Threads(me, en.Tenant.ID, pid); err != nil || len(list) != 2 {
			t.Fatalf("the patient's threads: %d %v", len(list), err)
		}
		first, _ := en.Msg.Open(me, en.Tenant.ID, th.ID)
		attID := first.Posts[0].Attachment.ID
		otherTenant := access.WithActor(ctx, access.Actor{ID: pharmID, Role: access.RolePharmacist, TenantID: "another-tenant"})
		for name, c := range map[string]context.Context{"another patient": other, "proxy without messages": narrow,
			"customer service (other team)": cs, "clinician without care": clin, "fulfilment": fulfil, "other tenant": otherTenant} {
			if _, err := en.Msg.Open(c, en.Tenant.ID, th.ID); !isNotFound(err) {
				t.Fatalf("%s opened the thread: %v", name, err)
			}
			if _, err := en.Msg.Attachment(c, en.Tenant.ID, attID); !isNotFound(err) {
				t.Fatalf("%s opened the attachment: %v", name, err)
			}
			if err := en.Msg.Reply(c, en.Tenant.ID, th.ID, "hello", messaging.File{}); !isNotFound(err) {
				t.Fatalf("%s replied: %v", name, err)
			}
		}
		if _, err := en.Msg.Open(otherTenant, "another-tenant", th.ID); !isNotFound(err) {
			t.Fatalf("other tenant by its own id: %v", err)
		}
		if _, err := en.Msg.Open(me, en.Tenant.ID, id.New()); !isNotFound(err) {
			t.Fatalf("unknown thread: %v", err)
		}
		// The pharmacy's inbox lists both threads; customer service's none.
		if items, _, err := en.Msg.Inbox(pharm, en.Tenant.ID, messaging.InboxFilter{}); err != nil || len(items) != 2 {
			t.Fatalf("pharmacy inbox: %v %v", items, err)
		}
		if items, _, err := en.Msg.Inbox(cs, en.Tenant.ID, messaging.InboxFilter{}); err != nil || len(items) != 0 {
			t.Fatalf("customer service inbox: %v %v", items, err)
		}
		// A care team: the clinician sees a thread only once they care for
		// the patient.
		ct, err := en.Msg.Start(me, en.Tenant.ID, pid, messaging.NewThread{TeamID: care.ID, Subject: "Follow-up", Body: "When should I come back?"})
		if err != nil {
			t.Fatal(err)
		}
		if items, _, _ := en.Msg.Inbox(clin, en.Tenant.ID, messaging.InboxFilter{}); len(items) != 0 {
			t.Fatalf("clinician without care sees %v", items)
		}
		if _, err := en.Msg.Open(clin, en.Tenant.ID, ct.ID); !isNotFound(err) {
			t.Fatalf("clinician without care: %v", err)
		}
		if err := links.AddCare(ctx, en.Tenant.ID, clinID, pid, en.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		if items, _, _ := en.Msg.Inbox(clin, en.Tenant.ID, messaging.InboxFilter{}); len(items) != 1 || items[0].ID != ct.ID {
			t.Fatalf("clinician with care sees %v", items)
		}
		if _, err := en.Msg.Open(clin, en.Tenant.ID, ct.ID); err != nil {
			t.Fatalf("clinician with care: %v", err)
		}
		// Denials are audited.
		if !testkit.HasEvent(events(t, en, pid), "messages.read", audit.Denied) {
			t.Fatal("no audited denial")
		}
	})
}

func events(t *testing.T, en *env, subject string) []audit.Record {
	t.Helper()
	recs, err := en.AuditLog.Find(context.Background(), audit.Query{TenantID: en.Tenant.ID, Subject: subject, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestAttachmentsAreCheckedByContent: a .png that is really HTML, a file
// of 10 MB and one byte, and an executable are refused with a clear error
// naming the field, and nothing is stored; the five image and PDF types
// pass, and the stored bytes are sealed.
func TestAttachmentsAreCheckedByContent(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		pid, me := en.person(t, access.RolePatient)
		pharmID, _ := en.person(t, access.RolePharmacist)
		team := en.team(t, "Pharmacy", messaging.KindPharmacy, pharmID)
		bad := map[string]messaging.File{
			"html as png":  {Data: []byte("<!doctype html><script>alert(1)</script>")},
			"10 MB + 1":    {Data: append(append([]byte{}, pngBytes...), make([]byte, messaging.MaxAttachment+1-len(pngBytes))...)},
			"cut at 10 MB": {TooLarge: true},
			"executable":   {Data: []byte("MZ\x90\x00\x03")},
		}
		for name, f := range bad {
			_, err := en.Msg.Start(me, en.Tenant.ID, pid, messaging.NewThread{TeamID: team.ID, Subject: "A photo", Body: "See attached.", File: f})
			e := apperr.As(err)
			if e == nil || e.Code != apperr.Invalid || e.Fields["file"] == "" {
				t.Fatalf("%s: %v", name, err)
			}
		}
		if n := count(t, en, "message_threads") + count(t, en, "message_attachments"); n != 0 {
			t.Fatalf("refused files stored %d rows", n)
		}
		good := map[string][]byte{
			messaging.TypePNG:  pngBytes,
			messaging.TypeJPEG: {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'},
			messaging.TypeWebP: []byte("RIFF\x24\x00\x00\x00WEBPVP8 "),
			messaging.TypeGIF:  []byte("GIF89a\x01\x00\x01\x00"),
			messaging.TypePDF:  []byte("%PDF-1.7\n%secret-lab-report\n"),
		}
		for ct, data := range good {
			th, err := en.Msg.Start(me, en.Tenant.ID, pid, messaging.NewThread{TeamID: team.ID, Subject: "A file", Body: "See attached.",
				File: messaging.File{Data: data}})
			if err != nil {
				t.Fatalf("%s: %v", ct, err)
			}
			got, err := en.Msg.Open(me, en.Tenant.ID, th.ID)
			if err != nil {
				t.Fatal(err)
			}
			att, err := en.Msg.Attachment(me, en.Tenant.ID, got.Posts[0].Attachment.ID)
			if err != nil || att.ContentType != ct || !bytes.Equal(att.Data.Reveal(), data) {
				t.Fatalf("%s: %v %v", ct, att, err)
			}
		}
		var raw []byte
		if err := en.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT data_ct FROM message_attachments WHERE content_type = 'application/pdf'`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(raw, []byte("secret-lab-report")) {
			t.Fatal("attachment stored in the clear")
		}
	})
}

func count(t *testing.T, en *env, table string) int {
	t.Helper()
	var n int
	if err := en.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(*) FROM `+table).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNoticesCarryNoText: a patient's message emails the team's members, a
// reply emails the patient: "You have a new message from Acme Pharmacy —
// sign in to read it", never the text or the subject.
func TestNoticesCarryNoText(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		pid, me := en.person(t, access.RolePatient)
		pharmID, pharm := en.person(t, access.RolePharmacist)
		team := en.team(t, "Pharmacy", messaging.KindPharmacy, pharmID)
		th, err := en.Msg.Start(me, en.Tenant.ID, pid, messaging.NewThread{TeamID: team.ID, Subject: "Warfarin dose question",
			Body: "Can I take ibuprofen with warfarin?"})
		if err != nil {
			t.Fatal(err)
		}
		if err := en.Msg.Reply(pharm, en.Tenant.ID, th.ID, "Please avoid ibuprofen; paracetamol is safer.", messaging.File{}); err != nil {
			t.Fatal(err)
		}
		items, err := en.Outbox.Recent(en.admin, en.Tenant.ID, 20)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, it := range items {
			kinds[it.Kind]++
			m, err := en.Outbox.Open(en.admin, en.Tenant.ID, it.ID, "no_mail_relay")
			if err != nil {
				t.Fatal(err)
			}
			all := m.Subject + " " + m.Text.Reveal()
			for _, secret := range []string{"arfarin", "ibuprofen", "paracetamol", "dose"} {
				if strings.Contains(all, secret) {
					t.Fatalf("notice carries %q: %q", secret, all)
				}
			}
			if it.Kind == string(notify.NewMessage) && !strings.Contains(m.Text.Reveal(), "You have a new message from Acme Pharmacy — sign in to read it") {
				t.Fatalf("patient notice: %q", m.Text.Reveal())
			}
		}
		if kinds[string(notify.TeamMessage)] != 1 || kinds[string(notify.NewMessage)] != 1 {
			t.Fatalf("notices: %v", kinds)
		}
	})
}

// TestThrottle: the 31st message of a person within an hour is refused
// with a clear error and stored nowhere; an hour later they may write again.
func TestThrottle(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		pid, me := en.person(t, access.RolePatient)
		pharmID, _ := en.person(t, access.RolePharmacist)
		team := en.team(t, "Pharmacy", messaging.KindPharmacy, pharmID)
		th, err := en.Msg.Start(me, en.Tenant.ID, pid, messaging.NewThread{TeamID: team.ID, Subject: "Many questions", Body: "1"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 2; i <= messaging.MaxPerHour; i++ {
			if err := en.Msg.Reply(me, en.Tenant.ID, th.ID, "more", messaging.File{}); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
		}
		err = en.Msg.Reply(me, en.Tenant.ID, th.ID, "one too many", messaging.File{})
		if e := apperr.As(err); e == nil || e.Code != apperr.RateLimited || !strings.Contains(e.Message, "last hour") {
			t.Fatalf("31st: %v", err)
		}
		if n := count(t, en, "message_posts"); n != messaging.MaxPerHour {
			t.Fatalf("%d messages stored", n)
		}
		en.Clock.Advance(61 * 60 * 1e9)
		if err := en.Msg.Reply(me, en.Tenant.ID, th.ID, "an hour later", messaging.File{}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestUnreadCounts: each side's unread count is what the other side wrote
// since it last opened the thread; the widget says "N unread", the inbox
// counts per thread; assignment and closing work for the team, and a
// patient's message reopens a closed thread.
func TestUnreadCounts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		pid, me := en.person(t, access.RolePatient)
		pharmID, pharm := en.person(t, access.RolePharmacist)
		otherPharm, _ := en.person(t, access.RolePharmacist)
		team := en.team(t, "Pharmacy", messaging.KindPharmacy, pharmID, otherPharm)
		th, err := en.Msg.Start(me, en.Tenant.ID, pid, messaging.NewThread{TeamID: team.ID, Subject: "Refill", Body: "Can I refill early?"})
		if err != nil {
			t.Fatal(err)
		}
		if err := en.Msg.Reply(me, en.Tenant.ID, th.ID, "I travel next week.", messaging.File{}); err != nil {
			t.Fatal(err)
		}
		items, _, err := en.Msg.Inbox(pharm, en.Tenant.ID, messaging.InboxFilter{})
		if err != nil || len(items) != 1 || items[0].Unread != 2 {
			t.Fatalf("inbox: %+v %v", items, err)
		}
		if _, err := en.Msg.ForStaff(pharm, en.Tenant.ID, th.ID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if err := en.Msg.Reply(pharm, en.Tenant.ID, th.ID, "Yes.", messaging.File{}); err != nil {
				t.Fatal(err)
			}
		}
		items, _, _ = en.Msg.Inbox(pharm, en.Tenant.ID, messaging.InboxFilter{})
		if items[0].Unread != 0 {
			t.Fatalf("read by the team, still %d unread", items[0].Unread)
		}
		sum, err := en.Msg.Summary(me, en.Tenant.ID, pid)
		if err != nil || sum.Note != "3 unread" || len(sum.Lines) != 1 || sum.Lines[0].Title != "Refill" || sum.Lines[0].Badge != "3 new" {
			t.Fatalf("widget: %+v %v", sum, err)
		}
		list, err := en.Msg.Threads(me, en.Tenant.ID, pid)
		if err != nil || len(list) != 1 || list[0].Unread != 3 {
			t.Fatalf("threads: %+v %v", list, err)
		}
		if _, err := en.Msg.Open(me, en.Tenant.ID, th.ID); err != nil {
			t.Fatal(err)
		}
		if sum, _ := en.Msg.Summary(me, en.Tenant.ID, pid); sum.Note != "" {
			t.Fatalf("after reading: %q", sum.Note)
		}
		// Assignment and status.
		if err := en.Msg.Assign(pharm, en.Tenant.ID, th.ID, otherPharm); err != nil {
			t.Fatal(err)
		}
		_, outsider := en.person(t, access.RoleCustomerService)
		if err := en.Msg.Assign(pharm, en.Tenant.ID, th.ID, id.New()); apperr.As(err) == nil || apperr.As(err).Code != apperr.Invalid {
			t.Fatalf("assigned off the team: %v", err)
		}
		if err := en.Msg.Assign(outsider, en.Tenant.ID, th.ID, ""); !isNotFound(err) {
			t.Fatalf("outsider assigned: %v", err)
		}
		if err := en.Msg.SetStatus(pharm, en.Tenant.ID, th.ID, messaging.Closed); err != nil {
			t.Fatal(err)
		}
		if items, _, _ := en.Msg.Inbox(pharm, en.Tenant.ID, messaging.InboxFilter{Status: messaging.Open}); len(items) != 0 {
			t.Fatalf("closed thread in the open inbox: %v", items)
		}
		if err := en.Msg.Reply(me, en.Tenant.ID, th.ID, "One more thing.", messaging.File{}); err != nil {
			t.Fatal(err)
		}
		items, _, _ = en.Msg.Inbox(pharm, en.Tenant.ID, messaging.InboxFilter{Status: messaging.Open})
		if len(items) != 1 || items[0].AssignedTo != otherPharm || items[0].Unread != 1 {
			t.Fatalf("reopened: %+v", items)
		}
	})
}
