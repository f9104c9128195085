package server_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/server"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestEmailCarriesItsBrandsSenderAndFooter: on each engine, an organisation
// sets an email sender and footer; the brand that overrides them sends from
// its own, the brand that inherits sends from the organisation's, a brand
// outside any organisation from the relay's, each through a real SMTP relay
// on loopback. The envelope sender stays the relay's. A change at the
// organisation reaches the inheriting brand's next email, and a reset brings
// the overriding brand back to inheriting. The services' outbox signs what
// features queue the same way.
func TestEmailCarriesItsBrandsSenderAndFooter(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		ctx := context.Background()
		st := testkit.NewStores(t, e)
		tenants := store.NewTenants(st.Catalog)
		now := st.Clock.Now()
		org := &tenant.Organisation{ID: id.New(), Slug: "group", Name: "Care Group", CreatedAt: now, UpdatedAt: now}
		if err := tenants.CreateOrg(ctx, org); err != nil {
			t.Fatal(err)
		}
		brand := func(slug, name, orgID string) *tenant.Tenant {
			b := &tenant.Tenant{ID: id.New(), Slug: slug, Name: name, Hostnames: []string{slug + ".test"}, Theme: tenant.DefaultTheme,
				OrgID: orgID, CreatedAt: now, UpdatedAt: now}
			if err := tenants.Create(ctx, b); err != nil {
				t.Fatal(err)
			}
			return b
		}
		diabetes, travel, loner := brand("diabetes", "Diabetes Care", org.ID), brand("travel", "Travel Clinic", org.ID), brand("loner", "Lone Pharmacy", "")
		set := func(owner, key, value string) {
			t.Helper()
			if err := tenants.SetSetting(ctx, owner, key, value, st.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		set(org.ID, tenant.SetEmailSenderName, "Care Group")
		set(org.ID, tenant.SetEmailSenderAddress, "care@group.test")
		set(org.ID, tenant.SetFooter, "Care Group, 1 Main Street, Springfield")
		set(travel.ID, tenant.SetEmailSenderName, "Travel Clinic")
		set(travel.ID, tenant.SetEmailSenderAddress, "hello@travel.test")
		set(travel.ID, tenant.SetFooter, "Travel Clinic, 2 Harbour Road")
		// A sender address that is not one plain address is refused, and
		// changes nothing.
		if err := tenants.SetSetting(ctx, travel.ID, tenant.SetEmailSenderAddress, "Evil <x@evil.test>\r\nBcc: all@evil.test", now); err == nil {
			t.Fatal("a sender address with a display name and a header was accepted")
		}

		relay := testkit.StartSMTPServer(t, "", "", nil)
		sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: relay.Addr, From: "relay@salve.test", TLS: notify.TLSNone})
		if err != nil {
			t.Fatal(err)
		}
		ob := outbox.New(store.NewOutbox(st.PHI), st.Vault, sender, st.Clock, nil)
		ob.SetBrandMail(server.BrandMail(tenants))
		send := func(b *tenant.Tenant) (from *mail.Address, body string) {
			t.Helper()
			m, err := notify.Compose(notify.VerifyEmail, "jane@example.com", notify.Params{Brand: b.Name, Link: "https://" + b.Hostnames[0] + "/verify?token=x"})
			if err != nil {
				t.Fatal(err)
			}
			sys := access.WithActor(ctx, access.System("test", b.ID))
			if err := ob.Enqueue(sys, b.ID, id.New(), notify.VerifyEmail, m); err != nil {
				t.Fatal(err)
			}
			before := len(relay.Messages())
			if n, err := ob.Deliver(ctx, 10); err != nil || n != 1 {
				t.Fatalf("deliver: %d %v", n, err)
			}
			got := relay.Messages()
			if len(got) != before+1 {
				t.Fatalf("relay has %d messages", len(got))
			}
			last := got[len(got)-1]
			if last.From != "relay@salve.test" {
				t.Errorf("%s: envelope sender %q, want the relay's", b.Slug, last.From)
			}
			msg, err := mail.ReadMessage(strings.NewReader(last.Data))
			if err != nil {
				t.Fatal(err)
			}
			from, err = mail.ParseAddress(msg.Header.Get("From"))
			if err != nil {
				t.Fatalf("%s: From %q: %v", b.Slug, msg.Header.Get("From"), err)
			}
			_, body = decodeMail(t, last.Data)
			if strings.Contains(msg.Header.Get("From"), "jane") {
				t.Fatal("the recipient is in the sender")
			}
			return from, body
		}
		check := func(b *tenant.Tenant, name, addr, footer string) {
			t.Helper()
			from, body := send(b)
			if from.Name != name || from.Address != addr {
				t.Errorf("%s sends from %q <%s>, want %q <%s>", b.Slug, from.Name, from.Address, name, addr)
			}
			if footer == "" {
				if !strings.HasSuffix(strings.TrimSpace(body), "— "+b.Name) {
					t.Errorf("%s: a footer where none is set:\n%s", b.Slug, body)
				}
			} else if !strings.HasSuffix(strings.TrimSpace(body), "— "+b.Name+"\r\n\r\n"+footer) && !strings.HasSuffix(strings.TrimSpace(body), "— "+b.Name+"\n\n"+footer) {
				t.Errorf("%s: want the footer %q under the text:\n%q", b.Slug, footer, body)
			}
		}
		check(travel, "Travel Clinic", "hello@travel.test", "Travel Clinic, 2 Harbour Road")
		check(diabetes, "Care Group", "care@group.test", "Care Group, 1 Main Street, Springfield")
		check(loner, "", "relay@salve.test", "")

		// The organisation changes its footer: the inheriting brand's next
		// email carries it, the overriding brand's does not.
		set(org.ID, tenant.SetFooter, "Care Group, 9 New Street")
		check(diabetes, "Care Group", "care@group.test", "Care Group, 9 New Street")
		check(travel, "Travel Clinic", "hello@travel.test", "Travel Clinic, 2 Harbour Road")
		// Reset to inherited: the travel brand signs as the organisation.
		for _, k := range []string{tenant.SetEmailSenderName, tenant.SetEmailSenderAddress, tenant.SetFooter} {
			if err := tenants.ResetSetting(ctx, travel.ID, k, st.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		check(travel, "Care Group", "care@group.test", "Care Group, 9 New Street")

		// The services' outbox (what every feature queues through) signs
		// with the brand's footer too.
		svc, err := server.NewServices(st.Config, st.Stores, st.Clock, nil, testkit.TestArgon2)
		if err != nil {
			t.Fatal(err)
		}
		m, err := notify.Compose(notify.RefillDue, "pat@example.com", notify.Params{Brand: diabetes.Name, Link: "https://diabetes.test/account/prescriptions"})
		if err != nil {
			t.Fatal(err)
		}
		st.Clock.Advance(time.Minute) // the newest in the outbox
		sys := access.WithActor(ctx, access.System("test", diabetes.ID))
		if err := svc.Outbox.Enqueue(sys, diabetes.ID, id.New(), notify.RefillDue, m); err != nil {
			t.Fatal(err)
		}
		items, err := svc.Outbox.Recent(sys, diabetes.ID, 1)
		if err != nil || len(items) != 1 {
			t.Fatalf("%d items, %v", len(items), err)
		}
		if !strings.HasSuffix(items[0].Text.Reveal(), "\n\nCare Group, 9 New Street\n") {
			t.Fatalf("the services' outbox queued %q", items[0].Text.Reveal())
		}
	})
}

// decodeMail reads a message as a mail client would: its subject and text
// body.
func decodeMail(t *testing.T, raw string) (string, string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	r := msg.Body
	if msg.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return subject, string(b)
}
