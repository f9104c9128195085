package notify_test

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"

	. "github.com/salvehealth/salve/internal/notify"

	"github.com/salvehealth/salve/internal/testkit"
)

func params() Params {
	return Params{Brand: "Acme Pharmacy", Link: "https://shop.acme.example/verify?token=abc"}
}

func TestSendThroughARealRelayWithSTARTTLSAndAuth(t *testing.T) {
	tc, pool := testkit.SelfSignedTLS(t)
	relay := testkit.StartSMTPServer(t, "salve", "relay-secret", tc)
	s, err := NewSMTPSender(SMTPConfig{Addr: relay.Addr, Username: "salve", Password: "relay-secret",
		From: "no-reply@acme.example", TLS: TLSStartTLS, RootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	m, err := Compose(VerifyEmail, "jane@example.com", params())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := relay.Messages()
	if len(got) != 1 || got[0].User != "salve" || got[0].To[0] != "jane@example.com" || got[0].From != "no-reply@acme.example" {
		t.Fatalf("relay got %+v", got)
	}
	subject, body := decode(t, got[0].Data)
	if subject != "Confirm your email address for Acme Pharmacy" || !strings.Contains(body, "https://shop.acme.example/verify?token=abc") {
		t.Fatalf("message %q:\n%s", subject, body)
	}

	// Wrong credentials: an error, nothing delivered.
	bad, _ := NewSMTPSender(SMTPConfig{Addr: relay.Addr, Username: "salve", Password: "nope", From: "no-reply@acme.example", TLS: TLSStartTLS, RootCAs: pool})
	if err := bad.Send(context.Background(), m); err == nil {
		t.Fatal("wrong relay password accepted")
	}
	// A relay whose certificate we do not trust: refused.
	untrusted, _ := NewSMTPSender(SMTPConfig{Addr: relay.Addr, Username: "salve", Password: "relay-secret", From: "no-reply@acme.example", TLS: TLSStartTLS})
	if err := untrusted.Send(context.Background(), m); err == nil {
		t.Fatal("an untrusted relay certificate was accepted")
	}
	if n := len(relay.Messages()); n != 1 {
		t.Fatalf("relay has %d messages after failures", n)
	}
}

// decode reads a message as a mail client would: its subject and text body.
func decode(t *testing.T, raw string) (string, string) {
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

func TestSendErrorsNameNoAddress(t *testing.T) {
	relay := testkit.StartSMTPServer(t, "", "", nil)
	relay.Reject = "<{to}>: Recipient address rejected"
	s, err := NewSMTPSender(SMTPConfig{Addr: relay.Addr, From: "no-reply@acme.example", TLS: TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Compose(VerifyEmail, "jane.private@example.com", params())
	err = s.Send(context.Background(), m)
	if err == nil || strings.Contains(err.Error(), "jane.private") || !strings.Contains(err.Error(), "[address]") {
		t.Fatalf("error %v", err)
	}
}

func TestPlainSMTPOnlyToLoopback(t *testing.T) {
	if _, err := NewSMTPSender(SMTPConfig{Addr: "mail.example.com:25", From: "a@b.c", TLS: TLSNone}); err == nil {
		t.Fatal("plain SMTP to a remote relay was accepted")
	}
	for _, cfg := range []SMTPConfig{
		{Addr: "nohost", From: "a@b.c", TLS: TLSStartTLS},
		{Addr: "mail.example.com:25", From: "a@b.c", TLS: "maybe"},
		{Addr: "mail.example.com:25", TLS: TLSStartTLS},
	} {
		if _, err := NewSMTPSender(cfg); err == nil {
			t.Errorf("accepted %+v", cfg)
		}
	}
}

func TestComposeKeepsPHIOut(t *testing.T) {
	for _, k := range []Kind{VerifyEmail, PasswordReset, AccountUnlock, StaffInvite, AccountDeletion, BreachNotice} {
		if _, err := Compose(k, "a@b.c", params()); err != nil {
			t.Errorf("%s: %v", k, err)
		}
	}
	p := params()
	p.Reference, p.Status = "A1B2-C3D4", "paid"
	m, err := Compose(OrderStatus, "a@b.c", p)
	if err != nil || m.Subject != "Order A1B2-C3D4 is confirmed" || !strings.Contains(m.Text, "sign in") && !strings.Contains(m.Text, "Sign in") {
		t.Fatalf("order message %+v %v", m, err)
	}
	// Every status has its own words, and each says to sign in.
	subjects := map[string]bool{}
	for _, st := range orderStatuses {
		p.Status = st
		m, err := Compose(OrderStatus, "a@b.c", p)
		if err != nil || !strings.Contains(m.Subject, "A1B2-C3D4") || !strings.Contains(m.Text, "Sign in") {
			t.Errorf("%s: %+v %v", st, m, err)
		}
		subjects[m.Subject] = true
	}
	if len(subjects) != len(orderStatuses) {
		t.Errorf("%d distinct subjects for %d statuses", len(subjects), len(orderStatuses))
	}
	// Return emails (issue 18): per status its own words, the reference and
	// the sign-in, nothing else; a status that is not a return's is refused.
	texts := map[string]bool{}
	for _, st := range returnStatuses {
		p.Status = st
		m, err := Compose(ReturnStatus, "a@b.c", p)
		if err != nil || !strings.Contains(m.Subject, "A1B2-C3D4") || !strings.Contains(m.Text, "Sign in") {
			t.Errorf("return %s: %+v %v", st, m, err)
		}
		texts[m.Text] = true
	}
	if len(texts) != len(returnStatuses) {
		t.Errorf("%d distinct return texts for %d statuses", len(texts), len(returnStatuses))
	}
	p.Status = "paid"
	if _, err := Compose(ReturnStatus, "a@b.c", p); err == nil {
		t.Error("a return message took an order status")
	}
	p.Status = "refunded"
	// The invoice email: the reference and the link, which it needs.
	m, err = Compose(OrderInvoice, "a@b.c", Params{Brand: "Acme", Link: "https://a.example/account/orders/x", Reference: "A1B2-C3D4"})
	if err != nil || m.Subject != "Order A1B2-C3D4 is placed: your invoice" || !strings.Contains(m.Text, "https://a.example/account/orders/x") {
		t.Fatalf("invoice message %+v %v", m, err)
	}
	bad := []struct {
		kind Kind
		p    Params
	}{
		{OrderInvoice, Params{Brand: "Acme", Link: "https://a.example/"}},
		{OrderInvoice, Params{Brand: "Acme", Link: "https://a.example/", Reference: "A1B2", Status: "paid"}},
		{OrderStatus, Params{Brand: "Acme", Link: "https://a.example/", Reference: "Metformin 500mg", Status: "paid"}},
		{OrderStatus, Params{Brand: "Acme", Link: "https://a.example/", Reference: "A1B2", Status: "HIV test shipped"}},
		{VerifyEmail, Params{Brand: "Acme", Link: "https://a.example/", Reference: "A1B2"}},
		{VerifyEmail, Params{Brand: "Acme\r\nBcc: x@y.z", Link: "https://a.example/"}},
		{VerifyEmail, Params{Brand: "Acme", Link: "javascript:alert(1)"}},
		{VerifyEmail, Params{Brand: "Acme", Link: "https://user:pw@a.example/"}},
		{Kind("custom"), params()},
	}
	for _, c := range bad {
		if _, err := Compose(c.kind, "a@b.c", c.p); err == nil {
			t.Errorf("Compose(%s, %+v) accepted", c.kind, c.p)
		}
	}
}

var orderStatuses = []string{"pending_payment", "paid", "awaiting_rx", "ready", "shipped", "delivered", "cancelled", "refunded"}

// TestBrandedDropsWhatCouldBreakOut: a brand's sender and footer are used
// as given when they are one line and one plain address; a name or address
// that could add a header, or is not one address, is dropped (the relay's
// sender is used), and a footer's line breaks become spaces.
func TestBrandedDropsWhatCouldBreakOut(t *testing.T) {
	m, err := Compose(VerifyEmail, "jane@example.com", params())
	if err != nil {
		t.Fatal(err)
	}
	ok := m.Branded(BrandMail{SenderName: "Acme Care", SenderAddress: "care@acme.example", Footer: "Acme, 1 Main Street"})
	if ok.FromName != "Acme Care" || ok.FromAddress != "care@acme.example" || !strings.HasSuffix(ok.Text, "— Acme Pharmacy\n\nAcme, 1 Main Street\n") {
		t.Fatalf("branded: %q <%s>\n%s", ok.FromName, ok.FromAddress, ok.Text)
	}
	bad := m.Branded(BrandMail{SenderName: "Acme\r\nBcc: all@evil.example", SenderAddress: "Evil <x@evil.example>", Footer: "line one\r\nBcc: all@evil.example"})
	if bad.FromName != "" || bad.FromAddress != "" || !strings.HasSuffix(bad.Text, "\n\nline one  Bcc: all@evil.example\n") {
		t.Fatalf("branded with bad values: %q <%s>\n%q", bad.FromName, bad.FromAddress, bad.Text)
	}
	if none := m.Branded(BrandMail{}); none.Text != m.Text || none.FromName != "" || none.FromAddress != "" {
		t.Fatalf("an empty brand changed the message: %+v", none)
	}
}

var returnStatuses = []string{"requested", "approved", "rejected", "received", "refunded"}
