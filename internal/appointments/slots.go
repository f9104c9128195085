package appointments

import (
	"context"
	"sort"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// window is a stretch of a clinician's working time at a location.
type window struct {
	clinicianID, locationID string
	start, end              time.Time
}

// wall is minute m of date (y, mo, d) on the wall clock of zone z. Why
// time.Date and not midnight plus minutes: on the day daylight saving time
// begins or ends, midnight plus 540 minutes is not 9:00.
func wall(y int, mo time.Month, d, m int, z *time.Location) time.Time {
	return time.Date(y, mo, d, m/60, m%60, 0, 0, z)
}

// windows are the working windows of the given hours and exceptions that
// fall on the dates (in each location's zone) from `from` to `to`. A day
// off at a location removes that date's weekly hours there; extra hours
// add to them.
func windows(locs map[string]Location, hours []Hours, exc []Exception, from, to time.Time) []window {
	type key struct{ clinician, location, day string }
	off := map[key]bool{}
	extra := map[key][]Exception{}
	for _, e := range exc {
		k := key{e.ClinicianID, e.LocationID, e.Day}
		if e.Kind == DayOff {
			off[k] = true
		} else {
			extra[k] = append(extra[k], e)
		}
	}
	var out []window
	for _, l := range locs {
		z := l.Zone()
		// Every date of the range in the location's zone, a day either side.
		first := from.In(z)
		for d := time.Date(first.Year(), first.Month(), first.Day()-1, 12, 0, 0, 0, z); !d.After(to.In(z).AddDate(0, 0, 1)); d = d.AddDate(0, 0, 1) {
			day := d.Format(time.DateOnly)
			y, mo, dd := d.Date()
			add := func(clinician string, s, e int) {
				w := window{clinicianID: clinician, locationID: l.ID, start: wall(y, mo, dd, s, z), end: wall(y, mo, dd, e, z)}
				if w.end.After(from) && w.start.Before(to) && w.end.After(w.start) {
					out = append(out, w)
				}
			}
			for _, h := range hours {
				if h.LocationID == l.ID && h.Weekday == d.Weekday() && !off[key{h.ClinicianID, l.ID, day}] {
					add(h.ClinicianID, h.StartMin, h.EndMin)
				}
			}
			for k, es := range extra {
				if k.location == l.ID && k.day == day {
					for _, e := range es {
						add(e.ClinicianID, e.StartMin, e.EndMin)
					}
				}
			}
		}
	}
	return out
}

// overlaps reports whether [s, e) meets a live booking of the clinician.
func overlaps(booked []Record, clinicianID string, s, e time.Time, except string) bool {
	for _, b := range booked {
		if b.ClinicianID == clinicianID && b.ID != except && b.Status == Booked && b.StartsAt.Before(e) && s.Before(b.EndsAt) {
			return true
		}
	}
	return false
}

// free cuts the windows into slots of the type's length, on a grid from
// each window's start, leaving out what has begun by now and what meets a
// booking (but the one being moved, except).
func free(ws []window, booked []Record, dur time.Duration, from, to, now time.Time, except string) []window {
	seen := map[string]bool{}
	var out []window
	for _, w := range ws {
		for s := w.start; !s.Add(dur).After(w.end); s = s.Add(dur) {
			e := s.Add(dur)
			if !s.After(now) || s.Before(from) || !s.Before(to) || overlaps(booked, w.clinicianID, s, e, except) {
				continue
			}
			k := w.clinicianID + "|" + s.UTC().Format(time.RFC3339)
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, window{clinicianID: w.clinicianID, locationID: w.locationID, start: s, end: e})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].start.Equal(out[j].start) {
			return out[i].start.Before(out[j].start)
		}
		return out[i].clinicianID < out[j].clinicianID
	})
	return out
}

// catalogue is what slots are computed from: a tenant's locations,
// clinicians' names, types and availability.
type catalogue struct {
	locs     map[string]Location
	names    map[string]string
	types    map[string]Type
	hours    []Hours
	exc      []Exception
	locOrder []Location
}

func (s *Service) catalogue(ctx context.Context, tenantID string) (*catalogue, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	locs, err := s.store.Locations(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	profiles, err := s.store.Profiles(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	types, err := s.store.Types(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	hours, exc, err := s.store.Availability(ctx, tenantID, "")
	if err != nil {
		return nil, err
	}
	c := &catalogue{locs: map[string]Location{}, names: map[string]string{}, types: map[string]Type{}, hours: hours, exc: exc, locOrder: locs}
	for _, l := range locs {
		c.locs[l.ID] = l
	}
	for _, p := range profiles {
		c.names[p.ClinicianID] = p.DisplayName
	}
	for _, t := range types {
		c.types[t.ID] = t
	}
	return c, nil
}

func (c *catalogue) name(clinicianID string) string {
	if n := c.names[clinicianID]; n != "" {
		return n
	}
	return "A clinician"
}

func (c *catalogue) slots(ws []window) []Slot {
	out := make([]Slot, 0, len(ws))
	for _, w := range ws {
		l := c.locs[w.locationID]
		z := l.Zone()
		out = append(out, Slot{ClinicianID: w.clinicianID, Clinician: c.name(w.clinicianID), Location: l, Start: w.start.In(z), End: w.end.In(z)})
	}
	return out
}

// activeType returns an active type of the tenant, or a clear error.
func (c *catalogue) activeType(typeID string) (Type, error) {
	t, ok := c.types[typeID]
	if !ok || !t.Active {
		return Type{}, apperr.InvalidFields("Choose a kind of appointment.", map[string]string{"type": "Choose a kind of appointment from the list."})
	}
	return t, nil
}

// Slots lists the free times of the next BookingHorizon for a type of
// appointment, earliest first, every clinician and location together.
// Nothing here is about a patient: the times of other people's bookings
// show only as times not offered.
func (s *Service) Slots(ctx context.Context, tenantID, typeID string) (Type, []Slot, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.slotsExcept(ctx, tenantID, typeID, "")
}

func (s *Service) slotsExcept(ctx context.Context, tenantID, typeID, except string) (Type, []Slot, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	c, err := s.catalogue(ctx, tenantID)
	if err != nil {
		return Type{}, nil, err
	}
	t, err := c.activeType(typeID)
	if err != nil {
		return Type{}, nil, err
	}
	now := s.clock.Now()
	from, to := now, now.Add(BookingHorizon)
	booked, err := s.store.Booked(ctx, tenantID, from, to.Add(24*time.Hour))
	if err != nil {
		return Type{}, nil, err
	}
	return t, c.slots(free(windows(c.locs, c.hours, c.exc, from, to), booked, t.Duration(), from, to, now, except)), nil
}

// check tells whether start is a free slot of the type with the clinician
// at the location, and if not, why, in words a patient can act on: it has
// passed, it is outside the clinician's hours, or it is taken. except is
// the appointment being moved (its own time does not count as taken).
func (s *Service) check(ctx context.Context, c *catalogue, tenantID string, t Type, clinicianID, locationID string, start time.Time, except string) (Location, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	l, ok := c.locs[locationID]
	if !ok {
		return Location{}, apperr.InvalidFields("Choose a time from the list.", map[string]string{"slot": "Choose a time from the list."})
	}
	now := s.clock.Now()
	if !start.After(now) {
		return l, apperr.InvalidFields("That time has passed. Choose a time from the list.", map[string]string{"slot": "That time has passed."})
	}
	end := start.Add(t.Duration())
	var mine []Hours
	for _, h := range c.hours {
		if h.ClinicianID == clinicianID {
			mine = append(mine, h)
		}
	}
	var myExc []Exception
	for _, e := range c.exc {
		if e.ClinicianID == clinicianID {
			myExc = append(myExc, e)
		}
	}
	ws := windows(map[string]Location{l.ID: l}, mine, myExc, start.Add(-24*time.Hour), end.Add(24*time.Hour))
	onGrid := false
	for _, w := range ws {
		for t0 := w.start; !t0.Add(t.Duration()).After(w.end); t0 = t0.Add(t.Duration()) {
			if t0.Equal(start) {
				onGrid = true
			}
		}
	}
	if start.After(now.Add(BookingHorizon)) {
		return l, apperr.InvalidFields("Appointments can be booked up to two weeks ahead. Choose a time from the list.",
			map[string]string{"slot": "That time is too far ahead."})
	}
	if !onGrid {
		return l, apperr.InvalidFields("That time is outside the clinician's hours. Choose a time from the list.",
			map[string]string{"slot": "That time is outside the clinician's hours."})
	}
	booked, err := s.store.Booked(ctx, tenantID, start, end)
	if err != nil {
		return l, err
	}
	if overlaps(booked, clinicianID, start, end, except) {
		return l, taken()
	}
	return l, nil
}

// taken is the answer to a slot someone else has: a Conflict, shown on
// the form.
func taken() error {
	return apperr.Wrap(apperr.ErrDuplicate, apperr.Conflict, "That time was just booked by someone else. Choose another time.")
}
