package tenant

import (
	"context"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/apperr"
)

// Organisation is a parent company that runs several brands (tenants). Its
// settings are inherited by every brand that does not override them.
type Organisation struct {
	ID        string
	Slug      string
	Name      string
	Logo      Logo
	Settings  map[string]string // values set at the organisation, by setting key
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Normalize trims the organisation's fields in place.
func (o *Organisation) Normalize() {
	o.Slug = strings.ToLower(strings.TrimSpace(o.Slug))
	o.Name = strings.TrimSpace(o.Name)
}

// Validate checks the organisation's slug and name.
func (o *Organisation) Validate() error {
	f := make(map[string]string)
	if !slugRE.MatchString(o.Slug) {
		f["slug"] = "Use 1 to 63 lower-case letters, digits and dashes, not starting or ending with a dash."
	}
	if msg := checkName(o.Name); msg != "" {
		f["name"] = msg
	}
	if len(f) > 0 {
		return apperr.InvalidFields("The organisation has invalid fields.", f)
	}
	return nil
}

func checkName(name string) string {
	switch {
	case name == "":
		return "A name is required."
	case utf8.RuneCountInString(name) > MaxNameLen:
		return "Use at most 100 characters."
	case strings.ContainsFunc(name, unicode.IsControl):
		return "The name must not contain control characters."
	}
	return ""
}

// OrgRepository stores organisations.
type OrgRepository interface {
	CreateOrg(ctx context.Context, o *Organisation) error
	OrgBySlug(ctx context.Context, slug string) (*Organisation, error)
	ListOrgs(ctx context.Context) ([]*Organisation, error)
	// SetSetting sets a value at an organisation or brand (ownerID is either's
	// id); ResetSetting removes it, so the value is inherited again.
	SetSetting(ctx context.Context, ownerID, key, value string, now time.Time) error
	ResetSetting(ctx context.Context, ownerID, key string, now time.Time) error
}

// SettingGroup sorts settings on the admin page.
type SettingGroup string

// Branding is the group of settings that change how a brand looks.
const Branding SettingGroup = "Branding"

// Email is the group of settings that change the email a brand sends.
const Email SettingGroup = "Email"

// Returns is the group of the store's return rules (issue 18 point 2).
const Returns SettingGroup = "Returns"

// Legal is the group of the brand's legal pages, shown at /legal/{page}.
const Legal SettingGroup = "Legal pages"

// Policies is the group of the rules the brand's services follow: session
// lengths, the appointment cancellation window, the lab result release
// delay and the payment gateways offered.
const Policies SettingGroup = "Policies"

// SettingDef is one inheritable setting: set at the organisation, inherited by
// each brand, overridden by any brand.
type SettingDef struct {
	Key   string
	Group SettingGroup
	Label string
	Help  string
	// Default applies when neither a brand, its parents nor the organisation
	// set the value.
	Default string
	// Multiline settings (the legal pages) are edited in a text area.
	Multiline bool
	// Approved settings (the session lengths) change at a brand only through
	// a request a second person approves (internal/changes); the
	// organisation sets them directly. Why: a longer session is a weaker
	// automatic logoff, so one brand admin must not loosen it alone.
	Approved bool
	// Unit names what a number counts, for the pages ("minutes"; "" for
	// text).
	Unit string
	// check returns a reason the value is refused, or "".
	check func(string) string
}

// Check reports why a value is refused for this setting, or "" when it is
// accepted.
func (d SettingDef) Check(v string) string { return d.check(v) }

// Setting keys. Only settings that something reads are listed: the
// colours (the theme stylesheet), the footer (every page and email) and the
// email sender (every email, through the outbox), the return rules (the
// returns service), the legal pages (/legal/{page}, linked from every
// footer) and the policies (sign-in, appointments, labs, checkout).
const (
	SetPrimaryColor       = "primary_color"
	SetAccentColor        = "accent_color"
	SetFooter             = "footer"
	SetEmailSenderName    = "email_sender_name"
	SetEmailSenderAddress = "email_sender_address"
	// SetReturnWindowDays is how many days after delivery a patient may
	// ask to return items (0: no returns); SetReturnsPrescription and
	// SetReturnsOpened ("yes"/"no") allow returning prescription items and
	// opened items (default no: neither can be resold).
	SetReturnWindowDays    = "return_window_days"
	SetReturnsPrescription = "returns_prescription"
	SetReturnsOpened       = "returns_opened"
	// The legal pages: Markdown (internal/markup) shown at /legal/privacy,
	// /legal/terms and /legal/returns.
	SetLegalPrivacy = "legal_privacy"
	SetLegalTerms   = "legal_terms"
	SetLegalReturns = "legal_returns"
	// The session lengths in minutes ("" for the server's limit); a brand
	// may only shorten the server's (signin.Service.PolicyFor).
	SetStaffIdleMinutes   = "staff_idle_minutes"
	SetPatientIdleMinutes = "patient_idle_minutes"
	SetAbsoluteMinutes    = "absolute_minutes"
	// SetCancelWindowHours is how late before its start, in hours, a
	// patient may move or cancel an appointment.
	SetCancelWindowHours = "cancel_window_hours"
	// SetResultReleaseHours is how many hours after it arrives a held lab
	// report is released to the patient automatically (0: never; a
	// clinician releases it).
	SetResultReleaseHours = "result_release_hours"
	// SetPaymentGateways lists the ways to pay offered at checkout, a
	// comma-separated subset of the server's --payment-gateways ("": all).
	SetPaymentGateways = "payment_gateways"
	// SetBreakGlassMinutes is how long a break-glass grant lasts (5 to
	// 60 minutes: never longer than access.BreakGlassDuration).
	SetBreakGlassMinutes = "break_glass_minutes"
	// SetBreakGlassReasonChars is the shortest reason a break-glass request
	// may give (20 to 1000 characters: never shorter than
	// access.MinBreakGlassReason).
	SetBreakGlassReasonChars = "break_glass_reason_chars"
)

// PolicyKeys are the approved brand policies that change through a request
// of their own (the session lengths have theirs): the payment gateways
// and the break-glass policy.
var PolicyKeys = []string{SetPaymentGateways, SetBreakGlassMinutes, SetBreakGlassReasonChars}

// MaxLegalLen bounds a legal page's text.
const MaxLegalLen = 50000

// MaxSessionMinutes bounds a session length a brand or organisation may
// set (a week); the server's own limits are the ceiling in force.
const MaxSessionMinutes = 7 * 24 * 60

// LegalPage is one legal page: the name in its URL (/legal/{name}), its
// setting and its title.
type LegalPage struct{ Name, Key, Title string }

// LegalPages are the legal pages in the order the footer links them.
var LegalPages = []LegalPage{
	{"privacy", SetLegalPrivacy, "Notice of privacy practices"},
	{"terms", SetLegalTerms, "Terms of sale"},
	{"returns", SetLegalReturns, "Returns and shipping"},
}

// Gateways are the payment gateways a brand may offer (config's
// --payment-gateways names).
var Gateways = []string{"invoice", "stripe", "test"}

// MaxFooterLen bounds the footer text.
const MaxFooterLen = 500

// SettingDefs lists every inheritable setting in the order the admin page
// shows them.
var SettingDefs = []SettingDef{
	{Key: SetPrimaryColor, Group: Branding, Label: "Header colour", Help: "#rrggbb", Default: DefaultTheme.Primary, check: checkColor},
	{Key: SetAccentColor, Group: Branding, Label: "Button and link colour", Help: "#rrggbb", Default: DefaultTheme.Accent, check: checkColor},
	{Key: SetFooter, Group: Branding, Label: "Footer text", Help: "One line under every page and every email; at most 500 characters.", check: textCheck(MaxFooterLen, false)},
	{Key: SetEmailSenderName, Group: Email, Label: "Email sender name", Help: "The name emails come from, such as Diabetes Care; at most 100 characters. Empty: the mail relay's.", check: textCheck(MaxNameLen, false)},
	{Key: SetEmailSenderAddress, Group: Email, Label: "Email sender address", Help: "The address emails come from, such as care@diabetes.example. Empty: the mail relay's. The relay must be allowed to send for its domain.", check: checkAddress},
	{Key: SetReturnWindowDays, Group: Returns, Label: "Return window (days after delivery)", Help: "0 to 365; 0 takes no returns.", Default: "30", check: checkDays},
	{Key: SetReturnsPrescription, Group: Returns, Label: "Prescription items may be returned", Help: "yes or no", Default: "no", check: checkYesNo},
	{Key: SetReturnsOpened, Group: Returns, Label: "Opened items may be returned", Help: "yes or no (opened personal-care items cannot be resold)", Default: "no", check: checkYesNo},
	{Key: SetLegalPrivacy, Group: Legal, Label: "Notice of privacy practices", Help: "Shown at /legal/privacy. Paragraphs, ## headings, - lists, **bold**, *italic* and [links](https://…); no HTML. At most 50,000 characters.", Multiline: true, check: textCheck(MaxLegalLen, true)},
	{Key: SetLegalTerms, Group: Legal, Label: "Terms of sale", Help: "Shown at /legal/terms; written as the notice above.", Multiline: true, check: textCheck(MaxLegalLen, true)},
	{Key: SetLegalReturns, Group: Legal, Label: "Returns and shipping policy", Help: "Shown at /legal/returns; written as the notice above. Empty: no such page.", Multiline: true, check: textCheck(MaxLegalLen, true)},
	{Key: SetStaffIdleMinutes, Group: Policies, Label: "Staff sign-out after idle (minutes)", Help: "1 to 10080; never longer than the server's limit. Empty: the server's.", Approved: true, Unit: "minutes", check: checkMinutes},
	{Key: SetPatientIdleMinutes, Group: Policies, Label: "Patient sign-out after idle (minutes)", Help: "1 to 10080; never longer than the server's limit. Empty: the server's.", Approved: true, Unit: "minutes", check: checkMinutes},
	{Key: SetAbsoluteMinutes, Group: Policies, Label: "Longest session (minutes)", Help: "1 to 10080; never longer than the server's limit. Empty: the server's.", Approved: true, Unit: "minutes", check: checkMinutes},
	{Key: SetCancelWindowHours, Group: Policies, Label: "Appointment cancellation window (hours)", Help: "How late before its start a patient may move or cancel an appointment: 0 to 336.", Default: "24", check: hoursCheck(336)},
	{Key: SetResultReleaseHours, Group: Policies, Label: "Lab result release delay (hours)", Help: "Held results reach the patient this long after they arrive, unless a clinician releases them first: 0 (never automatically) to 720.", Default: "0", check: hoursCheck(720)},
	{Key: SetPaymentGateways, Group: Policies, Label: "Ways to pay offered", Help: "Comma-separated: invoice, stripe, test; only those the server offers count. Empty: every one the server offers.", Approved: true, check: checkGateways},
	{Key: SetBreakGlassMinutes, Group: Policies, Label: "Emergency (break-glass) access lasts (minutes)", Help: "5 to 60.", Default: "60", Approved: true, Unit: "minutes", check: rangeCheck(5, 60)},
	{Key: SetBreakGlassReasonChars, Group: Policies, Label: "Emergency (break-glass) reason, at least (characters)", Help: "20 to 1000.", Default: "20", Approved: true, Unit: "characters", check: rangeCheck(20, 1000)},
}

// rangeCheck accepts a whole number from lo to hi.
func rangeCheck(lo, hi int) func(string) string {
	return func(v string) string {
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return "Enter a whole number from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi) + "."
		}
		return ""
	}
}

// checkMinutes accepts an empty value (the server's limit) or 1 to
// MaxSessionMinutes.
func checkMinutes(v string) string {
	if v == "" {
		return ""
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > MaxSessionMinutes {
		return "Enter a whole number of minutes from 1 to " + strconv.Itoa(MaxSessionMinutes) + ", or leave it empty for the server's limit."
	}
	return ""
}

func hoursCheck(limit int) func(string) string {
	return func(v string) string {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > limit {
			return "Enter a whole number of hours from 0 to " + strconv.Itoa(limit) + "."
		}
		return ""
	}
}

// checkGateways accepts a comma-separated list of known gateways, each once.
func checkGateways(v string) string {
	if v == "" {
		return ""
	}
	seen := map[string]bool{}
	for g := range strings.SplitSeq(v, ",") {
		g = strings.TrimSpace(g)
		known := false
		for _, k := range Gateways {
			known = known || g == k
		}
		if !known || seen[g] {
			return "List each of invoice, stripe and test at most once, separated by commas."
		}
		seen[g] = true
	}
	return ""
}

// OfferedGateways returns the brand's gateways among those the server
// offers (configured, in the server's order): all of them when the brand
// lists none.
func OfferedGateways(setting string, configured []string) []string {
	if strings.TrimSpace(setting) == "" {
		return configured
	}
	want := map[string]bool{}
	for g := range strings.SplitSeq(setting, ",") {
		want[strings.TrimSpace(g)] = true
	}
	var out []string
	for _, g := range configured {
		if want[g] {
			out = append(out, g)
		}
	}
	return out
}

// checkAddress accepts an empty value or one plain email address
// (name@domain, no display name, no angle brackets). Why so strict: the
// value becomes the From header of every email the brand sends, so nothing
// but an address may reach it.
func checkAddress(v string) string {
	if v == "" {
		return ""
	}
	a, err := mail.ParseAddress(v)
	if err != nil || a.Name != "" || a.Address != v || len(v) > 254 || !strings.Contains(v[strings.LastIndexByte(v, '@')+1:], ".") {
		return "Use one plain email address such as care@example.com."
	}
	return ""
}

// SettingDefByKey returns a setting's definition.
func SettingDefByKey(key string) (SettingDef, bool) {
	for _, d := range SettingDefs {
		if d.Key == key {
			return d, true
		}
	}
	return SettingDef{}, false
}

// CheckSetting validates a value for a key and returns it normalised, or an
// InvalidFields error naming the key.
func CheckSetting(key, value string) (string, error) {
	d, ok := SettingDefByKey(key)
	if !ok {
		return "", apperr.InvalidFields("There is no such setting.", map[string]string{"key": "Unknown setting " + strconv.Quote(key) + "."})
	}
	value = strings.TrimSpace(value)
	if d.Multiline {
		value = strings.ReplaceAll(value, "\r\n", "\n")
	}
	if d.Key == SetPaymentGateways {
		var gs []string
		for g := range strings.SplitSeq(value, ",") {
			if g = strings.TrimSpace(g); g != "" {
				gs = append(gs, strings.ToLower(g))
			}
		}
		value = strings.Join(gs, ",")
	}
	if d.Key == SetPrimaryColor || d.Key == SetAccentColor || d.Key == SetReturnsPrescription || d.Key == SetReturnsOpened {
		value = strings.ToLower(value)
	}
	if msg := d.check(value); msg != "" {
		return "", apperr.InvalidFields("The setting is invalid.", map[string]string{key: msg})
	}
	return value, nil
}

func checkDays(v string) string {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 365 {
		return "Enter a whole number of days from 0 to 365."
	}
	return ""
}

func checkYesNo(v string) string {
	if v != "yes" && v != "no" {
		return "Enter yes or no."
	}
	return ""
}

func checkColor(v string) string {
	if _, err := ParseColor(v); err != nil {
		return "Use a colour such as #1f4e79."
	}
	return ""
}

func textCheck(limit int, multiline bool) func(string) string {
	return func(v string) string {
		if utf8.RuneCountInString(v) > limit {
			return "Use at most " + strconv.Itoa(limit) + " characters."
		}
		allowed := func(r rune) bool { return multiline && (r == '\n' || r == '\r' || r == '\t') }
		if strings.ContainsFunc(v, func(r rune) bool { return unicode.IsControl(r) && !allowed(r) }) {
			return "Remove control characters."
		}
		return ""
	}
}

// Resolved is a setting's effective value and where it comes from.
type Resolved struct {
	Value string
	// From is "brand" (set here), "parent" (a parent brand), "organisation",
	// "setup" (a brand outside any organisation: the colours it was created
	// or updated with) or "default".
	From string
	// FromSlug names the brand or organisation the value comes from.
	FromSlug string
}

// Inherited reports whether the value comes from somewhere else than the
// brand itself.
func (r Resolved) Inherited() bool { return r.From != "brand" }

// ResolveSettings computes a brand's effective settings: its own value, else
// the nearest parent brand's, else its organisation's, else the default.
// parents lists the parent chain nearest first; org may be nil. A parent
// chain that loops (which the store refuses) stops at the first repeat.
func ResolveSettings(t *Tenant, parents []*Tenant, org *Organisation) map[string]Resolved {
	out := make(map[string]Resolved, len(SettingDefs))
	for _, d := range SettingDefs {
		r := Resolved{Value: d.Default, From: "default"}
		if v, ok := t.Own[d.Key]; ok {
			r = Resolved{Value: v, From: "brand", FromSlug: t.Slug}
		} else if p := firstWith(parents, d.Key); p != nil {
			r = Resolved{Value: p.Own[d.Key], From: "parent", FromSlug: p.Slug}
		} else if org != nil {
			if v, ok := org.Settings[d.Key]; ok {
				r = Resolved{Value: v, From: "organisation", FromSlug: org.Slug}
			}
		}
		out[d.Key] = r
	}
	return out
}

func firstWith(parents []*Tenant, key string) *Tenant {
	for _, p := range parents {
		if _, ok := p.Own[key]; ok {
			return p
		}
	}
	return nil
}

// ApplyInheritance fills each brand of an organisation with its effective
// settings, theme and logo. Brands outside any organisation keep their own
// columns (Theme, Logo) and get the defaults for the rest. It is called on
// every load, so a change at the parent shows on each inheriting brand at the
// resolver's next reload.
func ApplyInheritance(ts []*Tenant, orgs []*Organisation) {
	byID := make(map[string]*Tenant, len(ts))
	for _, t := range ts {
		byID[t.ID] = t
	}
	orgByID := make(map[string]*Organisation, len(orgs))
	for _, o := range orgs {
		orgByID[o.ID] = o
	}
	for _, t := range ts {
		var parents []*Tenant
		seen := map[string]bool{t.ID: true}
		for p := byID[t.ParentID]; p != nil && !seen[p.ID]; p = byID[p.ParentID] {
			seen[p.ID] = true
			parents = append(parents, p)
		}
		org := orgByID[t.OrgID]
		t.Settings = ResolveSettings(t, parents, org)
		if org == nil {
			// A brand outside an organisation: the colours it was set up with
			// (its own columns) are what it falls back to, not the defaults.
			for key, v := range map[string]string{SetPrimaryColor: t.Theme.Primary, SetAccentColor: t.Theme.Accent} {
				if r := t.Settings[key]; r.From == "default" && v != "" {
					t.Settings[key] = Resolved{Value: v, From: "setup", FromSlug: t.Slug}
				}
			}
		}
		t.Theme = Theme{Primary: t.Settings[SetPrimaryColor].Value, Accent: t.Settings[SetAccentColor].Value}
		// A brand shows its parents' and organisation's changes as its own:
		// caches keyed by UpdatedAt miss when anything it inherits changes.
		for _, p := range parents {
			if p.UpdatedAt.After(t.UpdatedAt) {
				t.UpdatedAt = p.UpdatedAt
			}
		}
		if org != nil && org.UpdatedAt.After(t.UpdatedAt) {
			t.UpdatedAt = org.UpdatedAt
		}
		t.LogoInherited = false
		if t.Logo.SHA256 == "" {
			for _, p := range parents {
				if p.Logo.SHA256 != "" && p.OrgID == t.OrgID {
					t.Logo, t.LogoInherited = p.Logo, true
					break
				}
			}
		}
		if t.Logo.SHA256 == "" && org != nil && org.Logo.SHA256 != "" {
			t.Logo, t.LogoInherited = org.Logo, true
		}
	}
}

// Setting returns a brand's effective value of a setting key, or the
// setting's default when the brand has not been resolved.
func (t *Tenant) Setting(key string) string {
	if r, ok := t.Settings[key]; ok {
		return r.Value
	}
	d, _ := SettingDefByKey(key)
	return d.Default
}
