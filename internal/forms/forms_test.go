package forms_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	. "github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/testkit"
)

func intake() Definition {
	return Definition{Title: "Intake", Class: access.DataClinical, Attach: Product, Target: "p1", Fields: []Field{
		{Key: "smoke", Label: "Do you smoke?", Type: YesNo, Required: true},
		{Key: "many", Label: "How many a day?", Type: Number, Required: true, ShowWhen: "smoke"},
		{Key: "born", Label: "Date of birth", Type: Date},
		{Key: "goal", Label: "Goal", Type: Choice, Options: []string{"Lose", "Keep"}},
		{Key: "cond", Label: "Conditions", Type: Multi, Options: []string{"Asthma", "Diabetes"}},
		{Key: "scan", Label: "Last lab report", Type: File},
		{Key: "sign", Label: "Signature", Type: Signature, Required: true},
	}}
}

// TestValidateRefusesBrokenDefinitions: every rule of a definition reports
// on its own builder field.
func TestValidateRefusesBrokenDefinitions(t *testing.T) {
	for name, c := range map[string]struct {
		change func(*Definition)
		field  string
	}{
		"no title":             {func(d *Definition) { d.Title = " " }, "title"},
		"audit class":          {func(d *Definition) { d.Class = access.DataAuditMeta }, "class"},
		"product without one":  {func(d *Definition) { d.Target = "" }, "target"},
		"unknown attach":       {func(d *Definition) { d.Attach = "landing" }, "attach"},
		"no questions":         {func(d *Definition) { d.Fields = nil }, "fields"},
		"one choice":           {func(d *Definition) { d.Fields[3].Options = []string{"Lose", "Lose "} }, "f3_options"},
		"unknown type":         {func(d *Definition) { d.Fields[0].Type = "slider" }, "f0_type"},
		"duplicate key":        {func(d *Definition) { d.Fields[2].Key = "smoke" }, "f2_label"},
		"condition on a text":  {func(d *Definition) { d.Fields[1].ShowWhen = "born" }, "f1_show_when"},
		"condition on a later": {func(d *Definition) { d.Fields[0].ShowWhen = "many" }, "f0_show_when"},
	} {
		d := intake()
		c.change(&d)
		err := d.Validate()
		e := apperr.As(err)
		if e == nil || e.Code != apperr.Invalid || e.Fields[c.field] == "" {
			t.Errorf("%s: %v (fields %v), want an error on %s", name, err, e, c.field)
		}
	}
	d := intake()
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
}

// TestBuilderSteps: add, remove and move questions through the builder's
// post; a condition that would point to a later or removed question is
// dropped.
func TestBuilderSteps(t *testing.T) {
	v := url.Values{"title": {"T"}, "class": {"clinical"}, "attach": {"portal"}, "n": {"2"},
		"f0_key": {"a"}, "f0_label": {"A?"}, "f0_type": {"yesno"},
		"f1_key": {"b"}, "f1_label": {"B"}, "f1_type": {"choice"}, "f1_options": {"x\r\ny\r\n\r\n"}, "f1_show_when": {"a"}, "op": {"up:1"}}
	d, op := FromValues(v)
	if op != (Op{Kind: "up", Index: 1}) || len(d.Fields[1].Options) != 2 {
		t.Fatalf("read: %+v %+v", op, d.Fields)
	}
	d.Apply(op)
	if d.Fields[0].Key != "b" || d.Fields[0].ShowWhen != "" {
		t.Errorf("moved above its condition but kept it: %+v", d.Fields[0])
	}
	d.Apply(Op{Kind: "add"})
	if len(d.Fields) != 3 || !strings.HasPrefix(d.Fields[2].Key, "q") {
		t.Errorf("add: %+v", d.Fields)
	}
	d.Apply(Op{Kind: "remove", Index: 1})
	if len(d.Fields) != 2 || d.Fields[1].Key == "a" {
		t.Errorf("remove: %+v", d.Fields)
	}
	if _, op := FromValues(url.Values{"n": {"1"}, "op": {"remove:7"}}); op.Kind != "" {
		t.Errorf("a step on no question: %+v", op)
	}
}

// TestParseAnswers: conditions, types, required questions and signatures.
func TestParseAnswers(t *testing.T) {
	d := intake()
	today := "2026-11-23"
	ok := url.Values{"a_smoke": {"no"}, "a_many": {"20"}, "a_goal": {"Keep"}, "a_cond": {"Asthma", "Asthma", "Diabetes"},
		"a_sign_name": {"Pat Doe"}, "a_sign_date": {today}, "a_sign_assent": {"yes"}}
	a, err := ParseAnswers(d, ok, map[string]Upload{"a_scan": {Name: "lab.pdf", Type: "application/pdf", Data: []byte("%PDF-1.4")}}, today)
	if err != nil {
		t.Fatal(err)
	}
	if _, kept := a["many"]; kept {
		t.Error("a question whose condition is not met was kept")
	}
	if len(a["cond"].Values) != 2 || a["scan"].FileName != "lab.pdf" || !a["sign"].Assent {
		t.Errorf("answers: %+v", a)
	}
	bad := url.Values{"a_smoke": {"yes"}, "a_many": {"lots"}, "a_born": {"23/11/1980"}, "a_goal": {"Gain"}, "a_cond": {"Gout"},
		"a_sign_name": {"Pat Doe"}, "a_sign_date": {today}}
	_, err = ParseAnswers(d, bad, map[string]Upload{"a_scan": {Data: make([]byte, MaxFile+1)}}, today)
	e := apperr.As(err)
	if e == nil || e.Code != apperr.Invalid {
		t.Fatalf("bad answers: %v", err)
	}
	for _, in := range []string{"a_many", "a_born", "a_goal", "a_cond", "a_scan", "a_sign"} {
		if e.Fields[in] == "" {
			t.Errorf("no error on %s: %v", in, e.Fields)
		}
	}
	if _, err := ParseAnswers(d, url.Values{"a_smoke": {"yes"}}, nil, today); apperr.As(err).Fields["a_many"] != "Answer this question." {
		t.Errorf("a required question asked after a yes: %v", err)
	}
}

// TestFHIRExportIsValid: a form and an answer export as FHIR R4 that the
// official schema accepts.
func TestFHIRExportIsValid(t *testing.T) {
	f := &Form{ID: "f1", Version: 3, Definition: intake()}
	today := "2026-11-23"
	a, err := ParseAnswers(f.Definition, url.Values{"a_smoke": {"yes"}, "a_many": {"4.5"}, "a_born": {"1980-04-23"}, "a_goal": {"Lose"},
		"a_cond": {"Asthma"}, "a_sign_name": {"Pat Doe"}, "a_sign_date": {today}, "a_sign_assent": {"yes"}},
		map[string]Upload{"a_scan": {Name: "lab.pdf", Type: "application/pdf", Data: []byte("%PDF-1.4")}}, today)
	if err != nil {
		t.Fatal(err)
	}
	r := &Response{ID: "r1", PatientID: "p1", FormID: "f1", FormVersion: 3, SubmittedAt: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Answers: a}
	qr, err := r.QuestionnaireResponse(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := JSON(map[string]any{"resourceType": "Bundle", "type": "collection", "entry": []map[string]any{
		{"resource": f.Questionnaire()}, {"resource": qr}}})
	if err != nil {
		t.Fatal(err)
	}
	testkit.ValidateFHIR(t, b)
	for _, want := range []string{`"questionnaire": "Questionnaire/f1|3"`, `"valueDecimal": 4.5`, `"answerBoolean": true`, `"type": "attachment"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("export lacks %s", want)
		}
	}
	if _, err := r.QuestionnaireResponse(&Form{ID: "f1", Version: 2, Definition: intake()}); err == nil {
		t.Error("an answer exported against another version")
	}
}
