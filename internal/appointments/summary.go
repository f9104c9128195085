package appointments

import (
	"context"
	"strconv"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

var _ portal.Source = (*Service)(nil)

// Summary fills the appointments widget (portal.WidgetAppointments): the
// patient's upcoming appointments, soonest first, each with its date and
// time in the location's zone, its mode and a link to its page. One query
// per table (appointments, locations, settings) and one audited vault
// access for all rows; a denial is the same NotFound as a missing record.
func (s *Service) Summary(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	upcoming, _, err := s.ForPatient(ctx, tenantID, patientID)
	if err != nil {
		if apperr.Is(err, apperr.Denied) {
			return portal.Summary{}, apperr.NotFoundError()
		}
		return portal.Summary{}, err
	}
	sum := portal.Summary{Total: len(upcoming)}
	for i, a := range upcoming {
		if i == portal.MaxLines {
			break
		}
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
	if n := len(upcoming); n == 1 {
		sum.Note = "1 upcoming"
	} else if n > 1 {
		sum.Note = strconv.Itoa(n) + " upcoming"
	}
	return sum, nil
}
