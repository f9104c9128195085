package outbox_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
	"github.com/salvehealth/salve/internal/vault"
)

// env is an outbox's fresh stores, with the vault and the audit log open.
type env struct {
	phi   *store.DB
	v     *vault.Vault
	log   *audit.Log
	clock *clock.Fake
}

func newEnv(t *testing.T, e store.Engine) env {
	t.Helper()
	st := testkit.NewStores(t, e)
	return env{phi: st.PHI, v: st.Vault, log: st.AuditLog, clock: st.Clock}
}

// failing is a sender that fails a set number of times first.
type failing struct {
	notify.Sender
	left int
}

func (f *failing) Send(ctx context.Context, m notify.Message) error {
	if f.left > 0 {
		f.left--
		return errors.New("relay refused " + m.To)
	}
	return f.Sender.Send(ctx, m)
}

// TestQueuedEmailIsSealedAndDelivered queues a message, checks the stored
// row holds no plaintext, delivers it through a real SMTP server on loopback
// after a failed attempt, and checks each step was audited.
func TestQueuedEmailIsSealedAndDelivered(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		en := newEnv(t, e)
		smtp := testkit.StartSMTPServer(t, "", "", nil)
		sender, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: smtp.Addr, From: "shop@pharmacy.test", TLS: notify.TLSNone})
		if err != nil {
			t.Fatal(err)
		}
		flaky := &failing{Sender: sender, left: 1}
		ob := outbox.New(store.NewOutbox(en.phi), en.v, flaky, en.clock, nil)
		tenantID, subject := id.New(), id.New()
		ctx := access.WithActor(context.Background(), access.System("test", tenantID))
		msg, err := notify.Compose(notify.OrderStatus, "pat@example.com", notify.Params{Brand: "Test Pharmacy", Link: "https://pharmacy.test/account/orders", Reference: "A1B2", Status: "paid"})
		if err != nil {
			t.Fatal(err)
		}
		if err := ob.Enqueue(ctx, tenantID, subject, notify.OrderStatus, msg); err != nil {
			t.Fatal(err)
		}
		var raw []byte
		if err := en.phi.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT message_ct FROM outbox`).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(raw), "pat@example.com") || strings.Contains(string(raw), "A1B2") {
			t.Fatal("the queued message is stored in the clear")
		}
		// First attempt fails: nothing sent, retried later.
		if n, err := ob.Deliver(context.Background(), 10); err != nil || n != 0 {
			t.Fatalf("first attempt: %d %v", n, err)
		}
		if n, _ := ob.Deliver(context.Background(), 10); n != 0 {
			t.Fatal("a failed message was retried at once")
		}
		en.clock.Advance(2 * time.Minute)
		if n, err := ob.Deliver(context.Background(), 10); err != nil || n != 1 {
			t.Fatalf("retry: %d %v", n, err)
		}
		mails := smtp.Messages()
		if len(mails) != 1 || !strings.Contains(strings.Join(mails[0].To, ","), "pat@example.com") || !strings.Contains(mails[0].Data, "Order A1B2 is confirmed") {
			t.Fatalf("delivered: %+v", mails)
		}
		if n, _ := ob.Deliver(context.Background(), 10); n != 0 {
			t.Fatal("a sent message was sent again")
		}
		recs, err := en.log.Find(context.Background(), audit.Query{TenantID: tenantID, Subject: subject})
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, r := range recs {
			actions = append(actions, r.Action)
		}
		if strings.Join(actions, ",") != "email.queue,email.send,email.send" {
			t.Fatalf("audit: %v", actions)
		}
	})
}

// TestShreddedPersonsEmailIsDropped: a message whose person's key was
// destroyed can never be sent; it is given up, and the queue moves on.
func TestShreddedPersonsEmailIsDropped(t *testing.T) {
	en := newEnv(t, store.SQLite)
	smtp := testkit.StartSMTPServer(t, "", "", nil)
	sender, _ := notify.NewSMTPSender(notify.SMTPConfig{Addr: smtp.Addr, From: "shop@pharmacy.test", TLS: notify.TLSNone})
	ob := outbox.New(store.NewOutbox(en.phi), en.v, sender, en.clock, nil)
	tenantID := id.New()
	ctx := access.WithActor(context.Background(), access.System("test", tenantID))
	gone, kept := id.New(), id.New()
	for _, subj := range []string{gone, kept} {
		msg, _ := notify.Compose(notify.VerifyEmail, subj+"@example.com", notify.Params{Brand: "Test", Link: "https://pharmacy.test/verify?token=x"})
		if err := ob.Enqueue(ctx, tenantID, subj, notify.VerifyEmail, msg); err != nil {
			t.Fatal(err)
		}
	}
	if err := en.v.Shred(ctx, tenantID, gone, "retention ended"); err != nil {
		t.Fatal(err)
	}
	if n, err := ob.Deliver(context.Background(), 10); err != nil || n != 1 {
		t.Fatalf("deliver: %d %v", n, err)
	}
	if m := smtp.Messages(); len(m) != 1 || !strings.Contains(strings.Join(m[0].To, ","), kept) {
		t.Fatalf("delivered: %+v", m)
	}
}

// TestMaskAddress: the first letter of the mailbox and of the domain, and the
// top-level domain; never more of either.
func TestMaskAddress(t *testing.T) {
	for in, want := range map[string]string{
		"jane.doe@example.com":       "j***@e***.com",
		"patient@salve-demo.example": "p***@s***.example",
		"x@localhost":                "x***@l***",
		"émile@hôpital.fr":           "é***@h***.fr",
		"not an address":             "***",
		"@example.com":               "***",
		"bob@":                       "***",
	} {
		if got := outbox.MaskAddress(in); got != want {
			t.Errorf("MaskAddress(%q) = %q, want %q", in, got, want)
		}
	}
}
