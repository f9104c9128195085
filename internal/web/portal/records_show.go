package portal

import (
	"net/http"
	"strconv"

	"github.com/salvehealth/salve/internal/records"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// recordsData is the copies of a record the signed-in person asked for.
type recordsData struct {
	Exports []exportRow
	// Working is true while one is waiting or being prepared: the page
	// then refreshes itself.
	Working bool
	// For is the patient acted for (a proxy's view); empty for one's own.
	For  string
	Done string
}

// exportRow is one copy as the page shows it.
type exportRow struct {
	ID, Status, Asked, Expires, Size string
	Progress                         int
	Ready, Failed, Working           bool
}

// refreshSeconds is how often the page reloads while a copy is prepared.
const refreshSeconds = "3"

// showRecords renders GET /account/records: the person's copies of their
// record (or, with ?for=, of someone who granted them access), with the
// progress of one being prepared and the button to ask for a new one.
//
// Why a Refresh header and not a script: the page works without
// JavaScript (and the CSP allows no inline script); the browser reloads
// it every few seconds until the copy is ready.
func (h *Rights) showRecords(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	patient, forID := patientOf(r, sess.UserID)
	list, err := h.records.List(r.Context(), tenant.FromContext(r.Context()).ID, patient)
	if err != nil {
		return err
	}
	d := recordsData{For: forID}
	if r.URL.Query().Get("done") == "asked" {
		d.Done = "We are preparing your copy. This page updates by itself; it usually takes under a minute."
	}
	now := h.records.Now()
	for _, e := range list {
		row := exportRow{ID: e.ID, Status: e.Status.Label(), Asked: e.CreatedAt.Format("2 Jan 2006 15:04 MST"), Progress: e.Progress,
			Ready: e.Status == records.Ready && now.Before(e.ExpiresAt), Failed: e.Status == records.Failed,
			Working: e.Status == records.Pending || e.Status == records.Building}
		if row.Ready {
			row.Expires = e.ExpiresAt.Format("2 Jan 2006 15:04 MST")
			row.Size = sizeText(e.Size)
		}
		d.Working = d.Working || row.Working
		d.Exports = append(d.Exports, row)
	}
	if d.Working {
		w.Header().Set("Refresh", refreshSeconds)
	}
	return h.render(w, r, h.pages.records, http.StatusOK, "A copy of your record", d)
}

// sizeText is a file size as a person reads it.
func sizeText(n int64) string {
	switch {
	case n >= 1<<20:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
