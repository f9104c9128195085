package forms

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// FHIR R4 export. Why hand-built structs rather than
// github.com/samply/golang-fhir-models: two resources and a dozen members
// are needed, and these few lines keep the JSON exactly as written here
// (and the dependency graph smaller) instead of pulling in the generated
// models of every FHIR resource.

// Questionnaire is a FHIR R4 Questionnaire (the members Salve fills).
type Questionnaire struct {
	ResourceType string  `json:"resourceType"`
	ID           string  `json:"id"`
	Version      string  `json:"version"`
	Status       string  `json:"status"`
	Title        string  `json:"title"`
	Description  string  `json:"description,omitempty"`
	Item         []QItem `json:"item"`
}

// QItem is a Questionnaire.item.
type QItem struct {
	LinkID       string        `json:"linkId"`
	Text         string        `json:"text"`
	Type         string        `json:"type"`
	Required     bool          `json:"required,omitempty"`
	Repeats      bool          `json:"repeats,omitempty"`
	AnswerOption []QOption     `json:"answerOption,omitempty"`
	EnableWhen   []QEnableWhen `json:"enableWhen,omitempty"`
	Item         []QItem       `json:"item,omitempty"`
}

// QOption is a Questionnaire.item.answerOption.
type QOption struct {
	ValueString string `json:"valueString"`
}

// QEnableWhen is a Questionnaire.item.enableWhen.
type QEnableWhen struct {
	Question      string `json:"question"`
	Operator      string `json:"operator"`
	AnswerBoolean bool   `json:"answerBoolean"`
}

// QuestionnaireResponse is a FHIR R4 QuestionnaireResponse.
type QuestionnaireResponse struct {
	ResourceType  string    `json:"resourceType"`
	ID            string    `json:"id"`
	Questionnaire string    `json:"questionnaire"`
	Status        string    `json:"status"`
	Subject       Reference `json:"subject"`
	Authored      string    `json:"authored"`
	Item          []RItem   `json:"item"`
}

// Reference is a FHIR Reference.
type Reference struct {
	Reference string `json:"reference"`
}

// RItem is a QuestionnaireResponse.item.
type RItem struct {
	LinkID string    `json:"linkId"`
	Text   string    `json:"text,omitempty"`
	Answer []RAnswer `json:"answer,omitempty"`
	Item   []RItem   `json:"item,omitempty"`
}

// RAnswer is a QuestionnaireResponse.item.answer: one value[x].
type RAnswer struct {
	ValueString     *string     `json:"valueString,omitempty"`
	ValueDecimal    *float64    `json:"valueDecimal,omitempty"`
	ValueDate       *string     `json:"valueDate,omitempty"`
	ValueBoolean    *bool       `json:"valueBoolean,omitempty"`
	ValueCoding     *Coding     `json:"valueCoding,omitempty"`
	ValueAttachment *Attachment `json:"valueAttachment,omitempty"`
}

// Coding is a FHIR Coding (a chosen option: its text as display).
type Coding struct {
	Display string `json:"display"`
}

// Attachment is a FHIR Attachment (the file inline, base64 by encoding/json).
type Attachment struct {
	ContentType string `json:"contentType"`
	Title       string `json:"title"`
	Data        []byte `json:"data"`
}

func fhirType(t FieldType) string {
	switch t {
	case Text:
		return "text"
	case Number:
		return "decimal"
	case Date:
		return "date"
	case Choice, Multi:
		return "choice"
	case YesNo:
		return "boolean"
	case File:
		return "attachment"
	case Signature:
		return "group"
	}
	return "display"
}

// Questionnaire returns the form's version as a FHIR Questionnaire.
func (f *Form) Questionnaire() Questionnaire {
	q := Questionnaire{ResourceType: "Questionnaire", ID: f.ID, Version: strconv.Itoa(f.Version), Status: "active", Title: f.Title,
		Description: f.Intro, Item: []QItem{}}
	for _, fl := range f.Fields {
		it := QItem{LinkID: fl.Key, Text: fl.Label, Type: fhirType(fl.Type), Required: fl.Required, Repeats: fl.Type == Multi}
		for _, o := range fl.Options {
			it.AnswerOption = append(it.AnswerOption, QOption{ValueString: o})
		}
		if fl.ShowWhen != "" {
			it.EnableWhen = []QEnableWhen{{Question: fl.ShowWhen, Operator: "=", AnswerBoolean: true}}
		}
		if fl.Type == Signature {
			it.Item = []QItem{{LinkID: fl.Key + ".name", Text: "Full name", Type: "string", Required: true},
				{LinkID: fl.Key + ".date", Text: "Date", Type: "date", Required: true},
				{LinkID: fl.Key + ".assent", Text: "I agree", Type: "boolean", Required: true}}
		}
		q.Item = append(q.Item, it)
	}
	return q
}

// QuestionnaireResponse returns an opened response as a FHIR
// QuestionnaireResponse of its form's version.
func (r *Response) QuestionnaireResponse(f *Form) (QuestionnaireResponse, error) {
	if f.ID != r.FormID || f.Version != r.FormVersion {
		return QuestionnaireResponse{}, fmt.Errorf("form %s v%d is not the one response %s answered", f.ID, f.Version, r.ID)
	}
	out := QuestionnaireResponse{ResourceType: "QuestionnaireResponse", ID: r.ID, Questionnaire: "Questionnaire/" + f.ID + "|" + strconv.Itoa(f.Version),
		Status: "completed", Subject: Reference{Reference: "Patient/" + r.PatientID}, Authored: r.SubmittedAt.UTC().Format(time.RFC3339), Item: []RItem{}}
	for _, fl := range f.Fields {
		a, ok := r.Answers[fl.Key]
		if !ok {
			continue
		}
		it := RItem{LinkID: fl.Key, Text: fl.Label}
		switch fl.Type {
		case Text:
			it.Answer = []RAnswer{{ValueString: ptr(a.Value)}}
		case Number:
			n, err := strconv.ParseFloat(a.Value, 64)
			if err != nil {
				return QuestionnaireResponse{}, fmt.Errorf("response %s: %s: %w", r.ID, fl.Key, err)
			}
			it.Answer = []RAnswer{{ValueDecimal: &n}}
		case Date:
			it.Answer = []RAnswer{{ValueDate: ptr(a.Value)}}
		case Choice:
			it.Answer = []RAnswer{{ValueCoding: &Coding{Display: a.Value}}}
		case Multi:
			for _, v := range a.Values {
				it.Answer = append(it.Answer, RAnswer{ValueCoding: &Coding{Display: v}})
			}
		case YesNo:
			it.Answer = []RAnswer{{ValueBoolean: ptr(a.Value == "yes")}}
		case File:
			it.Answer = []RAnswer{{ValueAttachment: &Attachment{ContentType: a.FileType, Title: a.FileName, Data: a.FileData}}}
		case Signature:
			it.Item = []RItem{{LinkID: fl.Key + ".name", Answer: []RAnswer{{ValueString: ptr(a.SignName)}}},
				{LinkID: fl.Key + ".date", Answer: []RAnswer{{ValueDate: ptr(a.SignDate)}}},
				{LinkID: fl.Key + ".assent", Answer: []RAnswer{{ValueBoolean: ptr(a.Assent)}}}}
		}
		out.Item = append(out.Item, it)
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

// JSON is a resource as indented JSON, for a download.
func JSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("fhir: %w", err)
	}
	return b, nil
}
