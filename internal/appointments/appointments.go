// Package appointments is booking care: a tenant's locations, the weekly
// hours clinicians keep at them (with exceptions: a day off, extra hours),
// the kinds of appointment a store manager offers, and the appointments
// patients book, move and cancel from the free slots. Times are kept in UTC
// and computed and shown in the location's time zone, so that 9 to 5 stays 9
// to 5 on the wall clock across a change of daylight saving time.
//
// An appointment is PHI: who it is for, with whom and when sit in the clear
// (the slots, the clinician's day and reminders need them), and what it is
// about (the type, the reason, the clinician's name as the patient saw it)
// is sealed by the vault under the patient. Every patient-side read and
// write is decided by grants.Authorize (class clinical) and goes through
// one audited vault handle. Booking creates the clinician's care
// relationship with the patient, which is what lets the clinician see the
// patient's clinical record (access.Decide).
package appointments

import (
	"context"
	"log/slog"
	"sync"
	"time"

	// Why embedded: locations name IANA zones, and the one binary must
	// compute their slots on a machine without a zoneinfo database.
	_ "time/tzdata"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/notify"
	"github.com/salvehealth/salve/internal/phi"
)

// Mode is how an appointment takes place.
type Mode string

// The modes.
const (
	InPerson Mode = "in_person"
	Video    Mode = "video"
)

// Label is the mode in words.
func (m Mode) Label() string {
	if m == Video {
		return "Video call"
	}
	return "In person"
}

// Statuses of an appointment.
const (
	Booked    = "booked"
	Cancelled = "cancelled"
)

// DefaultCancelWindow is how late before its start a patient may move or
// cancel an appointment when the tenant has not set its own window.
const DefaultCancelWindow = 24 * time.Hour

// BookingHorizon is how far ahead free slots are offered.
const BookingHorizon = 14 * 24 * time.Hour

// Location is a place where clinicians see patients.
type Location struct {
	ID, TenantID, Name, Address string
	// TimeZone is an IANA zone name, such as "America/New_York".
	TimeZone  string
	CreatedAt time.Time
}

// Zone loads the location's time zone (UTC if it cannot be loaded; zones
// are checked when a location is made).
func (l Location) Zone() *time.Location {
	if z, ok := zones.Load(l.TimeZone); ok {
		return z.(*time.Location)
	}
	z, err := time.LoadLocation(l.TimeZone)
	if err != nil {
		return time.UTC
	}
	zones.Store(l.TimeZone, z)
	return z
}

// zones keeps the time zones loaded, by name. Why: time.LoadLocation reads
// and parses the zone's file on every call, and each appointment shown (on
// every dashboard view) asks for its location's zone. Zone names are the
// few a tenant configured; a *time.Location is safe to share.
var zones sync.Map

// Profile is a clinician as patients see them when choosing a time: a
// professional directory entry, not PHI.
type Profile struct {
	ClinicianID, TenantID, DisplayName string
}

// Hours are a clinician's weekly hours at a location: on a weekday, from
// StartMin to EndMin minutes after midnight in the location's zone.
type Hours struct {
	ID, TenantID, ClinicianID, LocationID string
	Weekday                               time.Weekday
	StartMin, EndMin                      int
}

// Exception kinds.
const (
	DayOff = "off"
	Extra  = "extra"
)

// Exception changes a clinician's hours on one date at a location: a day
// off, or extra hours.
type Exception struct {
	ID, TenantID, ClinicianID, LocationID string
	// Day is the date in the location's zone, YYYY-MM-DD.
	Day              string
	Kind             string
	StartMin, EndMin int
}

// Type is a kind of appointment.
type Type struct {
	ID, TenantID, Name string
	DurationMin        int
	Mode               Mode
	// PriceMinor is the price in minor units of Currency; 0 is free.
	PriceMinor int64
	Currency   string
	Active     bool
	CreatedAt  time.Time
}

// Duration is the type's length.
func (t Type) Duration() time.Duration { return time.Duration(t.DurationMin) * time.Minute }

// Details are what an appointment is about: sealed under the patient.
type Details struct {
	TypeID    string `json:"type_id"`
	TypeName  string `json:"type"`
	Mode      Mode   `json:"mode"`
	Reason    string `json:"reason,omitempty"`
	Clinician string `json:"clinician"`
}

// Record is an appointment as the PHI store keeps it: who, with whom, where
// and when in the clear, the Details sealed by the vault under PatientID.
type Record struct {
	ID, TenantID, PatientID, ClinicianID, LocationID string
	StartsAt, EndsAt                                 time.Time
	Status                                           string
	DetailsCT                                        []byte
	RemindedAt, CreatedAt, UpdatedAt                 time.Time
}

// Appointment is one opened for a reader.
type Appointment struct {
	ID, PatientID, ClinicianID, Status string
	Location                           Location
	// Start and End are in the location's zone.
	Start, End time.Time
	Details    Details
	// Changeable says the patient may still move or cancel it (booked,
	// and the cancellation window has not begun).
	Changeable bool
}

// Slot is a free time a patient may book.
type Slot struct {
	ClinicianID, Clinician string
	Location               Location
	// Start and End are in the location's zone.
	Start, End time.Time
}

// Store keeps appointments and what they are booked from, in the PHI store
// (internal/store.Appointments). Lists are one query per table.
type Store interface {
	Locations(ctx context.Context, tenantID string) ([]Location, error)
	InsertLocation(ctx context.Context, l Location) error
	Profiles(ctx context.Context, tenantID string) ([]Profile, error)
	// SetProfile creates or replaces a clinician's profile.
	SetProfile(ctx context.Context, p Profile) error
	// Types lists a tenant's types, active and retired, by name.
	Types(ctx context.Context, tenantID string) ([]Type, error)
	InsertType(ctx context.Context, t Type) error
	// SetTypeActive retires or restores a type; NotFound when the tenant
	// has none with that id.
	SetTypeActive(ctx context.Context, tenantID, typeID string, active bool) error
	// CancelWindow returns the tenant's window; ok is false when none is set.
	CancelWindow(ctx context.Context, tenantID string) (d time.Duration, ok bool, err error)
	SetCancelWindow(ctx context.Context, tenantID string, d time.Duration) error
	// Availability returns the weekly hours and exceptions of one
	// clinician, or of every clinician of the tenant when clinicianID is
	// empty.
	Availability(ctx context.Context, tenantID, clinicianID string) ([]Hours, []Exception, error)
	InsertHours(ctx context.Context, h Hours) error
	// DeleteHours removes a clinician's row; NotFound when they have none
	// with that id.
	DeleteHours(ctx context.Context, tenantID, clinicianID, id string) error
	InsertException(ctx context.Context, e Exception) error
	DeleteException(ctx context.Context, tenantID, clinicianID, id string) error
	// Booked lists a tenant's live bookings that overlap [from, to).
	Booked(ctx context.Context, tenantID string, from, to time.Time) ([]Record, error)
	// Insert stores a booking in one transaction that first checks that
	// the clinician has no live booking overlapping it; an overlap or a
	// second booking of the same clinician and start (the unique index) is
	// a Conflict (apperr.ErrDuplicate).
	Insert(ctx context.Context, r Record) error
	// ByID returns one of a tenant's appointments, or NotFound.
	ByID(ctx context.Context, tenantID, id string) (Record, error)
	// ByPatient lists a patient's appointments by start.
	ByPatient(ctx context.Context, tenantID, patientID string) ([]Record, error)
	// Upcoming lists a patient's bookings that end after now, by start.
	Upcoming(ctx context.Context, tenantID, patientID string, now time.Time) ([]Record, error)
	// Move gives a booking a new time in one transaction, like Insert;
	// Stale when it is no longer booked at oldStart.
	Move(ctx context.Context, r Record, oldStart time.Time) error
	// Cancel cancels a booking; Stale when it is no longer booked at start.
	Cancel(ctx context.Context, tenantID, id string, start, now time.Time) error
	// Day lists a clinician's live bookings starting in [from, to) with
	// patients they have a current care relationship with.
	Day(ctx context.Context, tenantID, clinicianID string, from, to time.Time) ([]Record, error)
	// DueReminders lists live bookings of every tenant starting in
	// [from, to) that have had no reminder, at most limit.
	DueReminders(ctx context.Context, from, to time.Time, limit int) ([]Record, error)
	// MarkReminded records that a booking's reminder was queued.
	MarkReminded(ctx context.Context, id string, now time.Time) error
}

// Authorizer decides a person's access to a patient's data
// (grants.Service.Authorize): the patient, a proxy within the granted
// classes, or staff whose role and relationship allow it.
type Authorizer interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
}

// Care records the care relationship a booking creates
// (grants.Service.CareFromBooking).
type Care interface {
	CareFromBooking(ctx context.Context, tenantID, clinicianID, patientID string) error
}

// Outbox queues email (outbox.Outbox).
type Outbox interface {
	Enqueue(ctx context.Context, tenantID, subjectID string, kind notify.Kind, m notify.Message) error
}

// Deps are what the service is built on; server wires them.
type Deps struct {
	Store  Store
	Vault  phi.Vault
	Grants Authorizer
	Care   Care
	Outbox Outbox
	// Contacts finds a person's email address (accounts.Service.Email).
	Contacts func(ctx context.Context, tenantID, userID string) (string, error)
	// Reminders, if set, says whether a person wants reminder emails (their
	// profile's communication preference, accounts.Service.WantsReminders);
	// a person who turned them off gets no appointment reminder.
	Reminders func(ctx context.Context, tenantID, userID string) (bool, error)
	// Links names a tenant's site and its address, for emails.
	Links func(ctx context.Context, tenantID string) (brand, baseURL string)
	// Booked, if set, is told of each booking (the outgoing webhooks'
	// appointment.booked), with ids only.
	Booked func(ctx context.Context, tenantID, appointmentID, patientID string)
	Clock  clock.Clock
	Log    *slog.Logger
}

// Service is the one door to appointments.
type Service struct {
	store    Store
	vault    phi.Vault
	grants   Authorizer
	care     Care
	outbox   Outbox
	contacts func(ctx context.Context, tenantID, userID string) (string, error)
	wants    func(ctx context.Context, tenantID, userID string) (bool, error)
	links    func(ctx context.Context, tenantID string) (string, string)
	booked   func(ctx context.Context, tenantID, appointmentID, patientID string)
	clock    clock.Clock
	log      *slog.Logger
	// settings keeps each tenant's locations and cancellation window for
	// showing (settings_cache.go); shared by WithClock's copies.
	settings *tenantSettings
}

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Log == nil {
		d.Log = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, vault: d.Vault, grants: d.Grants, care: d.Care, outbox: d.Outbox, contacts: d.Contacts,
		wants: d.Reminders, links: d.Links, booked: d.Booked, clock: d.Clock, log: d.Log,
		settings: newTenantSettings()}
}

// WithClock returns the service on another clock: the demo books its past
// appointments through every rule of a booking, as of a day that is past.
func (s *Service) WithClock(c clock.Clock) *Service {
	cp := *s
	cp.clock = c
	return &cp
}
