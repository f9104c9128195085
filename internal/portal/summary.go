// Package portal holds what the patient's dashboard is made of: the widgets,
// what each domain shows of a patient in one (a Summary), a person's own
// arrangement of them, and the PHI-free counts of which widgets a tenant's
// patients open. The same summaries fill the sections of the staff view of a
// patient (/staff/patients/{id}), each shown only when the staff member's role
// may read its data class.
package portal

import (
	"context"

	"github.com/salvehealth/salve/internal/tenant"
)

// The widget keys: one per widget of the dashboard, and the key of the
// Source that fills it.
const (
	WidgetOpenOrders   = "open_orders"   // orders not yet delivered: status, track
	WidgetPastOrders   = "past_orders"   // delivered orders, with reorder
	WidgetAppointments = "appointments"  // upcoming appointments
	WidgetLabs         = "lab_results"   // latest released lab results, new ones marked
	WidgetRx           = "prescriptions" // prescriptions: fills left, refill due
	WidgetBilling      = "billing"       // balance due, latest invoice
	WidgetMessages     = "messages"      // unread count
	WidgetDevices      = "devices"       // latest device readings
	WidgetLists        = "lists"         // wish and shopping lists
	WidgetProfile      = "profile"       // profile completion
	WidgetOffer        = "offer"         // at most one subtle offer
)

// MaxLines is the most lines a Summary carries: a widget is a glance, its
// "see all" link leads to the full page.
const MaxLines = 5

// Summary is what one domain shows of one patient in a widget: a few lines,
// most urgent or newest first, and how many there are in all. Its text is
// PHI opened for this request; it is rendered and forgotten, never logged or
// cached.
type Summary struct {
	Lines []Line
	// Total is how many records there are in all (Lines may hold fewer).
	Total int
	// Note is one short phrase for the widget's header ("2 new"); optional.
	Note string
	// Meter, if not nil, is a progress meter shown under the header (the
	// profile's completion).
	Meter *Meter
}

// Meter is how far along something is, in percent, with what it measures.
type Meter struct {
	Percent int    // 0..100
	Label   string // "Profile complete"
}

// Line is one record in a widget.
type Line struct {
	Title  string // "Lipid panel", "Video visit with Dr Rivera"
	Detail string // "Released 3 Dec 2026", "2 refills left · due 12 Jan"
	// Href is the record's own page. Ids only: never PHI in a URL.
	Href  string
	Badge string // a short state: "New", "High", "Due"; optional
	Tone  Tone   // how the badge reads
	// Action is an optional one-step form on the line (Reorder, Refill).
	Action *Action
}

// Tone is how a badge reads: it picks the design system's colour role.
type Tone string

// The tones.
const (
	ToneNeutral Tone = ""
	ToneGood    Tone = "good"
	ToneWarn    Tone = "warn"
	ToneBad     Tone = "bad"
)

// Action is a one-step POST form on a line; the page adds the CSRF field.
type Action struct {
	Label string // "Reorder", "Refill"
	Path  string // the form's action: ids only
}

// Source fills one widget. Summary decides access itself for the actor in
// ctx (grants.Authorize with the widget's data class: a patient, their proxy
// within the granted classes, or staff whose role may read the class); a
// denial is the same apperr.NotFound as a missing record, and the dashboard
// or staff view then leaves the widget out. One call costs at most one SQL
// statement per table it reads (never one per row) and one audited vault
// access for all its rows.
type Source interface {
	Summary(ctx context.Context, tenantID, patientID string) (Summary, error)
}

// SourceFunc lets a function be a Source.
type SourceFunc func(ctx context.Context, tenantID, patientID string) (Summary, error)

// Summary calls f.
func (f SourceFunc) Summary(ctx context.Context, tenantID, patientID string) (Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return f(ctx, tenantID, patientID)
}

// Sources maps widget keys to what fills them; server builds it. A widget
// whose source is missing shows its empty state.
type Sources map[string]Source
