package portal

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/salvehealth/salve/internal/accounting"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// accessLogData is a page of the access log and the disclosures.
type accessLogData struct {
	Entries     []accessRow
	Disclosures []accounting.Disclosure
	// Older is the link to the next (older) page; empty on the last.
	Older string
	// Paged is true past the first page.
	Paged bool
	// CSV is the link to the accounting of disclosures as a file.
	CSV string
	For string
}

// accessRow is one line of the log.
type accessRow struct {
	When, Who, What, Why string
	Refused              bool
}

// showAccessLog renders GET /account/access-log: who read or changed the
// person's record (or, with ?for=, the record of someone who granted them
// their access history), when and why, newest first, 50 a page (?before=
// pages back); and the disclosures to outside parties of the past six
// years, with a CSV download. Without the grant: the same 404 as a missing
// page.
func (h *Rights) showAccessLog(w http.ResponseWriter, r *http.Request) error {
	sess, err := web.Session(r)
	if err != nil {
		return err
	}
	t := tenant.FromContext(r.Context())
	patient, forID := patientOf(r, sess.UserID)
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	page, err := h.accounting.AccessLog(r.Context(), t.ID, patient, before)
	if err != nil {
		return err
	}
	d := accessLogData{For: forID, Paged: before > 0}
	q := url.Values{}
	if forID != "" {
		q.Set("for", forID)
	}
	d.CSV = "/account/access-log/disclosures.csv"
	if len(q) > 0 {
		d.CSV += "?" + q.Encode()
	}
	if page.Next > 0 {
		q.Set("before", strconv.FormatInt(page.Next, 10))
		d.Older = "/account/access-log?" + q.Encode()
	}
	for _, e := range page.Entries {
		d.Entries = append(d.Entries, accessRow{When: e.At.Format("2 Jan 2006 15:04:05 MST"), Who: e.Who, What: e.What, Why: e.Why,
			Refused: e.Refused})
	}
	if !d.Paged {
		if d.Disclosures, err = h.accounting.Disclosures(r.Context(), t.ID, patient); err != nil {
			return err
		}
	}
	return h.render(w, r, h.pages.accessLog, http.StatusOK, "Who accessed your record", d)
}
