package admin

import (
	"net/http"
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

type apptTypeView struct {
	ID, Name, Length, Mode, Price string
	Active                        bool
}

type apptTypesData struct {
	State     formState
	Types     []apptTypeView
	Locations []appointments.Location
	Hours     string
	Values    map[string]string
}

// showAppointmentTypes is the appointment offer: the kinds of appointment,
// the locations and the cancellation window: GET /admin/appointments. No
// patient data: store managers and admins.
func (h *Handlers) showAppointmentTypes(w http.ResponseWriter, r *http.Request) error {
	return h.appointmentTypesPage(w, r, nil, map[string]string{"mode": string(appointments.InPerson), "duration": "30"})
}

func (h *Handlers) appointmentTypesPage(w http.ResponseWriter, r *http.Request, err error, values map[string]string) error {
	svc := h.people.Appointments
	t := tenant.FromContext(r.Context())
	types, lerr := svc.Types(r.Context(), t.ID)
	if lerr != nil {
		return lerr
	}
	locs, lerr := svc.Locations(r.Context(), t.ID)
	if lerr != nil {
		return lerr
	}
	win, lerr := svc.CancelWindow(r.Context(), t.ID)
	if lerr != nil {
		return lerr
	}
	d := apptTypesData{State: stateFrom(r, err), Locations: locs, Values: values, Hours: strconv.Itoa(int(win / time.Hour))}
	if v, ok := values["hours"]; ok {
		d.Hours = v
	}
	for _, ty := range types {
		v := apptTypeView{ID: ty.ID, Name: ty.Name, Length: strconv.Itoa(ty.DurationMin) + " min", Mode: ty.Mode.Label(), Price: "Free", Active: ty.Active}
		if ty.PriceMinor > 0 {
			v.Price = catalog.FormatPrice(ty.PriceMinor, ty.Currency)
		}
		d.Types = append(d.Types, v)
	}
	return h.render(w, r, h.apptTypes, "Appointment types", d, err)
}

// addAppointmentType adds a kind of appointment: POST
// /admin/appointments/types (name, duration, mode, price).
func (h *Handlers) addAppointmentType(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The form could not be read.")
	}
	in := appointments.TypeInput{Name: r.PostFormValue("name"), Duration: r.PostFormValue("duration"), Mode: r.PostFormValue("mode"),
		Price: r.PostFormValue("price")}
	if _, err := h.people.Appointments.AddType(r.Context(), tenant.FromContext(r.Context()).ID, in); err != nil {
		return h.appointmentTypesPage(w, r, err, map[string]string{"name": in.Name, "duration": in.Duration, "mode": in.Mode, "price": in.Price})
	}
	return seeOther(w, r, "/admin/appointments", "saved")
}

// setAppointmentType retires a kind of appointment or offers it again:
// POST /admin/appointments/types/{id}/retire and /offer.
func (h *Handlers) setAppointmentType(active bool) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := h.people.Appointments.SetTypeActive(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"), active); err != nil {
			return err
		}
		return seeOther(w, r, "/admin/appointments", "saved")
	}
}

// addLocation adds a location: POST /admin/appointments/locations (name,
// address, zone).
func (h *Handlers) addLocation(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The form could not be read.")
	}
	name, addr, zone := r.PostFormValue("loc_name"), r.PostFormValue("address"), r.PostFormValue("zone")
	if _, err := h.people.Appointments.AddLocation(r.Context(), tenant.FromContext(r.Context()).ID, name, addr, zone); err != nil {
		return h.appointmentTypesPage(w, r, err, map[string]string{"loc_name": name, "address": addr, "zone": zone, "mode": string(appointments.InPerson)})
	}
	return seeOther(w, r, "/admin/appointments", "saved")
}

// setCancelWindow sets the cancellation window: POST
// /admin/appointments/window (hours).
func (h *Handlers) setCancelWindow(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.Wrap(err, apperr.Invalid, "The form could not be read.")
	}
	hours := r.PostFormValue("hours")
	if err := h.people.Appointments.SetCancelWindow(r.Context(), tenant.FromContext(r.Context()).ID, hours); err != nil {
		return h.appointmentTypesPage(w, r, err, map[string]string{"hours": hours, "mode": string(appointments.InPerson)})
	}
	return seeOther(w, r, "/admin/appointments", "saved")
}
