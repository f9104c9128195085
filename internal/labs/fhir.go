package labs

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/samply/golang-fhir-models/fhir-models/fhir"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// FHIR systems Salve reads.
const (
	SystemLOINC = "http://loinc.org"
	SystemUCUM  = "http://unitsofmeasure.org"
)

// MaxBundleEntries is the most entries one imported bundle may hold.
const MaxBundleEntries = 2000

// Problem is one thing wrong with an imported bundle: where (line and column
// of the entry, from 1) and which field.
type Problem struct {
	Line, Column int
	Field        string
	Message      string
}

// String is the problem as a person reads it: "line 12:5: entry[1].resource.status: ...".
func (p Problem) String() string {
	s := "line " + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
	if p.Field != "" {
		s += ": " + p.Field
	}
	return s + ": " + p.Message
}

// BundleError is a bundle that was refused, with every problem found.
type BundleError struct{ Problems []Problem }

func (e *BundleError) Error() string {
	parts := make([]string, 0, len(e.Problems))
	for _, p := range e.Problems {
		parts = append(parts, p.String())
	}
	return "FHIR bundle refused: " + strings.Join(parts, "; ")
}

// AppError is the bundle error as the one application error: Invalid, each
// problem a field keyed by where it is.
func (e *BundleError) AppError() error {
	fields := map[string]string{}
	for _, p := range e.Problems {
		key := "line " + strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Column)
		if p.Field != "" {
			key += " " + p.Field
		}
		if old, ok := fields[key]; ok {
			fields[key] = old + " " + p.Message
		} else {
			fields[key] = p.Message
		}
	}
	return &apperr.Error{Code: apperr.Invalid, Message: "The bundle was refused and nothing was imported: " + strconv.Itoa(len(e.Problems)) + " problem(s).",
		Fields: fields, Err: e}
}

// position turns a byte offset into a line and column, from 1.
func position(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// rawEntry is one entry of the bundle with where it starts.
type rawEntry struct {
	off int64
	raw json.RawMessage
}

// ParseBundle reads a FHIR R4 Bundle of DiagnosticReport and Observation
// resources (JSON) into report entries, one per DiagnosticReport with the
// Observations its result references. Every problem is reported with its
// line, column and field; any problem refuses the whole bundle (a
// *BundleError).
func ParseBundle(data []byte) ([]Entry, error) {
	bad := &BundleError{}
	add := func(off int64, field, msg string) {
		l, c := position(data, off)
		bad.Problems = append(bad.Problems, Problem{Line: l, Column: c, Field: field, Message: msg})
	}
	entries, err := splitBundle(data, add)
	if err != nil {
		return nil, err
	}
	if len(bad.Problems) > 0 {
		return nil, bad
	}
	type obsAt struct {
		obs   Observation
		off   int64
		field string
		used  bool
	}
	observations := map[string]*obsAt{}
	type reportAt struct {
		r     fhir.DiagnosticReport
		off   int64
		field string
	}
	var reports []reportAt
	for i, e := range entries {
		field := "entry[" + strconv.Itoa(i) + "]"
		var be struct {
			FullURL  string          `json:"fullUrl"`
			Resource json.RawMessage `json:"resource"`
		}
		if err := json.Unmarshal(e.raw, &be); err != nil {
			add(e.off+jsonOffset(err), field, jsonMessage(err))
			continue
		}
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if len(be.Resource) == 0 {
			add(e.off, field+".resource", "Each entry needs a resource.")
			continue
		}
		resOff := e.off + int64(bytes.Index(e.raw, be.Resource))
		if err := json.Unmarshal(be.Resource, &head); err != nil {
			add(resOff+jsonOffset(err), field+".resource", jsonMessage(err))
			continue
		}
		keys := []string{}
		if be.FullURL != "" {
			keys = append(keys, be.FullURL)
		}
		if head.ID != "" {
			keys = append(keys, head.ResourceType+"/"+head.ID)
		}
		switch head.ResourceType {
		case "DiagnosticReport":
			r, err := fhir.UnmarshalDiagnosticReport(be.Resource)
			if err != nil {
				add(resOff+jsonOffset(err), field+".resource", jsonMessage(err))
				continue
			}
			reports = append(reports, reportAt{r: r, off: resOff, field: field + ".resource"})
		case "Observation":
			o, err := fhir.UnmarshalObservation(be.Resource)
			if err != nil {
				add(resOff+jsonOffset(err), field+".resource", jsonMessage(err))
				continue
			}
			// An observation with problems is still named, so the report
			// that references it gets no second, misleading problem.
			ob, _ := observation(o, func(f, msg string) { add(resOff, field+".resource."+f, msg) })
			if len(keys) == 0 {
				add(resOff, field+".fullUrl", "An Observation needs a fullUrl or an id, so that a DiagnosticReport can name it.")
				continue
			}
			for _, k := range keys {
				if _, dup := observations[k]; dup {
					add(resOff, field+".fullUrl", "Another entry has the same fullUrl or id.")
				}
				observations[k] = &obsAt{obs: ob, off: resOff, field: field}
			}
		case "":
			add(resOff, field+".resource.resourceType", "Each resource needs a resourceType.")
		default:
			add(resOff, field+".resource.resourceType", "Only DiagnosticReport and Observation resources are imported, not "+strconv.Quote(head.ResourceType)+".")
		}
	}
	var out []Entry
	for _, ra := range reports {
		r := ra.r
		p := func(f, msg string) { add(ra.off, ra.field+"."+f, msg) }
		var e Entry
		if !slices.Contains([]fhir.DiagnosticReportStatus{fhir.DiagnosticReportStatusFinal, fhir.DiagnosticReportStatusAmended,
			fhir.DiagnosticReportStatusCorrected}, r.Status) {
			p("status", "Only final (or amended, corrected) reports are imported.")
		}
		if r.Subject == nil || r.Subject.Reference == nil || !strings.HasPrefix(*r.Subject.Reference, "Patient/") || len(*r.Subject.Reference) == len("Patient/") {
			p("subject.reference", "Name the patient as Patient/<id>.")
		} else {
			e.PatientID = strings.TrimPrefix(*r.Subject.Reference, "Patient/")
		}
		for _, ref := range append(slices.Clone(r.ResultsInterpreter), r.Performer...) {
			if ref.Reference != nil && strings.HasPrefix(*ref.Reference, "Practitioner/") {
				e.ClinicianID = strings.TrimPrefix(*ref.Reference, "Practitioner/")
				break
			}
		}
		e.Panel = conceptName(r.Code)
		if r.EffectiveDateTime == nil {
			p("effectiveDateTime", "Give when the sample was collected.")
		} else if t, ok := parseDateTime(*r.EffectiveDateTime); ok {
			e.CollectedAt = t
		} else {
			p("effectiveDateTime", "Use a FHIR dateTime such as 2026-03-01T08:30:00Z.")
		}
		if len(r.Result) == 0 {
			p("result", "A report needs at least one Observation in result.")
		}
		for j, ref := range r.Result {
			if ref.Reference == nil {
				p("result["+strconv.Itoa(j)+"].reference", "Name an Observation of this bundle.")
				continue
			}
			oa, ok := observations[*ref.Reference]
			if !ok {
				p("result["+strconv.Itoa(j)+"].reference", "No Observation in this bundle has this fullUrl or id.")
				continue
			}
			oa.used = true
			e.Observations = append(e.Observations, oa.obs)
		}
		before := len(bad.Problems)
		fields := map[string]string{}
		e.check("", time.Now(), fields)
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			// Observations were checked where they are; here the report's own fields.
			if !strings.HasPrefix(k, "obs.") {
				p(map[string]string{"panel": "code", "collected": "effectiveDateTime", "observations": "result"}[k], fields[k])
			}
		}
		if len(bad.Problems) == before {
			out = append(out, e)
		}
	}
	seen := map[*obsAt]bool{}
	for _, oa := range observations {
		if !oa.used && !seen[oa] {
			seen[oa] = true
			add(oa.off, oa.field, "This Observation is in no DiagnosticReport's result.")
		}
	}
	if len(reports) == 0 && len(bad.Problems) == 0 {
		add(0, "entry", "The bundle holds no DiagnosticReport.")
	}
	if len(bad.Problems) > 0 {
		slices.SortStableFunc(bad.Problems, func(a, b Problem) int {
			if a.Line != b.Line {
				return a.Line - b.Line
			}
			return a.Column - b.Column
		})
		return nil, bad
	}
	return out, nil
}

// splitBundle walks the bundle's top level with the decoder's tokens, so
// that each entry's start offset is known for the line of its problems.
func splitBundle(data []byte, add func(off int64, field, msg string)) ([]rawEntry, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	fail := func(err error) ([]rawEntry, error) {
		add(jsonOffset(err)+dec.InputOffset()*boolInt(jsonOffset(err) == 0), "", jsonMessage(err))
		return nil, nil
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		add(0, "", "A FHIR bundle is a JSON object.")
		return nil, nil
	}
	var entries []rawEntry
	sawType := false
	for dec.More() {
		kt, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := kt.(string)
		at := skipSpace(data, dec.InputOffset())
		switch key {
		case "resourceType":
			var rt string
			if err := dec.Decode(&rt); err != nil {
				return fail(err)
			}
			if rt != "Bundle" {
				add(at, "resourceType", "The resourceType must be Bundle.")
			}
			sawType = true
		case "entry":
			t, err := dec.Token()
			if err != nil {
				return fail(err)
			}
			if d, ok := t.(json.Delim); !ok || d != '[' {
				add(at, "entry", "entry must be a list.")
				return nil, nil
			}
			for dec.More() {
				off := skipSpace(data, dec.InputOffset())
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return fail(err)
				}
				if len(entries) == MaxBundleEntries {
					add(off, "entry", "A bundle holds at most "+strconv.Itoa(MaxBundleEntries)+" entries.")
					return nil, nil
				}
				entries = append(entries, rawEntry{off: off, raw: raw})
			}
			if _, err := dec.Token(); err != nil {
				return fail(err)
			}
		default:
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return fail(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		add(dec.InputOffset(), "", "Nothing may follow the bundle.")
	}
	if !sawType {
		add(0, "resourceType", "The resourceType must be Bundle.")
	}
	return entries, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// skipSpace moves off past whitespace, a comma or a colon to where a value
// starts.
func skipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
		off++
	}
	return off
}

// jsonOffset is where a JSON error happened, when it says; else 0.
func jsonOffset(err error) int64 {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return se.Offset
	case errors.As(err, &te):
		return te.Offset
	}
	return 0
}

// jsonMessage is a JSON error in words.
func jsonMessage(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return "Not valid JSON: " + se.Error() + "."
	case errors.As(err, &te):
		f := te.Field
		if f == "" {
			f = "a value"
		}
		return "Wrong type: " + f + " must be " + te.Type.String() + ", not " + te.Value + "."
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "The JSON ends too soon."
	}
	return "Not valid FHIR JSON: " + err.Error() + "."
}

// observation maps a FHIR Observation to ours, reporting problems by field.
func observation(o fhir.Observation, p func(field, msg string)) (Observation, bool) {
	var out Observation
	ok := true
	reported := map[string]bool{}
	fail := func(f, msg string) { p(f, msg); ok = false; reported[f] = true }
	if !slices.Contains([]fhir.ObservationStatus{fhir.ObservationStatusFinal, fhir.ObservationStatusAmended, fhir.ObservationStatusCorrected}, o.Status) {
		fail("status", "Only final (or amended, corrected) results are imported.")
	}
	for _, c := range o.Code.Coding {
		if c.System != nil && *c.System == SystemLOINC && c.Code != nil {
			out.LOINC = *c.Code
			if c.Display != nil {
				out.Name = *c.Display
			}
			break
		}
	}
	if o.Code.Text != nil && *o.Code.Text != "" {
		out.Name = *o.Code.Text
	}
	if out.LOINC == "" {
		fail("code.coding", "Give a LOINC code (system http://loinc.org).")
	}
	if o.ValueQuantity == nil || o.ValueQuantity.Value == nil {
		fail("valueQuantity", "Give the value as a valueQuantity with a value.")
	} else {
		v, err := o.ValueQuantity.Value.Float64()
		if err != nil {
			fail("valueQuantity.value", "Enter a number.")
		}
		out.Value = v
		switch {
		case o.ValueQuantity.Code != nil && (o.ValueQuantity.System == nil || *o.ValueQuantity.System == SystemUCUM):
			out.Unit = *o.ValueQuantity.Code
		case o.ValueQuantity.Code == nil && o.ValueQuantity.Unit != nil:
			out.Unit = *o.ValueQuantity.Unit
		default:
			fail("valueQuantity.system", "The unit must be a UCUM code (system http://unitsofmeasure.org).")
		}
		if o.ValueQuantity.Comparator != nil {
			fail("valueQuantity.comparator", "Values with a comparator (< or >) are not imported.")
		}
	}
	for i, rr := range o.ReferenceRange {
		r, rok := rangeOf(rr, out.Unit, func(f, msg string) { fail("referenceRange["+strconv.Itoa(i)+"]."+f, msg) })
		if !rok {
			continue
		}
		if critical(rr) {
			out.Critical = r
		} else if out.Range.Empty() {
			out.Range = r
		}
	}
	fields := map[string]string{}
	out.check("", fields)
	names := map[string]string{"loinc": "code.coding", "name": "code.text", "unit": "valueQuantity.code", "value": "valueQuantity.value",
		"range": "referenceRange", "critical": "referenceRange"}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		// Why skip a field already reported: a missing LOINC coding is one
		// problem, not two.
		if !reported[names[k]] {
			fail(names[k], fields[k])
		}
	}
	return out, ok
}

// critical reports whether a reference range is the critical one: its type
// says "critical" (in text or as a code). Why this convention: FHIR R4 has
// no standard type for critical limits, and labs send them this way.
func critical(rr fhir.ObservationReferenceRange) bool {
	if rr.Type == nil {
		return false
	}
	if rr.Type.Text != nil && strings.EqualFold(*rr.Type.Text, "critical") {
		return true
	}
	for _, c := range rr.Type.Coding {
		if c.Code != nil && strings.EqualFold(*c.Code, "critical") {
			return true
		}
	}
	return false
}

func rangeOf(rr fhir.ObservationReferenceRange, unit string, p func(field, msg string)) (Range, bool) {
	var r Range
	ok := true
	q := func(name string, x *fhir.Quantity) *float64 {
		if x == nil || x.Value == nil {
			return nil
		}
		v, err := x.Value.Float64()
		if err != nil {
			p(name+".value", "Enter a number.")
			ok = false
			return nil
		}
		if x.Code != nil && *x.Code != unit {
			p(name+".code", "The range's unit must be the value's unit ("+unit+").")
			ok = false
		}
		return &v
	}
	r.Low, r.High = q("low", rr.Low), q("high", rr.High)
	return r, ok
}

// conceptName is a CodeableConcept's text, or its first coding's display.
func conceptName(c fhir.CodeableConcept) string {
	if c.Text != nil && *c.Text != "" {
		return *c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != nil && *cd.Display != "" {
			return *cd.Display
		}
	}
	return ""
}

// parseDateTime reads a FHIR dateTime: a full instant, or a date alone.
func parseDateTime(s string) (time.Time, bool) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// Import checks a FHIR bundle and stores its reports, all or nothing: a
// problem anywhere (JSON, a field, a patient the actor may not write for)
// stores none. New reports are held (or released after the tenant's delay).
func (s *Service) Import(ctx context.Context, tenantID string, data []byte) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.ImportFor(ctx, tenantID, data, "")
}

// ImportFor is Import with an ordering clinician for the reports whose
// bundle names none (salve labs import --clinician).
func (s *Service) ImportFor(ctx context.Context, tenantID string, data []byte, clinicianID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	entries, err := ParseBundle(data)
	if err != nil {
		var be *BundleError
		if errors.As(err, &be) {
			return nil, be.AppError()
		}
		return nil, err
	}
	for i := range entries {
		if entries[i].ClinicianID == "" {
			entries[i].ClinicianID = clinicianID
		}
	}
	return s.enter(ctx, tenantID, entries, func(i int) string { return "report[" + strconv.Itoa(i) + "]." })
}
