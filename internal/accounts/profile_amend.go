package accounts

import (
	"context"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// ProfileField is a field of a patient's profile that an amendment
// (45 CFR 164.526, internal/amend) may correct.
type ProfileField struct {
	Key, Label string
	// get reads it from an account; set writes value into a profile.
	get func(Account) string
	set func(*Profile, string)
}

// ProfileFields are the amendable fields, in the order forms list them.
// Not the email (it is the sign-in, changed with its own confirmation),
// the preferred location (the patient picks it) or the reminders switch
// (a preference, not a record).
var ProfileFields = []ProfileField{
	{"name", "Name", func(a Account) string { return a.Name.Reveal() }, func(p *Profile, v string) { p.Name = v }},
	{"dob", "Date of birth", func(a Account) string { return a.DOB.Reveal() }, func(p *Profile, v string) { p.DOB = v }},
	{"phone", "Phone", func(a Account) string { return a.Phone.Reveal() }, func(p *Profile, v string) { p.Phone = v }},
	{"allergies", "Allergies", func(a Account) string { return a.Details.Allergies }, func(p *Profile, v string) { p.Details.Allergies = v }},
	{"insurance_payer", "Insurance: health plan", func(a Account) string { return a.Details.InsurancePayer },
		func(p *Profile, v string) { p.Details.InsurancePayer = v }},
	{"insurance_member_id", "Insurance: member id", func(a Account) string { return a.Details.InsuranceMemberID },
		func(p *Profile, v string) { p.Details.InsuranceMemberID = v }},
	{"emergency_name", "Emergency contact: name", func(a Account) string { return a.Details.EmergencyName },
		func(p *Profile, v string) { p.Details.EmergencyName = v }},
	{"emergency_phone", "Emergency contact: phone", func(a Account) string { return a.Details.EmergencyPhone },
		func(p *Profile, v string) { p.Details.EmergencyPhone = v }},
	{"emergency_relation", "Emergency contact: relation", func(a Account) string { return a.Details.EmergencyRelation },
		func(p *Profile, v string) { p.Details.EmergencyRelation = v }},
}

// Value is what the field of an account says now.
func (f ProfileField) Value(a Account) string { return f.get(a) }

// CorrectProfile writes an accepted amendment into a patient's profile: the
// field key takes value, every other field stays as it is. The caller has
// decided the actor's access and passes its purpose (internal/server wires
// it for amend.Profile); the read and the write are audited, the write as
// user.profile.amend. A value the field cannot hold is an Invalid error on
// "value", naming what it must be; nothing is written then.
func (s *Service) CorrectProfile(ctx context.Context, tenantID, userID, key, value string, purpose access.Purpose) error {
	ctx = tenant.WithScope(ctx, tenantID)
	var field *ProfileField
	for i := range ProfileFields {
		if ProfileFields[i].Key == key {
			field = &ProfileFields[i]
		}
	}
	if field == nil {
		return apperr.NotFoundError()
	}
	acct, err := s.Account(ctx, tenantID, userID, purpose)
	if err != nil {
		return err
	}
	// Why patients only: the right to amend is a patient's; a staff
	// account's profile is not a designated record set.
	if acct.Role != access.RolePatient {
		return apperr.NotFoundError()
	}
	d := acct.Details
	p := Profile{Name: acct.Name.Reveal(), Phone: acct.Phone.Reveal(), DOB: acct.DOB.Reveal(), Details: &d}
	field.set(&p, value)
	err = s.setProfile(ctx, tenantID, userID, p, purpose, "user.profile.amend")
	if e := apperr.As(err); e != nil && e.Code == apperr.Invalid {
		// The field's own message (its rules) on the decision form's
		// value field; a rule that ties two fields (a member id needs a
		// plan) names the other one.
		msg := e.Fields[key]
		if msg == "" {
			for _, m := range e.Fields {
				msg = m
			}
		}
		return apperr.InvalidFields("The profile cannot hold this value.", map[string]string{"value": msg})
	}
	return err
}
