package portal

import (
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/render"
	"github.com/salvehealth/salve/internal/web"
)

// Forms are the patient's pages of digital forms (issue 18): the consents
// listed at /account/forms, filling in a form (a consent, or a product's
// intake questionnaire on the way to checkout), and the answers sent, also as
// a FHIR QuestionnaireResponse. Kept apart from Handlers so that forms keep
// to their own files; routes in routes.go (FormsRoutes).
type Forms struct {
	site  *web.Site
	forms *forms.Service
	pages struct{ list, fill, response, thanks *render.Page }
}

// NewForms returns the form pages; a missing template fails here.
func NewForms(site *web.Site, svc *forms.Service) (*Forms, error) {
	h := &Forms{site: site, forms: svc}
	if err := site.Pages(map[string]**render.Page{"portal/forms": &h.pages.list, "portal/form": &h.pages.fill,
		"portal/form_response": &h.pages.response, "portal/landing_thanks": &h.pages.thanks}); err != nil {
		return nil, err
	}
	return h, nil
}

// render shows a page. Why no-store: the pages hold a person's answers.
func (h *Forms) render(w http.ResponseWriter, r *http.Request, p *render.Page, status int, title string, data any) error {
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, p, status, title, data)
}

// readAnswers reads a form post: multipart (the page's own, which can carry
// files) or urlencoded. Files are read into memory, never spilled to disk
// (see web.ReadUpload: a patient's file must not sit there unencrypted), and
// one larger than forms.MaxFile is marked by an Upload without data and a
// name, which ParseAnswers then reports on its field.
func readAnswers(w http.ResponseWriter, r *http.Request) (url.Values, map[string]forms.Upload, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "multipart/form-data" {
		f, err := web.FormOf(r)
		if err != nil {
			return nil, nil, err
		}
		return f.Values, nil, nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, forms.MaxUploads+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
	}
	vals, files := url.Values{}, map[string]forms.Upload{}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return vals, files, nil
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, nil, apperr.New(apperr.TooLarge, "The files together are larger than 8 MB. Send smaller ones.")
		}
		if err != nil {
			return nil, nil, apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
		}
		name := part.FormName()
		if part.FileName() != "" || strings.HasPrefix(part.Header.Get("Content-Disposition"), "form-data") && part.Header.Get("Content-Type") != "" {
			data, err := io.ReadAll(io.LimitReader(part, forms.MaxFile+1))
			if err != nil {
				if errors.As(err, &mbe) {
					return nil, nil, apperr.New(apperr.TooLarge, "The files together are larger than 8 MB. Send smaller ones.")
				}
				return nil, nil, apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
			}
			if len(data) > 0 {
				files[name] = forms.Upload{Name: part.FileName(), Type: http.DetectContentType(data), Data: data}
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(part, 32<<10))
		if err != nil {
			return nil, nil, apperr.Wrap(err, apperr.Invalid, "The form could not be read. Reload the page and try again.")
		}
		vals.Add(name, string(b))
	}
}
