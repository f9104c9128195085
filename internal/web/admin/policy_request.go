package admin

import (
	"net/http"
	"slices"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// policyRow is one brand policy's form on the changes page.
type policyRow struct {
	Key, Label, Help, Value string
	// Form is this policy's form after a refused request (else empty).
	Form *web.Form
}

// requestPolicy asks to change a brand policy (the ways to pay offered,
// the break-glass policy): POST /admin/compliance/changes/policy (fields
// key, value ("" to inherit again), reason). Nothing changes until a
// second person approves on the same page; bad input shows the form again
// with what was typed, and nothing is recorded.
func (h *Handlers) requestPolicy(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	key := f.Value("key")
	if !slices.Contains(tenant.PolicyKeys, key) {
		return apperr.NotFoundError()
	}
	if _, err := h.people.Changes.Request(r.Context(), t.ID, changes.KindBrandPolicy, key, map[string]string{key: f.Value("value")}, f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.changesPage(w, r, status, f)
	}
	return h.changesPage(w, r, http.StatusOK, &web.Form{Done: "Your request is recorded; the policy changes when another admin or the compliance officer approves it."})
}
