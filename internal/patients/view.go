package patients

import (
	"context"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// SectionSpec is one section the staff view may show: the widget key of the
// Source that fills it, its heading and the data class a role must read.
type SectionSpec struct {
	Key   string
	Title string
	Class access.DataClass
}

// Sections are the staff view's sections, in order. Contact is not among
// them: it heads the page (see View).
var Sections = []SectionSpec{
	{portal.WidgetOpenOrders, "Open orders", access.DataOrders},
	{portal.WidgetPastOrders, "Past orders", access.DataOrders},
	{portal.WidgetRx, "Prescriptions", access.DataRx},
	{portal.WidgetAppointments, "Appointments", access.DataClinical},
	{portal.WidgetLabs, "Lab results", access.DataClinical},
	{portal.WidgetDevices, "Device readings", access.DataDevices},
	{portal.WidgetMessages, "Messages", access.DataMessages},
	{portal.WidgetBilling, "Billing", access.DataBilling},
}

// Section is one section as shown: its spec and what its Source gave.
type Section struct {
	SectionSpec
	Summary portal.Summary
}

// Record is one patient's record as a staff member's role may see it.
type Record struct {
	ID          string
	Name, Email phi.String
	// Purpose is the purpose the view was recorded with.
	Purpose access.Purpose
	// BreakGlass is the grant the page is open by, when it is (its reason
	// shown on the page while it lasts).
	BreakGlass *BreakGlass
	Sections   []Section
}

// View returns a patient's record for the staff member in ctx: their
// contact details, then each section whose data class the role may read for
// this patient (access.Decide with the care relationship and break-glass
// facts) and whose Source the server wired.
//
// The page is open only when the role may read the patient's contact
// details (grants.Authorize: customer service and pharmacists in their
// tenant, clinicians with a care relationship, clinicians and pharmacists
// by a live break-glass grant); otherwise, like for an unknown id or a
// non-patient account, the same 404, and the denial is audited. The view is
// one audited access (patient.view, with the decision's purpose); each
// section's Source records what it opens itself.
func (s *Service) View(ctx context.Context, tenantID, patientID string) (*Record, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := staff(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	d, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataContact, access.Read)
	if err != nil {
		return nil, err
	}
	u, err := s.d.Users.ByID(ctx, tenantID, patientID)
	if err != nil || u.Role != access.RolePatient {
		return nil, apperr.NotFoundError()
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{u.ID}, Action: access.Read, Purpose: d.Purpose,
		Resource: "patient", ResourceID: u.ID, AuditAction: "patient.view", Detail: "role=" + string(a.Role)})
	if err != nil {
		return nil, err
	}
	c, err := contact(h, u)
	if err != nil {
		return nil, err
	}
	rec := &Record{ID: u.ID, Name: c.Name, Email: c.Email, Purpose: d.Purpose}
	if d.Purpose == access.PurposeBreakGlass {
		bg, ok, err := s.d.Grants.BreakGlassFor(ctx, tenantID, u.ID)
		if err != nil {
			return nil, err
		}
		if ok {
			rec.BreakGlass = &bg
		}
	}
	f, err := s.d.Grants.Facts(ctx, tenantID, u.ID)
	if err != nil {
		return nil, err
	}
	now := s.d.Clock.Now()
	for _, sec := range Sections {
		src := s.d.Sources[sec.Key]
		if src == nil {
			continue
		}
		// Why decided here too (the Source decides again): a section the
		// role may not read is left out without asking its Source, so its
		// absence costs no denied event per section and per view.
		if !access.Decide(a, access.Request{TenantID: tenantID, PatientID: u.ID, Class: sec.Class, Action: access.Read}, f, now).Allowed {
			continue
		}
		sum, err := src.Summary(ctx, tenantID, u.ID)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		rec.Sections = append(rec.Sections, Section{SectionSpec: sec, Summary: sum})
	}
	return rec, nil
}
