package messaging

import (
	"context"
	"fmt"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// Summary fills the messages widget (portal.WidgetMessages) and the
// messages section of the staff view of a patient. For the patient's side:
// their threads, those with unread messages first, and "N unread" in the
// header. For staff: the patient's threads of the teams they are on (a
// clinician's only with a care relationship), linked to the staff pages.
// One SQL statement for the threads and one audited vault access; a denial
// is apperr.NotFound (grants.Authorize with the messages class).
func (s *Service) Summary(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok {
		return portal.Summary{}, apperr.NotFoundError()
	}
	d, err := s.d.Auth.Authorize(ctx, tenantID, patientID, access.DataMessages, access.Read)
	if err != nil {
		return portal.Summary{}, apperr.NotFoundError()
	}
	side, href, teams := SidePatient, "/account/messages/", []string(nil)
	if a.Role.Staff() {
		side, href, teams = SideStaff, "/staff/messages/", []string{}
		mine, err := s.MyTeams(ctx, tenantID)
		if err != nil {
			return portal.Summary{}, err
		}
		for _, t := range mine {
			teams = append(teams, t.ID)
		}
	}
	list, err := s.list(ctx, tenantID, patientID, d, side, teams, "message.summary")
	if err != nil {
		return portal.Summary{}, err
	}
	unread := 0
	for _, t := range list {
		unread += t.Unread
	}
	// Unread first, then by latest activity (the list's order).
	slices.SortStableFunc(list, func(x, y *Thread) int {
		switch {
		case x.Unread > 0 && y.Unread == 0:
			return -1
		case y.Unread > 0 && x.Unread == 0:
			return 1
		}
		return 0
	})
	sum := portal.Summary{Total: len(list)}
	if unread > 0 {
		sum.Note = fmt.Sprintf("%d unread", unread)
	}
	for _, t := range list {
		if len(sum.Lines) == portal.MaxLines {
			break
		}
		l := portal.Line{Title: t.Subject, Detail: t.Team.Name + " · " + t.LastAt.Format("2 Jan 2006"), Href: href + t.ID}
		if t.Unread > 0 {
			l.Badge, l.Tone = fmt.Sprintf("%d new", t.Unread), portal.ToneWarn
		} else if t.Status == Closed {
			l.Badge = "Closed"
		}
		sum.Lines = append(sum.Lines, l)
	}
	return sum, nil
}

var _ portal.Source = (*Service)(nil)
