package server

import (
	"github.com/salvehealth/salve/internal/portal"
)

// portalSources is what fills each widget of the dashboard and each section
// of the staff view of a patient: one Source per domain, keyed by widget,
// added to the shop side's (commerce.Sources). Every domain adds its own
// entry here; a widget without one shows its empty state.
func portalSources(svc *Services, shop portal.Sources) portal.Sources {
	// Prescriptions: fills left, refill due or expired, a Refill action.
	shop[portal.WidgetRx] = svc.Rx
	// Upcoming appointments, in the location's time zone.
	shop[portal.WidgetAppointments] = svc.Appointments
	// The latest released lab results, new ones and flags marked.
	shop[portal.WidgetLabs] = svc.Labs.Source()
	// Secure messaging (issue 16): unread count and the latest threads.
	if svc.Messages != nil {
		shop[portal.WidgetMessages] = svc.Messages
	}
	// Billing (issue 16): the balance due and the unpaid orders, or the
	// latest receipt.
	shop[portal.WidgetBilling] = svc.Billing.Source()
	// The offer: a promotion targeted from health data first, for a patient
	// with a current marketing authorization (issue 16 part 7); otherwise
	// the shop side's untargeted deal.
	if svc.Marketing != nil {
		shop[portal.WidgetOffer] = svc.Marketing.Offer(shop[portal.WidgetOffer])
	}
	// Devices (issue 17): each type's latest reading, flags marked.
	shop[portal.WidgetDevices] = svc.Devices.Source()
	return shop
}

// PortalSources returns the widgets' sources of a process that holds PHI;
// nil in a storefront process.
func (s *Server) PortalSources() portal.Sources {
	if s.services == nil {
		return nil
	}
	return s.services.Sources
}
