package accounting

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxDisclosures bounds one accounting: far more than six years of a
// person's disclosures.
const MaxDisclosures = 5000

// The disclosures table and column, for the sealed details' associated data.
const (
	table  = "disclosures"
	column = "details_ct"
)

// DisclosureInput is a disclosure as staff (or a code path) record it.
type DisclosureInput struct {
	// Date is when the data was sent, YYYY-MM-DD; today when empty.
	Date string
	Details
}

// discloserClasses are the classes whose writers may record a disclosure:
// the people who send a patient's data out (pharmacists to a lab or an
// insurer, fulfillment to a courier, clinicians to a specialist, customer
// service to a payer).
var discloserClasses = []access.DataClass{access.DataOrders, access.DataRx, access.DataClinical}

// RecordDisclosure records that patientID's data was sent to an outside
// party. The actor in ctx is staff who may write the patient's orders,
// prescriptions or clinical records (so also works with the patient), or a
// system job (a code path that discloses); anyone else gets NotFound, the
// denial audited. Bad input is an Invalid error naming each field, and
// nothing is stored.
func (s *Service) RecordDisclosure(ctx context.Context, tenantID, patientID string, in DisclosureInput) (string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || (!a.Role.Staff() && a.Role != access.RoleSystem) || !id.Valid(patientID) {
		return "", apperr.NotFoundError()
	}
	if _, err := s.d.Users.ByID(ctx, tenantID, patientID); err != nil {
		return "", apperr.NotFoundError()
	}
	facts, err := s.d.Grants.Facts(ctx, tenantID, patientID)
	if err != nil {
		return "", err
	}
	var d access.Decision
	for _, c := range discloserClasses {
		if d = access.Decide(a, access.Request{TenantID: tenantID, PatientID: patientID, Class: c, Action: access.Write}, facts, s.d.Clock.Now()); d.Allowed {
			break
		}
	}
	if !d.Allowed {
		if err := s.d.Audit.Append(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "disclosure.create",
			ResourceType: "disclosure", Outcome: audit.Denied, Detail: d.Reason}); err != nil {
			return "", err
		}
		return "", apperr.NotFoundError()
	}
	at, det, err := s.check(in)
	if err != nil {
		return "", err
	}
	now := s.d.Clock.Now()
	rowID := id.NewAt(now)
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "disclosure", ResourceID: rowID, AuditAction: "disclosure.create"})
	if err != nil {
		return "", err
	}
	raw, err := json.Marshal(det)
	if err != nil {
		return "", err
	}
	ct, err := h.SealBytes(patientID, table, column, rowID, raw)
	if err != nil {
		return "", err
	}
	if err := s.d.Store.Insert(ctx, Row{ID: rowID, TenantID: tenantID, PatientID: patientID, RecordedBy: a.ID, At: at,
		CreatedAt: now, DetailsCT: ct}); err != nil {
		return "", err
	}
	return rowID, nil
}

// check validates a disclosure: every field given, on one line where it
// should be, not too long; the date a real day, not in the future.
func (s *Service) check(in DisclosureInput) (time.Time, Details, error) {
	fields := map[string]string{}
	text := func(name, v string, limit int, multi bool, missing string) string {
		v = strings.TrimSpace(v)
		switch {
		case v == "":
			fields[name] = missing
		case utf8.RuneCountInString(v) > limit:
			fields[name] = "This is too long: at most " + strconv.Itoa(limit) + " characters."
		case strings.ContainsRune(v, 0) || (!multi && strings.ContainsAny(v, "\r\n")):
			fields[name] = "Use a single line of text."
		}
		return v
	}
	det := Details{
		Recipient: text("recipient", in.Recipient, 200, false, "Name who received the data (a lab, an insurer, a courier)."),
		Purpose:   text("purpose", in.Purpose, 300, false, "Say why the data was sent."),
		Sent:      text("sent", in.Sent, 1000, true, "Describe what was sent (for example: name, date of birth and the test ordered)."),
	}
	now := s.d.Clock.Now().UTC()
	at := now
	if d := strings.TrimSpace(in.Date); d != "" {
		t, err := time.Parse("2006-01-02", d)
		switch {
		case err != nil:
			fields["date"] = "Enter the date as YYYY-MM-DD."
		case t.After(now):
			fields["date"] = "The date cannot be in the future."
		case t.Before(now.Add(-Window)):
			fields["date"] = "The date is more than six years ago."
		default:
			at = t
		}
	}
	if len(fields) > 0 {
		return at, det, apperr.InvalidFields("Check the disclosure.", fields)
	}
	return at, det, nil
}

// Disclosures returns the accounting of patientID's disclosures of the past
// six years, newest first, for the actor in ctx (the patient, a proxy with
// the access history granted, compliance), opened under one audited access.
func (s *Service) Disclosures(ctx context.Context, tenantID, patientID string) ([]Disclosure, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataAuditMeta, access.Read)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	rows, err := s.d.Store.ForPatient(ctx, tenantID, patientID, s.d.Clock.Now().Add(-Window), MaxDisclosures)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: d.Purpose, Resource: "disclosure", AuditAction: "disclosure.list"})
	if err != nil {
		return nil, err
	}
	out := make([]Disclosure, 0, len(rows))
	var recs []audit.Record
	for _, r := range rows {
		b, err := h.OpenBytes(patientID, table, column, r.ID, r.DetailsCT)
		if err != nil {
			return nil, err
		}
		dis := Disclosure{ID: r.ID, TenantID: r.TenantID, PatientID: r.PatientID, At: r.At, RecordedBy: r.RecordedBy, CreatedAt: r.CreatedAt}
		if err := json.Unmarshal(b.Reveal(), &dis.Details); err != nil {
			return nil, err
		}
		out = append(out, dis)
		recs = append(recs, audit.Record{Entry: audit.Entry{ActorID: r.RecordedBy}})
	}
	names := s.names(ctx, tenantID, patientID, recs)
	for i := range out {
		switch {
		case strings.HasPrefix(out[i].RecordedBy, "system:"):
			out[i].RecordedByName = "Salve (automatic)"
		default:
			out[i].RecordedByName = names[out[i].RecordedBy]
		}
	}
	return out, nil
}

// CSV is the accounting as a CSV file: one row per disclosure, oldest last,
// with a header row.
func CSV(ds []Disclosure) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write([]string{"date", "recipient", "purpose", "what was sent", "recorded by"}); err != nil {
		return nil, err
	}
	for _, d := range ds {
		if err := w.Write([]string{d.At.UTC().Format("2006-01-02"), csvSafe(d.Recipient), csvSafe(d.Purpose), csvSafe(d.Sent),
			csvSafe(d.RecordedByName)}); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvSafe keeps a cell from being read as a formula by a spreadsheet. Why:
// the text was typed by staff, and a cell starting with = + - or @ would run
// in the patient's spreadsheet program (CSV injection).
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
