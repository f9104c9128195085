// Package notify sends email: messages built only from fixed templates whose
// parameters are checked (so no PHI can be put in a subject or body), an outbox
// they leave through, and the SMTP sender.
package notify

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
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
	// ProxyShared tells a person that someone shared parts of their record
	// with them; who, and what, is behind the sign-in.
	ProxyShared Kind = "proxy_shared"
	// LabAttention tells a clinician that a lab result they ordered needs
	// their attention (a critical value); which patient and what value are
	// behind the sign-in.
	LabAttention Kind = "lab_attention"
)

// Params are a message's parameters. Only these fields exist, and each is
// checked, so free text (a name, a product, a diagnosis) has nowhere to go.
type Params struct {
	Brand     string // the tenant's name
	Link      string // a URL of the tenant's site, e.g. with a one-time token
	Reference string // an order or alert reference such as A1B2-C3D4
	Status    string // one of the order statuses, for OrderStatus
}

// Message is one email, ready to send. To is PHI (an address): it is kept
// sealed in the outbox and only in memory here.
type Message struct {
	To      string
	Subject string
	Text    string
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
	case LabAttention:
		subject = "A lab result needs your attention at " + brand
		body = "A lab result you ordered has a value in the critical range. Sign in to review it:\n\n" + p.Link
	case OrderInvoice:
		subject = "Order " + p.Reference + " is placed: your invoice"
		body = "Thank you. Your order " + p.Reference + " is placed and waits for payment by invoice. " +
			"The invoice (the amount due and how to pay) is with the order in your account:\n\n" + p.Link +
			"\n\nWe prepare the order once the payment arrives, and write again then."
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

func (p Params) check(kind Kind) error {
	if p.Brand == "" || len(p.Brand) > 100 || strings.ContainsAny(p.Brand, "\r\n") {
		return errors.New("brand must be a tenant name on one line")
	}
	u, err := url.Parse(p.Link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil || len(p.Link) > 500 {
		return errors.New("link must be an absolute http(s) URL of the site")
	}
	needsRef := kind == SecurityAlert || kind == OrderStatus || kind == OrderInvoice
	switch {
	case needsRef && !referenceRE.MatchString(p.Reference):
		return errors.New("reference must be a code such as A1B2-C3D4")
	case !needsRef && p.Reference != "":
		return errors.New("this message takes no reference")
	case kind == OrderStatus && !slices.Contains(statuses, p.Status):
		return errors.New("status must be an order status")
	case kind != OrderStatus && p.Status != "":
		return errors.New("this message takes no status")
	}
	return nil
}
