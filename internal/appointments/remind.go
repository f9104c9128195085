package appointments

import (
	"context"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/notify"
)

// ReminderLead is how long before its start an appointment's reminder is
// sent: a day.
const ReminderLead = 24 * time.Hour

// SendReminders queues the reminder of every booking that starts within
// the next ReminderLead and has had none, at most limit (each is looked at
// once), and returns how many it queued. The job runs it (server); the reminder, like every
// appointment email, names only the time and the tenant.
func (s *Service) SendReminders(ctx context.Context, limit int) (int, error) {
	now := s.clock.Now()
	due, err := s.store.DueReminders(ctx, now, now.Add(ReminderLead), limit)
	if err != nil {
		return 0, err
	}
	locs := map[string]map[string]Location{}
	n := 0
	for _, r := range due {
		if locs[r.TenantID] == nil {
			ls, err := s.store.Locations(ctx, r.TenantID)
			if err != nil {
				return n, err
			}
			locs[r.TenantID] = map[string]Location{}
			for _, l := range ls {
				locs[r.TenantID][l.ID] = l
			}
		}
		// Booked or moved less than a day before its start: the email
		// about that is the reminder; a second one within hours is noise.
		if r.UpdatedAt.Before(r.StartsAt.Add(-ReminderLead)) && s.wantsReminder(ctx, r) {
			if err := s.sendEmail(ctx, notify.AppointmentReminder, r, locs[r.TenantID][r.LocationID]); err != nil {
				return n, err
			}
			n++
		}
		if err := s.store.MarkReminded(ctx, r.ID, s.clock.Now()); err != nil {
			return n, err
		}
	}
	return n, nil
}

// wantsReminder reports whether the patient of a booking wants reminder
// emails (their profile's preference; yes when it cannot be told, and the
// failure is logged with ids only: a missed reminder costs a missed visit).
func (s *Service) wantsReminder(ctx context.Context, r Record) bool {
	if s.wants == nil {
		return true
	}
	sys := access.WithActor(ctx, access.System("appointments.reminder", r.TenantID))
	ok, err := s.wants(sys, r.TenantID, r.PatientID)
	if err != nil {
		s.log.WarnContext(ctx, "reminder preference not read; reminding", "appointment_id", r.ID, "err", err)
		return true
	}
	return ok
}
