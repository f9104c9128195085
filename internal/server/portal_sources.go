package server

import (
	"github.com/salvehealth/salve/internal/portal"
)

// portalSources maps each dashboard widget to the domain service that fills
// it (portal.Source); the dashboard and the staff view of a patient read
// through it. A widget without a source shows its empty state.
func portalSources(svc *Services) portal.Sources {
	return portal.Sources{
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
