package accounts

import (
	"context"
	"crypto/rand"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/tenant"
)

// Alert records a high-severity event about a tenant (a burst of failed
// sign-ins, a break-glass grant) and emails the tenant's security contact, if
// it has one. The email says only that something happened.
func (s *Service) Alert(ctx context.Context, t *tenant.Tenant, action, detail string) error {
	if err := s.event(ctx, audit.Entry{TenantID: t.ID, Action: action, ResourceType: "tenant", ResourceID: t.ID,
		Outcome: audit.Denied, Severity: audit.High, Detail: detail, Purpose: access.PurposeOperations}); err != nil {
		return err
	}
	if t.SecurityContact == "" {
		return nil
	}
	ref := alertRef()
	msg, err := notify.Compose(notify.SecurityAlert, t.SecurityContact, notify.Params{Brand: t.Name, Link: "https://" + firstHost(t) + "/admin", Reference: ref})
	if err != nil {
		return err
	}
	return s.outbox.Enqueue(ctx, t.ID, "tenant:"+t.ID, notify.SecurityAlert, msg)
}

func firstHost(t *tenant.Tenant) string {
	if len(t.Hostnames) > 0 {
		return t.Hostnames[0]
	}
	return "localhost"
}

// alertRef returns a short reference for an alert email, e.g. AL-7KQ2-M9XD.
func alertRef() string {
	const alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
	var b [8]byte
	_, _ = rand.Read(b[:])
	out := []byte("AL-")
	for i, v := range b {
		if i == 4 {
			out = append(out, '-')
		}
		out = append(out, alphabet[int(v)%len(alphabet)])
	}
	return string(out)
}
