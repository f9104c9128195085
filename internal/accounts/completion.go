package accounts

// Step is one thing a profile may lack: what to add, why it helps, and the
// page where it is added.
type Step struct {
	Key, Title, Why, Href string
}

// steps are what a complete patient profile has, the one that helps most
// first: who the person is and what the pharmacist must know before
// anything is dispensed come before what makes things smoother.
var steps = []struct {
	Step
	done func(Account) bool
}{
	{Step{"name", "Add your name", "So that your pharmacy and clinic know who you are.", "/account/profile"},
		func(a Account) bool { return a.Name.Reveal() != "" }},
	{Step{"dob", "Add your date of birth", "So the pharmacy can match your prescriptions.", "/account/profile"},
		func(a Account) bool { return a.DOB.Reveal() != "" }},
	{Step{"allergies", "Add your allergies", "So the pharmacist can check every medicine against them (write \"none known\" if you have none).", "/account/profile"},
		func(a Account) bool { return a.Details.Allergies != "" }},
	{Step{"phone", "Add your phone number", "So that your pharmacy can call you about an order.", "/account/profile"},
		func(a Account) bool { return a.Phone.Reveal() != "" }},
	{Step{"insurance", "Add your insurance", "So that prescriptions and visits can be billed to your health plan.", "/account/profile"},
		func(a Account) bool { return a.Details.InsurancePayer != "" && a.Details.InsuranceMemberID != "" }},
	{Step{"emergency", "Add an emergency contact", "So that your care team knows whom to call if something goes wrong.", "/account/profile"},
		func(a Account) bool { return a.Details.EmergencyName != "" && a.Details.EmergencyPhone != "" }},
	{Step{"preferred", "Choose your pharmacy or clinic", "So that your orders and appointments go where you prefer.", "/account/profile"},
		func(a Account) bool { return a.Details.Preferred != "" }},
	{Step{"email", "Confirm your email address", "Follow the link we emailed you, so that you receive your order and reminder emails.", "/account/profile"},
		func(a Account) bool { return a.EmailVerified }},
	{Step{"mfa", "Add a second sign-in step", "An authenticator app or a passkey keeps your records yours.", "/account/security"},
		func(a Account) bool { return a.HasSecondFactor() }},
}

// Completion is how complete a patient's profile is: the percent of the
// steps done, and the missing steps, the one that helps most first (so
// Missing[0], if any, is the next thing to add).
func Completion(a Account) (percent int, missing []Step) {
	for _, s := range steps {
		if !s.done(a) {
			missing = append(missing, s.Step)
		}
	}
	return (len(steps) - len(missing)) * 100 / len(steps), missing
}
