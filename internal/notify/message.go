// Package notify sends email: messages built only from fixed templates whose
// parameters are checked (so no PHI can be put in a subject or body), an outbox
// they leave through, and the SMTP sender.
package notify

import (
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Kind names a message template.
type Kind string

// The message kinds. Each says only that something happened and where to sign
// in to see it; the details stay behind the login.
const (
	VerifyEmail   Kind = "verify_email"
	PasswordReset Kind = "password_reset"
	AccountUnlock Kind = "account_unlock"
	StaffInvite   Kind = "staff_invite"
	SecurityAlert Kind = "security_alert"
	OrderStatus   Kind = "order_status"
	// OrderInvoice confirms an order placed to be paid by invoice and says
	// where the invoice is: behind the sign-in, never in the email.
	OrderInvoice Kind = "order_invoice"
	// ReturnStatus tells a patient that a return of an order moved on
	// (requested, approved, rejected, received, refunded): the order's
	// reference and the status only; what is returned is behind the sign-in.
	ReturnStatus Kind = "return_status"
	// ProxyShared tells a person that someone shared parts of their record
	// with them; who, and what, is behind the sign-in.
	ProxyShared Kind = "proxy_shared"
	// RefillDue reminds a patient that a refill falls due; which one, and
	// of what, is behind the sign-in.
	RefillDue Kind = "refill_due"
	// AppointmentBooked, AppointmentMoved, AppointmentCancelled and
	// AppointmentReminder say that an appointment was booked, moved,
	// cancelled or is tomorrow, with its calendar file (Calendar): the time
	// and the brand only.
	AppointmentBooked    Kind = "appointment_booked"
	AppointmentMoved     Kind = "appointment_moved"
	AppointmentCancelled Kind = "appointment_cancelled"
	AppointmentReminder  Kind = "appointment_reminder"
	// LabAttention tells a clinician that a lab result they ordered needs
	// their attention (a critical value); which patient and what value are
	// behind the sign-in.
	LabAttention Kind = "lab_attention"
	// AccountDeletion carries the link that confirms a patient's request to
	// close their account and delete their data.
	AccountDeletion Kind = "account_deletion"
	// NewMessage tells a patient that their pharmacy or care team wrote to
	// them, and TeamMessage tells staff that a patient wrote to their team
	// (secure messaging, issue 16): never the text, never the subject, never
	// who; that is behind the sign-in.
	NewMessage  Kind = "new_message"
	TeamMessage Kind = "team_message"
	// AmendmentAnswered tells a patient that their request to correct a
	// record was decided or extended; which record, what was asked and the
	// answer are behind the sign-in (issue 16, 164.526).
	AmendmentAnswered Kind = "amendment_answered"
	// DeviceAlert tells a clinician that a device reading of a patient in
	// their care passed an alert threshold; which patient and what value
	// are behind the sign-in (issue 17, devices).
	DeviceAlert Kind = "device_alert"
	// BreachNotice tells a person affected by a breach that a notice about
	// their information waits behind the sign-in (164.404; issue 19): never
	// what happened, what information or to whom, which are in the notice.
	BreachNotice Kind = "breach_notice"
	// ReviewDue tells a compliance officer that scheduled compliance
	// reviews are due or overdue, or a BAA ends soon (issue 19); which ones
	// are behind the sign-in.
	ReviewDue Kind = "review_due"
)

// Params are a message's parameters. Only these fields exist, and each is
// checked, so free text (a name, a product, a diagnosis) has nowhere to go.
type Params struct {
	Brand     string // the tenant's name
	Link      string // a URL of the tenant's site, e.g. with a one-time token
	Reference string // an order or alert reference such as A1B2-C3D4
	Status    string // one of the order statuses, for OrderStatus
	// Event is the appointment's time, for the appointment kinds: it
	// becomes the attached calendar file and the time named in the text.
	Event *Event
	// Zone is the IANA zone the text names the time in (the location's);
	// UTC when empty.
	Zone string
}

// Message is one email, ready to send. To is PHI (an address): it is kept
// sealed in the outbox and only in memory here.
type Message struct {
	To      string
	Subject string
	Text    string
	// Attachments are files sent with the text (an appointment's calendar
	// file).
	Attachments []Attachment `json:",omitempty"`
	// FromName and FromAddress are the brand's sender (Branded); empty, the
	// relay's configured sender is used.
	FromName    string `json:",omitempty"`
	FromAddress string `json:",omitempty"`
}

// BrandMail is how a brand signs its email: the sender's display name and
// address (each empty: the mail relay's configured sender) and a footer line
// under the text. These are the brand's settings, set by its staff or its
// organisation, never anything of a person's.
type BrandMail struct {
	SenderName    string
	SenderAddress string
	Footer        string
}

// Branded returns m as the brand sends it: from its sender, with its footer
// under the text. Values that could break out of their header or line (a
// line break, an address that is not one plain address) are dropped rather
// than sent; the settings refuse them already, so this is a second wall
// against header injection.
func (m Message) Branded(b BrandMail) Message {
	if name := strings.TrimSpace(b.SenderName); name != "" && !strings.ContainsFunc(name, unicode.IsControl) && utf8.RuneCountInString(name) <= 100 {
		m.FromName = name
	}
	if a, err := mail.ParseAddress(b.SenderAddress); err == nil && a.Name == "" && a.Address == b.SenderAddress {
		m.FromAddress = b.SenderAddress
	}
	if footer := strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, b.Footer)); footer != "" {
		m.Text = strings.TrimRight(m.Text, "\n") + "\n\n" + footer + "\n"
	}
	return m
}

var (
	referenceRE = regexp.MustCompile(`^[A-Z0-9]{2,8}(?:-[A-Z0-9]{2,8}){0,3}$`)
	statuses    = []string{"pending_payment", "paid", "awaiting_rx", "ready", "shipped", "delivered", "cancelled", "refunded"}
)

// Compose builds a message of a kind from checked parameters.
func Compose(kind Kind, to string, p Params) (Message, error) {
	if err := p.check(kind); err != nil {
		return Message{}, fmt.Errorf("compose %s: %w", kind, err)
	}
	brand := p.Brand
	var subject, body string
	switch kind {
	case VerifyEmail:
		subject = "Confirm your email address for " + brand
		body = "Please confirm your email address by opening this link within 24 hours:\n\n" + p.Link +
			"\n\nIf you did not create an account, ignore this message."
	case PasswordReset:
		subject = "Reset your " + brand + " password"
		body = "Someone asked to reset the password of your account. To choose a new password, open this link within 30 minutes:\n\n" + p.Link +
			"\n\nIf it was not you, ignore this message; your password stays as it is."
	case AccountUnlock:
		subject = "Your " + brand + " account was locked"
		body = "After many failed sign-in attempts your account was locked to protect it. To unlock it, open this link:\n\n" + p.Link +
			"\n\nIf these attempts were not yours, consider changing your password after unlocking."
	case StaffInvite:
		subject = "You are invited to " + brand
		body = "You have been invited to join " + brand + " as a member of staff. Set up your account within 72 hours here:\n\n" + p.Link
	case SecurityAlert:
		subject = "Security alert " + p.Reference + " at " + brand
		body = "A security event needs your attention (reference " + p.Reference + "). Sign in to review it:\n\n" + p.Link
	case OrderStatus:
		subject, body = orderText(brand, p)
	case ProxyShared:
		subject = "Someone has shared access with you at " + brand
		body = "Someone with an account at " + brand + " has given you access to parts of their record, so that you can help them. " +
			"Sign in to see who, and what they shared:\n\n" + p.Link +
			"\n\nNothing of your own record is shared by this. If you do not know why you got this message, you can ignore it."
	case RefillDue:
		subject = "You have a refill due at " + brand
		body = "You have a refill due — sign in to see it and order it:\n\n" + p.Link
	case AccountDeletion:
		subject = "Confirm closing your " + brand + " account"
		body = "You asked to close your account and delete your data. To confirm, open this link within an hour, signed in:\n\n" + p.Link +
			"\n\nIf it was not you, ignore this message: nothing changes. Then consider changing your password."
	case AmendmentAnswered:
		subject = "News about your correction request at " + brand
		body = "There is news about a request you made to correct your records. Sign in to read it:\n\n" + p.Link
	case LabAttention:
		subject = "A lab result needs your attention at " + brand
		body = "A lab result you ordered has a value in the critical range. Sign in to review it:\n\n" + p.Link
	case NewMessage:
		subject = "You have a new message from " + brand
		body = "You have a new message from " + brand + " — sign in to read it:\n\n" + p.Link
	case TeamMessage:
		subject = "A patient wrote to your team at " + brand
		body = "A patient sent a new message to your team at " + brand + " — sign in to read it:\n\n" + p.Link
	case DeviceAlert:
		subject = "A device reading needs your attention at " + brand
		body = "A device reading of a patient in your care passed an alert threshold. Sign in to review it:\n\n" + p.Link
	case BreachNotice:
		subject = "An important notice about your information from " + brand
		body = "An important notice about your information — sign in to read it:\n\n" + p.Link
	case ReviewDue:
		subject = "A compliance review needs your attention at " + brand
		body = "A scheduled compliance review is due, or a business associate agreement ends soon. Sign in to see which:\n\n" + p.Link
	case ReturnStatus:
		subject, body = returnText(brand, p)
	case OrderInvoice:
		subject = "Order " + p.Reference + " is placed: your invoice"
		body = "Thank you. Your order " + p.Reference + " is placed and waits for payment by invoice. " +
			"The invoice (the amount due and how to pay) is with the order in your account:\n\n" + p.Link +
			"\n\nWe prepare the order once the payment arrives, and write again then."
	case AppointmentBooked, AppointmentMoved, AppointmentCancelled, AppointmentReminder:
		subject, body = appointmentText(kind, brand, p)
		m := Message{To: to, Subject: subject, Text: body + "\n\n— " + brand + "\n"}
		e := *p.Event
		e.Cancelled = kind == AppointmentCancelled
		m.Attachments = []Attachment{Calendar(brand, e)}
		return m, nil
	default:
		return Message{}, fmt.Errorf("compose: unknown kind %q", kind)
	}
	return Message{To: to, Subject: subject, Text: body + "\n\n— " + brand + "\n"}, nil
}

func orderText(brand string, p Params) (string, string) {
	ref := p.Reference
	switch p.Status {
	case "paid":
		return "Order " + ref + " is confirmed", "Thank you. Your order " + ref + " is confirmed. Sign in to see it:\n\n" + p.Link
	case "awaiting_rx":
		return "Order " + ref + " is waiting for prescription verification", "Your order " + ref + " is waiting for our pharmacists to verify a prescription. Sign in to see it:\n\n" + p.Link
	case "ready":
		return "Order " + ref + " is being prepared", "Your order " + ref + " is being prepared for shipping. Sign in to see it:\n\n" + p.Link
	case "shipped":
		return "Order " + ref + " has shipped", "Your order " + ref + " is on its way. Sign in to see it:\n\n" + p.Link
	case "delivered":
		return "Order " + ref + " was delivered", "Your order " + ref + " was delivered. Sign in to see it:\n\n" + p.Link
	case "cancelled":
		return "Order " + ref + " was cancelled", "Your order " + ref + " was cancelled; any payment taken for it is given back. Sign in to see it:\n\n" + p.Link
	case "refunded":
		return "Order " + ref + " was refunded", "Your order " + ref + " was refunded. Sign in to see it:\n\n" + p.Link
	default:
		return "Order " + ref + " was updated", "There is news about your order " + ref + ". Sign in to see it:\n\n" + p.Link
	}
}

// appointmentText names the time (in the location's zone) and the brand,
// never the clinician, the type or the reason.
func appointmentText(kind Kind, brand string, p Params) (string, string) {
	loc, err := time.LoadLocation(p.Zone)
	if err != nil {
		loc = time.UTC
	}
	when := p.Event.Start.In(loc).Format("Monday 2 January 2006 at 15:04 MST")
	switch kind {
	case AppointmentBooked:
		return "Your appointment at " + brand + " is booked", "Your appointment on " + when + " is booked. " +
			"The attached file adds it to your calendar. Sign in to see the details, move or cancel it:\n\n" + p.Link
	case AppointmentMoved:
		return "Your appointment at " + brand + " has moved", "Your appointment is now on " + when + ". " +
			"The attached file updates your calendar. Sign in to see the details:\n\n" + p.Link
	case AppointmentCancelled:
		return "Your appointment at " + brand + " is cancelled", "Your appointment on " + when + " is cancelled. " +
			"The attached file removes it from your calendar. Sign in to book another time:\n\n" + p.Link
	default:
		return "Reminder: your appointment at " + brand + " is tomorrow", "A reminder: your appointment is on " + when + ". " +
			"Sign in to see the details, move or cancel it:\n\n" + p.Link
	}
}

func (p Params) check(kind Kind) error {
	if p.Brand == "" || len(p.Brand) > 100 || strings.ContainsAny(p.Brand, "\r\n") {
		return errors.New("brand must be a tenant name on one line")
	}
	u, err := url.Parse(p.Link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(p.Link) > 500 {
		return errors.New("link must be an absolute http(s) URL of the site")
	}
	needsRef := kind == SecurityAlert || kind == OrderStatus || kind == OrderInvoice || kind == ReturnStatus
	switch {
	case needsRef && !referenceRE.MatchString(p.Reference):
		return errors.New("reference must be a code such as A1B2-C3D4")
	case !needsRef && p.Reference != "":
		return errors.New("this message takes no reference")
	case kind == OrderStatus && !slices.Contains(statuses, p.Status):
		return errors.New("status must be an order status")
	case kind == ReturnStatus && !slices.Contains(returnStatuses, p.Status):
		return errors.New("status must be a return status")
	case kind != OrderStatus && kind != ReturnStatus && p.Status != "":
		return errors.New("this message takes no status")
	}
	appointment := kind == AppointmentBooked || kind == AppointmentMoved || kind == AppointmentCancelled || kind == AppointmentReminder
	if appointment {
		if err := p.Event.check(); err != nil {
			return err
		}
		if _, err := time.LoadLocation(p.Zone); err != nil {
			return errors.New("zone must be an IANA time zone")
		}
	} else if p.Event != nil || p.Zone != "" {
		return errors.New("this message takes no event")
	}
	return nil
}

// returnStatuses are the statuses a ReturnStatus message may name.
var returnStatuses = []string{"requested", "approved", "rejected", "received", "refunded"}

// returnText words a ReturnStatus message: the reference and the status,
// nothing returned.
func returnText(brand string, p Params) (string, string) {
	words := map[string]string{
		"requested": "we have your return request for order " + p.Reference + " and will answer soon",
		"approved":  "your return for order " + p.Reference + " is approved: please send the items back",
		"rejected":  "we could not accept your return for order " + p.Reference + "; write to us from your account if you have questions",
		"received":  "we received the items you returned from order " + p.Reference + "; the refund follows",
		"refunded":  "your return for order " + p.Reference + " is refunded",
	}[p.Status]
	return "Your return for order " + p.Reference + " at " + brand, "Hello, " + words + ". Sign in to see it:\n\n" + p.Link
}
