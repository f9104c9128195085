package appointments

import (
	"context"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

var _ portal.Source = (*Service)(nil)

// Summary fills the appointments widget (portal.WidgetAppointments): the
// patient's upcoming appointments, soonest first, each with its date and
// time in the location's zone, its mode and a link to its page. One query
// for the upcoming bookings alone (their count is the widget's total) and
// one audited vault access (the one ForPatient records); only the lines
// shown are opened. A denial is the same NotFound as a missing record.
func (s *Service) Summary(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.authorize(ctx, tenantID, patientID, access.Read)
	if err != nil {
		if apperr.Is(err, apperr.Denied) {
			return portal.Summary{}, apperr.NotFoundError()
		}
		return portal.Summary{}, err
	}
	rows, err := s.store.Upcoming(ctx, tenantID, patientID, s.clock.Now())
	if err != nil || len(rows) == 0 {
		return portal.Summary{}, err
	}
	// The tenant's locations and window, kept per tenant (settings_cache.go).
	locs, win, err := s.displaySettings(ctx, tenantID)
	if err != nil {
		return portal.Summary{}, err
	}
	h, err := s.handle(ctx, tenantID, patientID, "", access.Read, purpose, "list")
	if err != nil {
		return portal.Summary{}, err
	}
	sum := portal.Summary{Total: len(rows)}
	for _, r := range rows[:min(len(rows), portal.MaxLines)] {
		d, err := unseal(h, r)
		if err != nil {
			return portal.Summary{}, err
		}
		var loc Location
		for _, l := range locs {
			if l.ID == r.LocationID {
				loc = l
				break
			}
		}
		a := s.opened(r, d, loc, win)
		title := a.Details.TypeName
		if a.Details.Clinician != "" {
			title += " with " + a.Details.Clinician
		}
		line := portal.Line{Title: title, Href: "/account/appointments/" + a.ID,
			Detail: a.Start.Format("Mon 2 Jan 2006, 15:04 MST") + " · " + a.Details.Mode.Label() + " · " + a.Location.Name}
		if a.Details.Mode == Video {
			line.Badge, line.Tone = "Video", portal.ToneNeutral
		}
		sum.Lines = append(sum.Lines, line)
	}
	if n := len(rows); n == 1 {
		sum.Note = "1 upcoming"
	} else if n > 1 {
		sum.Note = strconv.Itoa(n) + " upcoming"
	}
	return sum, nil
}
