package server

import (
	"context"

	"github.com/salvehealth/salve/internal/amend"
	"github.com/salvehealth/salve/internal/clock"

	"github.com/salvehealth/salve/internal/grants"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/patients"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/tenant"
)

// newPatients builds the staff view of patients on the PHI store, the
// grants service, and the sections' sources (see patientSources).
func newPatients(stores *Stores, ids Identity, sources portal.Sources, o patientsOptions) *patients.Service {
	return patients.New(patients.Deps{Store: store.NewPatients(stores.PHI), Users: store.NewUsers(stores.PHI),
		Grants: patientGrants{ids.Grants}, Vault: stores.Vault, Audit: stores.AuditLog,
		TextHMAC: stores.AuditLog.TextHMAC, Clock: o.clock, Sources: sources})
}

// patientsOptions are newPatients' settings.
type patientsOptions struct{ clock clock.Clock }

// patientGrants adapts grants.Service to patients.Grants.
type patientGrants struct{ *grants.Service }

// BreakGlassFor returns the actor's live grant for the patient.
func (g patientGrants) BreakGlassFor(ctx context.Context, tenantID, patientID string) (patients.BreakGlass, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	b, ok, err := g.Service.BreakGlassFor(ctx, tenantID, patientID)
	return patients.BreakGlass{ID: b.ID, Reason: b.Reason, Until: b.Until}, ok, err
}

// patientSources are the sections of the staff view: open and past orders,
// from the order service (which decides access and audits the list itself,
// with the staff member's purpose), linking to the staff order pages; and
// the clinical domains' summaries (prescriptions, appointments, lab
// results), which decide access per class themselves. Their lines link to
// the patient's own pages, which staff cannot open, so the staff view
// shows them without links or actions (staffView).
func patientSources(ord *orders.Service, svc *Services) portal.Sources {
	summary := func(open bool) portal.Source {
		return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
			list, err := ord.List(ctx, tenantID, patientID)
			if err != nil {
				return portal.Summary{}, err
			}
			var sum portal.Summary
			for _, o := range list {
				if o.Status.Open() != open {
					continue
				}
				sum.Total++
				if len(sum.Lines) < portal.MaxLines {
					sum.Lines = append(sum.Lines, portal.Line{Title: "Order " + o.Reference, Detail: o.CreatedAt.Format("2 Jan 2006") + " · " + o.Status.Label(),
						Href: "/staff/orders/" + o.ID})
				}
			}
			return sum, nil
		})
	}
	sources := portal.Sources{portal.WidgetOpenOrders: summary(true), portal.WidgetPastOrders: summary(false),
		portal.WidgetRx: travelling(svc, amend.Prescription, staffView(svc.Rx)), portal.WidgetAppointments: staffView(svc.Appointments),
		portal.WidgetLabs: travelling(svc, amend.LabResult, staffView(svc.Labs.Source())),
		// Devices (issue 17): the latest readings, linking to the staff
		// readings page of the patient (thresholds and alerts there).
		portal.WidgetDevices: staffDevices(svc.Devices.Source())}
	// Secure messaging (issue 16): the patient's threads of the teams the
	// staff member is on (a clinician's only with a care relationship),
	// linked to the staff thread pages, which they may open.
	if svc.Messages != nil {
		sources[portal.WidgetMessages] = svc.Messages
	}
	// Billing (issue 16): balance due and unpaid orders, for roles that read
	// billing (access.DataBilling), without the patient's links.
	sources[portal.WidgetBilling] = staffView(svc.Billing.Source())
	return sources
}

// travelling adds to a section of the staff view what travels with the
// patient's records of its kind (issue 16, 164.526): each accepted
// correction (new value beside the old) and each statement of
// disagreement, after the section's own lines. Read only when the section
// itself was (the same class), so a denied section stays denied.
func travelling(svc *Services, kind amend.Kind, src portal.Source) portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		sum, err := src.Summary(ctx, tenantID, patientID)
		if err != nil || svc.Amendments == nil {
			return sum, err
		}
		list, err := svc.Amendments.Travelling(ctx, tenantID, patientID, kind)
		if err != nil {
			return sum, err
		}
		for _, a := range list {
			if a.Status == amend.Accepted {
				sum.Lines = append(sum.Lines, portal.Line{Title: "Corrected: " + a.Field, Badge: "Amended",
					Detail: "Now " + a.Corrected() + " (was " + a.Current + "), " + a.DecidedAt.Format("2 Jan 2006")})
				continue
			}
			sum.Lines = append(sum.Lines, portal.Line{Title: "Statement of disagreement: " + a.Field, Badge: "Disagreement", Tone: portal.ToneWarn,
				Detail: a.Disagreement + " (" + a.DisagreedAt.Format("2 Jan 2006") + ")"})
		}
		return sum, nil
	})
}

// staffView is a patient-facing Source read by staff: the same lines,
// without the links and actions that lead to the patient's own pages.
func staffView(src portal.Source) portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		sum, err := src.Summary(ctx, tenantID, patientID)
		for i := range sum.Lines {
			sum.Lines[i].Href, sum.Lines[i].Action = "", nil
		}
		return sum, err
	})
}

// staffDevices is the device readings widget read by staff: its lines
// link to the staff page of the patient's readings instead of the
// patient's own page.
func staffDevices(src portal.Source) portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		sum, err := src.Summary(ctx, tenantID, patientID)
		for i := range sum.Lines {
			sum.Lines[i].Href, sum.Lines[i].Action = "/staff/patients/"+patientID+"/devices", nil
		}
		return sum, err
	})
}
