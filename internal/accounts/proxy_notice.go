package accounts

import (
	"context"

	"github.com/salvehealth/salve/internal/notify"
)

// ProxyNotice emails a person that someone shared parts of their record
// with them (a proxy grant): the brand and a link to sign in, nothing else,
// so the email names neither the person who shared nor what (notify
// ProxyShared takes no such parameter). The address is opened by Salve to
// send it (audited under a system actor, the recipient as subject).
func (s *Service) ProxyNotice(ctx context.Context, u User, brand, link string) error {
	sys := systemCtx(ctx, u.TenantID, "proxy_notice")
	to, err := s.OpenEmail(sys, u, "proxy.notice")
	if err != nil {
		return err
	}
	msg, err := notify.Compose(notify.ProxyShared, to.Reveal(), notify.Params{Brand: brand, Link: link})
	if err != nil {
		return err
	}
	return s.outbox.Enqueue(sys, u.TenantID, u.ID, notify.ProxyShared, msg)
}
