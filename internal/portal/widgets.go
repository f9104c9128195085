package portal

import (
	"slices"

	"github.com/salvehealth/salve/internal/access"
)

// Widget is one widget of the dashboard as the page shows it: its key, its
// heading, the data class it shows (which decides who sees it), the sentence
// it shows when it has nothing, and the page its "see all" link leads to.
type Widget struct {
	Key   string
	Title string
	// Class is the data class the widget shows. Own is true for the widgets
	// of the person's own account (lists, profile, offer): they are never
	// shown to someone acting for the person, whatever was granted, because
	// no proxy scope covers them (a proxy acts for a patient's care, not for
	// their shopping or their account).
	Class access.DataClass
	Own   bool
	// Empty is the empty state: what there is not, and what to do next.
	Empty string
	// Href is the full page ("see all"); empty when there is none yet.
	Href string
	// Next is the link of the empty state's next step; empty for none.
	Next, NextLabel string
}

// Widgets lists every widget in the built-in default order (the order of
// the keys in summary.go): a copy the caller may change.
func Widgets() []Widget { return slices.Clone(builtin) }

// builtin is every widget in the built-in default order. Why kept once:
// a dashboard view looks up each of its widgets by key, and building the
// list for each look-up was a sixth of a view's allocations.
var builtin = []Widget{
	{Key: WidgetOpenOrders, Title: "Open orders", Class: access.DataOrders, Href: "/account/orders",
		Empty: "No open orders — browse the shop to place one.", Next: "/products", NextLabel: "Browse products"},
	{Key: WidgetPastOrders, Title: "Past orders", Class: access.DataOrders, Href: "/account/orders",
		Empty: "No past orders yet — delivered orders appear here, ready to order again."},
	{Key: WidgetAppointments, Title: "Appointments", Class: access.DataClinical, Href: "/account/appointments",
		Empty: "No upcoming appointments — they appear here when you book one with your clinic."},
	{Key: WidgetLabs, Title: "Lab results", Class: access.DataClinical,
		Empty: "No lab results yet — they appear here when your clinic releases them."},
	{Key: WidgetRx, Title: "Prescriptions", Class: access.DataRx, Href: "/account/prescriptions",
		Empty: "No prescriptions yet — they appear here once the pharmacy has verified one for you."},
	{Key: WidgetBilling, Title: "Billing", Class: access.DataBilling, Href: "/account/billing",
		Empty: "Nothing to pay — invoices and balances appear here when there are any."},
	{Key: WidgetMessages, Title: "Messages", Class: access.DataMessages, Href: "/account/messages",
		Empty: "No messages — write to your pharmacy or care team from Messages; their answers appear here."},
	{Key: WidgetDevices, Title: "Device readings", Class: access.DataDevices, Href: "/account/devices",
		Empty: "No device readings yet — they appear here once a connected device sends one.", Next: "/account/devices", NextLabel: "Connect a device"},
	{Key: WidgetLists, Title: "Lists", Own: true, Href: "/account/lists",
		Empty: "No lists yet — save products to a wish list or a shopping list.", Next: "/account/lists", NextLabel: "Make a list"},
	{Key: WidgetProfile, Title: "Your profile", Own: true, Href: "/account/profile",
		Empty: "Your profile is complete — nothing to add."},
	{Key: WidgetOffer, Title: "An offer for you", Own: true,
		Empty: "No offer right now — volume deals on things you buy appear here.", Next: "/products", NextLabel: "Browse products"},
}

// keys are the widget keys in the built-in default order.
var keys = func() []string {
	out := make([]string, len(builtin))
	for i, w := range builtin {
		out[i] = w.Key
	}
	return out
}()

// Lookup returns the widget of a key.
func Lookup(key string) (Widget, bool) {
	for _, w := range builtin {
		if w.Key == key {
			return w, true
		}
	}
	return Widget{}, false
}

// Keys lists every widget key in the built-in default order: a copy the
// caller may change.
func Keys() []string { return slices.Clone(keys) }

// Known reports whether key is a widget key.
func Known(key string) bool { return slices.Contains(keys, key) }
