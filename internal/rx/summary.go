package rx

import (
	"context"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// DueSoon is how long before a refill is due that it shows as due and the
// reminder goes out.
const DueSoon = 5 * 24 * time.Hour

// Summary fills the prescriptions widget (portal.WidgetRx): each
// prescription with its drug, fills left, a "Refill due" or "Expired" badge
// and a Refill action when it can be refilled; most urgent first. One SQL
// statement and one audited vault access for all rows; a denial is
// apperr.NotFound (grants.Authorize with the rx class).
func (s *Service) Summary(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.d.Auth.Authorize(ctx, tenantID, patientID, access.DataRx, access.Read)
	if err != nil {
		return portal.Summary{}, apperr.NotFoundError()
	}
	rows, err := s.d.Store.ByOwner(ctx, tenantID, patientID, 200)
	if err != nil || len(rows) == 0 {
		return portal.Summary{}, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "prescription", AuditAction: "rx.summary"})
	if err != nil {
		return portal.Summary{}, err
	}
	now := s.d.Clock.Now()
	// Which come first is decided from the clear columns (status, fills,
	// dates): only the prescriptions shown are opened. Why: the widget
	// shows five, and a patient's history of prescriptions grows.
	var urgent, rest []Record
	for _, r := range rows {
		if dueSoon(status(r), now) {
			urgent = append(urgent, r)
		} else {
			rest = append(rest, r)
		}
	}
	due := len(urgent)
	shown := append(urgent, rest...)
	shown = shown[:min(len(shown), portal.MaxLines)]
	lines := make([]portal.Line, 0, len(shown))
	for _, r := range shown {
		p, err := open(h, r)
		if err != nil {
			return portal.Summary{}, err
		}
		l, _ := line(p, now)
		lines = append(lines, l)
	}
	sum := portal.Summary{Lines: lines, Total: len(rows)}
	if due > 0 {
		sum.Note = fmt.Sprintf("%d due", due)
	}
	return sum, nil
}

// status is a prescription's clear columns alone (no details): enough to
// tell whether it is due (dueSoon).
func status(r Record) *Prescription {
	return &Prescription{ID: r.ID, UserID: r.UserID, Status: r.Status, Source: r.Source, FillsLeft: r.FillsLeft,
		DaysSupply: r.DaysSupply, ExpiresAt: r.ExpiresAt, LastFillAt: r.LastFillAt, UpdatedAt: r.UpdatedAt}
}

// dueSoon reports whether a prescription needs the patient's attention
// first: it can be refilled and its refill is due within DueSoon (line's
// "Refill due" badge).
func dueSoon(p *Prescription, now time.Time) bool {
	if p.Status == Pending || p.Status == Rejected || p.Expired(now) || p.FillsLeft <= 0 {
		return false
	}
	due := p.RefillDue()
	return !due.IsZero() && !now.Before(due.Add(-DueSoon))
}

// line is one prescription in the widget; isDue when it needs the
// patient's attention first (dueSoon).
func line(p *Prescription, now time.Time) (portal.Line, bool) {
	l := portal.Line{Title: p.Title(), Href: "/account/prescriptions#rx-" + p.ID}
	switch {
	case p.Status == Pending:
		l.Detail, l.Badge = "Waiting for our pharmacists", "Pending"
	case p.Status == Rejected:
		l.Detail, l.Badge, l.Tone = "Not accepted: see why", "Rejected", portal.ToneBad
	case p.Expired(now):
		l.Detail, l.Badge, l.Tone = "Expired "+p.ExpiresAt.AddDate(0, 0, -1).Format("2 Jan 2006"), "Expired", portal.ToneBad
	case p.FillsLeft <= 0:
		l.Detail, l.Badge, l.Tone = "No fills left", "Used up", portal.ToneWarn
	default:
		l.Detail = fillsLeft(p.FillsLeft)
		if due := p.RefillDue(); !due.IsZero() {
			l.Detail += " · due " + due.Format("2 Jan")
			if !now.Before(due.Add(-DueSoon)) {
				l.Badge, l.Tone = "Refill due", portal.ToneWarn
			}
		}
		l.Action = &portal.Action{Label: "Refill", Path: "/account/prescriptions/" + p.ID + "/refill"}
		return l, l.Badge != ""
	}
	return l, false
}

// Title is the prescription as a line's title: the drug and its strength
// once a pharmacist recorded them.
func (p *Prescription) Title() string {
	switch {
	case p.Drug != "":
		return p.Drug + " " + p.Strength
	case p.Source == SourcePrescriber:
		return "Prescription requested from your prescriber"
	}
	return "Uploaded prescription"
}

func fillsLeft(n int) string {
	if n == 1 {
		return "1 fill left"
	}
	return fmt.Sprintf("%d fills left", n)
}
