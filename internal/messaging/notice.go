package messaging

import (
	"context"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/notify"
)

// notify emails the other side of a thread that a message came: the
// patient when the team wrote; when the patient's side wrote, the member
// the thread is assigned to, or else every member of the team. The email
// names the tenant and links the thread's page by its id: never the text,
// the subject or who wrote (DESIGN §2.6, no PHI in emails). The message is
// stored already, so a failure here is logged, not returned.
func (s *Service) notify(ctx context.Context, t ThreadRecord, from Side) {
	if s.d.Outbox == nil || s.d.Contacts == nil || s.d.Links == nil {
		return
	}
	sys := access.WithActor(ctx, access.System("messages.notify", t.TenantID))
	brand, base := s.d.Links(sys, t.TenantID)
	base = strings.TrimSuffix(base, "/")
	kind, link, to := notify.NewMessage, base+"/account/messages/"+t.ID, []string{t.PatientID}
	if from == SidePatient {
		kind, link, to = notify.TeamMessage, base+"/staff/messages/"+t.ID, nil
		if t.AssignedTo != "" {
			to = []string{t.AssignedTo}
		} else if team, err := s.team(sys, t.TenantID, t.TeamID); err == nil {
			to = team.Members
		}
	}
	for _, uid := range to {
		addr, err := s.d.Contacts(sys, t.TenantID, uid)
		if err != nil {
			s.d.Log.ErrorContext(ctx, "message notice: no address", "thread", t.ID, "err", err)
			continue
		}
		msg, err := notify.Compose(kind, addr, notify.Params{Brand: brand, Link: link})
		if err == nil {
			err = s.d.Outbox.Enqueue(sys, t.TenantID, uid, kind, msg)
		}
		if err != nil {
			s.d.Log.ErrorContext(ctx, "message notice not queued", "thread", t.ID, "err", err)
		}
	}
}
