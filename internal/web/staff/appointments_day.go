package staff

import (
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/tenant"
)

type dayData struct {
	Title, Prev, Next, Today, Zone string
	Appointments                   []dayRow
}

type dayRow struct {
	Time, Until, Type, Mode, Location, Reason string
}

// showDay is the clinician's day: GET /staff/appointments (?day=YYYY-MM-DD;
// today by default), in the zone of the clinician's location. One audited
// vault access opens all the day's appointments, with purpose treatment;
// only patients the clinician cares for are listed. The date in the URL is
// not about anyone.
func (h *Handlers) showDay(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	zone, err := h.appointments.MyZone(r.Context(), t.ID)
	if err != nil {
		return err
	}
	v, err := h.appointments.MyDay(r.Context(), t.ID, r.URL.Query().Get("day"), zone)
	if err != nil {
		return err
	}
	d := dayData{Title: v.Day.Format("Monday 2 January 2006"), Zone: zone.String(),
		Prev: v.Day.AddDate(0, 0, -1).Format(time.DateOnly), Next: v.Day.AddDate(0, 0, 1).Format(time.DateOnly)}
	for _, a := range v.Appointments {
		d.Appointments = append(d.Appointments, dayRow{Time: a.Start.Format("15:04"), Until: a.End.Format("15:04"), Type: a.Details.TypeName,
			Mode: a.Details.Mode.Label(), Location: a.Location.Name, Reason: a.Details.Reason})
	}
	return h.render(w, r, h.pages.day, http.StatusOK, "Your day", d)
}
