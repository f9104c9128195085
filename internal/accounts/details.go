package accounts

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Details is the rest of a patient's profile (issue 16): where they like to
// be served, their insurance, who to call in an emergency, their allergies
// and how they like to be reminded. It is PHI: sealed under the person as
// one JSON document (users.details_ct), opened with the account.
type Details struct {
	// Preferred is the pharmacy or clinic the patient prefers: the id of
	// one of the tenant's locations when it has any (Choices), else a name
	// typed in.
	Preferred string `json:"preferred,omitempty"`
	// InsurancePayer and InsuranceMemberID are the health plan and the
	// member id on the patient's card.
	InsurancePayer    string `json:"insurance_payer,omitempty"`
	InsuranceMemberID string `json:"insurance_member_id,omitempty"`
	// The emergency contact.
	EmergencyName     string `json:"emergency_name,omitempty"`
	EmergencyPhone    string `json:"emergency_phone,omitempty"`
	EmergencyRelation string `json:"emergency_relation,omitempty"`
	// Allergies as the patient writes them ("penicillin; latex", or "none
	// known").
	Allergies string `json:"allergies,omitempty"`
	// RemindersOff: the patient turned email reminders off (refill and
	// appointment reminders). Stored as "off" so that the default, for a
	// profile never saved, is on.
	RemindersOff bool `json:"reminders_off,omitempty"`
}

// EmailReminders reports whether the patient wants reminder emails.
func (d Details) EmailReminders() bool { return !d.RemindersOff }

// WantsReminders reports whether a person wants reminder emails (refills,
// appointments): their profile's communication preference, yes by default.
// The account is opened for the job that asks (audited, purpose operations).
func (s *Service) WantsReminders(ctx context.Context, tenantID, userID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	acct, err := s.Account(ctx, tenantID, userID, access.PurposeOperations)
	if err != nil {
		return false, err
	}
	return acct.Details.EmailReminders(), nil
}

// Limits on the details' fields.
const (
	maxDetailLen    = 200
	maxAllergiesLen = 1000
)

// checkDetails trims and validates the details, adding a message per wrong
// field to fields. choices, when not empty, are the ids Preferred may be.
func checkDetails(d *Details, choices []string, fields map[string]string) {
	for _, p := range []*string{&d.Preferred, &d.InsurancePayer, &d.InsuranceMemberID, &d.EmergencyName, &d.EmergencyPhone,
		&d.EmergencyRelation, &d.Allergies} {
		*p = strings.TrimSpace(*p)
	}
	line := func(name, v string) {
		if utf8.RuneCountInString(v) > maxDetailLen || strings.ContainsAny(v, "\r\n\x00") {
			fields[name] = fmt.Sprintf("Write this on one line, at most %d characters.", maxDetailLen)
		}
	}
	if len(choices) > 0 {
		if d.Preferred != "" && !slices.Contains(choices, d.Preferred) {
			fields["preferred"] = "Choose one of the listed locations."
		}
	} else {
		line("preferred", d.Preferred)
	}
	line("insurance_payer", d.InsurancePayer)
	line("insurance_member_id", d.InsuranceMemberID)
	if d.InsuranceMemberID != "" && d.InsurancePayer == "" {
		fields["insurance_payer"] = "Enter the name of your health plan as well."
	}
	line("emergency_name", d.EmergencyName)
	line("emergency_relation", d.EmergencyRelation)
	if !validPhone(d.EmergencyPhone) {
		fields["emergency_phone"] = "Use digits, spaces and + - ( ) only."
	}
	if d.EmergencyPhone != "" && d.EmergencyName == "" {
		fields["emergency_name"] = "Enter whom to call at this number."
	}
	if utf8.RuneCountInString(d.Allergies) > maxAllergiesLen || strings.ContainsRune(d.Allergies, 0) {
		fields["allergies"] = fmt.Sprintf("Keep this to at most %d characters.", maxAllergiesLen)
	}
}

// validPhone reports whether a phone number typed in is one: empty, or
// digits, spaces and + - ( ) . up to 40 characters.
func validPhone(p string) bool {
	return len(p) <= 40 && strings.Trim(p, "0123456789 +-().") == ""
}

// sealDetails seals the details under the person; nil for empty ones.
func sealDetails(h phi.Handle, userID string, d Details) ([]byte, error) {
	if d == (Details{}) {
		return nil, nil
	}
	body, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("profile details: %w", err)
	}
	return h.SealBytes(userID, "users", "details_ct", userID, body)
}

// openDetails opens sealed details (none for nil).
func openDetails(h phi.Handle, userID string, ct []byte) (Details, error) {
	var d Details
	if ct == nil {
		return d, nil
	}
	body, err := h.OpenBytes(userID, "users", "details_ct", userID, ct)
	if err != nil {
		return d, err
	}
	if err := phi.DecodeJSON(body.Reveal(), &d); err != nil {
		return d, fmt.Errorf("profile details of %s: %w", userID, err)
	}
	return d, nil
}

// invalid merges the per-field messages of a validation error into fields;
// any other error is returned.
func invalid(err error, fields map[string]string) error {
	if err == nil {
		return nil
	}
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid || len(e.Fields) == 0 {
		return err
	}
	for k, v := range e.Fields {
		fields[k] = v
	}
	return nil
}
