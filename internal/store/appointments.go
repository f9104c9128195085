package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/tenant"
)

// Appointments keeps locations, clinicians' hours, appointment types and
// appointments in the PHI store. It implements appointments.Store.
type Appointments struct{ db *DB }

// NewAppointments returns the appointment storage of a PHI store.
func NewAppointments(db *DB) *Appointments { return &Appointments{db: db} }

var _ appointments.Store = (*Appointments)(nil)

type scanner interface{ Scan(...any) error }

// collect runs a query and scans every row with scan.
func collect[T any](ctx context.Context, db *sql.DB, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (s *Appointments) exec(ctx context.Context, what, query string, args ...any) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		return nil
	})
}

// execOne runs an update or delete that must touch one row; none is
// NotFound.
func (s *Appointments) execOne(ctx context.Context, what string, none error, query string, args ...any) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, query, args...)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		} else if n == 0 {
			return none
		}
		return nil
	})
}

func scanLocation(r scanner) (appointments.Location, error) {
	var l appointments.Location
	err := r.Scan(&l.ID, &l.TenantID, &l.Name, &l.Address, &l.TimeZone, &l.CreatedAt)
	l.CreatedAt = l.CreatedAt.UTC()
	return l, err
}

// Locations lists a tenant's locations by name.
func (s *Appointments) Locations(ctx context.Context, tenantID string) ([]appointments.Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return collect(ctx, s.db.r, "locations", scanLocation,
		`SELECT id, tenant_id, name, address, time_zone, created_at FROM locations WHERE tenant_id = $1 ORDER BY name, id`, tenantID)
}

// InsertLocation stores a location.
func (s *Appointments) InsertLocation(ctx context.Context, l appointments.Location) error {
	ctx = tenant.WithScope(ctx, l.TenantID)
	return s.exec(ctx, "insert location", `INSERT INTO locations (id, tenant_id, name, address, time_zone, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		l.ID, l.TenantID, l.Name, l.Address, l.TimeZone, l.CreatedAt)
}

// Profiles lists a tenant's clinician profiles.
func (s *Appointments) Profiles(ctx context.Context, tenantID string) ([]appointments.Profile, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return collect(ctx, s.db.r, "clinician profiles", func(r scanner) (appointments.Profile, error) {
		var p appointments.Profile
		return p, r.Scan(&p.ClinicianID, &p.TenantID, &p.DisplayName)
	}, `SELECT clinician_id, tenant_id, display_name FROM clinician_profiles WHERE tenant_id = $1 ORDER BY display_name`, tenantID)
}

// SetProfile creates or replaces a clinician's profile.
func (s *Appointments) SetProfile(ctx context.Context, p appointments.Profile) error {
	ctx = tenant.WithScope(ctx, p.TenantID)
	return s.exec(ctx, "clinician profile", `INSERT INTO clinician_profiles (clinician_id, tenant_id, display_name) VALUES ($1, $2, $3)
		ON CONFLICT (clinician_id) DO UPDATE SET display_name = excluded.display_name`, p.ClinicianID, p.TenantID, p.DisplayName)
}

// Types lists a tenant's appointment types by name.
func (s *Appointments) Types(ctx context.Context, tenantID string) ([]appointments.Type, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return collect(ctx, s.db.r, "appointment types", func(r scanner) (appointments.Type, error) {
		var t appointments.Type
		var mode string
		err := r.Scan(&t.ID, &t.TenantID, &t.Name, &t.DurationMin, &mode, &t.PriceMinor, &t.Currency, &t.Active, &t.CreatedAt)
		t.Mode, t.CreatedAt = appointments.Mode(mode), t.CreatedAt.UTC()
		return t, err
	}, `SELECT id, tenant_id, name, duration_min, mode, price_minor, currency, active, created_at FROM appointment_types
		WHERE tenant_id = $1 ORDER BY name, id`, tenantID)
}

// InsertType stores a type.
func (s *Appointments) InsertType(ctx context.Context, t appointments.Type) error {
	ctx = tenant.WithScope(ctx, t.TenantID)
	return s.exec(ctx, "insert appointment type", `INSERT INTO appointment_types (id, tenant_id, name, duration_min, mode, price_minor, currency, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, t.ID, t.TenantID, t.Name, t.DurationMin, string(t.Mode), t.PriceMinor, t.Currency, t.Active, t.CreatedAt)
}

// SetTypeActive retires or restores a type; NotFound when the tenant has
// none with that id.
func (s *Appointments) SetTypeActive(ctx context.Context, tenantID, typeID string, active bool) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.execOne(ctx, "appointment type", apperr.NotFoundError(), `UPDATE appointment_types SET active = $1 WHERE id = $2 AND tenant_id = $3`,
		active, typeID, tenantID)
}

// CancelWindow returns the tenant's cancellation window; ok is false when
// none is set.
func (s *Appointments) CancelWindow(ctx context.Context, tenantID string) (time.Duration, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	var mins int64
	err := s.db.r.QueryRowContext(ctx, `SELECT cancel_window_mins FROM appointment_settings WHERE tenant_id = $1`, tenantID).Scan(&mins)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("appointment settings: %w", err)
	}
	return time.Duration(mins) * time.Minute, true, nil
}

// SetCancelWindow sets the tenant's cancellation window.
func (s *Appointments) SetCancelWindow(ctx context.Context, tenantID string, d time.Duration) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "appointment settings", `INSERT INTO appointment_settings (tenant_id, cancel_window_mins) VALUES ($1, $2)
		ON CONFLICT (tenant_id) DO UPDATE SET cancel_window_mins = excluded.cancel_window_mins`, tenantID, int64(d/time.Minute))
}

// ClearCancelWindow removes the tenant's window from this table (it now
// lives in the brand's settings: server.AdoptLegacyPolicies).
func (s *Appointments) ClearCancelWindow(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.exec(ctx, "appointment settings", `DELETE FROM appointment_settings WHERE tenant_id = $1`, tenantID)
}

// Availability returns the weekly hours and exceptions of one clinician, or
// of every clinician of the tenant when clinicianID is empty.
func (s *Appointments) Availability(ctx context.Context, tenantID, clinicianID string) ([]appointments.Hours, []appointments.Exception, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	hours, err := collect(ctx, s.db.r, "clinician hours", func(r scanner) (appointments.Hours, error) {
		var h appointments.Hours
		var wd int
		err := r.Scan(&h.ID, &h.TenantID, &h.ClinicianID, &h.LocationID, &wd, &h.StartMin, &h.EndMin)
		h.Weekday = time.Weekday(wd)
		return h, err
	}, `SELECT id, tenant_id, clinician_id, location_id, weekday, start_min, end_min FROM clinician_hours
		WHERE tenant_id = $1 AND ($2 = '' OR clinician_id = $2) ORDER BY weekday, start_min, id`, tenantID, clinicianID)
	if err != nil {
		return nil, nil, err
	}
	exc, err := collect(ctx, s.db.r, "clinician exceptions", func(r scanner) (appointments.Exception, error) {
		var e appointments.Exception
		return e, r.Scan(&e.ID, &e.TenantID, &e.ClinicianID, &e.LocationID, &e.Day, &e.Kind, &e.StartMin, &e.EndMin)
	}, `SELECT id, tenant_id, clinician_id, location_id, day, kind, start_min, end_min FROM clinician_exceptions
		WHERE tenant_id = $1 AND ($2 = '' OR clinician_id = $2) ORDER BY day, start_min, id`, tenantID, clinicianID)
	return hours, exc, err
}

// InsertHours stores weekly hours.
func (s *Appointments) InsertHours(ctx context.Context, h appointments.Hours) error {
	ctx = tenant.WithScope(ctx, h.TenantID)
	return s.exec(ctx, "insert clinician hours", `INSERT INTO clinician_hours (id, tenant_id, clinician_id, location_id, weekday, start_min, end_min)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, h.ID, h.TenantID, h.ClinicianID, h.LocationID, int(h.Weekday), h.StartMin, h.EndMin)
}

// DeleteHours removes a clinician's weekly hours; NotFound when they have
// none with that id.
func (s *Appointments) DeleteHours(ctx context.Context, tenantID, clinicianID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.execOne(ctx, "delete clinician hours", apperr.NotFoundError(),
		`DELETE FROM clinician_hours WHERE id = $1 AND tenant_id = $2 AND clinician_id = $3`, id, tenantID, clinicianID)
}

// InsertException stores an exception.
func (s *Appointments) InsertException(ctx context.Context, e appointments.Exception) error {
	ctx = tenant.WithScope(ctx, e.TenantID)
	return s.exec(ctx, "insert clinician exception", `INSERT INTO clinician_exceptions (id, tenant_id, clinician_id, location_id, day, kind, start_min, end_min)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, e.ID, e.TenantID, e.ClinicianID, e.LocationID, e.Day, e.Kind, e.StartMin, e.EndMin)
}

// DeleteException removes a clinician's exception; NotFound when they have
// none with that id.
func (s *Appointments) DeleteException(ctx context.Context, tenantID, clinicianID, id string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.execOne(ctx, "delete clinician exception", apperr.NotFoundError(),
		`DELETE FROM clinician_exceptions WHERE id = $1 AND tenant_id = $2 AND clinician_id = $3`, id, tenantID, clinicianID)
}

const apptColumns = `id, tenant_id, patient_id, clinician_id, location_id, starts_at, ends_at, status, details_ct, reminded_at, created_at, updated_at`

// apptSelect is apptColumns as a SELECT list: the timestamps read as text on
// SQLite (COALESCE(col, NULL): texttime.go), which scanAppt parses.
const apptSelect = `id, tenant_id, patient_id, clinician_id, location_id, COALESCE(starts_at, NULL), COALESCE(ends_at, NULL), status, details_ct, COALESCE(reminded_at, NULL), COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

// apptOwnedSelect is apptSelect without the tenant and patient, for a read
// whose WHERE names both (Upcoming): scanOwnedAppt sets them from its
// arguments (see orderOwnedColumns why).
const apptOwnedSelect = `id, clinician_id, location_id, COALESCE(starts_at, NULL), COALESCE(ends_at, NULL), status, details_ct, COALESCE(reminded_at, NULL), COALESCE(created_at, NULL), COALESCE(updated_at, NULL)`

// scanOwnedAppt scans apptOwnedSelect of a booking of tenantID's patientID.
func scanOwnedAppt(r scanner, tenantID, patientID string) (appointments.Record, error) {
	a := appointments.Record{TenantID: tenantID, PatientID: patientID}
	err := r.Scan(&a.ID, &a.ClinicianID, &a.LocationID, timeScan{&a.StartsAt}, timeScan{&a.EndsAt}, &a.Status,
		&a.DetailsCT, timeScan{&a.RemindedAt}, timeScan{&a.CreatedAt}, timeScan{&a.UpdatedAt})
	return a, err
}

func scanAppt(r scanner) (appointments.Record, error) {
	var a appointments.Record
	// A NULL reminded_at is the zero time (timeScan), all of them in UTC.
	err := r.Scan(&a.ID, &a.TenantID, &a.PatientID, &a.ClinicianID, &a.LocationID, timeScan{&a.StartsAt}, timeScan{&a.EndsAt}, &a.Status,
		&a.DetailsCT, timeScan{&a.RemindedAt}, timeScan{&a.CreatedAt}, timeScan{&a.UpdatedAt})
	return a, err
}

// Booked lists a tenant's live bookings that overlap [from, to).
func (s *Appointments) Booked(ctx context.Context, tenantID string, from, to time.Time) ([]appointments.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return collect(ctx, s.db.r, "booked appointments", scanAppt, `SELECT `+apptSelect+` FROM appointments
		WHERE tenant_id = $1 AND status = 'booked' AND starts_at < $3 AND ends_at > $2 ORDER BY starts_at, id`, tenantID, from.UTC(), to.UTC())
}

// overlapping tells, inside a write transaction, whether a clinician has a
// live booking other than except overlapping [start, end).
func overlapping(ctx context.Context, tx *sql.Tx, clinicianID, except string, start, end time.Time) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM appointments WHERE clinician_id = $1 AND status = 'booked' AND id <> $2
		AND starts_at < $4 AND ends_at > $3`, clinicianID, except, start.UTC(), end.UTC()).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("overlapping appointments: %w", err)
	}
	return n > 0, nil
}

// Insert stores a booking: in one transaction, a check that the clinician
// has no live booking overlapping it, then the row. Why both: the unique
// index (clinician, start) is what holds when two transactions race for
// the same start on PostgreSQL (read committed: neither sees the other's
// row); the check catches a different start that overlaps (a longer type).
func (s *Appointments) Insert(ctx context.Context, a appointments.Record) error {
	ctx = tenant.WithScope(ctx, a.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if busy, err := overlapping(ctx, tx, a.ClinicianID, a.ID, a.StartsAt, a.EndsAt); err != nil {
			return err
		} else if busy {
			return apperr.DuplicateError("a booking at that time")
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO appointments (`+apptColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, $10, $11)`,
			a.ID, a.TenantID, a.PatientID, a.ClinicianID, a.LocationID, a.StartsAt.UTC(), a.EndsAt.UTC(), a.Status, a.DetailsCT, a.CreatedAt, a.UpdatedAt)
		if isUniqueViolation(err) {
			return apperr.DuplicateError("a booking at that time")
		}
		if err != nil {
			return fmt.Errorf("insert appointment: %w", err)
		}
		return nil
	})
}

// ByID returns one of a tenant's appointments, or NotFound.
func (s *Appointments) ByID(ctx context.Context, tenantID, id string) (appointments.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := scanAppt(s.db.r.QueryRowContext(ctx, `SELECT `+apptSelect+` FROM appointments WHERE id = $1 AND tenant_id = $2`, id, tenantID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFoundError()
	}
	if err != nil {
		return a, fmt.Errorf("appointment: %w", err)
	}
	return a, nil
}

// ByPatient lists a patient's appointments by start.
func (s *Appointments) ByPatient(ctx context.Context, tenantID, patientID string) ([]appointments.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return collect(ctx, s.db.r, "patient appointments", scanAppt, `SELECT `+apptSelect+` FROM appointments
		WHERE tenant_id = $1 AND patient_id = $2 ORDER BY starts_at, id`, tenantID, patientID)
}

// Upcoming lists a patient's bookings that end after now, by start: the
// dashboard's widget, which shows only those, reads no past appointment.
func (s *Appointments) Upcoming(ctx context.Context, tenantID, patientID string, now time.Time) ([]appointments.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	scan := func(r scanner) (appointments.Record, error) { return scanOwnedAppt(r, tenantID, patientID) }
	return collect(ctx, s.db.r, "upcoming appointments", scan, `SELECT `+apptOwnedSelect+` FROM appointments
		WHERE tenant_id = $1 AND patient_id = $2 AND status = 'booked' AND ends_at > $3 ORDER BY starts_at, id`, tenantID, patientID, now.UTC())
}

// Move gives a booking a new time, clinician, location and sealed details
// in one transaction, with the checks of Insert; Stale when it is no longer
// booked at oldStart. The reminder is owed again for the new time.
func (s *Appointments) Move(ctx context.Context, a appointments.Record, oldStart time.Time) error {
	ctx = tenant.WithScope(ctx, a.TenantID)
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		if busy, err := overlapping(ctx, tx, a.ClinicianID, a.ID, a.StartsAt, a.EndsAt); err != nil {
			return err
		} else if busy {
			return apperr.DuplicateError("a booking at that time")
		}
		res, err := tx.ExecContext(ctx, `UPDATE appointments SET clinician_id = $1, location_id = $2, starts_at = $3, ends_at = $4, details_ct = $5,
			reminded_at = NULL, updated_at = $6 WHERE id = $7 AND tenant_id = $8 AND status = 'booked' AND starts_at = $9`,
			a.ClinicianID, a.LocationID, a.StartsAt.UTC(), a.EndsAt.UTC(), a.DetailsCT, a.UpdatedAt, a.ID, a.TenantID, oldStart.UTC())
		if isUniqueViolation(err) {
			return apperr.DuplicateError("a booking at that time")
		}
		if err != nil {
			return fmt.Errorf("move appointment: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("move appointment: %w", err)
		} else if n == 0 {
			return apperr.StaleError()
		}
		return nil
	})
}

// Cancel cancels a booking; Stale when it is no longer booked at start.
func (s *Appointments) Cancel(ctx context.Context, tenantID, id string, start, now time.Time) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.execOne(ctx, "cancel appointment", apperr.StaleError(), `UPDATE appointments SET status = 'cancelled', updated_at = $1
		WHERE id = $2 AND tenant_id = $3 AND status = 'booked' AND starts_at = $4`, now, id, tenantID, start.UTC())
}

// Day lists a clinician's live bookings starting in [from, to) with
// patients they have a current care relationship with, in one query.
func (s *Appointments) Day(ctx context.Context, tenantID, clinicianID string, from, to time.Time) ([]appointments.Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return collect(ctx, s.db.r, "clinician day", scanAppt, `SELECT a.id, a.tenant_id, a.patient_id, a.clinician_id, a.location_id, a.starts_at,
		a.ends_at, a.status, a.details_ct, a.reminded_at, a.created_at, a.updated_at FROM appointments a
		JOIN care_relationships c ON c.clinician_id = a.clinician_id AND c.patient_id = a.patient_id AND c.tenant_id = a.tenant_id AND c.ended_at IS NULL
		WHERE a.tenant_id = $1 AND a.clinician_id = $2 AND a.status = 'booked' AND a.starts_at >= $3 AND a.starts_at < $4
		ORDER BY a.starts_at, a.id`, tenantID, clinicianID, from.UTC(), to.UTC())
}

// DueReminders lists live bookings of every tenant starting in [from, to)
// that have had no reminder, at most limit.
func (s *Appointments) DueReminders(ctx context.Context, from, to time.Time, limit int) ([]appointments.Record, error) {
	ctx = tenant.AcrossTenants(ctx) // the reminder job walks every tenant
	return collect(ctx, s.db.r, "due reminders", scanAppt, `SELECT `+apptSelect+` FROM appointments
		WHERE status = 'booked' AND reminded_at IS NULL AND starts_at >= $1 AND starts_at < $2 ORDER BY starts_at, id LIMIT $3`,
		from.UTC(), to.UTC(), limit)
}

// MarkReminded records that a booking's reminder was queued.
func (s *Appointments) MarkReminded(ctx context.Context, id string, now time.Time) error {
	ctx = tenant.AcrossTenants(ctx) // the reminder job marks what DueReminders found, in any tenant
	return s.exec(ctx, "appointment reminded", `UPDATE appointments SET reminded_at = $1 WHERE id = $2`, now, id)
}
