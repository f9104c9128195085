// Package forms is digital forms (issue 18 point 1): a store manager builds a
// form from typed fields, attaches it to a product (an intake questionnaire
// that must be completed before that product can be checked out) or to the
// portal (a consent), and patients fill it in.
//
// A form's definition is catalog data, not PHI: it lives in the catalog store,
// one row per version. Saving an edit makes a new version; the earlier
// versions stay, so an answer is always read against the version it answered.
// Answers are PHI: sealed under the patient through the vault (every seal and
// open audited), stored in the PHI store, and readable only by the roles whose
// data class the form declares (access.Decide through grants.Authorize).
// Both parsers of outside input (the builder's form post and the answers a
// patient sends) are fuzzed (fuzz_test.go). A form and an answer export as
// FHIR R4 Questionnaire and QuestionnaireResponse (fhir.go).
package forms

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
)

// FieldType is what kind of answer a field takes.
type FieldType string

// The field types.
const (
	Text      FieldType = "text"      // a line or a few lines of text
	Number    FieldType = "number"    // a decimal number
	Date      FieldType = "date"      // a calendar date, YYYY-MM-DD
	Choice    FieldType = "choice"    // one of the options
	Multi     FieldType = "multi"     // any of the options
	YesNo     FieldType = "yesno"     // yes or no
	File      FieldType = "file"      // one uploaded file
	Signature FieldType = "signature" // typed name + today's date + a box of assent
)

// FieldTypes lists the types in the order the builder offers them.
var FieldTypes = []FieldType{Text, Number, Date, Choice, Multi, YesNo, File, Signature}

// Label is the type in words, for the builder.
func (t FieldType) Label() string {
	switch t {
	case Text:
		return "Text"
	case Number:
		return "Number"
	case Date:
		return "Date"
	case Choice:
		return "One choice"
	case Multi:
		return "Several choices"
	case YesNo:
		return "Yes or no"
	case File:
		return "File upload"
	case Signature:
		return "Signature (typed name, date, assent)"
	}
	return string(t)
}

// HasOptions reports whether the type needs a list of options.
func (t FieldType) HasOptions() bool { return t == Choice || t == Multi }

// Attach is where a form is used.
type Attach string

// The places a form attaches to.
const (
	// None is a draft: the form is used nowhere yet.
	None Attach = ""
	// Product is an intake questionnaire: Target is the product's id, and
	// the product cannot be checked out until the patient has completed it.
	Product Attach = "product"
	// Portal is a consent or acknowledgement listed on the patient's forms
	// page (/account/forms).
	Portal Attach = "portal"
	// Page is a contact or sign-up form on a landing page: Target is the
	// page's slug, and visitors (signed in or not) send it at
	// /pages/{slug}/form. Each sending is its own subject.
	Page Attach = "page"
)

// Field is one question.
type Field struct {
	// Key names the answer; unique in the form, [a-z0-9_], kept across
	// versions when the field is kept.
	Key   string    `json:"key"`
	Label string    `json:"label"`
	Type  FieldType `json:"type"`
	// Help is shown under the label.
	Help     string `json:"help,omitempty"`
	Required bool   `json:"required,omitempty"`
	// Options are the choices of a Choice or Multi field.
	Options []string `json:"options,omitempty"`
	// ShowWhen is the key of an earlier yes/no field: this field is asked
	// only when that one is answered yes (otherwise its answer is dropped
	// and it is not required).
	ShowWhen string `json:"show_when,omitempty"`
}

// Definition is what a store manager builds: everything about a form but its
// identity and version.
type Definition struct {
	Title string `json:"title"`
	// Intro is shown above the fields.
	Intro string `json:"intro,omitempty"`
	// Class is the data class of the answers: the roles that may read that
	// class of a patient's data may read the answers (minimum necessary).
	Class  access.DataClass `json:"class"`
	Attach Attach           `json:"attach,omitempty"`
	// Target is the product id of a Product form; empty otherwise.
	Target string  `json:"target,omitempty"`
	Fields []Field `json:"fields"`
}

// Limits of a definition.
const (
	MaxTitle   = 200
	MaxIntro   = 4000
	MaxLabel   = 300
	MaxHelp    = 1000
	MaxFields  = 100
	MaxOptions = 50
	MaxOption  = 200
	MaxKey     = 40
)

// AnswerClasses are the classes a form may declare. Why not security or
// audit: those are about the account and the log, never a person's answers.
var AnswerClasses = []access.DataClass{access.DataClinical, access.DataRx, access.DataContact, access.DataOrders, access.DataBilling}

var keyRE = regexp.MustCompile(`^[a-z0-9_]{1,40}$`)

// Validate checks a definition and returns an Invalid error with one message
// per field of the builder ("title", "f3_label", ...) when it is not right.
func (d *Definition) Validate() error {
	errs := map[string]string{}
	d.Title = strings.TrimSpace(d.Title)
	switch {
	case d.Title == "":
		errs["title"] = "Give the form a title."
	case utf8.RuneCountInString(d.Title) > MaxTitle || !utf8.ValidString(d.Title):
		errs["title"] = fmt.Sprintf("Keep the title under %d characters.", MaxTitle)
	}
	if utf8.RuneCountInString(d.Intro) > MaxIntro || !utf8.ValidString(d.Intro) {
		errs["intro"] = fmt.Sprintf("Keep the introduction under %d characters.", MaxIntro)
	}
	if !slices.Contains(AnswerClasses, d.Class) {
		errs["class"] = "Choose who may read the answers."
	}
	switch d.Attach {
	case None, Portal:
		d.Target = ""
	case Product:
		if d.Target == "" {
			errs["target"] = "Choose the product this questionnaire is for."
		}
	case Page:
		if d.Target == "" {
			errs["page"] = "Choose the landing page this form is on."
		}
	default:
		errs["attach"] = "Choose where the form is used."
	}
	if len(d.Fields) == 0 {
		errs["fields"] = "Add at least one question."
	}
	if len(d.Fields) > MaxFields {
		errs["fields"] = fmt.Sprintf("A form has at most %d questions.", MaxFields)
	}
	seen := map[string]FieldType{}
	for i := range d.Fields {
		f := &d.Fields[i]
		p := fmt.Sprintf("f%d_", i)
		f.Label, f.Help = strings.TrimSpace(f.Label), strings.TrimSpace(f.Help)
		if !keyRE.MatchString(f.Key) {
			errs[p+"label"] = "This question has a broken key; remove it and add it again."
		} else if _, dup := seen[f.Key]; dup {
			errs[p+"label"] = "This question has the same key as another; remove it and add it again."
		}
		switch {
		case f.Label == "":
			errs[p+"label"] = "Write the question."
		case utf8.RuneCountInString(f.Label) > MaxLabel || !utf8.ValidString(f.Label):
			errs[p+"label"] = fmt.Sprintf("Keep the question under %d characters.", MaxLabel)
		}
		if utf8.RuneCountInString(f.Help) > MaxHelp || !utf8.ValidString(f.Help) {
			errs[p+"help"] = fmt.Sprintf("Keep the help under %d characters.", MaxHelp)
		}
		if !slices.Contains(FieldTypes, f.Type) {
			errs[p+"type"] = "Choose the kind of answer."
		}
		if f.Type.HasOptions() {
			opts := f.Options[:0:0]
			for _, o := range f.Options {
				if o = strings.TrimSpace(o); o != "" && !slices.Contains(opts, o) {
					opts = append(opts, o)
				}
			}
			f.Options = opts
			switch {
			case len(opts) < 2:
				errs[p+"options"] = "Give at least two choices, one per line."
			case len(opts) > MaxOptions:
				errs[p+"options"] = fmt.Sprintf("Give at most %d choices.", MaxOptions)
			}
			for _, o := range opts {
				if utf8.RuneCountInString(o) > MaxOption || !utf8.ValidString(o) {
					errs[p+"options"] = fmt.Sprintf("Keep each choice under %d characters.", MaxOption)
				}
			}
		} else {
			f.Options = nil
		}
		if f.ShowWhen != "" {
			if t, ok := seen[f.ShowWhen]; !ok || t != YesNo {
				errs[p+"show_when"] = "A question can depend only on an earlier yes-or-no question."
			}
		}
		seen[f.Key] = f.Type
	}
	if len(errs) > 0 {
		return apperr.InvalidFields("Check the highlighted parts of the form.", errs)
	}
	return nil
}

// Field returns the field with the key.
func (d *Definition) Field(key string) (Field, bool) {
	for _, f := range d.Fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// ParseDefinition reads a stored or imported definition (JSON) and validates
// it. Unknown members are refused, so a typo never silently drops a rule.
func ParseDefinition(data []byte) (Definition, error) {
	var d Definition
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return Definition{}, apperr.Wrap(err, apperr.Invalid, "The form definition could not be read.")
	}
	if dec.More() {
		return Definition{}, apperr.New(apperr.Invalid, "The form definition has something after its end.")
	}
	if err := d.Validate(); err != nil {
		return Definition{}, err
	}
	return d, nil
}

// Marshal is the definition as stored.
func (d Definition) Marshal() ([]byte, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("form definition: %w", err)
	}
	return b, nil
}
