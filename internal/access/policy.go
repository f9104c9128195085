package access

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// DataClass is a kind of data about a person. Roles see only the classes their
// work needs (minimum necessary, DESIGN §1).
type DataClass string

// The data classes.
const (
	DataContact   DataClass = "contact"  // name, email, phone
	DataAddress   DataClass = "address"  // shipping address
	DataOrders    DataClass = "orders"   // orders: items, quantities, status
	DataRx        DataClass = "rx"       // prescriptions and their notes
	DataClinical  DataClass = "clinical" // lab results, clinical notes, appointments
	DataDevices   DataClass = "devices"  // device readings
	DataBilling   DataClass = "billing"  // bills and payments
	DataMessages  DataClass = "messages" // secure messages
	DataSecurity  DataClass = "security" // sessions, factors, sign-in history of the account itself
	DataAuditMeta DataClass = "audit"    // who accessed what (audit metadata)
)

// Label is the class in words, as a person reads it on a page ("Prescriptions",
// not "rx").
func (c DataClass) Label() string {
	switch c {
	case DataContact:
		return "Contact details"
	case DataAddress:
		return "Shipping address"
	case DataOrders:
		return "Orders"
	case DataRx:
		return "Prescriptions"
	case DataClinical:
		return "Clinical records"
	case DataDevices:
		return "Devices"
	case DataBilling:
		return "Bills and payments"
	case DataMessages:
		return "Messages"
	case DataSecurity:
		return "Account security"
	case DataAuditMeta:
		return "Access history"
	}
	return string(c)
}

// DataClasses lists every class.
var DataClasses = []DataClass{DataContact, DataAddress, DataOrders, DataRx, DataClinical, DataDevices, DataBilling, DataMessages, DataSecurity, DataAuditMeta}

// Action is what is done with data.
type Action string

// The actions.
const (
	Read  Action = "read"
	Write Action = "write"
)

// Purpose is why PHI is accessed; it is recorded with every access.
type Purpose string

// The purposes (HIPAA: treatment, payment, operations; plus the patient's own
// requests and the emergency override).
const (
	PurposeSelf       Purpose = "self"        // the patient, or a proxy acting for them
	PurposeTreatment  Purpose = "treatment"   // clinicians and pharmacists
	PurposePayment    Purpose = "payment"     // billing
	PurposeOperations Purpose = "operations"  // customer service, fulfillment
	PurposeBreakGlass Purpose = "break_glass" // emergency access outside the normal rules
	PurposeCompliance Purpose = "compliance"  // an investigation, with a logged reason
	PurposeSystem     Purpose = "system"      // background jobs
)

// staffClasses is what each staff role may see of a patient in its tenant, and
// with which purpose. Clinicians need a care relationship on top.
var staffClasses = map[Role]struct {
	read, write []DataClass
	purpose     Purpose
}{
	// Customer service writes contact only to decide a patient's request to
	// amend their profile (45 CFR 164.526, internal/amend): someone must,
	// and no other role holds the profile; every such write is audited.
	RoleCustomerService: {read: []DataClass{DataContact, DataAddress, DataOrders, DataBilling, DataMessages}, write: []DataClass{DataContact, DataAddress, DataOrders, DataMessages}, purpose: PurposeOperations},
	// Pharmacists read and write messages (issue 16): patients write to the
	// pharmacy about their medicines; which threads is narrowed further by
	// the pharmacy team's membership (internal/messaging).
	RolePharmacist:  {read: []DataClass{DataContact, DataAddress, DataOrders, DataRx, DataMessages}, write: []DataClass{DataRx, DataOrders, DataMessages}, purpose: PurposeTreatment},
	RoleClinician:   {read: []DataClass{DataContact, DataClinical, DataRx, DataDevices, DataMessages}, write: []DataClass{DataClinical, DataMessages}, purpose: PurposeTreatment},
	RoleFulfillment: {read: []DataClass{DataAddress, DataOrders}, write: []DataClass{DataOrders}, purpose: PurposeOperations},
	RoleCompliance:  {read: []DataClass{DataAuditMeta}, purpose: PurposeCompliance},
	// Store managers and admins see no PHI: separation of duties.
}

// Facts are what the policy needs to know beyond the actor and the request,
// looked up by the caller (they live in the PHI store).
type Facts struct {
	// Care is true when a clinician has a care relationship with the patient.
	Care bool
	// ProxyScopes are the classes the patient granted the actor as proxy, if any.
	ProxyScopes []DataClass
	// BreakGlassUntil is when the actor's break-glass grant for this patient
	// ends; zero when there is none.
	BreakGlassUntil time.Time
	// BrandScopes are the classes the patient, a patient of another brand
	// of the actor's organisation, consented to share with the actor's
	// brand (issue 20 point 4); none without that consent.
	BrandScopes []DataClass
}

// Request is one intended access to a patient's data.
type Request struct {
	TenantID  string
	PatientID string
	Class     DataClass
	Action    Action
}

// Decision is the policy's answer.
type Decision struct {
	Allowed bool
	Purpose Purpose // recorded in the audit event
	Reason  string  // why, for the audit log (never shown to the requester)
}

// ErrDenied is wrapped by every denial.
var ErrDenied = errors.New("access denied")

// Err returns nil when allowed, or an error wrapping ErrDenied with the reason.
func (d Decision) Err() error {
	if d.Allowed {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrDenied, d.Reason)
}

// Decide applies the rules, in order: no actor or another tenant is denied; the
// patient reaches their own data; a proxy reaches the granted classes; staff
// reach their role's classes (clinicians only with a care relationship); a
// current break-glass grant opens a clinician's or pharmacist's clinical view;
// everything else is denied.
func Decide(a Actor, req Request, f Facts, now time.Time) Decision {
	deny := func(reason string) Decision { return Decision{Reason: reason} }
	switch {
	case a.ID == "" || !a.Role.Valid():
		return deny("no authenticated actor")
	case req.TenantID == "":
		return deny("other tenant")
	case a.TenantID != req.TenantID:
		return decideSister(a, req, f)
	case req.PatientID == "" || !slices.Contains(DataClasses, req.Class) || (req.Action != Read && req.Action != Write):
		return deny("malformed request")
	}
	if a.Role == RolePatient {
		if a.ID == req.PatientID {
			if req.Class == DataAuditMeta && req.Action == Write {
				return deny("the audit log is append-only")
			}
			return Decision{Allowed: true, Purpose: PurposeSelf, Reason: "own record"}
		}
		if slices.Contains(f.ProxyScopes, req.Class) && req.Class != DataSecurity {
			return Decision{Allowed: true, Purpose: PurposeSelf, Reason: "proxy grant"}
		}
		return deny("another patient's record")
	}
	if a.Role == RoleSystem {
		return Decision{Allowed: true, Purpose: PurposeSystem, Reason: "system job " + a.ID}
	}
	rules, ok := staffClasses[a.Role]
	if ok {
		classes := rules.read
		if req.Action == Write {
			classes = rules.write
		}
		if slices.Contains(classes, req.Class) {
			if a.Role != RoleClinician || f.Care {
				return Decision{Allowed: true, Purpose: rules.purpose, Reason: string(a.Role) + " role"}
			}
		}
	}
	// Break-glass: a clinician or pharmacist without a care relationship may
	// read clinical data for a limited time after stating a reason. Orders
	// are in it because, until the portal holds records, what a patient was
	// sold (and its prescription items) is what an emergency can learn here.
	if (a.Role == RoleClinician || a.Role == RolePharmacist) && req.Action == Read && now.Before(f.BreakGlassUntil) &&
		slices.Contains([]DataClass{DataContact, DataClinical, DataRx, DataDevices, DataOrders}, req.Class) {
		return Decision{Allowed: true, Purpose: PurposeBreakGlass, Reason: "break-glass grant"}
	}
	return deny(fmt.Sprintf("%s may not %s %s", a.Role, req.Action, req.Class))
}

// decideSister decides a staff member's read of a patient of another brand.
// Why so narrow: a patient is a patient of one brand, so every other brand
// is denied unless the patient consented to share these classes with the
// actor's brand (f.BrandScopes, looked up only for a sister brand of the same
// organisation), the actor's role reads the class anyway, and the actor has a
// care relationship with the patient. Never a write, never a patient or a
// job of the other brand, never break-glass across brands.
func decideSister(a Actor, req Request, f Facts) Decision {
	deny := func(reason string) Decision { return Decision{Reason: reason} }
	if req.PatientID == "" || req.Action != Read || !slices.Contains(f.BrandScopes, req.Class) || req.Class == DataSecurity {
		return deny("other tenant")
	}
	rules, ok := staffClasses[a.Role]
	if !ok || !slices.Contains(rules.read, req.Class) || !f.Care {
		return deny("other tenant")
	}
	return Decision{Allowed: true, Purpose: rules.purpose, Reason: "shared with this brand by the patient"}
}

// BreakGlassDuration is how long a break-glass grant lasts.
const BreakGlassDuration = 60 * time.Minute

// MinBreakGlassReason is the shortest reason a break-glass request may give.
const MinBreakGlassReason = 20
