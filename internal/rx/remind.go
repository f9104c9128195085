package rx

import (
	"context"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/notify"
)

// RemindRefills emails each patient whose refill falls due within DueSoon
// once per fill: "You have a refill due — sign in", with no drug and nothing
// else of the prescription (DESIGN §2.6: no PHI in emails). The background
// job runs it; it returns how many reminders it queued. It opens no sealed
// details: what is due is decided from the columns in the clear.
func (s *Service) RemindRefills(ctx context.Context) (int, error) {
	if s.d.Outbox == nil || s.d.Contacts == nil || s.d.Links == nil {
		return 0, nil
	}
	now := s.d.Clock.Now()
	rows, err := s.d.Store.Reminders(ctx, now, 500)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range rows {
		due := refillDue(r.Status, r.FillsLeft, r.DaysSupply, r.LastFillAt, r.UpdatedAt)
		if due.IsZero() || now.Before(due.Add(-DueSoon)) {
			continue
		}
		sys := access.WithActor(ctx, access.System("rx.refill_reminder", r.TenantID))
		if s.d.Reminders != nil {
			wants, err := s.d.Reminders(sys, r.TenantID, r.UserID)
			if err != nil {
				s.d.Log.ErrorContext(ctx, "refill reminder: preference not read", "prescription", r.ID, "err", err)
				continue
			}
			if !wants {
				// Turned off in the profile: recorded as done for this
				// fill, so the job does not ask again every hour.
				if err := s.d.Store.MarkReminded(sys, r.TenantID, r.ID, now); err != nil {
					return n, err
				}
				continue
			}
		}
		brand, base := s.d.Links(sys, r.TenantID)
		to, err := s.d.Contacts(sys, r.TenantID, r.UserID)
		if err != nil {
			s.d.Log.ErrorContext(ctx, "refill reminder: no address", "prescription", r.ID, "err", err)
			continue
		}
		msg, err := notify.Compose(notify.RefillDue, to, notify.Params{Brand: brand, Link: strings.TrimSuffix(base, "/") + "/account/prescriptions"})
		if err != nil {
			return n, err
		}
		// Recorded before the email is queued: a crash between the two
		// loses one reminder rather than sending it again and again.
		if err := s.d.Store.MarkReminded(sys, r.TenantID, r.ID, now); err != nil {
			return n, err
		}
		if err := s.d.Outbox.Enqueue(sys, r.TenantID, r.UserID, notify.RefillDue, msg); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}
