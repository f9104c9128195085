package server

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/appointments"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/records"
	"github.com/salvehealth/salve/internal/rx"
)

// recordExporters registers the sections of a patient's copy of their
// record (issue 16, right of access), one per domain, each read through
// its service (which decides and audits the read). A domain added later
// (messages, devices, billing) registers its own exporter beside these.
func recordExporters(r *records.Service, acc *accounts.Service, ord *orders.Service, rxs *rx.Service,
	appts *appointments.Service, lab *labs.Service, lst *lists.Service, dash *portal.Service) {
	r.Register(records.Exporter{Name: "profile", Label: "Profile", Class: access.DataContact, Export: func(ctx context.Context, tenantID, patientID string) (records.Section, error) {
		a, err := acc.Account(ctx, tenantID, patientID, access.PurposeSelf)
		if err != nil {
			return records.Section{}, err
		}
		p := fhir.Patient{Id: new(patientID), Active: new(a.Status == accounts.StatusActive)}
		if n := a.Name.Reveal(); n != "" {
			p.Name = []fhir.HumanName{{Text: new(n)}}
		}
		p.Telecom = []fhir.ContactPoint{{System: new(fhir.ContactPointSystemEmail), Value: new(a.Email.Reveal())}}
		if ph := a.Phone.Reveal(); ph != "" {
			p.Telecom = append(p.Telecom, fhir.ContactPoint{System: new(fhir.ContactPointSystemPhone), Value: new(ph)})
		}
		if dob := a.DOB.Reveal(); dob != "" {
			p.BirthDate = new(dob)
		}
		return records.Section{Count: 1, Records: map[string]any{"id": a.ID, "name": a.Name.Reveal(), "email": a.Email.Reveal(),
			"phone": a.Phone.Reveal(), "date_of_birth": a.DOB.Reveal(), "created_at": a.CreatedAt,
			"email_verified": a.EmailVerified}, Resources: []records.Resource{{ID: patientID, Resource: p}}}, nil
	}})
	r.Register(records.Exporter{Name: "orders", Label: "Orders", Class: access.DataOrders, Export: func(ctx context.Context, tenantID, patientID string) (records.Section, error) {
		os, err := ord.List(ctx, tenantID, patientID)
		if err != nil {
			return records.Section{}, err
		}
		sec := records.Section{Count: len(os)}
		out := make([]map[string]any, 0, len(os))
		for _, o := range os {
			rec := map[string]any{"id": o.ID, "reference": o.Reference, "status": o.Status, "created_at": o.CreatedAt,
				"items": o.Items, "shipping_method": o.ShippingLabel, "subtotal": o.Subtotal, "discount": o.Discount, "shipping": o.Shipping,
				"tax": o.Tax, "total": o.Total, "currency": o.Currency, "address": o.Address, "payment": o.Gateway}
			out = append(out, rec)
			raw, err := json.Marshal(rec)
			if err != nil {
				return sec, err
			}
			// Orders as DocumentReference: FHIR has no resource for a retail
			// order; the order's JSON travels as the document's attachment.
			sec.Resources = append(sec.Resources, records.Resource{ID: o.ID, Resource: fhir.DocumentReference{Id: new(o.ID),
				Status: fhir.DocumentReferenceStatusCurrent, Type: &fhir.CodeableConcept{Text: new("Order")}, Subject: records.Ref(patientID),
				Date: new(instant(o.CreatedAt)), Description: new("Order " + o.Reference),
				Content: []fhir.DocumentReferenceContent{{Attachment: fhir.Attachment{ContentType: new("application/json"),
					Data: new(base64.StdEncoding.EncodeToString(raw)), Title: new("Order " + o.Reference)}}}}})
		}
		sec.Records = out
		return sec, nil
	}})
	r.Register(records.Exporter{Name: "prescriptions", Label: "Prescriptions", Class: access.DataRx, Export: func(ctx context.Context, tenantID, patientID string) (records.Section, error) {
		ps, err := rxs.List(ctx, tenantID, patientID)
		if err != nil {
			return records.Section{}, err
		}
		sec := records.Section{Count: len(ps)}
		out := make([]map[string]any, 0, len(ps))
		for _, p := range ps {
			out = append(out, map[string]any{"id": p.ID, "status": p.Status, "source": p.Source, "drug": p.Drug, "strength": p.Strength,
				"quantity": p.Quantity, "refills": p.Refills, "fills_left": p.FillsLeft, "prescriber": p.Prescriber, "issued_on": p.IssuedOn,
				"prescriber_asked": p.PrescriberAsked, "reason": p.Reason, "expires_at": p.ExpiresAt, "last_fill_at": p.LastFillAt,
				"created_at": p.CreatedAt})
			status := map[rx.Status]string{rx.Pending: "draft", rx.Verified: "active", rx.Rejected: "cancelled"}[p.Status]
			if p.Status == rx.Verified && p.Expired(rxs.Now()) {
				status = "completed"
			}
			mr := fhir.MedicationRequest{Id: new(p.ID), Status: status, Intent: "order",
				MedicationCodeableConcept: fhir.CodeableConcept{Text: new(p.Title())}, Subject: fhir.Reference{Reference: new(records.FullURL(patientID))},
				AuthoredOn: new(instant(p.CreatedAt))}
			if p.Refills > 0 {
				mr.DispenseRequest = &fhir.MedicationRequestDispenseRequest{NumberOfRepeatsAllowed: new(p.Refills)}
			}
			sec.Resources = append(sec.Resources, records.Resource{ID: p.ID, Resource: mr})
		}
		sec.Records = out
		return sec, nil
	}})
	r.Register(records.Exporter{Name: "appointments", Label: "Appointments", Class: access.DataClinical, Export: func(ctx context.Context, tenantID, patientID string) (records.Section, error) {
		up, past, err := appts.ForPatient(ctx, tenantID, patientID)
		if err != nil {
			return records.Section{}, err
		}
		all := append(up, past...)
		sec := records.Section{Count: len(all)}
		out := make([]map[string]any, 0, len(all))
		now := r.Now()
		for _, a := range all {
			out = append(out, map[string]any{"id": a.ID, "status": a.Status, "start": a.Start, "end": a.End, "type": a.Details.TypeName,
				"mode": a.Details.Mode, "reason": a.Details.Reason, "clinician": a.Details.Clinician, "location": a.Location.Name})
			st := fhir.AppointmentStatusBooked
			switch {
			case a.Status == appointments.Cancelled:
				st = fhir.AppointmentStatusCancelled
			case a.End.Before(now):
				st = fhir.AppointmentStatusFulfilled
			}
			ap := fhir.Appointment{Id: new(a.ID), Status: st, Start: new(instant(a.Start)), End: new(instant(a.End)),
				Participant: []fhir.AppointmentParticipant{{Actor: records.Ref(patientID), Status: fhir.ParticipationStatusAccepted}}}
			if a.Details.TypeName != "" {
				ap.Description = new(a.Details.TypeName)
			}
			sec.Resources = append(sec.Resources, records.Resource{ID: a.ID, Resource: ap})
		}
		sec.Records = out
		return sec, nil
	}})
	r.Register(records.Exporter{Name: "lab_results", Label: "Lab results", Class: access.DataClinical, Export: func(ctx context.Context, tenantID, patientID string) (records.Section, error) {
		reps, _, _, err := lab.List(ctx, tenantID, patientID, labs.ListLimit)
		if err != nil {
			return records.Section{}, err
		}
		sec := records.Section{Count: len(reps)}
		out := make([]map[string]any, 0, len(reps))
		for _, rep := range reps {
			out = append(out, map[string]any{"id": rep.ID, "panel": rep.Panel, "collected_at": rep.CollectedAt,
				"released_at": rep.ReleasedAt, "observations": rep.Observations})
			dr := fhir.DiagnosticReport{Id: new(rep.ID), Status: fhir.DiagnosticReportStatusFinal, Code: fhir.CodeableConcept{Text: new(rep.Panel)},
				Subject: records.Ref(patientID), EffectiveDateTime: new(instant(rep.CollectedAt))}
			if !rep.ReleasedAt.IsZero() {
				dr.Issued = new(instant(rep.ReleasedAt))
			}
			for _, o := range rep.Observations {
				dr.Result = append(dr.Result, *records.Ref(o.ID))
				sec.Resources = append(sec.Resources, records.Resource{ID: o.ID, Resource: observation(o, patientID, rep.CollectedAt)})
			}
			sec.Resources = append(sec.Resources, records.Resource{ID: rep.ID, Resource: dr})
		}
		sec.Records = out
		return sec, nil
	}})
	r.Register(records.Exporter{Name: "lists", Label: "Lists", Class: access.DataOrders, Export: func(ctx context.Context, tenantID, patientID string) (records.Section, error) {
		ls, err := lst.All(ctx, tenantID, patientID)
		if err != nil {
			return records.Section{}, err
		}
		return records.Section{Count: len(ls), Records: ls}, nil
	}})
	// The dashboard's arrangement is the account's own: under the security
	// class, which no proxy is ever granted.
	r.Register(records.Exporter{Name: "dashboard_layout", Label: "Dashboard layout", Class: access.DataSecurity, Export: func(ctx context.Context, tenantID, patientID string) (records.Section, error) {
		a, err := dash.Arrangement(ctx, tenantID, patientID)
		if err != nil {
			return records.Section{}, err
		}
		return records.Section{Count: 1, Records: a}, nil
	}})
}

// instant is a FHIR instant (and dateTime): RFC 3339 with seconds, in UTC.
func instant(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// observation is one lab value as a FHIR Observation (LOINC coded, with its
// unit, reference range and the flag as interpretation).
func observation(o labs.Observation, patientID string, at time.Time) fhir.Observation {
	v := json.Number(strconv.FormatFloat(o.Value, 'f', -1, 64))
	ob := fhir.Observation{Id: new(o.ID), Status: fhir.ObservationStatusFinal,
		Code:    fhir.CodeableConcept{Coding: []fhir.Coding{{System: new("http://loinc.org"), Code: new(o.LOINC), Display: new(o.Name)}}, Text: new(o.Name)},
		Subject: records.Ref(patientID), EffectiveDateTime: new(instant(at)),
		ValueQuantity: &fhir.Quantity{Value: &v, Unit: new(o.Unit), System: new("http://unitsofmeasure.org"), Code: new(o.Unit)}}
	if !o.Range.Empty() {
		rr := fhir.ObservationReferenceRange{}
		if o.Range.Low != nil {
			n := json.Number(strconv.FormatFloat(*o.Range.Low, 'f', -1, 64))
			rr.Low = &fhir.Quantity{Value: &n, Unit: new(o.Unit)}
		}
		if o.Range.High != nil {
			n := json.Number(strconv.FormatFloat(*o.Range.High, 'f', -1, 64))
			rr.High = &fhir.Quantity{Value: &n, Unit: new(o.Unit)}
		}
		ob.ReferenceRange = []fhir.ObservationReferenceRange{rr}
	}
	if code := interpretation(o.Flag); code != "" {
		text := o.Flag.Label()
		if text == "" {
			text = "Normal"
		}
		ob.Interpretation = []fhir.CodeableConcept{{Coding: []fhir.Coding{{
			System: new("http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"), Code: new(code)}}, Text: new(text)}}
	}
	return ob
}

// interpretation maps a lab flag to its HL7 v3 ObservationInterpretation
// code.
func interpretation(f labs.Flag) string {
	return map[labs.Flag]string{labs.Low: "L", labs.High: "H", labs.Critical: "AA", labs.Normal: "N"}[f]
}
