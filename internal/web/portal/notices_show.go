package portal

import (
	"net/http"

	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// noticeView is one notice as the page shows it.
type noticeView struct {
	incidents.Notice
	Sections [][2]string
}

// showNotices renders GET /account/notices: the signed-in person's breach
// notices, newest first, each with the parts 164.404(c) requires and its
// letter as a PDF.
func (h *Notices) showNotices(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	list, err := h.incidents.Notices(r.Context(), t.ID, sess.UserID)
	if err != nil {
		return err
	}
	views := make([]noticeView, 0, len(list))
	for _, n := range list {
		views = append(views, noticeView{Notice: n, Sections: incidents.LetterSections(n.Letter)})
	}
	// Why no-store: a notice is about the person's information.
	w.Header().Set("Cache-Control", "no-store")
	return h.site.Render(w, r, h.page, http.StatusOK, "Notices about your information", views)
}
