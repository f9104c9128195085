package incidents

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/tenant"
)

// NoticesPath is where a patient reads their notices after signing in.
const NoticesPath = "/account/notices"

// Notify sends a breach's individual notices: a notice in each person's
// portal and an email that says only "an important notice about your
// information — sign in" (no PHI leaves in the email). It needs the
// conclusion "breach", the letter complete and people selected. Sending
// again reaches only those not reached yet (a run cut short is finished by
// the next one). Returns how many were notified now.
func (s *Service) Notify(ctx context.Context, tenantID, incidentID string) (int, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	inc, err := s.Get(ctx, tenantID, incidentID)
	if err != nil {
		return 0, err
	}
	switch {
	case inc.Assessment.Conclusion != Breach:
		return 0, apperr.InvalidFields("Only a breach is notified: record the risk assessment with the conclusion \"breach\" first.",
			map[string]string{"notify": "Not concluded a breach."})
	case !inc.Letter.Complete():
		return 0, apperr.InvalidFields("Write every part of the notice letter first.", map[string]string{"notify": "Letter incomplete."})
	case inc.AffectedCount == 0:
		return 0, apperr.InvalidFields("Select the people affected first.", map[string]string{"notify": "Nobody selected."})
	}
	people, err := s.people(ctx, inc, "incident.affected.read", "notify")
	if err != nil {
		return 0, err
	}
	brand, base := s.d.Links(ctx, tenantID)
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Action: "incident.notify", ResourceID: inc.ID, Severity: audit.High,
		Detail: "people=" + itoa(len(people))}); err != nil {
		return 0, err
	}
	sent := 0
	for _, p := range people {
		now := s.d.Clock.Now()
		// The notice row first: it is what the portal shows, and what keeps
		// a second run from emailing the same person twice.
		added, err := s.d.Store.AddNotice(ctx, Notice{ID: id.NewAt(now), IncidentID: inc.ID, At: now}, tenantID, p.ID)
		if err != nil {
			return sent, err
		}
		if !added {
			continue
		}
		if err := s.email(ctx, tenantID, p.ID, brand, base); err != nil {
			// The notice is in the portal; the email is logged as not
			// queued with ids only, and the incident page says how many
			// were notified, so it can be followed up (substitute notice).
			s.d.Log.ErrorContext(ctx, "breach notice email not queued", "incident", inc.ID, "person", p.ID, "err", err)
		}
		sent++
	}
	if inc.NotifiedAt.IsZero() {
		now := s.d.Clock.Now()
		inc.NotifiedAt, inc.UpdatedAt = now, now
		if err := s.d.Store.Update(ctx, inc); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

func (s *Service) email(ctx context.Context, tenantID, patientID, brand, base string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	to, err := s.d.Contacts(ctx, tenantID, patientID)
	if err != nil {
		return err
	}
	m, err := notify.Compose(notify.BreachNotice, to, notify.Params{Brand: brand, Link: strings.TrimRight(base, "/") + NoticesPath})
	if err != nil {
		return err
	}
	return s.d.Outbox.Enqueue(ctx, tenantID, patientID, notify.BreachNotice, m)
}

// Letter writes one person's notice letter as a PDF for the compliance
// officer (to print and post, 164.404(d)(1)). The letter is made now from
// the incident and the person's name, and streamed: it is never stored.
// The person must be among those affected; the reads of the list and of
// the name are audited.
func (s *Service) Letter(ctx context.Context, tenantID, incidentID, patientID string, w io.Writer) error {
	ctx = tenant.WithScope(ctx, tenantID)
	inc, err := s.Get(ctx, tenantID, incidentID)
	if err != nil {
		return err
	}
	if !inc.Letter.Complete() {
		return apperr.NotFoundError()
	}
	people, err := s.people(ctx, inc, "incident.letter.read", "person="+patientID)
	if err != nil {
		return err
	}
	if !contains(people, patientID) {
		return apperr.NotFoundError()
	}
	name, err := s.d.Names(ctx, tenantID, patientID)
	if err != nil {
		return err
	}
	if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "incident.letter.download",
		ResourceID: inc.ID, Severity: audit.High}); err != nil {
		return err
	}
	brand, _ := s.d.Links(ctx, tenantID)
	return writeLetter(w, brand, name, inc, s.d.Clock.Now())
}

// Notices lists the signed-in person's own breach notices. Why only the
// person: a notice is addressed to them; a proxy reads it with them.
func (s *Service) Notices(ctx context.Context, tenantID, patientID string) ([]Notice, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || a.ID != patientID {
		return nil, apperr.DeniedError(errors.New("incidents: one's own notices only"))
	}
	return s.d.Store.Notices(ctx, tenantID, patientID)
}

// OwnLetter writes the signed-in person's own notice letter as a PDF.
func (s *Service) OwnLetter(ctx context.Context, tenantID, patientID, noticeID string, w io.Writer) error {
	ctx = tenant.WithScope(ctx, tenantID)
	list, err := s.Notices(ctx, tenantID, patientID)
	if err != nil {
		return err
	}
	for _, n := range list {
		if n.ID != noticeID {
			continue
		}
		inc, err := s.d.Store.ByID(ctx, tenantID, n.IncidentID)
		if err != nil {
			return err
		}
		name, err := s.d.Names(ctx, tenantID, patientID)
		if err != nil {
			return err
		}
		if err := s.event(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "incident.letter.download",
			ResourceID: inc.ID, Purpose: access.PurposeSelf}); err != nil {
			return err
		}
		brand, _ := s.d.Links(ctx, tenantID)
		inc.Letter = n.Letter
		return writeLetter(w, brand, name, inc, n.At)
	}
	return apperr.NotFoundError()
}

// LetterSections are the letter's parts in order, with their headings (the
// portal page shows the same).
func LetterSections(l Letter) [][2]string {
	return [][2]string{
		{"What happened", l.WhatHappened},
		{"What information was involved", l.Information},
		{"What you should do", l.Steps},
		{"What we are doing", l.Doing},
		{"For more information", l.Contact},
	}
}

// writeLetter lays the letter out: the brand, the date, the person, the
// dates of the breach and of its discovery, and the five parts 164.404(c)
// requires. Why no name in the PDF's metadata: file properties are shown
// and indexed by desktop search; the name is on the page only.
func writeLetter(w io.Writer, brand, name string, inc Incident, at time.Time) error {
	pdf := fpdf.New("P", "mm", "Letter", "")
	pdf.SetCompression(false)
	pdf.SetCreator("Salve", true)
	pdf.SetTitle("Notice of a breach of health information", true)
	pdf.SetMargins(22, 22, 22)
	pdf.SetAutoPageBreak(true, 20)
	tr := pdf.UnicodeTranslatorFromDescriptor("")
	pdf.AddPage()
	pdf.SetFont("Helvetica", "B", 14)
	pdf.CellFormat(0, 8, tr(brand), "", 1, "L", false, 0, "")
	pdf.SetFont("Helvetica", "", 10)
	pdf.CellFormat(0, 6, tr(at.UTC().Format("January 2, 2006")), "", 1, "L", false, 0, "")
	pdf.Ln(6)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, tr("Dear "+name+","), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "B", 13)
	pdf.MultiCell(0, 7, tr("Notice of a breach of your health information"), "", "L", false)
	pdf.Ln(2)
	pdf.SetFont("Helvetica", "", 11)
	pdf.MultiCell(0, 6, tr("We discovered the breach on "+humanDay(inc.DiscoveredOn)+". "+
		"We are writing to tell you what happened, what information was involved, what you can do and what we are doing."), "", "L", false)
	for _, sec := range LetterSections(inc.Letter) {
		pdf.Ln(3)
		pdf.SetFont("Helvetica", "B", 11)
		pdf.MultiCell(0, 6, tr(sec[0]), "", "L", false)
		pdf.SetFont("Helvetica", "", 11)
		pdf.MultiCell(0, 6, tr(sec[1]), "", "L", false)
	}
	pdf.Ln(6)
	pdf.MultiCell(0, 6, tr("Sincerely,\n"+brand), "", "L", false)
	return pdf.Output(w)
}

func humanDay(day string) string {
	d, err := time.Parse(DateLayout, day)
	if err != nil {
		return day
	}
	return d.Format("January 2, 2006")
}
