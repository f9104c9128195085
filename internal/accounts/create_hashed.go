package accounts

import (
	"context"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// ErrHashParams says a password hash was made with other Argon2 parameters
// than the service's: the caller hashes the password instead.
var ErrHashParams = apperr.Errorf(apperr.Invalid, "the password hash was not made with this service's Argon2 parameters")

// CreateUserHashed is CreateUser for a password hashed ahead of time with the
// service's own Argon2 parameters: the demo's accounts, whose passwords are
// printed for anyone to use and whose hashes ship in the binary, so that the
// demo's first start does not spend six hashes before it serves. The password
// rules were checked when the hash was made (the demo's test checks them); a
// hash made with other parameters is refused, so that no account is stored
// weaker than the service's cost.
func (s *Service) CreateUserHashed(ctx context.Context, tenantID string, role access.Role, email, name, hash string) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !role.Valid() || role == access.RoleSystem {
		return "", apperr.Errorf(apperr.Invalid, "unknown role %q", role)
	}
	if err := CheckEmail(email); err != nil {
		return "", err
	}
	p := s.hasher.Params()
	if want := "$argon2id$v=19$m=" + strconv.FormatUint(uint64(p.MemoryKiB), 10) + ",t=" + strconv.FormatUint(uint64(p.Time), 10) + ",p=" + strconv.FormatUint(uint64(p.Threads), 10) + "$"; !strings.HasPrefix(hash, want) {
		return "", ErrHashParams
	}
	if _, err := s.users.ByEmail(ctx, tenantID, s.emailIndex(tenantID, email)); err == nil {
		return "", errEmailTaken
	}
	return s.createUser(ctx, tenantID, role, email, name, hash)
}
