package staff

import (
	"net/http"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

type availabilityData struct {
	Name       string
	Hours      []hoursRow
	Exceptions []exceptionRow
	Locations  []appointments.Location
	Weekdays   []weekday
	Form       *web.Form
}

type weekday struct {
	Value, Label string
}

type hoursRow struct{ ID, Day, From, To, Location string }

type exceptionRow struct{ ID, Day, What, Location string }

// showAvailability is the clinician's availability editor:
// GET /staff/appointments/availability. Their own hours only.
func (h *Handlers) showAvailability(w http.ResponseWriter, r *http.Request) error {
	return h.availabilityPage(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) availabilityPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	t := tenant.FromContext(r.Context())
	av, err := h.appointments.MyAvailability(r.Context(), t.ID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, l := range av.Locations {
		names[l.ID] = l.Name
	}
	d := availabilityData{Name: av.Profile.DisplayName, Locations: av.Locations, Form: f}
	for i := 1; i <= 7; i++ {
		wd := time.Weekday(i % 7)
		d.Weekdays = append(d.Weekdays, weekday{Value: strconv.Itoa(int(wd)), Label: wd.String()})
	}
	for _, hr := range av.Hours {
		d.Hours = append(d.Hours, hoursRow{ID: hr.ID, Day: hr.Weekday.String(), From: appointments.Clock(hr.StartMin), To: appointments.Clock(hr.EndMin), Location: names[hr.LocationID]})
	}
	for _, e := range av.Exceptions {
		what := "Day off"
		if e.Kind == appointments.Extra {
			what = "Extra hours " + appointments.Clock(e.StartMin) + "–" + appointments.Clock(e.EndMin)
		}
		d.Exceptions = append(d.Exceptions, exceptionRow{ID: e.ID, Day: e.Day, What: what, Location: names[e.LocationID]})
	}
	return h.render(w, r, h.pages.availability, status, "Your hours", d)
}

// availabilityChange runs one change of the editor and shows the editor
// again: with the error on the form when the input was wrong.
func (h *Handlers) availabilityChange(change func(r *http.Request, tenantID string, f *web.Form) error) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		f, err := web.FormOf(r)
		if err != nil {
			return err
		}
		if err := change(r, tenant.FromContext(r.Context()).ID, f); err != nil {
			status, err := f.Fail(err)
			if err != nil {
				return err
			}
			return h.availabilityPage(w, r, status, f)
		}
		http.Redirect(w, r, "/staff/appointments/availability", http.StatusSeeOther)
		return nil
	}
}
