package server_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/cli"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestDevicesInABrowser is issue 17's journey in Chromium: the patient signs
// in, registers a glucose meter on /account/devices and reads the pairing
// code; the device's app pairs with it (POST /api/v1/devices/pair) and
// `salve devices simulate` posts a week of readings through the device API;
// the readings arrive on the dashboard's widget and on the chart page in all
// four forms (latest value, trend line, daily bars, time in range), each
// chart drawn by Chart.js from its table. Every page passes axe-core; any
// request leaving the origin fails the test.
func TestDevicesInABrowser(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	b := testkit.NewBrowser(t, s.URL)
	b.Run(chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible("#f-email", chromedp.ByQuery),
		chromedp.SendKeys("#f-email", patient.Email, chromedp.ByQuery), chromedp.SendKeys("#f-password", patient.Password, chromedp.ByQuery),
		chromedp.Click(`main button[type=submit]`, chromedp.ByQuery), chromedp.WaitNotPresent("#f-password", chromedp.ByQuery))

	// Register: the empty state first, then the code.
	var code string
	b.Run(chromedp.Navigate(s.URL+"/account/devices"), chromedp.WaitVisible("#f-model", chromedp.ByQuery))
	b.Axe()
	b.Run(chromedp.SetValue("#f-kind", "glucose_meter", chromedp.ByQuery), chromedp.SendKeys("#f-model", "Contour Next One", chromedp.ByQuery),
		chromedp.Click(`form[action="/account/devices"] button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible("#pair-code", chromedp.ByQuery), chromedp.Text("#pair-code", &code, chromedp.ByQuery))
	b.Axe()

	// The device's app pairs; the simulator posts a week through the API.
	p := pairDevice(t, s, code)
	var out, errs bytes.Buffer
	env := &cli.Env{Stdout: &out, Stderr: &errs, Getenv: func(string) string { return "" }, ReadFile: os.ReadFile, Clock: s.Clock}
	if rc := cli.Main(context.Background(), []string{"devices", "simulate", "--token", p.Token, "--kind", "glucose", "--days", "7", "--url", s.URL}, env); rc != 0 {
		t.Fatalf("simulate: exit %d: %s %s", rc, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "672 readings stored") {
		t.Fatalf("simulate: %s", out.String())
	}

	// The widget on the dashboard.
	var widget string
	b.Run(chromedp.Navigate(s.URL+"/account"), chromedp.WaitVisible(`[data-widget="devices"]`, chromedp.ByQuery),
		chromedp.Text(`[data-widget="devices"]`, &widget, chromedp.ByQuery))
	if !strings.Contains(widget, "Blood glucose") || !strings.Contains(widget, "mg/dL") {
		t.Fatalf("the widget shows %q", widget)
	}
	b.Axe()

	// The chart page: the number, and three charts drawn from their tables.
	for _, period := range []string{"week", "day", "quarter"} {
		var latest string
		var drawn []string
		b.Run(chromedp.Navigate(s.URL+"/account/devices/readings/glucose?period="+period),
			chromedp.WaitVisible("#latest-value", chromedp.ByQuery), chromedp.Text("#latest-value", &latest, chromedp.ByQuery),
			chromedp.Poll(`document.querySelectorAll("canvas[data-drawn='1']").length === 3`, nil),
			chromedp.Evaluate(`Array.from(document.querySelectorAll("canvas")).filter(c => c.width > 0 && window.Chart && Chart.getChart(c)).map(c => c.id + ":" + Chart.getChart(c).config.type)`, &drawn))
		if latest == "" || len(drawn) != 3 || !strings.Contains(strings.Join(drawn, " "), "dev-tir-chart:doughnut") ||
			!strings.Contains(strings.Join(drawn, " "), "dev-daily-chart:bar") || !strings.Contains(strings.Join(drawn, " "), "dev-trend-chart:line") {
			t.Fatalf("%s: latest %q, charts %v", period, latest, drawn)
		}
		// The day has its readings' table; longer periods draw the trend
		// from the canvas's points (the daily table is their alternative).
		tables := []string{"#dev-daily tbody tr", "#dev-tir tbody tr"}
		if period == "day" {
			tables = append(tables, "#dev-trend tbody tr")
		}
		for _, table := range tables {
			if len(b.Nodes(table)) == 0 {
				t.Fatalf("%s: the table %s is empty", period, table)
			}
		}
		var points int
		b.Run(chromedp.Evaluate(`Chart.getChart(document.getElementById("dev-trend-chart")).data.labels.length`, &points))
		if points == 0 {
			t.Fatalf("%s: the trend line has no points", period)
		}
		b.Axe()
	}
}
