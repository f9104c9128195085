package appointments

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// manager checks that the actor in ctx manages the tenant's offer: a store
// manager or an admin. Why these roles: types, prices, locations and the
// cancellation window are the business's offer, like the catalog; none of
// it is about a patient.
func manager(ctx context.Context, tenantID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || (a.Role != access.RoleStoreManager && a.Role != access.RoleAdmin) {
		return apperr.DeniedError(errors.New("only store managers and admins manage appointment types"))
	}
	return nil
}

// clinician returns the actor in ctx if it is a clinician of the tenant.
// Why: a clinician publishes only their own hours, and sees only their own
// day.
func clinician(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || a.Role != access.RoleClinician {
		return a, apperr.DeniedError(errors.New("not a clinician of this tenant"))
	}
	return a, nil
}

func oneLine(s string, limit int) bool {
	return s != "" && utf8.RuneCountInString(s) <= limit && !strings.ContainsAny(s, "\r\n\x00")
}

// Locations lists a tenant's locations (business data, for every page that
// shows them).
func (s *Service) Locations(ctx context.Context, tenantID string) ([]Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Locations(ctx, tenantID)
}

// AddLocation adds a location; the zone must be an IANA zone name.
func (s *Service) AddLocation(ctx context.Context, tenantID, name, address, zone string) (Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := manager(ctx, tenantID); err != nil {
		return Location{}, err
	}
	name, address, zone = strings.TrimSpace(name), strings.TrimSpace(address), strings.TrimSpace(zone)
	fields := map[string]string{}
	if !oneLine(name, 80) {
		fields["name"] = "Enter a name of up to 80 characters."
	}
	if !oneLine(address, 200) {
		fields["address"] = "Enter the address on one line, up to 200 characters."
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || zone == "Local" {
		fields["zone"] = "Enter a time zone such as America/New_York or Europe/London."
	}
	if len(fields) > 0 {
		return Location{}, apperr.InvalidFields("Check the location.", fields)
	}
	now := s.clock.Now()
	l := Location{ID: id.NewAt(now), TenantID: tenantID, Name: name, Address: address, TimeZone: zone, CreatedAt: now}
	if err := s.store.InsertLocation(ctx, l); err != nil {
		return Location{}, err
	}
	s.settings.forget(tenantID)
	return l, nil
}

// Types lists a tenant's types, active and retired.
func (s *Service) Types(ctx context.Context, tenantID string) ([]Type, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Types(ctx, tenantID)
}

// TypeInput is a new type as the form gives it.
type TypeInput struct {
	Name, Duration, Mode, Price string
	Currency                    string
}

// ParsePrice reads a price in major units ("45", "45.50") into minor units;
// empty is free.
func ParsePrice(v string) (int64, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, true
	}
	whole, frac, _ := strings.Cut(v, ".")
	if len(frac) > 2 || whole == "" {
		return 0, false
	}
	for len(frac) < 2 {
		frac += "0"
	}
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || w < 0 || f < 0 || w > 1_000_000 {
		return 0, false
	}
	return w*100 + f, true
}

// AddType adds a kind of appointment.
func (s *Service) AddType(ctx context.Context, tenantID string, in TypeInput) (Type, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := manager(ctx, tenantID); err != nil {
		return Type{}, err
	}
	fields := map[string]string{}
	name := strings.TrimSpace(in.Name)
	if !oneLine(name, 80) {
		fields["name"] = "Enter a name of up to 80 characters."
	}
	dur, err := strconv.Atoi(strings.TrimSpace(in.Duration))
	if err != nil || dur < 5 || dur > 480 || dur%5 != 0 {
		fields["duration"] = "Enter minutes from 5 to 480, in steps of 5."
	}
	mode := Mode(in.Mode)
	if mode != InPerson && mode != Video {
		fields["mode"] = "Choose in person or video call."
	}
	price, ok := ParsePrice(in.Price)
	if !ok {
		fields["price"] = "Enter a price such as 45 or 45.50, or leave it empty."
	}
	if len(fields) > 0 {
		return Type{}, apperr.InvalidFields("Check the appointment type.", fields)
	}
	cur := in.Currency
	if cur == "" {
		cur = "USD"
	}
	now := s.clock.Now()
	t := Type{ID: id.NewAt(now), TenantID: tenantID, Name: name, DurationMin: dur, Mode: mode, PriceMinor: price, Currency: cur, Active: true, CreatedAt: now}
	return t, s.store.InsertType(ctx, t)
}

// SetTypeActive retires a type (no new bookings; booked ones stay) or
// offers it again.
func (s *Service) SetTypeActive(ctx context.Context, tenantID, typeID string, active bool) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := manager(ctx, tenantID); err != nil {
		return err
	}
	if !id.Valid(typeID) {
		return apperr.NotFoundError()
	}
	return s.store.SetTypeActive(ctx, tenantID, typeID, active)
}

// SetCancelWindow sets how late before its start a patient may move or
// cancel an appointment, in hours (0 to 336).
func (s *Service) SetCancelWindow(ctx context.Context, tenantID, hours string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := manager(ctx, tenantID); err != nil {
		return err
	}
	h, err := strconv.Atoi(strings.TrimSpace(hours))
	if err != nil || h < 0 || h > 336 {
		return apperr.InvalidFields("Check the cancellation window.", map[string]string{"hours": "Enter whole hours from 0 to 336."})
	}
	if err := s.store.SetCancelWindow(ctx, tenantID, time.Duration(h)*time.Hour); err != nil {
		return err
	}
	s.settings.forget(tenantID)
	return nil
}

// Availability is a clinician's published hours, as their editor shows it.
type Availability struct {
	Profile    Profile
	Hours      []Hours
	Exceptions []Exception
	Locations  []Location
}

// MyAvailability returns the signed-in clinician's hours and exceptions.
func (s *Service) MyAvailability(ctx context.Context, tenantID string) (Availability, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return Availability{}, err
	}
	hours, exc, err := s.store.Availability(ctx, tenantID, a.ID)
	if err != nil {
		return Availability{}, err
	}
	locs, err := s.store.Locations(ctx, tenantID)
	if err != nil {
		return Availability{}, err
	}
	profiles, err := s.store.Profiles(ctx, tenantID)
	if err != nil {
		return Availability{}, err
	}
	out := Availability{Profile: Profile{ClinicianID: a.ID, TenantID: tenantID}, Hours: hours, Exceptions: exc, Locations: locs}
	for _, p := range profiles {
		if p.ClinicianID == a.ID {
			out.Profile = p
		}
	}
	sort.Slice(out.Hours, func(i, j int) bool {
		hi, hj := out.Hours[i], out.Hours[j]
		if hi.Weekday != hj.Weekday {
			return hi.Weekday < hj.Weekday
		}
		return hi.StartMin < hj.StartMin
	})
	sort.Slice(out.Exceptions, func(i, j int) bool { return out.Exceptions[i].Day < out.Exceptions[j].Day })
	return out, nil
}

// SetDisplayName sets the name patients see when they choose a time.
func (s *Service) SetDisplayName(ctx context.Context, tenantID, name string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return err
	}
	name = strings.TrimSpace(name)
	if !oneLine(name, 80) {
		return apperr.InvalidFields("Check your name.", map[string]string{"display_name": "Enter the name patients know you by, up to 80 characters."})
	}
	return s.store.SetProfile(ctx, Profile{ClinicianID: a.ID, TenantID: tenantID, DisplayName: name})
}

// ParseClock reads "HH:MM" as minutes after midnight ("24:00" is the end of
// the day).
func ParseClock(v string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(v), ":")
	if !ok || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return 0, false
	}
	return hh*60 + mm, true
}

// Clock writes minutes after midnight as "HH:MM".
func Clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

func (s *Service) location(ctx context.Context, tenantID, locationID string) (Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	locs, err := s.store.Locations(ctx, tenantID)
	if err != nil {
		return Location{}, err
	}
	for _, l := range locs {
		if l.ID == locationID {
			return l, nil
		}
	}
	return Location{}, apperr.InvalidFields("Choose a location.", map[string]string{"location": "Choose a location from the list."})
}

func span(from, to string) (int, int, map[string]string) {
	fields := map[string]string{}
	s, ok1 := ParseClock(from)
	e, ok2 := ParseClock(to)
	if !ok1 {
		fields["from"] = "Enter a time such as 09:00."
	}
	if !ok2 {
		fields["to"] = "Enter a time such as 17:00."
	}
	if ok1 && ok2 && s >= e {
		fields["to"] = "The end must be after the start."
	}
	return s, e, fields
}

// AddHours adds weekly hours for the signed-in clinician: a weekday (0
// Sunday to 6 Saturday), from and to as HH:MM in the location's zone.
func (s *Service) AddHours(ctx context.Context, tenantID, locationID, weekday, from, to string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return err
	}
	l, err := s.location(ctx, tenantID, locationID)
	if err != nil {
		return err
	}
	st, en, fields := span(from, to)
	wd, err := strconv.Atoi(weekday)
	if err != nil || wd < 0 || wd > 6 {
		fields["weekday"] = "Choose a day of the week."
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the hours.", fields)
	}
	return s.store.InsertHours(ctx, Hours{ID: id.NewAt(s.clock.Now()), TenantID: tenantID, ClinicianID: a.ID, LocationID: l.ID,
		Weekday: time.Weekday(wd), StartMin: st, EndMin: en})
}

// RemoveHours removes one of the signed-in clinician's weekly hours.
func (s *Service) RemoveHours(ctx context.Context, tenantID, hoursID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return err
	}
	if !id.Valid(hoursID) {
		return apperr.NotFoundError()
	}
	return s.store.DeleteHours(ctx, tenantID, a.ID, hoursID)
}

// AddException adds a day off or extra hours on a date (YYYY-MM-DD, in the
// location's zone) for the signed-in clinician. Bookings already made on a
// day off stay; the clinician sees them on their day.
func (s *Service) AddException(ctx context.Context, tenantID, locationID, day, kind, from, to string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return err
	}
	l, err := s.location(ctx, tenantID, locationID)
	if err != nil {
		return err
	}
	fields := map[string]string{}
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(day), l.Zone())
	if err != nil {
		fields["day"] = "Enter a date such as 2026-12-24."
	}
	e := Exception{TenantID: tenantID, ClinicianID: a.ID, LocationID: l.ID, Day: d.Format(time.DateOnly), Kind: kind}
	switch kind {
	case DayOff:
	case Extra:
		st, en, f := span(from, to)
		for k, v := range f {
			fields[k] = v
		}
		e.StartMin, e.EndMin = st, en
	default:
		fields["kind"] = "Choose a day off or extra hours."
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the exception.", fields)
	}
	e.ID = id.NewAt(s.clock.Now())
	return s.store.InsertException(ctx, e)
}

// RemoveException removes one of the signed-in clinician's exceptions.
func (s *Service) RemoveException(ctx context.Context, tenantID, excID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return err
	}
	if !id.Valid(excID) {
		return apperr.NotFoundError()
	}
	return s.store.DeleteException(ctx, tenantID, a.ID, excID)
}

// DayView is a clinician's day.
type DayView struct {
	Day          time.Time // midnight of the day, in Zone
	Zone         *time.Location
	Appointments []Appointment
}

// MyDay returns the signed-in clinician's appointments on a date
// (YYYY-MM-DD in zone; today when empty), opened under one audited vault
// access for all the day's patients. Only patients the clinician has a
// current care relationship with are listed (the booking made it; an
// ended one hides the row), and each row's details are read with the
// clinician's treatment purpose.
func (s *Service) MyDay(ctx context.Context, tenantID, day string, zone *time.Location) (DayView, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return DayView{}, err
	}
	if zone == nil {
		zone = time.UTC
	}
	now := s.clock.Now().In(zone)
	d := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	if day != "" {
		if d, err = time.ParseInLocation(time.DateOnly, day, zone); err != nil {
			return DayView{}, apperr.New(apperr.Invalid, "Enter a date such as 2026-12-24.")
		}
	}
	v := DayView{Day: d, Zone: zone}
	rows, err := s.store.Day(ctx, tenantID, a.ID, d, d.AddDate(0, 0, 1))
	if err != nil || len(rows) == 0 {
		return v, err
	}
	locs, err := s.store.Locations(ctx, tenantID)
	if err != nil {
		return v, err
	}
	byID := map[string]Location{}
	for _, l := range locs {
		byID[l.ID] = l
	}
	subjects := make([]string, 0, len(rows))
	seen := map[string]bool{}
	for _, r := range rows {
		if !seen[r.PatientID] {
			seen[r.PatientID] = true
			subjects = append(subjects, r.PatientID)
		}
	}
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: subjects, Action: access.Read, Purpose: access.PurposeTreatment,
		Resource: "appointment", AuditAction: "appointment.day"})
	if err != nil {
		return v, err
	}
	for _, r := range rows {
		det, err := unseal(h, r)
		if err != nil {
			return v, err
		}
		v.Appointments = append(v.Appointments, s.opened(r, det, byID[r.LocationID], 0))
	}
	return v, nil
}

// MyZone is the zone a clinician's day is shown in: that of the first
// location they keep hours at, else the tenant's first location, else UTC.
func (s *Service) MyZone(ctx context.Context, tenantID string) (*time.Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := clinician(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	hours, _, err := s.store.Availability(ctx, tenantID, a.ID)
	if err != nil {
		return nil, err
	}
	locs, err := s.store.Locations(ctx, tenantID)
	if err != nil || len(locs) == 0 {
		return time.UTC, err
	}
	for _, l := range locs {
		if len(hours) > 0 && hours[0].LocationID == l.ID {
			return l.Zone(), nil
		}
	}
	return locs[0].Zone(), nil
}
