// Package patients is the staff view of patients: finding a patient among
// those a staff member may see (by full name, date of birth, email address
// or order reference, through blind indexes and ids only, never a scan of opened
// PHI), and one patient's record sliced by the staff member's role, built
// from the same portal.Sources as the patient's dashboard, each section
// shown only when the role may read its data class (access.Decide). Every
// search and every view is one audited access with its purpose.
package patients

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// Roles are the staff roles whose work needs a patient's page: clinicians
// (their patients, or by break-glass), pharmacists and customer service.
// Why not fulfilment: it needs nothing beyond the order it ships (its order
// pages); nor store managers, admins or compliance, who hold no patient data
// by default.
var Roles = []access.Role{access.RoleClinician, access.RolePharmacist, access.RoleCustomerService}

// MaxResults is the most patients a search lists.
const MaxResults = 20

// Store finds patients by what is kept in the clear or as a blind index
// (internal/store.Patients).
type Store interface {
	// PatientsByName lists the ids of a tenant's patient accounts whose
	// full-name blind index is bidx, at most limit.
	PatientsByName(ctx context.Context, tenantID string, bidx []byte, limit int) ([]string, error)
	// PatientsByDOB lists the ids of a tenant's patient accounts whose
	// date-of-birth blind index is bidx, at most limit.
	PatientsByDOB(ctx context.Context, tenantID string, bidx []byte, limit int) ([]string, error)
	// PatientByOrderReference returns the owner of a tenant's order by its
	// reference; NotFound when there is none.
	PatientByOrderReference(ctx context.Context, tenantID, reference string) (string, error)
}

// Users finds accounts (internal/store.Users); NotFound when there is none.
type Users interface {
	ByID(ctx context.Context, tenantID, userID string) (accounts.User, error)
	ByEmail(ctx context.Context, tenantID string, bidx []byte) (accounts.User, error)
}

// Grants is what the view takes from grants: the audited decision for the
// page, the facts for each section's decision, and a live break-glass grant
// with its reason.
type Grants interface {
	Authorize(ctx context.Context, tenantID, patientID string, class access.DataClass, act access.Action) (access.Decision, error)
	Facts(ctx context.Context, tenantID, patientID string) (access.Facts, error)
	BreakGlassFor(ctx context.Context, tenantID, patientID string) (BreakGlass, bool, error)
}

// BreakGlass is a live emergency grant as the page shows it.
type BreakGlass struct {
	ID     string
	Reason phi.String
	Until  time.Time
}

// Vault is audited handles on PHI and the keyed blind index.
type Vault interface {
	phi.Vault
	phi.Indexer
}

// Deps are what the service is built on; server wires them.
type Deps struct {
	Store  Store
	Users  Users
	Grants Grants
	Vault  Vault
	Audit  audit.Appender
	// TextHMAC turns a search term into the audit log's keyed hash
	// (audit.Log.TextHMAC).
	TextHMAC func(string) []byte
	Clock    clock.Clock
	// Sources fill the sections, by widget key (portal.Widget*); server
	// adds each domain's as it exists. A key without a source is left out.
	Sources portal.Sources
}

// Service finds and shows patients to staff.
type Service struct {
	d Deps
}

// New returns the service.
func New(d Deps) *Service {
	if d.Clock == nil {
		d.Clock = clock.System{}
	}
	if d.Sources == nil {
		d.Sources = portal.Sources{}
	}
	return &Service{d: d}
}

// Query is one search: exactly one of its fields.
type Query struct {
	Name, DOB, Email, OrderRef string
}

// Found is one patient a search found, with their name and address opened.
type Found struct {
	ID          string
	Name, Email phi.String
}

var refRE = regexp.MustCompile(`^[A-Z0-9]{4}-[A-Z0-9]{4}$`)

// check validates a query and returns its kind and normalized term.
func (q Query) check(now time.Time) (kind, term string, err error) {
	n := 0
	for _, v := range []string{q.Name, q.DOB, q.Email, q.OrderRef} {
		if strings.TrimSpace(v) != "" {
			n++
		}
	}
	if n != 1 {
		return "", "", apperr.InvalidFields("Search by one of name, date of birth, email address or order reference.",
			map[string]string{"name": "Fill in one field."})
	}
	switch {
	case strings.TrimSpace(q.Name) != "":
		name := accounts.NormalizeName(q.Name)
		if utf8.RuneCountInString(name) > 200 || strings.ContainsAny(name, "\r\n\x00") {
			return "", "", apperr.InvalidFields("Check the name.", map[string]string{"name": "Enter a full name on one line, at most 200 characters."})
		}
		return "name", name, nil
	case strings.TrimSpace(q.DOB) != "":
		dob := strings.TrimSpace(q.DOB)
		if accounts.CheckDOB(dob, now) != nil {
			return "", "", apperr.InvalidFields("Check the date of birth.", map[string]string{"dob": "Enter a date such as 1980-04-23."})
		}
		return "dob", dob, nil
	case strings.TrimSpace(q.Email) != "":
		if err := accounts.CheckEmail(q.Email); err != nil {
			return "", "", err
		}
		return "email", accounts.NormalizeEmail(q.Email), nil
	default:
		ref := strings.ToUpper(strings.TrimSpace(q.OrderRef))
		if !refRE.MatchString(ref) {
			return "", "", apperr.InvalidFields("Check the order reference.", map[string]string{"ref": "An order reference reads like A1B2-C3D4."})
		}
		return "ref", ref, nil
	}
}

// staff returns the actor in ctx when their role may use these pages.
func staff(ctx context.Context, tenantID string) (access.Actor, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.TenantID != tenantID || !slices.Contains(Roles, a.Role) {
		return a, apperr.DeniedError(errors.New("not a role that views patients"))
	}
	return a, nil
}

// Find searches the tenant's patients the actor may see: by the blind index
// of the full name (exact, after normalizing) or of the email address, or by
// an order reference (kept in the clear: it says nothing). A patient the
// actor may not read the contact details of (a clinician's non-patient
// without break-glass) is left out, as if absent.
//
// Why one audit event for the search, with the term as an HMAC (DESIGN §5):
// a search says whom staff looked for even when nothing is found, and its
// term is PHI (a name), so the log keeps only its keyed hash, enough to
// match a later search for the same term. When patients are found, the
// event is the vault access that opens their names (all subjects in one).
func (s *Service) Find(ctx context.Context, tenantID string, q Query) ([]Found, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	a, err := staff(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	kind, term, err := q.check(s.d.Clock.Now())
	if err != nil {
		return nil, err
	}
	detail, termHMAC := "by="+kind, s.d.TextHMAC(kind+":"+term)
	var ids []string
	switch kind {
	case "name":
		ids, err = s.d.Store.PatientsByName(ctx, tenantID, accounts.NameIndex(s.d.Vault, tenantID, term), MaxResults)
	case "dob":
		ids, err = s.d.Store.PatientsByDOB(ctx, tenantID, accounts.DOBIndex(s.d.Vault, tenantID, term), MaxResults)
	case "email":
		var u accounts.User
		u, err = s.d.Users.ByEmail(ctx, tenantID, accounts.EmailIndex(s.d.Vault, tenantID, term))
		ids = []string{u.ID}
	default:
		var pid string
		pid, err = s.d.Store.PatientByOrderReference(ctx, tenantID, term)
		ids = []string{pid}
	}
	if apperr.Is(err, apperr.NotFound) {
		ids, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	var (
		users   []accounts.User
		purpose access.Purpose
	)
	for _, pid := range ids {
		u, err := s.d.Users.ByID(ctx, tenantID, pid)
		if apperr.Is(err, apperr.NotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if u.Role != access.RolePatient {
			continue
		}
		f, err := s.d.Grants.Facts(ctx, tenantID, u.ID)
		if err != nil {
			return nil, err
		}
		d := access.Decide(a, access.Request{TenantID: tenantID, PatientID: u.ID, Class: access.DataContact, Action: access.Read}, f, s.d.Clock.Now())
		if !d.Allowed {
			continue
		}
		// One purpose for the one access: break-glass is the stronger
		// claim, so it names the access when any patient needs it.
		if purpose == "" || d.Purpose == access.PurposeBreakGlass {
			purpose = d.Purpose
		}
		users = append(users, u)
	}
	if len(users) == 0 {
		return nil, accounts.Record(ctx, s.d.Audit, audit.Entry{TenantID: tenantID, Action: "patient.search", ResourceType: "patient",
			Detail: detail + " found=0", TextHMAC: termHMAC, Purpose: rolePurpose(a.Role)})
	}
	subjects := make([]string, len(users))
	for i, u := range users {
		subjects[i] = u.ID
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: subjects, Action: access.Read, Purpose: purpose,
		Resource: "patient", AuditAction: "patient.search", Detail: detail, TextHMAC: termHMAC})
	if err != nil {
		return nil, err
	}
	out := make([]Found, 0, len(users))
	for _, u := range users {
		f, err := contact(h, u)
		if err != nil {
			return nil, err
		}
		out = append(out, Found{ID: u.ID, Name: f.Name, Email: f.Email})
	}
	return out, nil
}

// rolePurpose is the purpose of a role's work, for an event that opens
// nothing.
func rolePurpose(r access.Role) access.Purpose {
	if r == access.RoleCustomerService {
		return access.PurposeOperations
	}
	return access.PurposeTreatment
}

// contact opens an account's name and address.
func contact(h phi.Handle, u accounts.User) (Found, error) {
	f := Found{ID: u.ID}
	var err error
	if f.Email, err = h.OpenString(u.ID, "users", "email_ct", u.ID, u.EmailCT); err != nil {
		return f, err
	}
	if u.NameCT != nil {
		if f.Name, err = h.OpenString(u.ID, "users", "name_ct", u.ID, u.NameCT); err != nil {
			return f, err
		}
	}
	return f, nil
}
