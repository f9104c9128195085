package labs

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/phi"

	"github.com/salvehealth/salve/internal/portal"
)

// Source is the lab results widget (portal.WidgetLabs): the latest released
// reports, new ones marked, the worst flag of each as its badge. It costs
// one statement (the reports, with their count and new count) and one
// audited vault access for all rows (the same "lab_report.list" event as
// List); a denial is the same NotFound as anywhere (the dashboard leaves the
// widget out). It decodes of each report only what a line shows (the panel,
// the collection date and each observation's flag), not the whole report.
func (s *Service) Source() portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		recs, h, total, fresh, err := s.latestReleased(ctx, tenantID, patientID, portal.MaxLines)
		if err != nil {
			return portal.Summary{}, err
		}
		sum := portal.Summary{Total: total}
		if fresh > 0 {
			sum.Note = strconv.Itoa(fresh) + " new"
		}
		for _, r := range recs {
			b, err := openBrief(h, r)
			if err != nil {
				return portal.Summary{}, err
			}
			l := portal.Line{Title: b.Panel, Detail: "Collected " + b.CollectedAt.Format("2 Jan 2006"), Href: "/account/results/" + r.ID}
			l.Badge, l.Tone = badge(r.Status == Released && r.SeenAt.IsZero(), b.worst())
			sum.Lines = append(sum.Lines, l)
		}
		return sum, nil
	})
}

// brief is what the widget shows of a report's sealed details.
type brief struct {
	Panel        string    `json:"panel"`
	CollectedAt  time.Time `json:"collected_at"`
	Observations []struct {
		Flag Flag `json:"flag"`
	} `json:"observations"`
}

func (b *brief) worst() Flag {
	w := Normal
	for _, o := range b.Observations {
		switch {
		case o.Flag == Critical:
			return Critical
		case o.Flag != Normal:
			w = o.Flag
		}
	}
	return w
}

// openBrief opens a report's details through the audited handle h and
// decodes only the widget's fields.
func openBrief(h phi.Handle, r Record) (*brief, error) {
	body, err := h.OpenBytes(r.PatientID, "lab_reports", "details_ct", r.ID, r.DetailsCT)
	if err != nil {
		return nil, err
	}
	var b brief
	if err := phi.DecodeJSON(body.Reveal(), &b); err != nil {
		return nil, fmt.Errorf("lab report %s: %w", r.ID, err)
	}
	return &b, nil
}

// Badge is a report's badge: New while unopened, else its worst flag.
func Badge(r *Report) (string, portal.Tone) { return badge(r.New, r.Worst()) }

func badge(isNew bool, w Flag) (string, portal.Tone) {
	switch {
	case isNew && w == Critical:
		return "New · Critical", portal.ToneBad
	case isNew && w != Normal:
		return "New · " + w.Label(), portal.ToneWarn
	case isNew:
		return "New", portal.ToneGood
	case w == Critical:
		return "Critical", portal.ToneBad
	case w != Normal:
		return w.Label(), portal.ToneWarn
	}
	return "", portal.ToneNeutral
}
