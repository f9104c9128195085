package portal

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"testing"

	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/render"
)

// dashboardViews are dashboards of every shape the page has: full widgets
// with lines, actions, meters and notes (text that needs escaping
// included), one acting for someone, one with every widget hidden, one
// with nothing at all; with and without people to switch to.
func dashboardViews() []*render.View {
	full := func() dash.Dashboard {
		var d dash.Dashboard
		for i, w := range dash.Widgets() {
			p := dash.Panel{Widget: w, First: i == 0}
			switch i % 4 {
			case 0:
				p.Summary.Note = "2 <new>"
				p.Summary.Meter = &dash.Meter{Percent: 40 + i, Label: "Used & \"left\""}
			case 1:
				// No lines: the empty text and its next link.
			default:
				for j := range dash.MaxLines {
					l := dash.Line{Title: fmt.Sprintf("Record %d <%d>", j, i), Detail: "Released 3 Dec 2026 & 'later'",
						Href: fmt.Sprintf("/account/x/%d", j), Badge: "New", Tone: dash.ToneWarn}
					if j%2 == 0 {
						l.Action = &dash.Action{Label: "Reorder", Path: fmt.Sprintf("/account/x/%d/reorder", j)}
						l.Href, l.Tone = "", ""
					}
					p.Summary.Lines = append(p.Summary.Lines, l)
				}
				p.Summary.Total = 9
			}
			d.Panels = append(d.Panels, p)
		}
		d.Panels[len(d.Panels)-1].Last = true
		return d
	}
	people := []personLink{{ID: "p1", Email: "pat@example.com"}, {ID: "p2", Email: "o'neil+<x>@example.com"}}
	hidden := full()
	hidden.Hidden = []dash.Widget{hidden.Panels[0].Widget, hidden.Panels[1].Widget}
	hidden.Panels = hidden.Panels[2:]
	allHidden := dash.Dashboard{Hidden: dash.Widgets(), Arranged: true}
	arranged := full()
	arranged.Arranged = true
	data := []dashboardData{
		{Dashboard: full()},
		{Dashboard: arranged, People: people},
		{Dashboard: hidden},
		{Dashboard: full(), ForID: "p1", ForEmail: "pat@example.com", People: people[1:]},
		{Dashboard: dash.Dashboard{}, ForID: "p1", ForEmail: "pat & co <x>@example.com"},
		{Dashboard: allHidden},
		{},
	}
	views := make([]*render.View, 0, len(data))
	for _, d := range data {
		views = append(views, &render.View{Brand: render.Brand{Name: "Acme <Health>"}, Title: "Your dashboard", Data: d,
			Menu: []render.MenuLink{{Label: "Shop", Href: "/products"}}, Viewer: render.Viewer{SignedIn: true, Patient: true}})
	}
	return views
}

// TestDashboardPageSplitAsWhole: the dashboard is a split page (its widget
// list written straight into the response, render.HTMLWriter); rendered so
// (Render, with the pre-rendered layout, twice: a kept layout) it has the
// same bytes as the whole page through html/template (Execute), for every
// shape of dashboard.
func TestDashboardPageSplitAsWhole(t *testing.T) {
	assets, err := render.NewAssets(render.StaticFS())
	if err != nil {
		t.Fatal(err)
	}
	e, err := render.New(assets, render.Options{})
	if err != nil {
		t.Fatal(err)
	}
	page, err := e.Page("portal/dashboard")
	if err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		for i, v := range dashboardViews() {
			want, err := page.Execute(v)
			if err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			if err := page.Render(rec, 200, v); err != nil {
				t.Fatal(err)
			}
			if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
				t.Fatalf("view %d round %d: the split page differs:\n%s\n---- want\n%s", i, round, got, want)
			}
			if d := v.Data.(dashboardData); len(d.Panels) > 0 && !bytes.Contains(want, []byte(`<ol class="widgets"`)) {
				t.Fatalf("view %d: no widget list", i)
			}
		}
	}
}
