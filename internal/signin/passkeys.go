package signin

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/auth"
	"github.com/salvehealth/salve/internal/tenant"
)

// Ceremony purposes.
const (
	passkeyRegister = "register"
	passkeyLogin    = "login"
	passkeyMFA      = "mfa"
	passkeyFlowTTL  = 5 * time.Minute
)

// ErrPasskey answers every failed passkey ceremony with the same words.
var ErrPasskey = apperr.New(apperr.Invalid, "The passkey could not be used. Try again, or use another way to sign in.")

// Passkey is a registered passkey. Credential is go-webauthn's record of it
// as JSON (public key, sign count, flags): nothing in it is secret.
type Passkey struct {
	ID         string // the credential id, base64url
	TenantID   string
	UserID     string
	Name       string
	Credential []byte
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// Ceremony is a passkey ceremony under way: go-webauthn's session data (the
// challenge), kept server-side for a few minutes and used once.
type Ceremony struct {
	Hash, TenantID, UserID, Purpose, Name string
	Data                                  []byte
	ExpiresAt                             time.Time
}

// Passkeys keeps passkeys and ceremonies (internal/store.Passkeys).
type Passkeys interface {
	// Insert stores a passkey; a Conflict when its credential is known.
	Insert(ctx context.Context, p Passkey) error
	// OfUser lists a user's passkeys, oldest first.
	OfUser(ctx context.Context, tenantID, userID string) ([]Passkey, error)
	// Used records a sign-in with a passkey and its new state (sign count).
	Used(ctx context.Context, id string, credential []byte, now time.Time) error
	// Delete removes one of a user's passkeys; NotFound when it has no such.
	Delete(ctx context.Context, tenantID, userID, id string) error
	// PutCeremony stores a ceremony (replacing one with the same hash) and
	// drops expired ones.
	PutCeremony(ctx context.Context, c Ceremony, now time.Time) error
	// TakeCeremony returns and deletes a live ceremony (each works once);
	// NotFound when there is none.
	TakeCeremony(ctx context.Context, tenantID, hash, purpose string, now time.Time) (Ceremony, error)
}

// passkeyUser is an account as go-webauthn sees it. The names shown by the
// authenticator (and synced by passkey managers) are the brand's, not the
// person's address: an identifier of a patient must not travel to a third
// party's passkey store.
type passkeyUser struct {
	id    string
	brand string
	creds []webauthn.Credential
}

func (u passkeyUser) WebAuthnID() []byte                         { return []byte(u.id) }
func (u passkeyUser) WebAuthnName() string                       { return u.brand + " account" }
func (u passkeyUser) WebAuthnDisplayName() string                { return u.brand + " account" }
func (u passkeyUser) WebAuthnCredentials() []webauthn.Credential { return u.creds }

// relyingParty returns the WebAuthn configuration for the site at baseURL:
// the relying party is the host name, the only origin the site itself.
func relyingParty(t *tenant.Tenant, baseURL string) (*webauthn.WebAuthn, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		// WebAuthn needs a domain: browsers refuse IP addresses.
		return nil, apperr.New(apperr.Invalid, "Passkeys need the site's name in the address bar, not an IP address (try localhost).")
	}
	return webauthn.New(&webauthn.Config{RPID: host, RPDisplayName: t.Name, RPOrigins: []string{strings.TrimSuffix(baseURL, "/")}})
}

func (s *Service) passkeyUser(ctx context.Context, t *tenant.Tenant, userID string) (passkeyUser, []Passkey, error) {
	rows, err := s.passkeys.OfUser(ctx, t.ID, userID)
	if err != nil {
		return passkeyUser{}, nil, err
	}
	u := passkeyUser{id: userID, brand: t.Name}
	for _, r := range rows {
		var c webauthn.Credential
		if err := json.Unmarshal(r.Credential, &c); err != nil {
			return passkeyUser{}, nil, err
		}
		u.creds = append(u.creds, c)
	}
	return u, rows, nil
}

func (s *Service) putFlow(ctx context.Context, t *tenant.Tenant, key, userID, purpose, name string, sd *webauthn.SessionData) error {
	data, err := json.Marshal(sd)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	return s.passkeys.PutCeremony(ctx, Ceremony{Hash: auth.HashToken(key), TenantID: t.ID, UserID: userID, Purpose: purpose,
		Name: name, Data: data, ExpiresAt: now.Add(passkeyFlowTTL)}, now)
}

func (s *Service) takeFlow(ctx context.Context, t *tenant.Tenant, key, purpose string) (Ceremony, webauthn.SessionData, error) {
	var sd webauthn.SessionData
	f, err := s.passkeys.TakeCeremony(ctx, t.ID, auth.HashToken(key), purpose, s.clock.Now())
	if err != nil {
		return f, sd, ErrPasskey
	}
	if err := json.Unmarshal(f.Data, &sd); err != nil {
		return f, sd, err
	}
	return f, sd, nil
}

// BeginPasskeyRegistration starts adding a passkey to the signed-in account:
// it needs a fresh sign-in when the account already has a second factor, like
// any factor change.
func (s *Service) BeginPasskeyRegistration(ctx context.Context, t *tenant.Tenant, sess Session, baseURL, name string) (*protocol.CredentialCreation, error) {
	ctx = acting(ctx, sess)
	if err := enrolAllowed(sess); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = "Passkey"
	}
	if utf8.RuneCountInString(name) > 60 || strings.ContainsAny(name, "\r\n") {
		return nil, apperr.InvalidFields("Give the passkey a short name.", map[string]string{"name": "At most 60 characters."})
	}
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return nil, notFound(err)
	}
	if u.HasSecondFactor() && !s.policy.FreshAuth(sess.Auth(), s.clock.Now()) {
		return nil, ErrNotFresh
	}
	rp, err := relyingParty(t, baseURL)
	if err != nil {
		return nil, err
	}
	pu, _, err := s.passkeyUser(ctx, t, sess.UserID)
	if err != nil {
		return nil, err
	}
	// A discoverable credential with user verification: the same passkey then
	// signs in without a password (it is both factors).
	creation, sd, err := rp.BeginRegistration(pu,
		webauthn.WithAuthenticatorSelection(protocol.AuthenticatorSelection{ResidentKey: protocol.ResidentKeyRequirementRequired,
			RequireResidentKey: protocol.ResidentKeyRequired(), UserVerification: protocol.VerificationRequired}),
		webauthn.WithExclusions(webauthn.Credentials(pu.creds).CredentialDescriptors()))
	if err != nil {
		return nil, err
	}
	return creation, s.putFlow(ctx, t, "pkreg:"+sess.ID, sess.UserID, passkeyRegister, name, sd)
}

// FinishPasskeyRegistration verifies the authenticator's answer (body, the
// credential creation response the browser sent) and stores the passkey. A
// staff member enrolling their first factor finishes signing in: the session
// is replaced and its token returned.
func (s *Service) FinishPasskeyRegistration(ctx context.Context, t *tenant.Tenant, sess Session, baseURL string, body io.Reader) (string, Session, error) {
	ctx = acting(ctx, sess)
	if err := enrolAllowed(sess); err != nil {
		return "", Session{}, err
	}
	flow, sd, err := s.takeFlow(ctx, t, "pkreg:"+sess.ID, passkeyRegister)
	if err != nil {
		return "", Session{}, err
	}
	rp, err := relyingParty(t, baseURL)
	if err != nil {
		return "", Session{}, err
	}
	pu, _, err := s.passkeyUser(ctx, t, sess.UserID)
	if err != nil {
		return "", Session{}, err
	}
	cred, err := createCredential(rp, pu, sd, body)
	if err != nil {
		s.log.InfoContext(ctx, "passkey registration refused", "err", err)
		return "", Session{}, ErrPasskey
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return "", Session{}, err
	}
	if err := s.event(ctx, audit.Entry{TenantID: sess.TenantID, Subjects: []string{sess.UserID}, Action: "user.mfa.enrol",
		ResourceID: sess.UserID, Detail: "passkey"}); err != nil {
		return "", Session{}, err
	}
	if err := s.passkeys.Insert(ctx, Passkey{ID: base64.RawURLEncoding.EncodeToString(cred.ID), TenantID: sess.TenantID,
		UserID: sess.UserID, Name: flow.Name, Credential: raw, CreatedAt: s.clock.Now()}); err != nil {
		return "", Session{}, err
	}
	if sess.Complete() && !sess.MFAAt.IsZero() {
		return "", sess, nil // already fully signed in: nothing changes
	}
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return "", Session{}, err
	}
	return s.elevate(ctx, sess, u)
}

// Passkeys lists the signed-in account's passkeys.
func (s *Service) Passkeys(ctx context.Context, sess Session) ([]Passkey, error) {
	rows, err := s.passkeys.OfUser(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]Passkey, 0, len(rows))
	for _, r := range rows {
		r.Credential = nil // what the page shows: no key material it has no use for
		out = append(out, r)
	}
	return out, nil
}

// RemovePasskey deletes one of the signed-in account's passkeys (fresh sign-in
// needed). Staff keep at least one second factor.
func (s *Service) RemovePasskey(ctx context.Context, sess Session, id string) error {
	ctx = acting(ctx, sess)
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return notFound(err)
	}
	if !s.policy.FreshAuth(sess.Auth(), s.clock.Now()) {
		return ErrNotFresh
	}
	if u.Role.Staff() && u.TOTPSecretCT == nil && u.Passkeys <= 1 {
		return apperr.New(apperr.Invalid, "Staff accounts need a second factor. Add another before removing this one.")
	}
	if err := s.event(ctx, audit.Entry{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: "user.mfa.remove", ResourceID: u.ID, Detail: "passkey"}); err != nil {
		return err
	}
	return notFound(s.passkeys.Delete(ctx, sess.TenantID, sess.UserID, id))
}

// BeginPasskeyLogin starts a passwordless sign-in with any passkey of the
// tenant (a discoverable credential). It returns the options and the flow's
// token, which the caller keeps in a short-lived cookie.
func (s *Service) BeginPasskeyLogin(ctx context.Context, t *tenant.Tenant, baseURL string) (*protocol.CredentialAssertion, string, error) {
	rp, err := relyingParty(t, baseURL)
	if err != nil {
		return nil, "", err
	}
	assertion, sd, err := rp.BeginDiscoverableLogin(webauthn.WithUserVerification(protocol.VerificationRequired))
	if err != nil {
		return nil, "", err
	}
	token, _, err := auth.NewToken()
	if err != nil {
		return nil, "", err
	}
	return assertion, token, s.putFlow(ctx, t, "pklogin:"+token, "", passkeyLogin, "", sd)
}

// FinishPasskeyLogin verifies a passwordless sign-in (body, the assertion the
// browser sent). A passkey with user verification is two factors in one (the
// device, and its PIN or biometric), so the session is complete at once.
func (s *Service) FinishPasskeyLogin(ctx context.Context, t *tenant.Tenant, baseURL, flowToken, device string, body io.Reader) (string, Session, error) {
	ctx = systemCtx(ctx, t.ID, "passkey")
	if !auth.ValidToken(flowToken) {
		return "", Session{}, s.refuse(ctx, t.ID, nil, "passkey: no ceremony", ErrPasskey)
	}
	_, sd, err := s.takeFlow(ctx, t, "pklogin:"+flowToken, passkeyLogin)
	if err != nil {
		return "", Session{}, s.refuse(ctx, t.ID, nil, "passkey: unknown or expired ceremony", ErrPasskey)
	}
	rp, err := relyingParty(t, baseURL)
	if err != nil {
		return "", Session{}, err
	}
	var found accounts.User
	handler := func(rawID, userHandle []byte) (webauthn.User, error) {
		u, err := s.users.ByID(ctx, t.ID, string(userHandle))
		if err != nil {
			return nil, err
		}
		found = u
		pu, _, err := s.passkeyUser(ctx, t, u.ID)
		return pu, err
	}
	cred, err := validateDiscoverable(rp, handler, sd, body)
	if err != nil || found.ID == "" {
		s.log.InfoContext(ctx, "passkey sign-in refused", "err", err)
		return "", Session{}, s.refuse(ctx, t.ID, nil, "passkey: assertion refused", ErrPasskey)
	}
	if found.Status != accounts.StatusActive {
		return "", Session{}, s.refuse(ctx, t.ID, &found, "account "+found.Status, ErrPasskey)
	}
	if err := s.passkeyUsed(ctx, cred); err != nil {
		return "", Session{}, err
	}
	if err := s.event(ctx, audit.Entry{ActorID: found.ID, ActorRole: found.Role, TenantID: t.ID, Subjects: []string{found.ID},
		Action: "user.login", ResourceID: found.ID, Detail: "passkey"}); err != nil {
		return "", Session{}, err
	}
	if err := s.users.SetLastLogin(ctx, t.ID, found.ID, s.clock.Now()); err != nil {
		return "", Session{}, err
	}
	return s.startSession(ctx, found, device, true)
}

// BeginPasskeyMFA starts using a passkey as the second factor of a session
// that passed its password.
func (s *Service) BeginPasskeyMFA(ctx context.Context, t *tenant.Tenant, sess Session, baseURL string) (*protocol.CredentialAssertion, error) {
	rp, err := relyingParty(t, baseURL)
	if err != nil {
		return nil, err
	}
	pu, _, err := s.passkeyUser(ctx, t, sess.UserID)
	if err != nil {
		return nil, err
	}
	if len(pu.creds) == 0 {
		return nil, apperr.New(apperr.Invalid, "This account has no passkey. Use your authenticator code.")
	}
	assertion, sd, err := rp.BeginLogin(pu, webauthn.WithUserVerification(protocol.VerificationPreferred))
	if err != nil {
		return nil, err
	}
	return assertion, s.putFlow(ctx, t, "pkmfa:"+sess.ID, sess.UserID, passkeyMFA, "", sd)
}

// FinishPasskeyMFA verifies the passkey (body, the assertion the browser
// sent) and completes the sign-in with a new session token.
func (s *Service) FinishPasskeyMFA(ctx context.Context, t *tenant.Tenant, sess Session, baseURL string, body io.Reader) (string, Session, error) {
	ctx = acting(ctx, sess)
	_, sd, err := s.takeFlow(ctx, t, "pkmfa:"+sess.ID, passkeyMFA)
	if err != nil {
		return "", Session{}, err
	}
	rp, err := relyingParty(t, baseURL)
	if err != nil {
		return "", Session{}, err
	}
	pu, _, err := s.passkeyUser(ctx, t, sess.UserID)
	if err != nil {
		return "", Session{}, err
	}
	cred, err := validateLogin(rp, pu, sd, body)
	if err != nil {
		if e := s.event(ctx, audit.Entry{TenantID: sess.TenantID, Subjects: []string{sess.UserID}, Action: "user.mfa", ResourceID: sess.UserID,
			Outcome: audit.Denied, Detail: "passkey refused"}); e != nil {
			return "", Session{}, e
		}
		return "", Session{}, ErrPasskey
	}
	if err := s.passkeyUsed(ctx, cred); err != nil {
		return "", Session{}, err
	}
	if err := s.event(ctx, audit.Entry{TenantID: sess.TenantID, Subjects: []string{sess.UserID}, Action: "user.mfa", ResourceID: sess.UserID,
		Detail: "passkey"}); err != nil {
		return "", Session{}, err
	}
	u, err := s.users.ByID(ctx, sess.TenantID, sess.UserID)
	if err != nil {
		return "", Session{}, err
	}
	return s.elevate(ctx, sess, u)
}

// createCredential parses a credential creation response and verifies it
// against the ceremony.
func createCredential(rp *webauthn.WebAuthn, u webauthn.User, sd webauthn.SessionData, body io.Reader) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialCreationResponseBody(body)
	if err != nil {
		return nil, err
	}
	return rp.CreateCredential(u, sd, parsed)
}

// validateLogin parses an assertion and verifies it against the ceremony and
// the account's passkeys.
func validateLogin(rp *webauthn.WebAuthn, u webauthn.User, sd webauthn.SessionData, body io.Reader) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBody(body)
	if err != nil {
		return nil, err
	}
	return rp.ValidateLogin(u, sd, parsed)
}

// validateDiscoverable parses an assertion of a discoverable credential and
// verifies it against the ceremony and the passkeys of the account handler
// finds by the credential's user handle.
func validateDiscoverable(rp *webauthn.WebAuthn, handler webauthn.DiscoverableUserHandler, sd webauthn.SessionData, body io.Reader) (*webauthn.Credential, error) {
	parsed, err := protocol.ParseCredentialRequestResponseBody(body)
	if err != nil {
		return nil, err
	}
	return rp.ValidateDiscoverableLogin(handler, sd, parsed)
}

// passkeyUsed stores a credential's new state (its sign counter, which lets
// a cloned authenticator be noticed).
func (s *Service) passkeyUsed(ctx context.Context, cred *webauthn.Credential) error {
	if cred.Authenticator.CloneWarning {
		return errors.New("passkey: the authenticator's counter went backwards (a cloned key?)")
	}
	raw, err := json.Marshal(cred)
	if err != nil {
		return err
	}
	return s.passkeys.Used(ctx, base64.RawURLEncoding.EncodeToString(cred.ID), raw, s.clock.Now())
}
