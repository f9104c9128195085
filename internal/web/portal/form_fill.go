package portal

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// fillData is a form to fill in.
type fillData struct {
	Form    *forms.Form
	Fields  []fieldView
	Message string
	Today   string
	// Next is "checkout" when the patient came from checkout and goes back
	// there once the form is sent.
	Next    string
	Version string
	// Action is where the form posts: /account/forms/{id}, or a landing
	// page's /pages/{slug}/form.
	Action string
	// Visitor marks a landing page's form, sent without an account.
	Visitor bool
}

// fieldView is one question as the page shows it, with what was typed.
type fieldView struct {
	forms.Field
	Name    string
	Value   string
	Options []optionView
	// Condition names the yes/no question this one depends on; When is its
	// input's name, for the script that hides the question.
	Condition, When    string
	Error              string
	SignName, SignDate string
	Assent             bool
}

type optionView struct {
	Value   string
	Checked bool
}

// nextOf is where to go after sending: only the fixed word "checkout" is
// taken from the request, so this never redirects off the site.
func nextOf(v string) string {
	if v == "checkout" {
		return "checkout"
	}
	return ""
}

// showForm renders GET /account/forms/{id}: the current version of a form the
// tenant uses (a draft is the plain 404), every question with its label,
// help and, for a conditional one, "answer only if ..." (a script hides it
// until it applies).
func (h *Forms) showForm(w http.ResponseWriter, r *http.Request) error {
	f, err := h.forms.Get(r.Context(), tenant.FromContext(r.Context()).ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if !f.Usable() {
		return apperr.NotFoundError()
	}
	return h.fillPage(w, r, http.StatusOK, f, url.Values{}, nil, "", nextOf(r.URL.Query().Get("next")))
}

func (h *Forms) fillPage(w http.ResponseWriter, r *http.Request, status int, f *forms.Form, v url.Values, errs map[string]string, msg, next string) error {
	if _, err := web.Session(r); err != nil {
		return err
	}
	d := h.fillView(f, v, errs, msg)
	d.Next, d.Action = next, "/account/forms/"+f.ID
	return h.render(w, r, h.pages.fill, status, f.Title, d)
}

// fillView is a form as its page shows it, with what was typed and each
// question's error.
func (h *Forms) fillView(f *forms.Form, v url.Values, errs map[string]string, msg string) fillData {
	d := fillData{Form: f, Message: msg, Today: h.forms.Today(), Version: strconv.Itoa(f.Version)}
	for _, fl := range f.Fields {
		name := forms.InputName(fl.Key)
		fv := fieldView{Field: fl, Name: name, Value: v.Get(name), Error: errs[name], SignName: v.Get(name + "_name"),
			SignDate: v.Get(name + "_date"), Assent: v.Get(name+"_assent") == "yes"}
		for _, o := range fl.Options {
			fv.Options = append(fv.Options, optionView{Value: o, Checked: slices.Contains(v[name], o)})
		}
		if fl.ShowWhen != "" {
			if dep, ok := f.Field(fl.ShowWhen); ok {
				fv.Condition, fv.When = dep.Label, forms.InputName(dep.Key)
			}
		}
		d.Fields = append(d.Fields, fv)
	}
	return d
}

// Described is the ids of the hints and error that describe the question's
// input, for aria-describedby.
func (f fieldView) Described() string {
	var ids []string
	if f.Condition != "" {
		ids = append(ids, f.Name+"-cond")
	}
	if f.Help != "" {
		ids = append(ids, f.Name+"-help")
	}
	if f.Error != "" {
		ids = append(ids, f.Name+"-error")
	}
	return strings.Join(ids, " ")
}
