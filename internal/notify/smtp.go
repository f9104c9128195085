package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	netmail "net/mail"
	"regexp"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
)

// Sender delivers one message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// TLS modes of the SMTP connection.
const (
	TLSStartTLS = "starttls" // STARTTLS required (port 587)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // plain; only to a relay on loopback
)

// SMTPConfig says how to reach the mail relay.
type SMTPConfig struct {
	Addr     string // host:port
	Username string // empty: no authentication
	Password string
	// From is the sender address: the envelope sender of every message,
	// and its From header unless the message carries its brand's
	// (Message.FromAddress).
	From string
	TLS  string // TLSStartTLS, TLSImplicit or TLSNone
	// RootCAs, if set, replaces the system roots (tests with a local relay).
	RootCAs *x509.CertPool
}

// SMTPSender sends through an SMTP relay with wneessen/go-mail.
type SMTPSender struct{ cfg SMTPConfig }

// NewSMTPSender checks the configuration and returns a sender. Why TLS is
// required except on loopback: the message carries a recipient address (PHI)
// and a one-time link; neither may cross a network in the clear.
func NewSMTPSender(cfg SMTPConfig) (*SMTPSender, error) {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("smtp address %q: want host:port", cfg.Addr)
	}
	if _, err := strconv.Atoi(port); err != nil {
		return nil, fmt.Errorf("smtp address %q: bad port", cfg.Addr)
	}
	switch cfg.TLS {
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("smtp without TLS is only allowed to a relay on loopback")
		}
	default:
		return nil, fmt.Errorf("smtp tls mode %q: want starttls, tls or none", cfg.TLS)
	}
	if cfg.From == "" {
		return nil, fmt.Errorf("smtp needs a sender address")
	}
	return &SMTPSender{cfg: cfg}, nil
}

// Send delivers one message; the caller retries failures (the outbox does).
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	host, portStr, _ := net.SplitHostPort(s.cfg.Addr)
	port, _ := strconv.Atoi(portStr)
	opts := []mail.Option{mail.WithPort(port), mail.WithTimeout(30 * time.Second)}
	tc := &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12, RootCAs: s.cfg.RootCAs}
	switch s.cfg.TLS {
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory), mail.WithTLSConfig(tc))
	case TLSImplicit:
		opts = append(opts, mail.WithSSL(), mail.WithTLSConfig(tc))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.cfg.Username != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthPlain), mail.WithUsername(s.cfg.Username), mail.WithPassword(s.cfg.Password))
	}
	c, err := mail.NewClient(host, opts...)
	if err != nil {
		return fmt.Errorf("smtp client: %w", err)
	}
	msg := mail.NewMsg()
	if err := s.from(msg, m); err != nil {
		return err
	}
	if err := msg.To(m.To); err != nil {
		// Why not %w: go-mail's error quotes the address, which is PHI.
		return fmt.Errorf("smtp recipient address is invalid")
	}
	msg.Subject(m.Subject)
	msg.SetBodyString(mail.TypeTextPlain, m.Text)
	for _, a := range m.Attachments {
		msg.AttachReadSeeker(a.Name, bytes.NewReader(a.Data), mail.WithFileContentType(mail.ContentType(a.ContentType)))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		// Relays quote the recipient in their replies ("550 <jane@…>: no such
		// user"); the error is logged, so addresses are scrubbed from it.
		return fmt.Errorf("smtp send: %s", scrubAddresses(err.Error()))
	}
	return nil
}

// from sets the message's sender: the brand's (Message.FromName and
// FromAddress) where set, else the configured one. The envelope sender stays
// the configured address whatever the brand: bounces go to the operator of
// the relay, and the relay's SPF covers it (a brand's own domain needs the
// relay to sign for it, docs/white-label.md).
func (s *SMTPSender) from(msg *mail.Msg, m Message) error {
	if err := msg.EnvelopeFrom(s.cfg.From); err != nil {
		return fmt.Errorf("smtp sender address: %w", err)
	}
	addr := s.cfg.From
	if m.FromAddress != "" {
		addr = m.FromAddress
	}
	if m.FromName == "" {
		if err := msg.From(addr); err != nil {
			return fmt.Errorf("smtp sender address: %w", err)
		}
		return nil
	}
	if m.FromAddress == "" {
		// The configured sender may carry a display name of its own
		// ("Salve <no-reply@…>"); the brand's name replaces it.
		if a, err := netmail.ParseAddress(addr); err == nil {
			addr = a.Address
		}
	}
	if err := msg.FromFormat(m.FromName, addr); err != nil {
		return fmt.Errorf("smtp sender address: %w", err)
	}
	return nil
}

var emailRE = regexp.MustCompile(`[^\s<>"',;:()\[\]]+@[^\s<>"',;:()\[\]]+`)

// scrubAddresses replaces anything that looks like an email address.
func scrubAddresses(s string) string { return emailRE.ReplaceAllString(s, "[address]") }
