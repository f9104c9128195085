package accounts

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Purposes of the one-time links emailed to people (and of their tokens).
const (
	PurposeVerify = "verify" // confirm the address of a new account
	PurposeReset  = "reset"  // choose a new password
	PurposeUnlock = "unlock" // lift a patient's lock
	PurposeInvite = "invite" // accept a staff invitation
	PurposeDelete = "delete" // confirm a patient's request to close their account and delete their data
)

// link is how a link of a purpose is sent: how long it works, the page it
// opens and the email that carries it.
type link struct {
	ttl  time.Duration
	path string
	kind notify.Kind
}

// linkOf returns the link of a purpose.
func linkOf(purpose string) (link, bool) {
	switch purpose {
	case PurposeVerify:
		return link{24 * time.Hour, "/verify", notify.VerifyEmail}, true
	case PurposeReset:
		return link{30 * time.Minute, "/reset", notify.PasswordReset}, true
	case PurposeUnlock:
		return link{7 * 24 * time.Hour, "/unlock", notify.AccountUnlock}, true
	case PurposeInvite:
		return link{72 * time.Hour, "/invite", notify.StaffInvite}, true
	case PurposeDelete:
		return link{time.Hour, "/account/delete/confirm", notify.AccountDeletion}, true
	}
	return link{}, false
}

// SendLink creates a one-time token of a purpose (PurposeVerify, ...) for an
// account and queues the email that carries it as a link to the site at
// baseURL. The actor in ctx is recorded as reading the address.
func (s *Service) SendLink(ctx context.Context, t *tenant.Tenant, baseURL, userID, purpose string) error {
	l, ok := linkOf(purpose)
	if !ok {
		return fmt.Errorf("accounts: no link for %q", purpose)
	}
	token, hash, err := auth.NewToken()
	if err != nil {
		return err
	}
	now := s.clock.Now()
	if err := s.tokens.Insert(ctx, Token{Hash: hash, TenantID: t.ID, UserID: userID, Purpose: purpose,
		CreatedAt: now, ExpiresAt: now.Add(l.ttl)}); err != nil {
		return err
	}
	u, err := s.users.ByID(ctx, t.ID, userID)
	if err != nil {
		return err
	}
	email, err := s.OpenEmail(ctx, u, "user.email.read")
	if err != nil {
		return err
	}
	// The token travels in the link's fragment-free query: it is not PHI, it
	// works once, and the page that receives it answers with
	// Referrer-Policy: no-referrer, so it does not leak onwards.
	msg, err := notify.Compose(l.kind, email.Reveal(), notify.Params{Brand: t.Name, Link: strings.TrimSuffix(baseURL, "/") + l.path + "?token=" + token})
	if err != nil {
		return err
	}
	return s.outbox.Enqueue(ctx, t.ID, userID, l.kind, msg)
}

// OpenEmail opens an account's email address for sending it a message (or
// showing it to someone the person chose, such as the patient who made them
// a proxy); action names the audited access.
func (s *Service) OpenEmail(ctx context.Context, u User, action string) (phi.String, error) {
	h, err := s.vault.Access(ctx, phi.Request{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: access.Read,
		Purpose: access.PurposeOperations, Resource: "user", ResourceID: u.ID, AuditAction: action})
	if err != nil {
		return phi.String{}, err
	}
	return h.OpenString(u.ID, "users", "email_ct", u.ID, u.EmailCT)
}
