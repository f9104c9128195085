package accounting

import (
	"context"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Access is one line of a patient's access log.
type Access struct {
	At time.Time
	// Who is "You", "Your proxy NAME", "Pharmacist NAME" or "Salve
	// (automatic)": the person as the patient knows them.
	Who string
	// What is what was done ("Viewed prescriptions").
	What string
	// Why is the purpose as a person reads it.
	Why string
	// Refused is true when the access was denied.
	Refused bool
}

// Page is one page of the access log, newest first.
type Page struct {
	Entries []Access
	// Next is the cursor of the following (older) page; 0 on the last.
	Next int64
}

// AccessLog returns a page of who read or changed patientID's data, newest
// first, for the actor in ctx: the patient, a proxy granted their access
// history, or compliance. before is the cursor of a later page (0 for the
// newest). The view is itself audited.
func (s *Service) AccessLog(ctx context.Context, tenantID, patientID string, before int64) (Page, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	d, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataAuditMeta, access.Read)
	if err != nil {
		return Page{}, apperr.NotFoundError()
	}
	if before < 0 {
		before = 0
	}
	// Why the view is recorded before the log is read: reading who saw a
	// record is itself an access to it, and it is what the patient then
	// sees first ("You viewed your access history").
	if err := s.d.Audit.Append(ctx, audit.Entry{TenantID: tenantID, Subjects: []string{patientID}, Action: "access_log.view",
		ResourceType: "access_log", ResourceID: patientID, Purpose: d.Purpose}); err != nil {
		return Page{}, err
	}
	recs, err := s.d.Events.Find(ctx, audit.Query{TenantID: tenantID, Subject: patientID, Newest: true, Before: before, Limit: PageSize + 1})
	if err != nil {
		return Page{}, err
	}
	var p Page
	if len(recs) > PageSize {
		recs = recs[:PageSize]
		p.Next = recs[PageSize-1].Seq
	}
	a, _ := access.ActorFrom(ctx)
	names := s.names(ctx, tenantID, patientID, recs)
	for _, r := range recs {
		p.Entries = append(p.Entries, Access{At: r.Time, Who: who(r, patientID, a.ID, names), What: what(r),
			Why: PurposeLabel(r.Purpose), Refused: r.Outcome == audit.Denied})
	}
	return p, nil
}

// names opens the names of the people (not the patient, not jobs) who
// appear in recs, under one audited vault access. A name that cannot be
// opened (a disposed account) is left out: the page then names the role.
func (s *Service) names(ctx context.Context, tenantID, patientID string, recs []audit.Record) map[string]string {
	ctx = tenant.WithScope(ctx, tenantID)
	out := map[string]string{}
	var ids []string
	cts := map[string][]byte{}
	for _, r := range recs {
		if r.ActorID == "" || r.ActorID == patientID || strings.HasPrefix(r.ActorID, "system:") {
			continue
		}
		if _, ok := cts[r.ActorID]; ok {
			continue
		}
		cts[r.ActorID] = nil
		u, err := s.d.Users.ByID(ctx, tenantID, r.ActorID)
		if err != nil || u.NameCT == nil {
			continue
		}
		cts[u.ID] = u.NameCT
		ids = append(ids, u.ID)
	}
	if len(ids) == 0 {
		return out
	}
	// Why operations: the names are of staff and proxies, read so that the
	// patient learns who saw their record; the access is audited under
	// those people, like any read of their account.
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: ids, Action: access.Read, Purpose: access.PurposeOperations,
		Resource: "user", AuditAction: "user.name.read", Detail: "access_log"})
	if err != nil {
		s.d.Log.WarnContext(ctx, "access log names unavailable", "err", err)
		return out
	}
	for _, uid := range ids {
		if n, err := h.OpenString(uid, "users", "name_ct", uid, cts[uid]); err == nil {
			out[uid] = n.Reveal()
		}
	}
	return out
}

// who names the actor of an event for the patient.
func who(r audit.Record, patientID, viewerID string, names map[string]string) string {
	name := names[r.ActorID]
	switch {
	case r.ActorID == patientID && patientID == viewerID:
		return "You"
	case r.ActorID == patientID:
		return "The patient"
	case r.ActorID == viewerID && r.ActorRole == access.RolePatient:
		return "You (as proxy)"
	case r.ActorRole == access.RoleSystem || strings.HasPrefix(r.ActorID, "system:"):
		return "Salve (automatic)"
	case r.ActorRole == access.RolePatient:
		if name == "" {
			return "Your proxy"
		}
		return "Your proxy " + name
	case r.ActorID == "":
		return "Someone not signed in"
	}
	if name == "" {
		return RoleLabel(r.ActorRole)
	}
	return RoleLabel(r.ActorRole) + " " + name
}

// RoleLabel is a staff role as a patient reads it.
func RoleLabel(r access.Role) string {
	switch r {
	case access.RoleCustomerService:
		return "Customer service"
	case access.RolePharmacist:
		return "Pharmacist"
	case access.RoleClinician:
		return "Clinician"
	case access.RoleFulfillment:
		return "Fulfillment"
	case access.RoleStoreManager:
		return "Store manager"
	case access.RoleCompliance:
		return "Compliance officer"
	case access.RoleAdmin:
		return "Administrator"
	case access.RolePatient:
		return "Patient"
	case access.RoleSystem:
		return "Salve (automatic)"
	}
	return "Staff member"
}

// PurposeLabel is a purpose as a patient reads it.
func PurposeLabel(p access.Purpose) string {
	switch p {
	case access.PurposeSelf:
		return "Your own request"
	case access.PurposeTreatment:
		return "Treatment"
	case access.PurposePayment:
		return "Payment"
	case access.PurposeOperations:
		return "Running the service (orders, support)"
	case access.PurposeBreakGlass:
		return "Emergency access"
	case access.PurposeCompliance:
		return "Compliance review"
	case access.PurposeSystem:
		return "Automatic processing"
	}
	return "Not stated"
}

// resources name the things in events as a patient reads them.
var resources = map[string]string{
	"prescription": "prescriptions", "order": "orders", "lab_report": "lab results", "appointment": "appointments",
	"user": "account details", "list": "lists", "record_export": "a copy of your record", "disclosure": "a disclosure record",
	"access_log": "access history", "patient": "record", "care": "care team", "proxy": "proxy access", "session": "sign-in",
	"dashboard": "dashboard",
}

// what says what an event did: a verb from its action and the thing from
// its resource type.
func what(r audit.Record) string {
	thing := resources[r.ResourceType]
	if thing == "" {
		thing = "record"
	}
	if r.Outcome == audit.Denied {
		return "Was refused access to " + thing
	}
	last := r.Action
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	switch last {
	case "read", "list", "view", "open", "download", "search", "show":
		if r.Action == "records.export.download" {
			return "Downloaded a copy of the record"
		}
		return "Viewed " + thing
	case "request":
		return "Asked for " + thing
	case "build":
		return "Prepared " + thing
	case "delete":
		return "Deleted " + thing
	case "login":
		return "Signed in"
	case "logout":
		return "Signed out"
	}
	return "Changed " + thing
}
