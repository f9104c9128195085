package admin

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/tenant"
	"github.com/salvehealth/salve/internal/web"
)

// calendarRow is one line of the calendar as the page shows it.
type calendarRow struct {
	reviews.Item
	Title string
	// Completable: recorded here (a BAA is renewed on the vendors page).
	Completable bool
}

// completionRow is one completed review as the page lists it.
type completionRow struct {
	reviews.Completion
	Title, By string
	// FileLabel names the evidence file's type and size ("PDF, 12 KB").
	FileLabel string
}

// reviewTable is one table of the calendar: its rows, the id of its
// heading, and the form (to show a recertification's error on its row).
type reviewTable struct {
	Rows  []calendarRow
	Label string
	Form  *web.Form
}

// reviewsData is the reviews page.
type reviewsData struct {
	Form     *web.Form
	Overdue  reviewTable
	Upcoming reviewTable
	History  []completionRow
	// Kinds are the installation-wide reviews the form records.
	Kinds []calendarRow
}

// showReviewsCalendar shows what is due and overdue, the form that records
// a completed review, and the record of completions: GET
// /admin/compliance/reviews.
func (h *Handlers) showReviewsCalendar(w http.ResponseWriter, r *http.Request) error {
	f := &web.Form{Done: r.URL.Query().Get("done")}
	return h.reviewsPage(w, r, http.StatusOK, f)
}

func (h *Handlers) reviewsPage(w http.ResponseWriter, r *http.Request, status int, f *web.Form) error {
	ctx := r.Context()
	t := tenant.FromContext(ctx)
	me, _ := access.ActorFrom(ctx)
	items, err := h.people.Reviews.Calendar(ctx, t.ID)
	if err != nil {
		return err
	}
	done, err := h.people.Reviews.Completions(ctx, t.ID, 200)
	if err != nil {
		return err
	}
	data := reviewsData{Form: f, Overdue: reviewTable{Label: "overdue-h", Form: f}, Upcoming: reviewTable{Label: "upcoming-h", Form: f}}
	for _, it := range items {
		row := calendarRow{Item: it, Title: it.Kind.Title(), Completable: it.Kind != reviews.BAARenewal}
		if it.Overdue {
			data.Overdue.Rows = append(data.Overdue.Rows, row)
		} else {
			data.Upcoming.Rows = append(data.Upcoming.Rows, row)
		}
	}
	for _, k := range []reviews.Kind{reviews.RestoreDrill, reviews.RiskAssessment, reviews.ActivityReview} {
		data.Kinds = append(data.Kinds, calendarRow{Item: reviews.Item{Kind: k}, Title: k.Title()})
	}
	for _, c := range done {
		row := completionRow{Completion: c, Title: c.Kind.Title(), By: who(c.CompletedBy, c.CompletedRole, me.ID)}
		if c.FileType != "" {
			row.FileLabel = fmt.Sprintf("%s, %d KB", strings.ToUpper(c.FileType.Ext()), (c.FileSize+1023)/1024)
		}
		data.History = append(data.History, row)
	}
	return h.site.Render(w, r, h.reviewsView, status, "Scheduled reviews", data)
}
