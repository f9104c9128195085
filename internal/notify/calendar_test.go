package notify_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/testkit"
)

func appointmentParams() notify.Params {
	start := time.Date(2026, 3, 9, 14, 30, 0, 0, time.UTC)
	return notify.Params{Brand: "Acme Clinic", Link: "https://acme.example/account/appointments", Zone: "America/New_York",
		Event: &notify.Event{UID: "0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", Start: start, End: start.Add(30 * time.Minute), Stamp: start.Add(-48 * time.Hour)}}
}

// TestAppointmentEmailCarriesOnlyTimeAndBrand: the text and the calendar
// file name the time and the tenant, in UTC in the file and in the
// location's zone in the text; nothing else has a field to travel in.
func TestAppointmentEmailCarriesOnlyTimeAndBrand(t *testing.T) {
	m, err := notify.Compose(notify.AppointmentBooked, "pat@example.com", appointmentParams())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.Text, "Monday 9 March 2026 at 10:30 EDT") || !strings.Contains(m.Subject, "Acme Clinic") {
		t.Errorf("text %q / %q", m.Subject, m.Text)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Name != "appointment.ics" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	ics := string(m.Attachments[0].Data)
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "VERSION:2.0\r\n", "UID:0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b@salve\r\n",
		"DTSTAMP:20260307T143000Z\r\n", "DTSTART:20260309T143000Z\r\n", "DTEND:20260309T150000Z\r\n",
		"SUMMARY:Appointment at Acme Clinic\r\n", "METHOD:PUBLISH\r\n", "END:VCALENDAR\r\n"} {
		if !strings.Contains(ics, want) {
			t.Errorf("calendar lacks %q:\n%s", want, ics)
		}
	}
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		name, _, _ := strings.Cut(l, ":")
		switch name {
		case "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS":
		default:
			t.Errorf("calendar line %q: a property that may carry more than the time and brand", l)
		}
	}
	c, err := notify.Compose(notify.AppointmentCancelled, "pat@example.com", appointmentParams())
	if err != nil || !strings.Contains(string(c.Attachments[0].Data), "METHOD:CANCEL\r\n") || !strings.Contains(string(c.Attachments[0].Data), "STATUS:CANCELLED") {
		t.Errorf("cancellation %v: %s", err, c.Attachments)
	}
	// A brand with commas and a long name is escaped and folded.
	p := appointmentParams()
	p.Brand = "Acme, Clinic; and Sons of the Very Long Name Health Partnership Incorporated"
	m, err = notify.Compose(notify.AppointmentReminder, "pat@example.com", p)
	if err != nil {
		t.Fatal(err)
	}
	unfolded := strings.ReplaceAll(string(m.Attachments[0].Data), "\r\n ", "")
	if !strings.Contains(unfolded, `SUMMARY:Appointment at Acme\, Clinic\; and Sons`) {
		t.Errorf("not escaped: %s", unfolded)
	}
	for _, l := range strings.Split(string(m.Attachments[0].Data), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
	}
}

func TestAppointmentParamsAreChecked(t *testing.T) {
	bad := []func(p *notify.Params){
		func(p *notify.Params) { p.Event = nil },
		func(p *notify.Params) { p.Event.UID = "Dr Rivera, HIV test" },
		func(p *notify.Params) { p.Event.End = p.Event.Start },
		func(p *notify.Params) { p.Zone = "Mars/Olympus" },
		func(p *notify.Params) { p.Reference = "A1B2" },
	}
	for i, f := range bad {
		p := appointmentParams()
		ev := *p.Event
		p.Event = &ev
		f(&p)
		if _, err := notify.Compose(notify.AppointmentBooked, "a@b.c", p); err == nil {
			t.Errorf("bad params %d accepted", i)
		}
	}
	// Other kinds take no event.
	p := notify.Params{Brand: "Acme Pharmacy", Link: "https://shop.acme.example/verify?token=abc"}
	p.Event = appointmentParams().Event
	if _, err := notify.Compose(notify.VerifyEmail, "a@b.c", p); err == nil {
		t.Error("an event on a verification email was accepted")
	}
}

// TestAttachmentReachesTheRelay sends an appointment email through a real
// SMTP server on loopback and reads it as a mail client would: a text part
// and the calendar file, with its content type.
func TestAttachmentReachesTheRelay(t *testing.T) {
	relay := testkit.StartSMTPServer(t, "", "", nil)
	s, err := notify.NewSMTPSender(notify.SMTPConfig{Addr: relay.Addr, From: "no-reply@acme.example", TLS: notify.TLSNone})
	if err != nil {
		t.Fatal(err)
	}
	m, err := notify.Compose(notify.AppointmentBooked, "pat@example.com", appointmentParams())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := relay.Messages()
	if len(got) != 1 {
		t.Fatalf("%d messages", len(got))
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q %v", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var text, ics string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(part)
		if err != nil {
			t.Fatal(err)
		}
		ct := part.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/plain"):
			text = string(b)
		case strings.HasPrefix(ct, "text/calendar"):
			if part.FileName() != "appointment.ics" {
				t.Errorf("file name %q", part.FileName())
			}
			ics = decodePart(t, part.Header.Get("Content-Transfer-Encoding"), b)
		}
	}
	if !strings.Contains(text, "is booked") || !strings.Contains(ics, "SUMMARY:Appointment at Acme Clinic") || !strings.Contains(ics, "DTSTART:20260309T143000Z") {
		t.Errorf("text %q\nics %q", text, ics)
	}
}

func decodePart(t *testing.T, enc string, b []byte) string {
	t.Helper()
	if strings.EqualFold(enc, "base64") {
		out, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), ""))
		if err != nil {
			t.Fatal(err)
		}
		return string(out)
	}
	return string(b)
}
