package appointments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// MaxReason is the longest reason note a patient may give.
const MaxReason = 500

// Booking is what a patient asks for.
type Booking struct {
	TypeID, ClinicianID, LocationID string
	Start                           time.Time
	Reason                          string
}

// ParseSlot reads a slot as the booking form carries it:
// "clinician|location|start (RFC 3339)".
func ParseSlot(v string) (clinicianID, locationID string, start time.Time, err error) {
	parts := strings.Split(v, "|")
	bad := apperr.InvalidFields("Choose a time from the list.", map[string]string{"slot": "Choose a time from the list."})
	if len(parts) != 3 || !id.Valid(parts[0]) || !id.Valid(parts[1]) {
		return "", "", time.Time{}, bad
	}
	start, perr := time.Parse(time.RFC3339, parts[2])
	if perr != nil {
		return "", "", time.Time{}, bad
	}
	return parts[0], parts[1], start.UTC(), nil
}

// Value is the slot as the booking form carries it (see ParseSlot).
func (s Slot) Value() string {
	return s.ClinicianID + "|" + s.Location.ID + "|" + s.Start.UTC().Format(time.RFC3339)
}

// authorize decides the actor's access to the patient's appointments;
// a denial is the same NotFound as a missing record.
func (s *Service) authorize(ctx context.Context, tenantID, patientID string, act access.Action) (access.Purpose, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.grants.Authorize(ctx, tenantID, patientID, access.DataClinical, act)
	if err != nil {
		if apperr.Is(err, apperr.Denied) {
			return "", apperr.NotFoundError()
		}
		return "", err
	}
	return d.Purpose, nil
}

func (s *Service) handle(ctx context.Context, tenantID, patientID, resourceID string, act access.Action, purpose access.Purpose, what string) (phi.Handle, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: act, Purpose: purpose,
		Resource: "appointment", ResourceID: resourceID, AuditAction: "appointment." + what})
}

func seal(h phi.Handle, r Record, d Details) ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return h.SealBytes(r.PatientID, "appointments", "details_ct", r.ID, b)
}

func unseal(h phi.Handle, r Record) (Details, error) {
	b, err := h.OpenBytes(r.PatientID, "appointments", "details_ct", r.ID, r.DetailsCT)
	if err != nil {
		return Details{}, err
	}
	var d Details
	if err := phi.DecodeJSON(b.Reveal(), &d); err != nil {
		return Details{}, fmt.Errorf("appointment %s: %w", r.ID, err)
	}
	return d, nil
}

func (s *Service) window(ctx context.Context, tenantID string) (time.Duration, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, ok, err := s.store.CancelWindow(ctx, tenantID)
	if err != nil || !ok {
		return DefaultCancelWindow, err
	}
	return d, nil
}

// CancelWindow returns how late before its start a patient of the tenant
// may move or cancel an appointment.
func (s *Service) CancelWindow(ctx context.Context, tenantID string) (time.Duration, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.window(ctx, tenantID)
}

func (s *Service) opened(r Record, d Details, loc Location, win time.Duration) Appointment {
	z := loc.Zone()
	return Appointment{ID: r.ID, PatientID: r.PatientID, ClinicianID: r.ClinicianID, Status: r.Status, Location: loc,
		Start: r.StartsAt.In(z), End: r.EndsAt.In(z), Details: d,
		Changeable: r.Status == Booked && s.clock.Now().Add(win).Before(r.StartsAt)}
}

// ForPatient returns a patient's appointments, upcoming (soonest first) and
// past (latest first, cancelled ones among them), under one audited read.
func (s *Service) ForPatient(ctx context.Context, tenantID, patientID string) (upcoming, past []Appointment, err error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.authorize(ctx, tenantID, patientID, access.Read)
	if err != nil {
		return nil, nil, err
	}
	rows, err := s.store.ByPatient(ctx, tenantID, patientID)
	if err != nil || len(rows) == 0 {
		return nil, nil, err
	}
	// The tenant's locations and window, kept per tenant (settings_cache.go):
	// two statements fewer on every dashboard view.
	locs, win, err := s.displaySettings(ctx, tenantID)
	if err != nil {
		return nil, nil, err
	}
	h, err := s.handle(ctx, tenantID, patientID, "", access.Read, purpose, "list")
	if err != nil {
		return nil, nil, err
	}
	byID := map[string]Location{}
	for _, l := range locs {
		byID[l.ID] = l
	}
	now := s.clock.Now()
	for _, r := range rows {
		d, err := unseal(h, r)
		if err != nil {
			return nil, nil, err
		}
		a := s.opened(r, d, byID[r.LocationID], win)
		if r.Status == Booked && r.EndsAt.After(now) {
			upcoming = append(upcoming, a)
		} else {
			past = append([]Appointment{a}, past...)
		}
	}
	return upcoming, past, nil
}

// Get returns one of a patient's appointments; anyone else's, or an unknown
// id, is NotFound.
func (s *Service) Get(ctx context.Context, tenantID, patientID, apptID string) (Appointment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.authorize(ctx, tenantID, patientID, access.Read)
	if err != nil {
		return Appointment{}, err
	}
	r, loc, err := s.own(ctx, tenantID, patientID, apptID)
	if err != nil {
		return Appointment{}, err
	}
	win, err := s.window(ctx, tenantID)
	if err != nil {
		return Appointment{}, err
	}
	h, err := s.handle(ctx, tenantID, patientID, r.ID, access.Read, purpose, "read")
	if err != nil {
		return Appointment{}, err
	}
	d, err := unseal(h, r)
	if err != nil {
		return Appointment{}, err
	}
	return s.opened(r, d, loc, win), nil
}

func (s *Service) own(ctx context.Context, tenantID, patientID, apptID string) (Record, Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !id.Valid(apptID) {
		return Record{}, Location{}, apperr.NotFoundError()
	}
	r, err := s.store.ByID(ctx, tenantID, apptID)
	if err != nil || r.PatientID != patientID {
		if err == nil || apperr.Is(err, apperr.NotFound) {
			return Record{}, Location{}, apperr.NotFoundError()
		}
		return Record{}, Location{}, err
	}
	locs, err := s.store.Locations(ctx, tenantID)
	if err != nil {
		return Record{}, Location{}, err
	}
	for _, l := range locs {
		if l.ID == r.LocationID {
			return r, l, nil
		}
	}
	return r, Location{ID: r.LocationID, TimeZone: "UTC"}, nil
}

// Book books a free slot for a patient (themselves, or as their proxy
// with the clinical class). A slot in the past, outside the clinician's
// hours or already taken is a clear error and nothing is stored; of many
// patients racing for one slot exactly one gets it. The booking creates the
// clinician's care relationship with the patient and queues the
// confirmation email with its calendar file.
func (s *Service) Book(ctx context.Context, tenantID, patientID string, b Booking) (Appointment, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.authorize(ctx, tenantID, patientID, access.Write)
	if err != nil {
		return Appointment{}, err
	}
	b.Reason = strings.TrimSpace(b.Reason)
	if utf8.RuneCountInString(b.Reason) > MaxReason || strings.ContainsRune(b.Reason, 0) {
		return Appointment{}, apperr.InvalidFields("Check the reason.", map[string]string{"reason": fmt.Sprintf("Write at most %d characters.", MaxReason)})
	}
	c, err := s.catalogue(ctx, tenantID)
	if err != nil {
		return Appointment{}, err
	}
	t, err := c.activeType(b.TypeID)
	if err != nil {
		return Appointment{}, err
	}
	loc, err := s.check(ctx, c, tenantID, t, b.ClinicianID, b.LocationID, b.Start, "")
	if err != nil {
		return Appointment{}, err
	}
	now := s.clock.Now()
	r := Record{ID: id.NewAt(now), TenantID: tenantID, PatientID: patientID, ClinicianID: b.ClinicianID, LocationID: loc.ID,
		StartsAt: b.Start.UTC(), EndsAt: b.Start.Add(t.Duration()).UTC(), Status: Booked, CreatedAt: now, UpdatedAt: now}
	d := Details{TypeID: t.ID, TypeName: t.Name, Mode: t.Mode, Reason: b.Reason, Clinician: c.name(b.ClinicianID)}
	h, err := s.handle(ctx, tenantID, patientID, r.ID, access.Write, purpose, "book")
	if err != nil {
		return Appointment{}, err
	}
	if r.DetailsCT, err = seal(h, r, d); err != nil {
		return Appointment{}, err
	}
	if err := s.store.Insert(ctx, r); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return Appointment{}, taken()
		}
		return Appointment{}, err
	}
	// The booking stands; the care relationship and the email follow it.
	// Why the relationship fails the request when it cannot be recorded:
	// without it the clinician could not open the record of a patient they
	// are to see, and the patient should know to try again.
	if err := s.care.CareFromBooking(ctx, tenantID, r.ClinicianID, patientID); err != nil {
		return Appointment{}, err
	}
	s.email(ctx, notify.AppointmentBooked, r, loc)
	if s.booked != nil {
		s.booked(ctx, tenantID, r.ID, patientID)
	}
	win, err := s.window(ctx, tenantID)
	if err != nil {
		return Appointment{}, err
	}
	return s.opened(r, d, loc, win), nil
}

// changeable loads one of the patient's appointments that may still be
// moved or cancelled, or says why not.
func (s *Service) changeable(ctx context.Context, tenantID, patientID, apptID string) (Record, Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, loc, err := s.own(ctx, tenantID, patientID, apptID)
	if err != nil {
		return r, loc, err
	}
	if r.Status != Booked {
		return r, loc, apperr.New(apperr.Invalid, "This appointment is cancelled.")
	}
	win, err := s.window(ctx, tenantID)
	if err != nil {
		return r, loc, err
	}
	if !s.clock.Now().Add(win).Before(r.StartsAt) {
		return r, loc, apperr.New(apperr.Invalid, fmt.Sprintf("Appointments can be moved or cancelled up to %s before they start. Please call us instead.", hoursText(win)))
	}
	return r, loc, nil
}

func hoursText(d time.Duration) string {
	h := int(d.Hours())
	if h == 1 {
		return "1 hour"
	}
	if d%time.Hour != 0 {
		return fmt.Sprintf("%d minutes", int(d.Minutes()))
	}
	return fmt.Sprintf("%d hours", h)
}

// RescheduleSlots lists the free times an appointment may move to (its own
// type; its own time does not count as taken).
func (s *Service) RescheduleSlots(ctx context.Context, tenantID, patientID, apptID string) (Appointment, []Slot, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := s.Get(ctx, tenantID, patientID, apptID)
	if err != nil {
		return a, nil, err
	}
	if !a.Changeable {
		return a, nil, nil
	}
	_, slots, err := s.slotsExcept(ctx, tenantID, a.Details.TypeID, a.ID)
	if apperr.Is(err, apperr.Invalid) {
		return a, nil, nil // the type was retired: it can be cancelled, not moved
	}
	return a, slots, err
}

// Reschedule moves one of a patient's appointments to another free slot of
// its type, within the cancellation window; the same checks as Book.
func (s *Service) Reschedule(ctx context.Context, tenantID, patientID, apptID, clinicianID, locationID string, start time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.authorize(ctx, tenantID, patientID, access.Write)
	if err != nil {
		return err
	}
	r, _, err := s.changeable(ctx, tenantID, patientID, apptID)
	if err != nil {
		return err
	}
	h, err := s.handle(ctx, tenantID, patientID, r.ID, access.Write, purpose, "reschedule")
	if err != nil {
		return err
	}
	d, err := unseal(h, r)
	if err != nil {
		return err
	}
	c, err := s.catalogue(ctx, tenantID)
	if err != nil {
		return err
	}
	t, err := c.activeType(d.TypeID)
	if err != nil {
		return apperr.New(apperr.Invalid, "This kind of appointment is no longer offered: cancel it and book another.")
	}
	loc, err := s.check(ctx, c, tenantID, t, clinicianID, locationID, start, r.ID)
	if err != nil {
		return err
	}
	old := r.StartsAt
	oldClinician := r.ClinicianID
	r.ClinicianID, r.LocationID, r.StartsAt, r.EndsAt, r.UpdatedAt = clinicianID, loc.ID, start.UTC(), start.Add(t.Duration()).UTC(), s.clock.Now()
	d.Clinician = c.name(clinicianID)
	if r.DetailsCT, err = seal(h, r, d); err != nil {
		return err
	}
	if err := s.store.Move(ctx, r, old); err != nil {
		if errors.Is(err, apperr.ErrDuplicate) {
			return taken()
		}
		return err
	}
	if clinicianID != oldClinician {
		if err := s.care.CareFromBooking(ctx, tenantID, clinicianID, patientID); err != nil {
			return err
		}
	}
	s.email(ctx, notify.AppointmentMoved, r, loc)
	return nil
}

// Cancel cancels one of a patient's appointments within the cancellation
// window; its slot is free again.
func (s *Service) Cancel(ctx context.Context, tenantID, patientID, apptID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	purpose, err := s.authorize(ctx, tenantID, patientID, access.Write)
	if err != nil {
		return err
	}
	r, loc, err := s.changeable(ctx, tenantID, patientID, apptID)
	if err != nil {
		return err
	}
	// The change is recorded in the audit log like every write of PHI.
	if _, err := s.handle(ctx, tenantID, patientID, r.ID, access.Write, purpose, "cancel"); err != nil {
		return err
	}
	if err := s.store.Cancel(ctx, tenantID, r.ID, r.StartsAt, s.clock.Now()); err != nil {
		return err
	}
	s.email(ctx, notify.AppointmentCancelled, r, loc)
	return nil
}

// email queues an appointment email to the patient. Why a failure is
// logged and not returned: the booking it reports is stored and stands;
// the person sees it in their account either way. Ids only in the log.
func (s *Service) email(ctx context.Context, kind notify.Kind, r Record, loc Location) {
	if err := s.sendEmail(ctx, kind, r, loc); err != nil {
		s.log.WarnContext(ctx, "appointment email not queued", "appointment_id", r.ID, "kind", string(kind), "err", err)
	}
}

func (s *Service) sendEmail(ctx context.Context, kind notify.Kind, r Record, loc Location) error {
	if s.outbox == nil || s.contacts == nil || s.links == nil {
		return nil
	}
	brand, base := s.links(ctx, r.TenantID)
	// Why a system actor: the address is read to send the patient their own
	// email, whoever booked (a proxy may not read the patient's contact
	// details); the audit log records it as the job it is.
	sys := access.WithActor(ctx, access.System("appointments.email", r.TenantID))
	to, err := s.contacts(sys, r.TenantID, r.PatientID)
	if err != nil {
		return err
	}
	m, err := notify.Compose(kind, to, notify.Params{Brand: brand, Link: strings.TrimSuffix(base, "/") + "/account/appointments",
		Zone: loc.TimeZone, Event: &notify.Event{UID: r.ID, Start: r.StartsAt, End: r.EndsAt, Stamp: s.clock.Now()}})
	if err != nil {
		return err
	}
	return s.outbox.Enqueue(sys, r.TenantID, r.PatientID, kind, m)
}
