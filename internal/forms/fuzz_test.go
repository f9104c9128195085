package forms

import (
	"net/url"
	"testing"

	"github.com/salvehealth/salve/internal/apperr"
)

// FuzzParseDefinition: whatever a stored or imported definition holds, the
// parser either refuses it with an Invalid error or returns a definition
// that validates again unchanged and survives a round trip.
func FuzzParseDefinition(f *testing.F) {
	f.Add([]byte(`{"title":"Intake","class":"clinical","attach":"product","target":"p1","fields":[{"key":"a","label":"Smoker?","type":"yesno"},{"key":"b","label":"How many?","type":"number","show_when":"a"}]}`))
	f.Add([]byte(`{"title":"Consent","class":"rx","attach":"portal","fields":[{"key":"s","label":"Sign","type":"signature","required":true}]}`))
	f.Add([]byte(`{"title":"x","class":"audit","fields":[]}`))
	f.Add([]byte(`{"title":"x","class":"clinical","fields":[{"key":"c","label":"Pick","type":"choice","options":["a","a"," "]}]}`))
	f.Add([]byte(`{"title":"x","class":"clinical","fields":[{"key":"b","label":"B","type":"text","show_when":"b"}]} trailing`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDefinition(data)
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("not an Invalid error: %v", err)
			}
			return
		}
		raw, err := d.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		again, err := ParseDefinition(raw)
		if err != nil {
			t.Fatalf("a valid definition does not read back: %v\n%s", err, raw)
		}
		raw2, _ := again.Marshal()
		if string(raw) != string(raw2) {
			t.Fatalf("round trip changed it:\n%s\n%s", raw, raw2)
		}
	})
}

// FuzzFromValues: whatever the builder's post holds, reading it and applying
// its step never panics, and the result either validates or is refused with
// an Invalid error.
func FuzzFromValues(f *testing.F) {
	f.Add("title=Intake&class=clinical&attach=portal&n=2&f0_key=a&f0_label=A&f0_type=yesno&f1_key=b&f1_label=B&f1_type=text&f1_show_when=a&op=up:1")
	f.Add("n=999999&op=remove:5")
	f.Add("n=-1&op=down:0")
	f.Add("n=3&f0_type=choice&f0_options=x%0D%0Ay&op=add")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		d, op := FromValues(v)
		if len(d.Fields) > MaxBuilderFields {
			t.Fatalf("%d fields read", len(d.Fields))
		}
		d.Apply(op)
		if err := d.Validate(); err != nil && !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("not an Invalid error: %v", err)
		}
	})
}

// FuzzParseAnswers: whatever a patient posts, the answers are either refused
// with an Invalid error or hold only answers to questions of the form whose
// condition is met, within the limits.
func FuzzParseAnswers(f *testing.F) {
	d := Definition{Title: "Intake", Class: "clinical", Fields: []Field{
		{Key: "smoke", Label: "Smoker?", Type: YesNo, Required: true},
		{Key: "many", Label: "How many?", Type: Number, ShowWhen: "smoke", Required: true},
		{Key: "born", Label: "Born", Type: Date},
		{Key: "pick", Label: "Pick", Type: Choice, Options: []string{"a", "b"}},
		{Key: "multi", Label: "Any", Type: Multi, Options: []string{"x", "y"}},
		{Key: "note", Label: "Note", Type: Text},
		{Key: "sign", Label: "Sign", Type: Signature, Required: true},
	}}
	if err := d.Validate(); err != nil {
		f.Fatal(err)
	}
	f.Add("a_smoke=yes&a_many=3&a_sign_name=Pat&a_sign_date=2026-11-23&a_sign_assent=yes")
	f.Add("a_smoke=no&a_many=NaN&a_pick=c&a_multi=x&a_multi=z&a_born=2026-02-30")
	f.Add("a_note=%00&a_sign_name=%0A")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		a, err := ParseAnswers(d, v, nil, "2026-11-23")
		if err != nil {
			if !apperr.Is(err, apperr.Invalid) || a != nil {
				t.Fatalf("refusal: %v %v", a, err)
			}
			return
		}
		for k := range a {
			fl, ok := d.Field(k)
			if !ok {
				t.Fatalf("answer to no question: %q", k)
			}
			if fl.ShowWhen != "" && a[fl.ShowWhen].Value != "yes" {
				t.Fatalf("answer to %q kept though its condition is not met", k)
			}
		}
		if _, err := a.Marshal(); err != nil {
			t.Fatal(err)
		}
	})
}
