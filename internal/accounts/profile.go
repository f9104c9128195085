package accounts

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Account is an account with its PHI opened: what the profile and admin pages
// show. Its PHI stays wrapped (phi.String) until a page reveals it.
type Account struct {
	ID       string
	TenantID string
	Role     access.Role
	Status   string // StatusActive, StatusDisabled, StatusInvited
	Email    phi.String
	Name     phi.String
	Phone    phi.String
	DOB      phi.String // YYYY-MM-DD; empty when not given
	// Details is the rest of the profile (issue 16), opened with the rest.
	Details       Details
	EmailVerified bool
	TOTP          bool // a TOTP authenticator is enrolled
	Passkeys      int
	LastLoginAt   time.Time
	DisabledAt    time.Time
	CreatedAt     time.Time
}

// HasSecondFactor reports whether the account can pass MFA.
func (a Account) HasSecondFactor() bool { return a.TOTP || a.Passkeys > 0 }

// Account returns an account with its PHI opened for the actor in ctx, for a
// purpose. The vault records the access.
func (s *Service) Account(ctx context.Context, tenantID, userID string, purpose access.Purpose) (Account, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if u, ok := ctx.Value(rowKey{}).(User); ok && u.ID == userID && u.TenantID == tenantID {
		// The row this request already read (WithRow); opened below
		// through the same audited access.
		return s.open(ctx, u, purpose)
	}
	u, err := s.users.ByID(ctx, tenantID, userID)
	if err != nil {
		return Account{}, notFound(err)
	}
	return s.open(ctx, u, purpose)
}

type rowKey struct{}

// WithRow returns ctx carrying a person's row as this request read it (the
// session's lookup), so that Account on the same person reads it no second
// time. Only for a read-only view, set by its handler: a request that
// changes the account must not carry it (Account would return the row from
// before the change). Nothing is kept beyond the request, and the row is
// still opened through an audited vault access.
func WithRow(ctx context.Context, u User) context.Context {
	return context.WithValue(ctx, rowKey{}, u)
}

// Email returns the address of a person, for the emails other services send
// them (orders' status emails); the access is audited for operations.
func (s *Service) Email(ctx context.Context, tenantID, userID string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	acct, err := s.Account(ctx, tenantID, userID, access.PurposeOperations)
	if err != nil {
		return "", err
	}
	return acct.Email.Reveal(), nil
}

func (s *Service) open(ctx context.Context, u User, purpose access.Purpose) (Account, error) {
	h, err := s.vault.Access(ctx, phi.Request{TenantID: u.TenantID, Subjects: []string{u.ID}, Action: access.Read,
		Purpose: purpose, Resource: "user", ResourceID: u.ID, AuditAction: "user.read"})
	if err != nil {
		return Account{}, err
	}
	a := accountOf(u)
	if a.Email, err = h.OpenString(u.ID, "users", "email_ct", u.ID, u.EmailCT); err != nil {
		return Account{}, err
	}
	if u.NameCT != nil {
		if a.Name, err = h.OpenString(u.ID, "users", "name_ct", u.ID, u.NameCT); err != nil {
			return Account{}, err
		}
	}
	if u.PhoneCT != nil {
		if a.Phone, err = h.OpenString(u.ID, "users", "phone_ct", u.ID, u.PhoneCT); err != nil {
			return Account{}, err
		}
	}
	if u.DOBCT != nil {
		if a.DOB, err = h.OpenString(u.ID, "users", "dob_ct", u.ID, u.DOBCT); err != nil {
			return Account{}, err
		}
	}
	if a.Details, err = openDetails(h, u.ID, u.DetailsCT); err != nil {
		return Account{}, err
	}
	return a, nil
}

// accountOf copies what is not PHI.
func accountOf(u User) Account {
	return Account{ID: u.ID, TenantID: u.TenantID, Role: u.Role, Status: u.Status,
		EmailVerified: !u.EmailVerifiedAt.IsZero(), TOTP: u.TOTPSecretCT != nil, Passkeys: u.Passkeys,
		LastLoginAt: u.LastLoginAt, DisabledAt: u.DisabledAt, CreatedAt: u.CreatedAt}
}

// Profile is what a person may change about themselves without re-signing in.
type Profile struct {
	Name  string
	Phone string
	// DOB is the date of birth, YYYY-MM-DD, optional.
	DOB string
	// Details, if not nil, replaces the rest of the profile (issue 16);
	// nil leaves it as it is (an invitation sets the name only).
	Details *Details
	// Choices, when not empty, are the ids Details.Preferred may be: the
	// tenant's locations.
	Choices []string
}

// UpdateProfile seals and stores the signed-in user's profile.
func (s *Service) UpdateProfile(ctx context.Context, p Profile) error {
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return apperr.DeniedError(errors.New("no actor"))
	}
	return s.setProfile(ctx, a.TenantID, a.ID, p, access.PurposeSelf, "user.profile.update")
}

// setProfile seals and stores an account's name, phone, date of birth and,
// when given, the rest of the profile; the actor in ctx is recorded as the
// writer, for purpose, as action.
func (s *Service) setProfile(ctx context.Context, tenantID, userID string, p Profile, purpose access.Purpose, action string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	// Every field is checked before anything is written, and every wrong
	// field is named at once: a bad submit changes nothing and the form
	// keeps what was typed.
	fields := map[string]string{}
	if err := invalid(checkName(p.Name), fields); err != nil {
		return err
	}
	p.Phone = strings.TrimSpace(p.Phone)
	if !validPhone(p.Phone) {
		fields["phone"] = "Use digits, spaces and + - ( ) only."
	}
	p.DOB = strings.TrimSpace(p.DOB)
	if err := invalid(CheckDOB(p.DOB, s.clock.Now()), fields); err != nil {
		return err
	}
	if p.Details != nil {
		checkDetails(p.Details, p.Choices, fields)
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the highlighted fields.", fields)
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{userID}, Action: access.Write,
		Purpose: purpose, Resource: "user", ResourceID: userID, AuditAction: action})
	if err != nil {
		return err
	}
	var nameCT, phoneCT []byte
	if n := strings.TrimSpace(p.Name); n != "" {
		if nameCT, err = h.SealString(userID, "users", "name_ct", userID, n); err != nil {
			return err
		}
	}
	if p.Phone != "" {
		if phoneCT, err = h.SealString(userID, "users", "phone_ct", userID, p.Phone); err != nil {
			return err
		}
	}
	var dobCT []byte
	if p.DOB != "" {
		if dobCT, err = h.SealString(userID, "users", "dob_ct", userID, p.DOB); err != nil {
			return err
		}
	}
	var detailsCT []byte
	if p.Details != nil {
		if detailsCT, err = sealDetails(h, userID, *p.Details); err != nil {
			return err
		}
	}
	if err := s.users.SetProfile(ctx, tenantID, userID, nameCT, phoneCT, s.clock.Now()); err != nil {
		return err
	}
	// The name's blind index follows the name (staff find a patient by it;
	// see internal/patients); also how accounts older than the index get one.
	if err := s.users.SetNameIndex(ctx, tenantID, userID, NameIndex(s.vault, tenantID, p.Name)); err != nil {
		return err
	}
	if p.Details != nil {
		if err := s.users.SetDetails(ctx, tenantID, userID, detailsCT, s.clock.Now()); err != nil {
			return err
		}
	}
	return s.users.SetDOB(ctx, tenantID, userID, dobCT, DOBIndex(s.vault, tenantID, p.DOB))
}
