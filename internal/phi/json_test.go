package phi_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/phi"
)

type sealedItem struct {
	ID    string   `json:"id"`
	Value float64  `json:"value"`
	Low   *float64 `json:"low,omitempty"`
	Tags  []string `json:"tags"`
}

type sealedRecord struct {
	Name   string            `json:"name"`
	At     time.Time         `json:"at"`
	Items  []sealedItem      `json:"items"`
	Extra  map[string]string `json:"extra,omitempty"`
	NoTag  string
	Amount int64 `json:"amount"`
}

// TestDecodeJSONAgreesWithEncodingJSON: DecodeJSON decodes what
// encoding/json wrote, and what encoding/json accepts beyond it (names in
// another case, duplicate names, invalid UTF-8, unknown members), to the
// same value as encoding/json; and fails where it fails.
func TestDecodeJSONAgreesWithEncodingJSON(t *testing.T) {
	low := 4.5
	written, err := json.Marshal(sealedRecord{Name: "Lipid <panel> & \"more\" — é \u2028", At: time.Date(2026, 12, 7, 9, 30, 0, 123456789, time.UTC),
		Items: []sealedItem{{ID: "a", Value: 187.25, Low: &low, Tags: []string{"x", ""}}, {ID: "b", Value: -0.5}}, Extra: map[string]string{"k": "v"},
		NoTag: "plain", Amount: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string]string{
		"written by encoding/json": string(written),
		"names in another case":    `{"NAME":"x","notag":"y","Items":[{"ID":"q","VALUE":1}]}`,
		"duplicate names":          `{"name":"first","name":"second"}`,
		"invalid UTF-8":            "{\"name\":\"a\xffb\"}",
		"unknown members":          `{"name":"x","later":{"a":[1,2]},"items":null}`,
		"escapes":                  `{"name":"\u00e9\n\t\"\\\/\ud83d\ude00"}`,
		"null everywhere":          `{"name":null,"at":null,"items":[null],"extra":null,"amount":null}`,
	}
	for name, in := range inputs {
		var want, got sealedRecord
		werr := json.Unmarshal([]byte(in), &want)
		gerr := phi.DecodeJSON([]byte(in), &got)
		if (werr == nil) != (gerr == nil) || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v (%v), encoding/json %+v (%v)", name, got, gerr, want, werr)
		}
	}
	for name, in := range map[string]string{
		"not JSON":        `{"name":`,
		"a wrong type":    `{"amount":"12"}`,
		"a fraction":      `{"amount":1.5}`,
		"a number string": `{"items":[{"value":"1"}]}`,
	} {
		var want, got sealedRecord
		werr := json.Unmarshal([]byte(in), &want)
		gerr := phi.DecodeJSON([]byte(in), &got)
		if werr == nil || gerr == nil {
			t.Errorf("%s: encoding/json %v, DecodeJSON %v: both should fail", name, werr, gerr)
		}
	}
}
