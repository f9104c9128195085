package server

import (
	"context"
	"log/slog"

	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/messaging"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/rx"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/web"
	"github.com/salvehealth/salve/internal/web/admin"
	"github.com/salvehealth/salve/internal/web/portal"
	"github.com/salvehealth/salve/internal/web/staff"
	"github.com/salvehealth/salve/internal/webhooks"
)

// newMessages builds secure messaging on the PHI store: access through the
// grants service, notices through the outbox with the accounts' addresses,
// staff names from the accounts service, and the orders and prescriptions
// a thread may be about.
func newMessages(stores *Stores, ids Identity, ob messaging.Enqueuer, ord *orders.Service, rxs *rx.Service, hooks *webhooks.Service,
	links func(ctx context.Context, tenantID string) (string, string), c clock.Clock, log *slog.Logger) *messaging.Service {
	return messaging.New(messaging.Deps{Store: store.NewMessages(stores.PHI), Vault: stores.Vault, Audit: stores.AuditLog, Auth: ids.Grants,
		Outbox: ob, Contacts: ids.Accounts.Email, Links: links, Staff: staffMembers(ids.Accounts),
		Owns: func(ctx context.Context, tenantID, patientID string, kind messaging.About, id string) (bool, error) {
			// Opened as the writer: an order or a prescription they may not
			// see is NotFound, and so cannot be linked.
			switch kind {
			case messaging.AboutOrder:
				o, err := ord.Get(ctx, tenantID, id)
				return err == nil && o.UserID == patientID, ignoreNotFound(err)
			case messaging.AboutPrescription:
				p, err := rxs.Get(ctx, tenantID, id)
				return err == nil && p.UserID == patientID, ignoreNotFound(err)
			}
			return false, nil
		},
		// message.received (issue 19): the thread's and the message's ids
		// only, never the patient's (with the event it would say who wrote).
		Received: func(ctx context.Context, tenantID, threadID, messageID string) {
			if err := hooks.Publish(ctx, tenantID, webhooks.MessageReceived, map[string]string{"thread_id": threadID, "message_id": messageID}); err != nil {
				log.ErrorContext(ctx, "webhook not queued", "thread_id", threadID, "event", webhooks.MessageReceived, "err", err)
			}
		},
		Clock: c, Log: log})
}

// ignoreNotFound drops a NotFound (or a denial, which looks the same).
func ignoreNotFound(err error) error {
	if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Denied) {
		return nil
	}
	return err
}

// staffMembers lists a tenant's staff by name (accounts.StaffList, one
// audited access), for team pages and assignment.
func staffMembers(a *accounts.Service) func(ctx context.Context, tenantID string) ([]messaging.Member, error) {
	return func(ctx context.Context, tenantID string) ([]messaging.Member, error) {
		list, _, err := a.StaffList(ctx, tenantID)
		if err != nil {
			return nil, err
		}
		out := make([]messaging.Member, 0, len(list))
		for _, m := range list {
			name := m.Name.Reveal()
			if name == "" {
				name = m.Email.Reveal()
			}
			out = append(out, messaging.Member{ID: m.ID, Name: name, Role: m.Role})
		}
		return out, nil
	}
}

// mountMessages registers the message pages: the patient's under
// /account/messages, the staff inbox under /staff/messages and the admin's
// teams under /admin/messages/teams.
func (s *Server) mountMessages(site *web.Site) error {
	m := s.services.Messages
	acct, err := portal.NewMessages(site, m, s.services.Orders, s.services.Rx)
	if err != nil {
		return err
	}
	acct.Routes(s.router)
	st, err := staff.NewMessages(site, m)
	if err != nil {
		return err
	}
	st.Routes(s.router)
	adm, err := admin.NewMessageTeams(site, m)
	if err != nil {
		return err
	}
	adm.Routes(s.router)
	return nil
}
