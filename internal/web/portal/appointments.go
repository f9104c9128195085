package portal

import (
	"strconv"
	"time"

	"github.com/salvehealth/salve/internal/appointments"
)

// slotDay is one day of free times, as the booking and reschedule forms
// group them (a fieldset per day).
type slotDay struct {
	ID, Label string
	Slots     []slotView
}

type slotView struct {
	Value, ID, Time, Clinician, Location string
	Checked                              bool
}

// slotDays groups slots by day in their location's zone, earliest first;
// chosen is the value picked before (kept when the form comes back).
func slotDays(slots []appointments.Slot, chosen string) []slotDay {
	var out []slotDay
	for i, s := range slots {
		label := s.Start.Format("Monday 2 January")
		if len(out) == 0 || out[len(out)-1].Label != label {
			out = append(out, slotDay{ID: "day-" + s.Start.Format(time.DateOnly), Label: label})
		}
		v := s.Value()
		d := &out[len(out)-1]
		d.Slots = append(d.Slots, slotView{Value: v, ID: "slot-" + strconv.Itoa(i), Time: s.Start.Format("15:04 MST"), Clinician: s.Clinician,
			Location: s.Location.Name, Checked: v == chosen})
	}
	return out
}

// apptView is an appointment as the pages show it.
type apptView struct {
	ID, When, Until, Type, Mode, Clinician, Location, Address, Reason, Status string
	Changeable, Cancelled                                                     bool
}

func apptOf(a appointments.Appointment) apptView {
	return apptView{ID: a.ID, When: a.Start.Format("Monday 2 January 2006, 15:04 MST"), Until: a.End.Format("15:04"),
		Type: a.Details.TypeName, Mode: a.Details.Mode.Label(), Clinician: a.Details.Clinician, Location: a.Location.Name,
		Address: a.Location.Address, Reason: a.Details.Reason, Status: a.Status, Changeable: a.Changeable, Cancelled: a.Status == appointments.Cancelled}
}
