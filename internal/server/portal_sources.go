package server

import (
	"github.com/salvehealth/salve/internal/portal"
)

// portalSources is what fills each widget of the dashboard and each section
// of the staff view of a patient: one Source per domain, keyed by widget.
// Every domain adds its own entry here; a widget without one shows its
// empty state.
func portalSources(svc *Services) portal.Sources {
	return portal.Sources{
		// Prescriptions: fills left, refill due or expired, a Refill action.
		portal.WidgetRx: svc.Rx,
		// Upcoming appointments, in the location's time zone.
		portal.WidgetAppointments: svc.Appointments,
	}
}

// PortalSources returns the widgets' sources of a process that holds PHI;
// nil in a storefront process.
func (s *Server) PortalSources() portal.Sources {
	if s.services == nil {
		return nil
	}
	return portalSources(s.services)
}
