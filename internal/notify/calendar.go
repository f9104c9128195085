package notify

import (
	"errors"
	"regexp"
	"strings"
	"time"
)

// Attachment is a file sent with a message. Only the calendar invitation of
// an appointment email exists (Calendar): like the text, its content is
// built from checked parameters, so no PHI can travel in it.
type Attachment struct {
	Name        string // file name, e.g. "appointment.ics"
	ContentType string // e.g. "text/calendar; charset=utf-8; method=PUBLISH"
	Data        []byte
}

// Event is the one calendar event an appointment email attaches: when, and
// a stable UID so that a reschedule replaces the earlier entry in the
// person's calendar. Nothing else: no clinician, no type, no reason.
type Event struct {
	UID        string    // the appointment's id (random, not PHI)
	Start, End time.Time // UTC in the file
	Stamp      time.Time // when the invitation was made (DTSTAMP)
	// Cancelled marks the event as cancelled (a cancellation email), so a
	// calendar that imported it removes it.
	Cancelled bool
}

var uidRE = regexp.MustCompile(`^[0-9a-zA-Z-]{8,64}$`)

func (e *Event) check() error {
	switch {
	case e == nil:
		return errors.New("an appointment message needs its event")
	case !uidRE.MatchString(e.UID):
		return errors.New("event uid must be an id")
	case e.Start.IsZero() || !e.End.After(e.Start) || e.Stamp.IsZero():
		return errors.New("event needs a start before its end, and a stamp")
	}
	return nil
}

// Calendar builds the iCalendar file (RFC 5545) of an appointment: UID,
// DTSTAMP, DTSTART and DTEND in UTC, and a SUMMARY that names only the
// tenant ("Appointment at Acme Clinic"). Why so little: an email and its
// attachments leave the system unencrypted at rest in someone's mailbox; the
// time and the brand are what a calendar needs, and nothing in them says why
// the person goes or to whom.
func Calendar(brand string, e Event) Attachment {
	const stamp = "20060102T150405Z"
	method, status := "PUBLISH", "CONFIRMED"
	if e.Cancelled {
		method, status = "CANCEL", "CANCELLED"
	}
	lines := []string{
		"BEGIN:VCALENDAR",
		"VERSION:2.0",
		"PRODID:-//Salve//Appointments//EN",
		"CALSCALE:GREGORIAN",
		"METHOD:" + method,
		"BEGIN:VEVENT",
		"UID:" + e.UID + "@salve",
		"DTSTAMP:" + e.Stamp.UTC().Format(stamp),
		"DTSTART:" + e.Start.UTC().Format(stamp),
		"DTEND:" + e.End.UTC().Format(stamp),
		"SUMMARY:" + icsText("Appointment at "+brand),
		"STATUS:" + status,
		"END:VEVENT",
		"END:VCALENDAR",
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(fold(l))
		b.WriteString("\r\n")
	}
	return Attachment{Name: "appointment.ics", ContentType: "text/calendar; charset=utf-8; method=" + method, Data: []byte(b.String())}
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", "").Replace(s)
}

// fold breaks a content line longer than 75 octets (RFC 5545 §3.1), never
// inside a UTF-8 sequence.
func fold(l string) string {
	if len(l) <= 75 {
		return l
	}
	var b strings.Builder
	n := 0
	for _, r := range l {
		w := len(string(r))
		if n+w > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteRune(r)
		n += w
	}
	return b.String()
}
