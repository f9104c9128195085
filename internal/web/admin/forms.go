package admin

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// FormPages are the store manager's pages of digital forms (issue 18): the
// list, and the builder (plain HTML: add, remove and move questions with
// buttons; no JavaScript needed). Kept apart from Handlers so that forms
// keep to their own files; routes in routes.go (FormPages.Routes).
type FormPages struct {
	site    *web.Site
	catalog *catalog.Service
	forms   *forms.Service
	list    *render.Page
	builder *render.Page
}

// NewFormPages returns the form pages; a missing template fails here.
func NewFormPages(site *web.Site, cat *catalog.Service, svc *forms.Service) (*FormPages, error) {
	h := &FormPages{site: site, catalog: cat, forms: svc}
	if err := site.Pages(map[string]**render.Page{"admin/forms": &h.list, "admin/form": &h.builder}); err != nil {
		return nil, err
	}
	return h, nil
}

// formRow is one form in the list.
type formRow struct {
	ID, Title, Used string
	Version         int
	Questions       int
}

// formsListData is the forms list.
type formsListData struct {
	State formState
	Rows  []formRow
}

// showForms renders GET /admin/forms: every form, where it is used, its
// current version.
func (h *FormPages) showForms(w http.ResponseWriter, r *http.Request) error {
	t := tenant.FromContext(r.Context())
	list, err := h.forms.List(r.Context(), t.ID)
	if err != nil {
		return err
	}
	names, err := h.productNames(r, t.ID)
	if err != nil {
		return err
	}
	d := formsListData{State: stateFrom(r, nil)}
	for _, f := range list {
		d.Rows = append(d.Rows, formRow{ID: f.ID, Title: f.Title, Used: usedLabel(f.Definition, names), Version: f.Version, Questions: len(f.Fields)})
	}
	return h.site.Render(w, r, h.list, http.StatusOK, "Forms", d)
}

func usedLabel(d forms.Definition, names map[string]string) string {
	switch d.Attach {
	case forms.Product:
		return "Intake questionnaire for " + names[d.Target]
	case forms.Portal:
		return "In the patient portal (a consent)"
	case forms.Page:
		return "On the landing page /pages/" + d.Target
	}
	return "Not used yet (a draft)"
}

func (h *FormPages) productNames(r *http.Request, tenantID string) (map[string]string, error) {
	ps, err := h.catalog.AllProducts(r.Context(), tenantID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(ps))
	for _, p := range ps {
		out[p.ID] = p.Name
	}
	return out, nil
}

// builderData is the form builder.
type builderData struct {
	State    formState
	ID       string
	Version  int
	Def      forms.Definition
	Fields   []builderField
	N        int
	Classes  []classOption
	Types    []forms.FieldType
	Products []productOption
	// Pages are the published landing pages (slug as ID, title as Name).
	Pages []productOption
}

// builderField is one question in the builder, with the yes/no questions
// before it that it may depend on.
type builderField struct {
	forms.Field
	// I is the question's index; Num its number as shown (I+1).
	I, Num    int
	P         string
	Options   string
	DependsOn []productOption
	Last      bool
}

type classOption struct {
	Value, Label string
}

type productOption struct {
	ID, Name string
}

// builderPage shows the builder for d (a new form when id is empty).
func (h *FormPages) builderPage(w http.ResponseWriter, r *http.Request, status int, id string, version int, d forms.Definition, err error) error {
	t := tenant.FromContext(r.Context())
	ps, perr := h.catalog.AllProducts(r.Context(), t.ID)
	if perr != nil {
		return perr
	}
	bd := builderData{State: stateFrom(r, err), ID: id, Version: version, Def: d, N: len(d.Fields), Types: forms.FieldTypes}
	for _, c := range forms.AnswerClasses {
		bd.Classes = append(bd.Classes, classOption{Value: string(c), Label: classReaders(c)})
	}
	for _, p := range ps {
		bd.Products = append(bd.Products, productOption{ID: p.ID, Name: p.Name})
	}
	pages, perr := h.catalog.Pages(r.Context(), t.ID)
	if perr != nil {
		return perr
	}
	for _, p := range pages {
		if p.Published {
			bd.Pages = append(bd.Pages, productOption{ID: p.Slug, Name: p.Title})
		}
	}
	var yesNo []productOption
	for i, f := range d.Fields {
		bf := builderField{Field: f, I: i, Num: i + 1, P: "f" + strconv.Itoa(i) + "_", DependsOn: yesNo, Last: i == len(d.Fields)-1}
		for j, o := range f.Options {
			if j > 0 {
				bf.Options += "\n"
			}
			bf.Options += o
		}
		bd.Fields = append(bd.Fields, bf)
		if f.Type == forms.YesNo {
			yesNo = append(yesNo, productOption{ID: f.Key, Name: f.Label})
		}
	}
	title := "New form"
	if id != "" {
		title = "Edit " + d.Title
	}
	return h.site.Render(w, r, h.builder, status, title, bd)
}

// classReaders says who reads answers of a class, as the builder offers it.
func classReaders(c access.DataClass) string {
	switch c {
	case access.DataClinical:
		return "Clinical: clinicians caring for the patient"
	case access.DataRx:
		return "Prescriptions: pharmacists and clinicians"
	case access.DataContact:
		return "Contact: customer service, pharmacists and clinicians"
	case access.DataOrders:
		return "Orders: customer service, pharmacists and fulfillment"
	case access.DataBilling:
		return "Billing: customer service"
	}
	return c.Label()
}
