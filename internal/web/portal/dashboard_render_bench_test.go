package portal

import (
	"fmt"
	"net/http/httptest"
	"syscall"
	"testing"

	dash "github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/render"
)

// BenchmarkDashboardRender is the dashboard page's rendering alone (every
// widget, each with MaxLines lines), the part of a view that no statement
// or audit event costs: go test -run '^$' -bench DashboardRender -cpu 1
// -benchmem ./internal/web/portal
func BenchmarkDashboardRender(b *testing.B) {
	assets, err := render.NewAssets(render.StaticFS())
	if err != nil {
		b.Fatal(err)
	}
	e, err := render.New(assets, render.Options{})
	if err != nil {
		b.Fatal(err)
	}
	page, err := e.Page("portal/dashboard")
	if err != nil {
		b.Fatal(err)
	}
	var d dashboardData
	for i, w := range dash.Widgets() {
		p := dash.Panel{Widget: w, First: i == 0}
		for j := range dash.MaxLines {
			p.Summary.Lines = append(p.Summary.Lines, dash.Line{Title: fmt.Sprintf("Record %d", j), Detail: "Released 3 Dec 2026",
				Href: "/account/x/" + fmt.Sprint(j), Badge: "New", Tone: dash.ToneWarn, Action: &dash.Action{Label: "Reorder", Path: "/account/x/1/reorder"}})
		}
		p.Summary.Total = 9
		d.Panels = append(d.Panels, p)
	}
	d.Panels[len(d.Panels)-1].Last = true
	v := &render.View{Brand: render.Brand{Name: "Acme Health"}, Title: "Your dashboard", Data: d,
		Menu: []render.MenuLink{{Label: "Shop", Href: "/products"}}, Viewer: render.Viewer{SignedIn: true, Patient: true}}
	cpu0 := processCPU()
	for b.Loop() {
		rec := httptest.NewRecorder()
		if err := page.Render(rec, 200, v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// processCPU is testkit.ProcessCPU, which this package's own tests cannot
// import (testkit starts the server, which imports this package).
func processCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
