package labs

import (
	"context"
	"strconv"

	"github.com/salvehealth/salve/internal/portal"
)

// Source is the lab results widget (portal.WidgetLabs): the latest released
// reports, new ones marked, the worst flag of each as its badge. It costs
// one statement (the reports, with their count and new count) and one
// audited vault access for all rows; a denial is the same NotFound as
// anywhere (the dashboard leaves the widget out).
func (s *Service) Source() portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		reps, total, fresh, err := s.List(ctx, tenantID, patientID, portal.MaxLines)
		if err != nil {
			return portal.Summary{}, err
		}
		sum := portal.Summary{Total: total}
		if fresh > 0 {
			sum.Note = strconv.Itoa(fresh) + " new"
		}
		for _, r := range reps {
			l := portal.Line{Title: r.Panel, Detail: "Collected " + r.CollectedAt.Format("2 Jan 2006"), Href: "/account/results/" + r.ID}
			l.Badge, l.Tone = Badge(r)
			sum.Lines = append(sum.Lines, l)
		}
		return sum, nil
	})
}

// Badge is a report's badge: New while unopened, else its worst flag.
func Badge(r *Report) (string, portal.Tone) {
	w := r.Worst()
	switch {
	case r.New && w == Critical:
		return "New · Critical", portal.ToneBad
	case r.New && w != Normal:
		return "New · " + w.Label(), portal.ToneWarn
	case r.New:
		return "New", portal.ToneGood
	case w == Critical:
		return "Critical", portal.ToneBad
	case w != Normal:
		return w.Label(), portal.ToneWarn
	}
	return "", portal.ToneNeutral
}
