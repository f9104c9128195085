package admin

import (
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// requestSSO asks to change the tenant's single sign-on: POST
// /admin/compliance/changes/sso (fields enabled yes or no, issuer,
// client_id, allowed_domains, reason). The client secret is never typed
// here: the stored one stays, and a new one is set at the console (salve
// sso set). Nothing changes until a second person approves; bad input
// shows the form again with what was typed, and nothing is recorded.
func (h *Handlers) requestSSO(w http.ResponseWriter, r *http.Request) error {
	f, err := web.FormOf(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	after := map[string]string{"enabled": "no"}
	if f.Value("enabled") == "yes" {
		var domains []string
		for d := range strings.SplitSeq(f.Value("allowed_domains"), ",") {
			if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
				domains = append(domains, d)
			}
		}
		after = map[string]string{"enabled": "yes", "issuer": strings.TrimSuffix(strings.TrimSpace(f.Value("issuer")), "/"),
			"client_id": strings.TrimSpace(f.Value("client_id")), "allowed_domains": strings.Join(domains, ",")}
	} else if f.Value("enabled") != "no" {
		after["enabled"] = f.Value("enabled")
	}
	if _, err := h.people.Changes.Request(r.Context(), t.ID, changes.KindSSO, t.ID, after, f.Value("reason")); err != nil {
		status, err := f.Fail(err)
		if err != nil {
			return err
		}
		return h.changesPage(w, r, status, f)
	}
	return h.changesPage(w, r, http.StatusOK, &web.Form{Done: "Your request is recorded; single sign-on changes when another admin or the compliance officer approves it."})
}
