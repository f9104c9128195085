package server_test

import (
	"context"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// sameSeries fails unless the chart read from day summaries (Series)
// shows what the chart read from every reading (SeriesReadings) shows.
func sameSeries(t *testing.T, what string, a, b *devices.Series) {
	t.Helper()
	near := func(x, y float64) bool { return x == y }
	if a.Count() != b.Count() || a.Count() == 0 {
		t.Fatalf("%s: %d readings from summaries, %d from readings", what, a.Count(), b.Count())
	}
	if (a.Latest == nil) != (b.Latest == nil) || a.Latest != nil && (!a.Latest.At.Equal(b.Latest.At) || a.Latest.Value != b.Latest.Value || a.Latest.Flag != b.Latest.Flag || a.Latest.DeviceID != b.Latest.DeviceID) {
		t.Fatalf("%s: latest %+v, want %+v", what, a.Latest, b.Latest)
	}
	if a.Below != b.Below || a.In != b.In || a.Above != b.Above {
		t.Fatalf("%s: time in range %d/%d/%d, want %d/%d/%d", what, a.Below, a.In, a.Above, b.Below, b.In, b.Above)
	}
	if len(a.Trend) != len(b.Trend) {
		t.Fatalf("%s: %d trend points, want %d", what, len(a.Trend), len(b.Trend))
	}
	for i := range a.Trend {
		x, y := a.Trend[i], b.Trend[i]
		if !x.At.Equal(y.At) || !near(x.Value, y.Value) || !near(x.Value2, y.Value2) {
			t.Fatalf("%s: trend point %d %+v, want %+v", what, i, x, y)
		}
	}
	if len(a.Daily) != len(b.Daily) {
		t.Fatalf("%s: %d days, want %d", what, len(a.Daily), len(b.Daily))
	}
	for i := range a.Daily {
		x, y := a.Daily[i], b.Daily[i]
		if x.Day != y.Day || x.Count != y.Count || x.Min != y.Min || x.Max != y.Max || !near(x.Value, y.Value) || !near(x.Value2, y.Value2) {
			t.Fatalf("%s: day %d %+v, want %+v", what, i, x, y)
		}
	}
	if len(a.Flagged) != len(b.Flagged) {
		t.Fatalf("%s: %d flagged, want %d", what, len(a.Flagged), len(b.Flagged))
	}
	for i := range a.Flagged {
		if !a.Flagged[i].At.Equal(b.Flagged[i].At) || a.Flagged[i].Value != b.Flagged[i].Value || a.Flagged[i].Flag != b.Flagged[i].Flag {
			t.Fatalf("%s: flagged %d %+v, want %+v", what, i, a.Flagged[i], b.Flagged[i])
		}
	}
}

// TestDeviceDaySummariesShowWhatReadingsShow: the week, month and quarter
// charts read from the day summaries sealed at ingestion show the same
// trend, days, time in range, alerts and latest reading as the same charts
// computed from every reading; when a clinician changes the target range
// the summaries are dropped (the charts read those days whole and stay
// right) and the devices.summarize job seals them again against the new
// range; chunks stored before summaries (NULL) are backfilled by the same
// job. Both engines.
func TestDeviceDaySummariesShowWhatReadingsShow(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		seedDeviceReadings(t, s, patient, 40, 10)
		svc := s.Services().Devices
		ctx := asPerson(patient)
		check := func(stage string) {
			t.Helper()
			for _, ty := range []devices.Type{devices.Glucose, devices.BP} {
				for _, p := range []devices.Period{devices.Week, devices.Month, devices.Quarter} {
					a, err := svc.Series(ctx, patient.TenantID, patient.ID, ty, p)
					if err != nil {
						t.Fatal(err)
					}
					b, err := svc.SeriesReadings(ctx, patient.TenantID, patient.ID, ty, p)
					if err != nil {
						t.Fatal(err)
					}
					sameSeries(t, stage+" "+string(ty)+" "+string(p), a, b)
				}
			}
		}
		// The roll-ups (one per type) to build, and all.
		unbuilt := func() (n, all int) {
			t.Helper()
			if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()),
				`SELECT COUNT(*) - COUNT(data_ct), COUNT(*) FROM device_rollups`).Scan(&n, &all); err != nil {
				t.Fatal(err)
			}
			return n, all
		}
		rollups := func() map[string][]byte {
			t.Helper()
			out := map[string][]byte{}
			rows, err := s.Stores.PHI.Reader().QueryContext(testkit.AllTenants(context.Background()), `SELECT id, data_ct FROM device_rollups`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				var ct []byte
				if err := rows.Scan(&id, &ct); err != nil {
					t.Fatal(err)
				}
				out[id] = ct
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			return out
		}
		putRollups := func(cts map[string][]byte) {
			t.Helper()
			for id, ct := range cts {
				if _, err := s.Stores.PHI.Writer().ExecContext(testkit.AllTenants(context.Background()), `UPDATE device_rollups SET data_ct = $1 WHERE id = $2`, ct, id); err != nil {
					t.Fatal(err)
				}
			}
		}
		unsummarized := func() (n, all int) {
			t.Helper()
			if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()),
				`SELECT COUNT(*) - COUNT(summary_ct), COUNT(*) FROM device_chunks`).Scan(&n, &all); err != nil {
				t.Fatal(err)
			}
			return n, all
		}
		if n, all := unsummarized(); n != 0 || all < 50 {
			t.Fatalf("after ingestion: %d of %d chunks without a summary", n, all)
		}
		// One per type: glucose, and the monitor's blood pressure and
		// heart rate.
		if n, all := unbuilt(); n != 0 || all != 3 {
			t.Fatalf("after ingestion: %d of %d roll-ups to build", n, all)
		}
		check("sealed at ingestion")
		oldRollups := rollups()
		// The charts read the roll-up: one statement fewer than from the
		// day summaries.
		stmts := func() uint64 {
			t.Helper()
			before := s.Stores.PHI.Statements()
			if _, err := svc.Series(ctx, patient.TenantID, patient.ID, devices.Glucose, devices.Quarter); err != nil {
				t.Fatal(err)
			}
			return s.Stores.PHI.Statements() - before
		}
		withRollup := stmts()

		// The summaries as sealed against the default range, to put back
		// later (a summary counted against another range than the current
		// one: the chart must not use it).
		old := map[string][]byte{}
		func() {
			rows, err := s.Stores.PHI.Reader().QueryContext(context.Background(), `SELECT id, summary_ct FROM device_chunks`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				var ct []byte
				if err := rows.Scan(&id, &ct); err != nil {
					t.Fatal(err)
				}
				old[id] = ct
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
		}()

		// A new target range: every summary of the patient is dropped at
		// once, the charts still count time in range against the new one.
		if err := svc.SetThresholds(asPerson(doc), s.Tenant.ID, patient.ID, devices.ThresholdForm{
			devices.Glucose: {"90", "150", "60", "280"}, devices.BP: {"100", "130", "", ""}}); err != nil {
			t.Fatal(err)
		}
		if n, all := unsummarized(); n != all {
			t.Fatalf("after new thresholds: %d of %d chunks without a summary", n, all)
		}
		if n, all := unbuilt(); n != all {
			t.Fatalf("after new thresholds: %d of %d roll-ups to build", n, all)
		}
		check("range changed")
		n, err := svc.Summarize(context.Background(), 1000)
		if _, all := unsummarized(); err != nil || n != all {
			t.Fatalf("summarize: %d of %d, %v", n, all, err)
		}
		if n, _ := unsummarized(); n != 0 {
			t.Fatalf("%d chunks still without a summary", n)
		}
		check("summarized again")
		if n, err := svc.BuildRollups(context.Background(), 100); err != nil || n != 3 {
			t.Fatalf("build roll-ups: %d, %v", n, err)
		}
		if n, _ := unbuilt(); n != 0 {
			t.Fatalf("%d roll-ups still to build", n)
		}
		check("roll-ups built again")
		// A roll-up counted against the old range put back: the charts do
		// not use it and stay right.
		newRollups := rollups()
		putRollups(oldRollups)
		check("stale roll-ups")
		putRollups(newRollups)
		// Stale summaries (counted against the old range) put back: the
		// charts build from the minute-level chunks and stay right.
		for id, ct := range old {
			if _, err := s.Stores.PHI.Writer().ExecContext(context.Background(), `UPDATE device_chunks SET summary_ct = $1 WHERE id = $2`, ct, id); err != nil {
				t.Fatal(err)
			}
		}
		check("stale summaries")
		a, err := svc.Series(ctx, patient.TenantID, patient.ID, devices.Glucose, devices.Month)
		if err != nil || a.Threshold.Low != 90 || a.Below == 0 || a.Above == 0 {
			t.Fatalf("new range not counted: %+v %v", a.Threshold, err)
		}

		// Chunks from before the migration (no summary) are backfilled
		// in runs of limit; meanwhile the charts read them whole.
		if _, err := s.Stores.PHI.Writer().ExecContext(testkit.AllTenants(context.Background()), `UPDATE device_chunks SET summary_ct = NULL`); err != nil {
			t.Fatal(err)
		}
		check("before the backfill")
		total := 0
		for {
			n, err := svc.Summarize(context.Background(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			total += n
		}
		if _, all := unsummarized(); total != all {
			t.Fatalf("backfill sealed %d of %d", total, all)
		}
		check("backfilled")

		// Roll-ups to build (as the migration leaves them for readings from
		// before it) are built by the job in runs of limit, or by the next
		// batch; meanwhile the charts read the day summaries.
		if _, err := s.Stores.PHI.Writer().ExecContext(testkit.AllTenants(context.Background()), `UPDATE device_rollups SET data_ct = NULL`); err != nil {
			t.Fatal(err)
		}
		check("roll-ups to build")
		if n := stmts(); n != withRollup+1 {
			t.Fatalf("without roll-ups: %d statements, with: %d", n, withRollup)
		}
		if n, err := svc.BuildRollups(context.Background(), 1); err != nil || n != 1 {
			t.Fatalf("build roll-ups: %d, %v", n, err)
		}
		check("one roll-up built")
		seedDeviceReadings(t, s, patient, 2, 2)
		if n, _ := unbuilt(); n != 0 {
			t.Fatalf("after a batch: %d roll-ups still to build", n)
		}
		check("built by a batch")
		// A new range, then a batch: the batch builds its type's roll-up
		// against the new range.
		if err := svc.SetThresholds(asPerson(doc), s.Tenant.ID, patient.ID, devices.ThresholdForm{
			devices.Glucose: {"80", "160", "60", "280"}, devices.BP: {"100", "130", "", ""}}); err != nil {
			t.Fatal(err)
		}
		seedDeviceReadings(t, s, patient, 1, 1)
		if n, _ := unbuilt(); n != 0 {
			t.Fatalf("after a new range and a batch: %d roll-ups still to build", n)
		}
		check("new range, built by a batch")
	})
}
