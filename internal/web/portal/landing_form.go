package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// Landing-page forms (issue 18 point 1): the contact or sign-up form a
// store manager put on a landing page, sent by anyone, signed in or not.
// The pages are served here, by the process that holds the PHI store, and
// not by the shop's landing page itself: a storefront process holds no
// keys and so can take no answers; the landing page links here.

// showLandingForm renders GET /pages/{slug}/form: the form on a landing
// page; a page without one (or no such page) is the plain 404.
func (h *Forms) showLandingForm(w http.ResponseWriter, r *http.Request) error {
	f, err := h.landingForm(r)
	if err != nil {
		return err
	}
	return h.landingPage(w, r, http.StatusOK, f, url.Values{}, nil, "")
}

// submitLandingForm sends a visitor's answers: POST /pages/{slug}/form.
// Bad answers show the form again with each question's error and what was
// typed, and store nothing; a sender over the throttle is told when to try
// again (429), with what they typed kept on the page; after sending, the
// thank-you page. CSRF: the router refuses cross-site posts
// (httpx.CSRF), and the form needs no token, so it works without
// JavaScript.
func (h *Forms) submitLandingForm(w http.ResponseWriter, r *http.Request) error {
	f, err := h.landingForm(r)
	if err != nil {
		return err
	}
	vals, files, err := readAnswers(w, r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(vals.Get("version"))
	slug := r.PathValue("slug")
	if _, err := h.forms.SubmitVisitor(r.Context(), tenant.FromContext(r.Context()).ID, slug, version, vals, files); err != nil {
		e := apperr.As(err)
		if e == nil {
			return err
		}
		status := map[apperr.Code]int{apperr.Invalid: http.StatusUnprocessableEntity, apperr.Conflict: http.StatusConflict,
			apperr.RateLimited: http.StatusTooManyRequests}[e.Code]
		if status == 0 {
			return err
		}
		return h.landingPage(w, r, status, f, vals, e.Fields, e.Message)
	}
	// Why this redirect is not open: the slug passed catalog.ValidSlug in
	// landingForm (lower-case letters, digits and hyphens only) and the path
	// starts with "/pages/", so it stays on this site.
	http.Redirect(w, r, "/pages/"+slug+"/thanks", http.StatusSeeOther) //nolint:gosec // G710: see above
	return nil
}

// showLandingThanks renders GET /pages/{slug}/thanks: the thank-you page
// after sending a landing page's form.
func (h *Forms) showLandingThanks(w http.ResponseWriter, r *http.Request) error {
	f, err := h.landingForm(r)
	if err != nil {
		return err
	}
	return h.render(w, r, h.pages.thanks, http.StatusOK, "Thank you", struct {
		Form *forms.Form
		Slug string
	}{f, r.PathValue("slug")})
}

func (h *Forms) landingForm(r *http.Request) (*forms.Form, error) {
	slug := r.PathValue("slug")
	if !catalog.ValidSlug(slug) {
		return nil, apperr.NotFoundError()
	}
	return h.forms.OnPage(r.Context(), tenant.FromContext(r.Context()).ID, slug)
}

func (h *Forms) landingPage(w http.ResponseWriter, r *http.Request, status int, f *forms.Form, v url.Values, errs map[string]string, msg string) error {
	d := h.fillView(f, v, errs, msg)
	d.Action, d.Visitor = "/pages/"+r.PathValue("slug")+"/form", true
	return h.render(w, r, h.pages.fill, status, f.Title, d)
}

// LandingRoutes registers the landing-page form pages: public, since
// visitors without an account send them. Why a body limit of its own: a
// form may carry files (forms.MaxUploads in all).
func (h *Forms) LandingRoutes(rt *httpx.Router) {
	rt.Handle(access.Public, "GET /pages/{slug}/form", h.showLandingForm)
	rt.Handle(access.Public, "POST /pages/{slug}/form", h.submitLandingForm, httpx.MaxBody(forms.MaxUploads+64<<10))
	rt.Handle(access.Public, "GET /pages/{slug}/thanks", h.showLandingThanks)
}
