package testkit

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mail is one message received by the test SMTP server.
type Mail struct {
	From string
	To   []string
	Data string // the raw message: headers and body
	User string // the authenticated user, if any
}

// SMTPServer is a real SMTP server (emersion/go-smtp) on a loopback port that
// keeps what it receives. It stands in for the mail relay.
type SMTPServer struct {
	Addr     string
	Username string
	Password string
	// Reject, if set, makes RCPT TO fail with this text (to test failures).
	Reject string

	mu   sync.Mutex
	mail []Mail
	srv  *smtp.Server
}

// StartSMTPServer starts a server on 127.0.0.1 that requires the given
// credentials when username is not empty. With a TLS config it offers STARTTLS.
func StartSMTPServer(t testing.TB, username, password string, tc *tls.Config) *SMTPServer {
	t.Helper()
	s := &SMTPServer{Username: username, Password: password}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	srv.AllowInsecureAuth = tc == nil
	srv.TLSConfig = tc
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Addr = ln.Addr().String()
	s.srv = srv
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

// Messages returns what the server has received.
func (s *SMTPServer) Messages() []Mail {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Mail(nil), s.mail...)
}

// NewSession implements smtp.Backend.
func (s *SMTPServer) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &smtpSession{srv: s}, nil
}

type smtpSession struct {
	srv  *SMTPServer
	user string
	cur  Mail
}

func (ss *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != ss.srv.Username || pass != ss.srv.Password {
			return errors.New("invalid credentials")
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if ss.srv.Username != "" && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.cur = Mail{From: from, User: ss.user}
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.srv.Reject != "" {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: strings.ReplaceAll(ss.srv.Reject, "{to}", to)}
	}
	ss.cur.To = append(ss.cur.To, to)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.cur.Data = string(b)
	ss.srv.mu.Lock()
	ss.srv.mail = append(ss.srv.mail, ss.cur)
	ss.srv.mu.Unlock()
	return nil
}

func (ss *smtpSession) Reset()        { ss.cur = Mail{} }
func (ss *smtpSession) Logout() error { return nil }
