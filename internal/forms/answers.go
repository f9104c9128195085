package forms

import (
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/apperr"
)

// Answer is the answer to one question. Which members are set depends on the
// field's type: Value (text, number, date, choice, yes/no: "yes" or "no"),
// Values (several choices), the file's name, type and content, or the
// signature's typed name, date and assent.
type Answer struct {
	Value    string   `json:"value,omitempty"`
	Values   []string `json:"values,omitempty"`
	FileName string   `json:"file_name,omitempty"`
	FileType string   `json:"file_type,omitempty"`
	FileData []byte   `json:"file_data,omitempty"`
	SignName string   `json:"sign_name,omitempty"`
	SignDate string   `json:"sign_date,omitempty"`
	Assent   bool     `json:"assent,omitempty"`
}

// Empty reports whether nothing was answered.
func (a Answer) Empty() bool {
	return a.Value == "" && len(a.Values) == 0 && len(a.FileData) == 0 && a.SignName == ""
}

// Answers are a response's answers by field key: the sealed plaintext.
type Answers map[string]Answer

// Upload is a file sent for a file question.
type Upload struct {
	Name, Type string
	Data       []byte
}

// Limits of answers.
const (
	MaxText = 5000
	// MaxFile is the largest file a file question takes; MaxUploads is the
	// most a whole form post may carry (the route's body limit).
	MaxFile    = 4 << 20
	MaxUploads = 8 << 20
	MaxName    = 120
)

// InputName is the name of a field's input in the patient's form.
func InputName(key string) string { return "a_" + key }

// ParseAnswers reads a patient's answers to a definition from the posted
// values and files, with today's date (YYYY-MM-DD) for signatures. A question
// whose condition is not met ("answer only if ... is yes") is dropped whatever
// was sent for it. Any problem is an Invalid error with one message per input
// (named as InputName), and no answers.
func ParseAnswers(d Definition, v url.Values, files map[string]Upload, today string) (Answers, error) {
	out := Answers{}
	errs := map[string]string{}
	for _, f := range d.Fields {
		if f.ShowWhen != "" && out[f.ShowWhen].Value != "yes" {
			continue
		}
		name := InputName(f.Key)
		a, msg := parseOne(f, v, files[name], today)
		if msg == "" && f.Required && a.Empty() {
			msg = "Answer this question."
			if f.Type == Signature {
				msg = "Type your full name to sign."
			}
		}
		if msg != "" {
			errs[name] = msg
			continue
		}
		if !a.Empty() {
			out[f.Key] = a
		}
	}
	if len(errs) > 0 {
		return nil, apperr.InvalidFields("Check the highlighted answers; nothing was sent yet.", errs)
	}
	return out, nil
}

func parseOne(f Field, v url.Values, up Upload, today string) (Answer, string) {
	name := InputName(f.Key)
	val := strings.TrimSpace(v.Get(name))
	if !utf8.ValidString(val) || strings.ContainsRune(val, 0) {
		return Answer{}, "This answer has characters that cannot be stored."
	}
	switch f.Type {
	case Text:
		if utf8.RuneCountInString(val) > MaxText {
			return Answer{}, fmt.Sprintf("Keep this under %d characters.", MaxText)
		}
		return Answer{Value: val}, ""
	case Number:
		if val == "" {
			return Answer{}, ""
		}
		n, err := strconv.ParseFloat(val, 64)
		if err != nil || len(val) > 40 || n != n { //nolint:gocritic // n != n is NaN
			return Answer{}, "Enter a number, such as 72 or 1.5."
		}
		return Answer{Value: val}, ""
	case Date:
		if val == "" {
			return Answer{}, ""
		}
		if _, err := time.Parse(time.DateOnly, val); err != nil {
			return Answer{}, "Enter a date such as 1980-04-23."
		}
		return Answer{Value: val}, ""
	case Choice:
		if val != "" && !slices.Contains(f.Options, val) {
			return Answer{}, "Choose one of the options."
		}
		return Answer{Value: val}, ""
	case YesNo:
		if val != "" && val != "yes" && val != "no" {
			return Answer{}, "Choose yes or no."
		}
		return Answer{Value: val}, ""
	case Multi:
		var vals []string
		for _, s := range v[name] {
			if !slices.Contains(f.Options, s) {
				return Answer{}, "Choose among the options."
			}
			if !slices.Contains(vals, s) {
				vals = append(vals, s)
			}
		}
		return Answer{Values: vals}, ""
	case File:
		if len(up.Data) == 0 {
			return Answer{}, ""
		}
		if len(up.Data) > MaxFile {
			return Answer{}, fmt.Sprintf("The file is larger than %d MB.", MaxFile>>20)
		}
		fn := strings.TrimSpace(up.Name)
		if fn == "" || utf8.RuneCountInString(fn) > 200 || !utf8.ValidString(fn) || strings.ContainsAny(fn, "/\\\x00\r\n") {
			fn = "upload"
		}
		ct := up.Type
		if ct == "" || len(ct) > 100 || !utf8.ValidString(ct) {
			ct = "application/octet-stream"
		}
		return Answer{FileName: fn, FileType: ct, FileData: up.Data}, ""
	case Signature:
		sn := strings.TrimSpace(v.Get(name + "_name"))
		sd := strings.TrimSpace(v.Get(name + "_date"))
		assent := v.Get(name+"_assent") == "yes"
		if sn == "" && sd == "" && !assent {
			return Answer{}, ""
		}
		switch {
		case sn == "" || !utf8.ValidString(sn):
			return Answer{}, "Type your full name to sign."
		case utf8.RuneCountInString(sn) > MaxName || strings.ContainsAny(sn, "\r\n\x00"):
			return Answer{}, "The name is too long."
		case sd != today:
			return Answer{}, "Enter today's date, " + today + ", beside your name."
		case !assent:
			return Answer{}, "Tick the box to say you agree; without it nothing is signed."
		}
		return Answer{SignName: sn, SignDate: sd, Assent: true}, ""
	}
	return Answer{}, "This question cannot be answered."
}

// Marshal is the answers as sealed.
func (a Answers) Marshal() ([]byte, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("form answers: %w", err)
	}
	return b, nil
}

// UnmarshalAnswers reads opened answers.
func UnmarshalAnswers(b []byte) (Answers, error) {
	var a Answers
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("form answers: %w", err)
	}
	return a, nil
}

// Text is an answer in words, for a page: choices joined, yes or no, a
// file's name and size, a signature's name and date.
func (a Answer) Text(f Field) string {
	switch f.Type {
	case Multi:
		return strings.Join(a.Values, ", ")
	case YesNo:
		if a.Value == "yes" {
			return "Yes"
		}
		return "No"
	case File:
		return a.FileName + " (" + strconv.Itoa(len(a.FileData)/1024+1) + " KB)"
	case Signature:
		return "Signed by " + a.SignName + " on " + a.SignDate
	}
	return a.Value
}

// Line is a question with its answer in words.
type Line struct{ Label, Answer string }

// Lines are a response's questions with their answers in words, in the
// order of the version it answered ("Not answered" where none was given).
func (a *Answered) Lines() []Line {
	out := make([]Line, 0, len(a.Form.Fields))
	for _, f := range a.Form.Fields {
		text := "Not answered"
		if ans, ok := a.Answers[f.Key]; ok {
			text = ans.Text(f)
		}
		out = append(out, Line{Label: f.Label, Answer: text})
	}
	return out
}
