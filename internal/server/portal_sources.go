package server

import "github.com/salvehealth/salve/internal/portal"

// portalSources are what fills the dashboard's widgets and the sections of
// the staff view of a patient, one Source per widget key; a widget without
// one shows its empty state.
func portalSources(svc *Services) portal.Sources {
	return portal.Sources{
		portal.WidgetLabs: svc.Labs.Source(),
	}
}
