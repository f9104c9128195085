package staff

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// entryRows is how many result rows the entry form offers (a lipid panel
// has four; most panels fit).
const entryRows = 6

// resultNewData is the form that enters a report.
type resultNewData struct {
	Form  *web.Form
	Rows  []entryRow
	Units []string
	// Today is the collection date's default.
	Today string
}

// entryRow is one result row of the form: its field name prefix and number.
type entryRow struct {
	P   string
	Num int
}

// showNewResult renders GET /staff/results/new: the form a clinician enters
// a report with.
func (h *Handlers) showNewResult(w http.ResponseWriter, r *http.Request) error {
	return h.renderNewResult(w, r, http.StatusOK, &web.Form{})
}

func (h *Handlers) renderNewResult(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	d := resultNewData{Form: f, Units: labs.Units(), Today: time.Now().UTC().Format("2006-01-02")}
	for i := range entryRows {
		d.Rows = append(d.Rows, entryRow{P: "obs." + strconv.Itoa(i) + ".", Num: i + 1})
	}
	return h.render(w, r, h.pages.resultNew, status, "Enter lab results", d)
}

// createResult enters a report: POST /staff/results. The patient is found by
// email through the blind index (never a plaintext scan); a patient the
// clinician has no care relationship with is the same clear error as an
// unknown address; bad input re-renders the form with an error per field
// and stores nothing.
func (h *Handlers) createResult(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	fail := func(err error) error {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.renderNewResult(w, r, status, f)
	}
	e := labs.Entry{Panel: f.Value("panel"), Release: f.Value("release") == "1"}
	fields := map[string]string{}
	var rows []int // the form row of each observation
	if c, err := time.Parse("2006-01-02", strings.TrimSpace(f.Value("collected"))); err == nil {
		e.CollectedAt = c.Add(12 * time.Hour)
	} else {
		fields["collected"] = "Enter the collection date."
	}
	for i := range entryRows {
		p := "obs." + strconv.Itoa(i) + "."
		if strings.TrimSpace(f.Value(p+"loinc")+f.Value(p+"name")+f.Value(p+"value")) == "" {
			continue // an empty row
		}
		o := labs.Observation{LOINC: f.Value(p + "loinc"), Name: f.Value(p + "name"), Unit: f.Value(p + "unit")}
		num := func(name string) *float64 {
			v, ok := labs.ParseNumber(f.Value(p + name))
			if !ok {
				fields[p+name] = "Enter a number, such as 5.4."
			}
			return v
		}
		if v := num("value"); v != nil {
			o.Value = *v
		} else if _, bad := fields[p+"value"]; !bad {
			fields[p+"value"] = "Enter the value."
		}
		o.Range = labs.Range{Low: num("low"), High: num("high")}
		o.Critical = labs.Range{Low: num("crit_low"), High: num("crit_high")}
		rows = append(rows, i)
		e.Observations = append(e.Observations, o)
	}
	patientID, err := h.grants.FindPatient(r.Context(), t.ID, f.Value("email"))
	if err != nil {
		fields["email"] = "No patient of yours has this address."
	}
	if len(fields) > 0 {
		return fail(labsInvalid(fields))
	}
	e.PatientID = patientID
	if _, err := h.Labs.Enter(r.Context(), t.ID, e); err != nil {
		if apperr.Is(err, apperr.Denied) || apperr.Is(err, apperr.NotFound) {
			// Why the same words as an unknown address: whether a person
			// is a patient here must not show through this form.
			return fail(labsInvalid(map[string]string{"email": "No patient of yours has this address."}))
		}
		return fail(toRows(err, rows))
	}
	done := "The report is held until you release it."
	if e.Release {
		done = "The report is released to the patient."
	}
	return h.renderResults(w, r, http.StatusOK, &web.Form{Done: done})
}

// labsInvalid is the form's error with a message per field.
func labsInvalid(fields map[string]string) error {
	return apperr.InvalidFields("Check the highlighted fields; nothing was saved.", fields)
}

// toRows renumbers the service's per-observation field errors to the form's
// rows. Why: the service numbers the observations it got, and an empty row
// in between would put a message under the wrong row.
func toRows(err error, rows []int) error {
	e := apperr.As(err)
	if e == nil || e.Fields == nil {
		return err
	}
	fields := make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		var n int
		var rest string
		if _, scanErr := fmt.Sscanf(k, "obs.%d.%s", &n, &rest); scanErr == nil && n >= 0 && n < len(rows) {
			k = "obs." + strconv.Itoa(rows[n]) + "." + rest
		}
		fields[k] = v
	}
	return &apperr.Error{Code: e.Code, Message: e.Message, Fields: fields, Err: e.Err}
}
