package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// asPerson is a context acting as a test person.
func asPerson(p testkit.Person) context.Context {
	return access.WithActor(context.Background(), access.Actor{ID: p.ID, Role: p.Role, TenantID: p.TenantID})
}

// registerDevice registers a device of a kind for a patient, as the patient
// does on /account/devices, and returns it with its pairing code.
func registerDevice(t testing.TB, s *testkit.Server, patient testkit.Person, kind devices.Kind) (*devices.Device, string) {
	t.Helper()
	d, code, err := s.Services().Devices.Register(asPerson(patient), patient.TenantID, patient.ID, devices.Registration{Kind: kind, Model: "Test meter 2"})
	if err != nil {
		t.Fatal(err)
	}
	return d, code
}

// deviceCall posts a JSON body to a device route, with a bearer token when
// one is given.
func deviceCall(t testing.TB, s *testkit.Server, path, token, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return testkit.Do(t, s.Client(), req)
}

// pairDevice exchanges a pairing code for a token through the API.
func pairDevice(t testing.TB, s *testkit.Server, code string) devices.Paired {
	t.Helper()
	r, body := deviceCall(t, s, "/api/v1/devices/pair", "", fmt.Sprintf(`{"code": %q}`, devices.FormatCode(code)))
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("pair: %d %s", r.StatusCode, body)
	}
	var p devices.Paired
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// glucoseBatch is a JSON batch of n glucose readings a minute apart, ending
// at end, with sequence numbers from seq.
func glucoseBatch(batchID string, n int, end time.Time, seq int64, value func(i int) float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, `{"batch_id": %q, "readings": [`, batchID)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		at := end.Add(-time.Duration(n-1-i) * time.Minute).UTC().Format(time.RFC3339)
		fmt.Fprintf(&b, `{"type": "glucose", "value": %g, "unit": "mg/dL", "measured_at": %q, "seq": %d}`, value(i), at, seq+int64(i))
	}
	b.WriteString("]}")
	return b.String()
}

// countChunkReadings counts the readings of every chunk (from the clear
// count column) and the rows of the dedup table.
func countChunkReadings(t testing.TB, s *testkit.Server) (readings, seqs int) {
	t.Helper()
	ctx := context.Background()
	if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(ctx), `SELECT COALESCE(SUM(readings), 0) FROM device_chunks`).Scan(&readings); err != nil {
		t.Fatal(err)
	}
	if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(ctx), `SELECT COUNT(*) FROM device_seqs`).Scan(&seqs); err != nil {
		t.Fatal(err)
	}
	return readings, seqs
}

// problemFields decodes a problem's per-field messages.
func problemFields(t testing.TB, body string) map[string]string {
	t.Helper()
	var p struct {
		Fields map[string]string `json:"errors"`
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatalf("not a problem: %s", body)
	}
	return p.Fields
}

// TestDevicePairingAndIngestion: a device pairs with a code once; its token
// posts readings (JSON and FHIR, mmol/L converted); every kind of bad input
// is a clear error naming the reading and field, and nothing is stored
// twice; a revoked token stops at the next request. Both engines.
func TestDevicePairingAndIngestion(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		dev, code := registerDevice(t, s, patient, devices.GlucoseMeter)

		// A wrong code, then the right one (typed in lower case, with a
		// dash), then the same code again: it worked once.
		r, body := deviceCall(t, s, "/api/v1/devices/pair", "", `{"code": "ZZZZ-ZZZZ"}`)
		if r.StatusCode != http.StatusBadRequest || problemFields(t, body)["code"] == "" {
			t.Fatalf("wrong code: %d %s", r.StatusCode, body)
		}
		p := pairDevice(t, s, strings.ToLower(code))
		if p.DeviceID != dev.ID || !strings.HasPrefix(p.Token, devices.TokenPrefix) {
			t.Fatalf("paired %+v", p)
		}
		if r, body := deviceCall(t, s, "/api/v1/devices/pair", "", fmt.Sprintf(`{"code": %q}`, code)); r.StatusCode != http.StatusBadRequest {
			t.Fatalf("reused code: %d %s", r.StatusCode, body)
		}
		// The token is stored only as its hash.
		var stored []byte
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT token_hash FROM devices WHERE id = $1`, dev.ID).Scan(&stored); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(stored), p.Token) || len(stored) != 32 {
			t.Fatalf("token stored as %q", stored)
		}

		// An expired code: a second device, its code used 11 minutes later.
		_, late := registerDevice(t, s, patient, devices.BloodPressure)
		s.Clock.Advance(devices.PairingTTL + time.Minute)
		if r, body := deviceCall(t, s, "/api/v1/devices/pair", "", fmt.Sprintf(`{"code": %q}`, late)); r.StatusCode != http.StatusBadRequest {
			t.Fatalf("expired code: %d %s", r.StatusCode, body)
		}

		now := s.Clock.Now()
		// A good batch: 120 readings, 3 of them the same sequence number.
		good := glucoseBatch("b-1", 120, now, 1000, func(i int) float64 { return 90 + float64(i%40) })
		r, body = deviceCall(t, s, "/api/v1/devices/readings", p.Token, good)
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("batch: %d %s", r.StatusCode, body)
		}
		var res devices.IngestResult
		if err := json.Unmarshal([]byte(body), &res); err != nil || res.Stored != 120 || res.Duplicates != 0 {
			t.Fatalf("batch result %+v %v", res, err)
		}
		// The replayed batch id: a clear conflict, nothing stored again.
		r, body = deviceCall(t, s, "/api/v1/devices/readings", p.Token, good)
		if r.StatusCode != http.StatusConflict || problemFields(t, body)["batch_id"] == "" {
			t.Fatalf("replay: %d %s", r.StatusCode, body)
		}
		if n, q := countChunkReadings(t, s); n != 120 || q != 120 {
			t.Fatalf("after replay %d readings, %d seqs", n, q)
		}
		// The same readings under a new batch id: sequence numbers dedupe.
		r, body = deviceCall(t, s, "/api/v1/devices/readings", p.Token, strings.Replace(good, `"b-1"`, `"b-2"`, 1))
		if err := json.Unmarshal([]byte(body), &res); err != nil || r.StatusCode != http.StatusCreated || res.Stored != 0 || res.Duplicates != 120 {
			t.Fatalf("resent readings: %d %s", r.StatusCode, body)
		}

		// Bad input, each named by index and field; nothing stored.
		future := now.Add(time.Hour).Format(time.RFC3339)
		cases := []struct{ name, body, field string }{
			{"1,001 readings", glucoseBatch("b-big", 1001, now, 5000, func(int) float64 { return 100 }), "readings"},
			{"a reading in the future", `{"batch_id": "b-f", "readings": [{"type": "glucose", "value": 99, "unit": "mg/dL", "measured_at": "` + future + `"}]}`, "readings[0].measured_at"},
			{"an unknown unit", `{"batch_id": "b-u", "readings": [{"type": "glucose", "value": 99, "unit": "mg/dL", "measured_at": "` + now.Format(time.RFC3339) + `"},
				{"type": "glucose", "value": 5, "unit": "g/L", "measured_at": "` + now.Format(time.RFC3339) + `"}]}`, "readings[1].unit"},
			{"a type the device does not send", `{"batch_id": "b-t", "readings": [{"type": "weight", "value": 70, "unit": "kg", "measured_at": "` + now.Format(time.RFC3339) + `"}]}`, "readings[0].type"},
			{"a malformed Observation", `{"resourceType": "Observation", "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]},
				"effectiveDateTime": "` + now.Format(time.RFC3339) + `", "valueQuantity": {"value": "high", "code": "mg/dL"}}`, "resourceType"},
			{"an Observation without a value", `{"resourceType": "Bundle", "identifier": {"value": "fb-x"}, "entry": [{"resource": {"resourceType": "Observation", "status": "final",
				"code": {"coding": [{"system": "http://loinc.org", "code": "2339-0"}]}, "effectiveDateTime": "` + now.Format(time.RFC3339) + `"}}]}`, "entry[0].resource.valueQuantity"},
			{"no batch id", `{"readings": [{"type": "glucose", "value": 99, "unit": "mg/dL", "measured_at": "` + now.Format(time.RFC3339) + `"}]}`, "batch_id"},
			{"not JSON", `{"readings": [`, "body"},
		}
		for _, c := range cases {
			r, body := deviceCall(t, s, "/api/v1/devices/readings", p.Token, c.body)
			if r.StatusCode != http.StatusBadRequest || problemFields(t, body)[c.field] == "" {
				t.Errorf("%s: %d %s (want a message on %s)", c.name, r.StatusCode, body, c.field)
			}
		}
		if n, _ := countChunkReadings(t, s); n != 120 {
			t.Fatalf("bad input stored readings: %d", n)
		}

		// FHIR: a bundle of one Observation in mmol/L (stored as mg/dL)
		// whose id comes from the Idempotency-Key header.
		fhir := `{"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {"resourceType": "Observation", "status": "final",
			"category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}]}],
			"code": {"coding": [{"system": "http://loinc.org", "code": "15074-8"}]}, "effectiveDateTime": "` + now.Add(-3*time.Hour).Format(time.RFC3339) + `",
			"valueQuantity": {"value": 2.5, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"}}}]}`
		r, body = deviceCall(t, s, "/api/v1/devices/readings", p.Token, fhir, "Idempotency-Key", "fhir-1")
		if r.StatusCode != http.StatusCreated {
			t.Fatalf("fhir: %d %s", r.StatusCode, body)
		}
		ser, err := s.Services().Devices.Series(asPerson(patient), patient.TenantID, patient.ID, devices.Glucose, devices.Day)
		if err != nil {
			t.Fatal(err)
		}
		if ser.Count() != 121 || ser.Readings[0].Value != 45 || ser.Readings[0].Flag != devices.AlertLow {
			t.Fatalf("series: %d readings, first %+v", ser.Count(), ser.Readings[0])
		}
		// 45 mg/dL is past the default alert threshold (54): an alert.
		alerts, err := s.Services().Devices.PatientAlerts(asPerson(patient), patient.TenantID, patient.ID)
		if err != nil || len(alerts) != 1 {
			t.Fatalf("alerts %v %v", alerts, err)
		}

		// No token, a session cookie, and a revoked token are refused.
		if r, _ := deviceCall(t, s, "/api/v1/devices/readings", "", good); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("no token: %d", r.StatusCode)
		}
		req := s.NewRequest(t, http.MethodPost, "/api/v1/devices/readings", nil)
		if r, _ := testkit.Do(t, s.ClientAs(t, patient), req); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("session on a device route: %d", r.StatusCode)
		}
		if err := s.Services().Devices.Revoke(asPerson(patient), patient.TenantID, patient.ID, dev.ID); err != nil {
			t.Fatal(err)
		}
		next := glucoseBatch("b-3", 1, now, 9000, func(int) float64 { return 100 })
		if r, body := deviceCall(t, s, "/api/v1/devices/readings", p.Token, next); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d %s", r.StatusCode, body)
		}
		if n, _ := countChunkReadings(t, s); n != 121 {
			t.Fatalf("readings after revocation: %d", n)
		}
	})
}

// TestDeviceTokenReachesOnlyDeviceRoutes: a device token is no identity on
// any other route (it is not a session), and a pairing is throttled.
func TestDeviceTokenReachesOnlyDeviceRoutes(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		_, code := registerDevice(t, s, patient, devices.GlucoseMeter)
		p := pairDevice(t, s, code)
		for _, rt := range s.Router().Routes() {
			if rt.Class == access.Device || rt.Class == access.Public {
				continue
			}
			method, path, _ := strings.Cut(rt.Pattern, " ")
			if path == "" {
				path, method = method, http.MethodGet
			}
			path = strings.NewReplacer("{id}", "01890000-0000-7000-8000-000000000000", "{slug}", "x", "{obs}", "x", "{token}", "x", "{$}", "").Replace(path)
			if strings.Contains(path, "{") {
				path = path[:strings.Index(path, "{")] + "x"
			}
			req, _ := http.NewRequest(method, s.URL+path, nil)
			req.Header.Set("Authorization", "Bearer "+p.Token)
			req.Header.Set("Origin", s.URL)
			r, _ := testkit.Do(t, s.Client(), req)
			if r.StatusCode < 300 {
				t.Errorf("%s with a device token: %d", rt.Pattern, r.StatusCode)
			}
		}
		// Pairing is throttled: after MaxPairFailures wrong codes, even a
		// right one waits.
		for range devices.MaxPairFailures {
			deviceCall(t, s, "/api/v1/devices/pair", "", `{"code": "ZZZZ-ZZZZ"}`)
		}
		_, code2 := registerDevice(t, s, patient, devices.WeightScale)
		if r, body := deviceCall(t, s, "/api/v1/devices/pair", "", fmt.Sprintf(`{"code": %q}`, code2)); r.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("throttled pairing: %d %s", r.StatusCode, body)
		}
	})
}

// TestDevicePagesAndAlerts: the patient registers a device on
// /account/devices (bad input first), pairs it, and its readings show on the
// dashboard widget and the chart page (latest value, trend, daily bars, time
// in range, each with its table) and as CSV; a clinician of the care team
// sets a threshold, a reading past it lands in the alert queue, in an email
// with no value and no name, and flagged for the patient with what to do.
// Both engines.
func TestDevicePagesAndAlerts(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		doc := s.NewPerson(t, access.RoleClinician)
		giveCare(t, s, s.Tenant, doc.ID, patient.ID)
		pc, dc := s.ClientAs(t, patient), s.ClientAs(t, doc)

		r, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/devices", nil))
		if r.StatusCode != http.StatusOK || !strings.Contains(body, "No devices yet") {
			t.Fatalf("empty devices page: %d", r.StatusCode)
		}
		r, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/devices", url.Values{"kind": {"toaster"}, "model": {""}}))
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-model-error"`) || !strings.Contains(body, `id="f-kind-error"`) {
			t.Fatalf("bad registration: %d", r.StatusCode)
		}
		r, body = testkit.Do(t, pc, s.NewRequest(t, "POST", "/account/devices", url.Values{"kind": {"glucose_meter"}, "model": {"Contour Next"}}))
		m := regexp.MustCompile(`id="pair-code">([0-9A-Z]{4}-[0-9A-Z]{4})<`).FindStringSubmatch(body)
		if r.StatusCode != http.StatusOK || m == nil {
			t.Fatalf("registration: %d %s", r.StatusCode, body)
		}
		p := pairDevice(t, s, m[1])
		now := s.Clock.Now()
		// A day of readings every 10 minutes, one of them at 320 mg/dL.
		batch := glucoseBatch("d-1", 144, now, 1, func(i int) float64 {
			if i == 100 {
				return 320
			}
			return 80 + float64(i%12)*10
		})
		if r, body := deviceCall(t, s, "/api/v1/devices/readings", p.Token, batch); r.StatusCode != http.StatusCreated {
			t.Fatalf("batch: %d %s", r.StatusCode, body)
		}

		// The widget, the chart page in its four forms, and the CSV.
		if _, body := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil)); !strings.Contains(body, "/account/devices/readings/glucose") {
			t.Fatal("the dashboard widget does not show the glucose reading")
		}
		r, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/devices/readings/glucose?period=day", nil))
		for _, want := range []string{`id="latest-value"`, `id="dev-trend-chart"`, `id="dev-trend"`, `id="dev-daily-chart"`, `id="dev-daily"`, `id="dev-tir-chart"`, `id="dev-tir"`, `id="alerts"`, devices.DefaultAdvice[:40]} {
			if !strings.Contains(body, want) {
				t.Errorf("chart page lacks %s (%d)", want, r.StatusCode)
			}
		}
		// A longer period: the trend's points in one attribute, no hidden
		// trend table (the daily table is the alternative).
		r, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/devices/readings/glucose?period=week", nil))
		if r.StatusCode != http.StatusOK || !strings.Contains(body, `data-series="{&#34;at&#34;:[&#34;`) || strings.Contains(body, `id="dev-trend"`) ||
			!strings.Contains(body, `id="trend-note"`) || !strings.Contains(body, `id="dev-daily"`) {
			t.Fatalf("week chart page: %d", r.StatusCode)
		}
		r, body = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/devices/readings/glucose/csv?period=day", nil))
		if r.StatusCode != http.StatusOK || strings.Count(body, "\n") != 145 || !strings.Contains(body, ",320,mg/dL,alert_high") {
			t.Fatalf("csv: %d %d lines", r.StatusCode, strings.Count(body, "\n"))
		}
		if r, _ := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/devices/readings/sugar", nil)); r.StatusCode != http.StatusNotFound {
			t.Fatalf("unknown type: %d", r.StatusCode)
		}

		// The alert queue and its email: no value, no name.
		// The value as a number of its own: "320" inside a random id (…1320cb…)
		// is not the reading.
		value := regexp.MustCompile(`\b320\b`)
		r, body = testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/device-alerts", nil))
		if r.StatusCode != http.StatusOK || strings.Count(body, `id="alert-`) != 1 || value.MatchString(body) {
			t.Fatalf("alert queue: %d %s", r.StatusCode, body)
		}
		var mails int
		items, err := s.Services().Outbox.Recent(access.WithActor(context.Background(), access.System("test", s.Tenant.ID)), s.Tenant.ID, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if it.Kind == "device_alert" && strings.EqualFold(it.To.Reveal(), doc.Email) {
				mails++
				text := it.Subject + it.Text.Reveal()
				for _, leak := range []string{"Test Person", "lucose", patient.Email, patient.ID} {
					if strings.Contains(text, leak) {
						t.Errorf("the alert email carries %q", leak)
					}
				}
				if value.MatchString(text) {
					t.Errorf("the alert email carries the value 320")
				}
			}
		}
		if mails != 1 {
			t.Fatalf("%d alert emails", mails)
		}

		// Thresholds: bad input named per field, nothing changed; then a
		// tighter alert (above 200) flags the next reading.
		path := "/staff/patients/" + patient.ID + "/devices"
		r, body = testkit.Do(t, dc, s.NewRequest(t, "POST", path+"/thresholds", url.Values{"glucose.low": {"70"}, "glucose.high": {"60"}, "glucose.alert_high": {"lots"}}))
		if r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `id="f-glucose.high-error"`) || !strings.Contains(body, `id="f-glucose.alert_high-error"`) {
			t.Fatalf("bad thresholds: %d", r.StatusCode)
		}
		r, _ = testkit.Do(t, dc, s.NewRequest(t, "POST", path+"/thresholds", url.Values{"glucose.low": {"70"}, "glucose.high": {"180"}, "glucose.alert_low": {"54"}, "glucose.alert_high": {"200"}}))
		if r.StatusCode != http.StatusOK {
			t.Fatalf("thresholds: %d", r.StatusCode)
		}
		one := glucoseBatch("d-2", 1, now.Add(time.Minute), 500, func(int) float64 { return 250 })
		if r, body := deviceCall(t, s, "/api/v1/devices/readings", p.Token, one); r.StatusCode != http.StatusCreated || !strings.Contains(body, `"alerts":1`) {
			t.Fatalf("reading past the new threshold: %d %s", r.StatusCode, body)
		}
		// The patient cannot set thresholds; another clinician (no care
		// relationship) sees the same 404 as a missing page.
		if r, _ := testkit.Do(t, pc, s.NewRequest(t, "POST", path+"/thresholds", url.Values{"glucose.alert_high": {"400"}})); r.StatusCode != http.StatusNotFound {
			t.Fatalf("patient thresholds: %d", r.StatusCode)
		}
		other := s.ClientAs(t, s.NewPerson(t, access.RoleClinician))
		if r, _ := testkit.Do(t, other, s.NewRequest(t, "GET", path, nil)); r.StatusCode != http.StatusNotFound {
			t.Fatalf("clinician without care: %d", r.StatusCode)
		}
		// Resolving both alerts empties the queue.
		alerts, err := s.Services().Devices.PatientAlerts(asPerson(doc), s.Tenant.ID, patient.ID)
		if err != nil || len(alerts) != 2 {
			t.Fatalf("alerts %v %v", alerts, err)
		}
		for _, a := range alerts {
			if r, _ := testkit.Do(t, dc, s.NewRequest(t, "POST", path+"/alerts/"+a.ID+"/resolve", url.Values{})); r.StatusCode != http.StatusOK {
				t.Fatalf("resolve: %d", r.StatusCode)
			}
		}
		if _, body := testkit.Do(t, dc, s.NewRequest(t, "GET", "/staff/device-alerts", nil)); strings.Contains(body, `id="alert-`) {
			t.Fatal("resolved alerts still queued")
		}
	})
}

// TestDeviceObjectsAnswerLikeAbsence: a patient's devices and readings, as
// other people: another patient cannot renew a code or revoke, nor read the
// readings with ?for=; a proxy reads them only with the devices scope; every
// refusal is the plain 404 of a missing page. SQLite (the decisions are the
// policy's, not the engine's).
func TestDeviceObjectsAnswerLikeAbsence(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	dev, code := registerDevice(t, s, patient, devices.GlucoseMeter)
	p := pairDevice(t, s, code)
	if r, body := deviceCall(t, s, "/api/v1/devices/readings", p.Token, glucoseBatch("o-1", 3, s.Clock.Now(), 1, func(int) float64 { return 100 })); r.StatusCode != http.StatusCreated {
		t.Fatalf("batch: %d %s", r.StatusCode, body)
	}
	withScope, without := s.NewPerson(t, access.RolePatient), s.NewPerson(t, access.RolePatient)
	ctx := asPerson(patient)
	if err := s.Services().Grants.GrantProxy(ctx, withScope.Email, []string{"devices"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Services().Grants.GrantProxy(ctx, without.Email, []string{"orders"}); err != nil {
		t.Fatal(err)
	}
	s.Services().After.Wait()
	other := s.NewPerson(t, access.RolePatient)
	readings := "/account/devices/readings/glucose?for=" + patient.ID
	for name, c := range map[string]*http.Client{"other patient": s.ClientAs(t, other), "proxy without devices": s.ClientAs(t, without)} {
		_, notFound := testkit.Do(t, c, s.NewRequest(t, "GET", "/no/such/page", nil))
		for _, req := range []*http.Request{s.NewRequest(t, "GET", readings, nil),
			s.NewRequest(t, "GET", "/account/devices/readings/glucose/csv?for="+patient.ID, nil),
			s.NewRequest(t, "POST", "/account/devices/"+dev.ID+"/code", url.Values{}),
			s.NewRequest(t, "POST", "/account/devices/"+dev.ID+"/revoke", url.Values{})} {
			r, body := testkit.Do(t, c, req)
			if r.StatusCode != http.StatusNotFound || strip(body) != strip(notFound) {
				t.Errorf("%s on %s %s: %d (want the plain 404)", name, req.Method, req.URL.Path, r.StatusCode)
			}
		}
	}
	if r, body := testkit.Do(t, s.ClientAs(t, withScope), s.NewRequest(t, "GET", readings, nil)); r.StatusCode != http.StatusOK || !strings.Contains(body, "shared their device readings") {
		t.Fatalf("proxy with the devices scope: %d", r.StatusCode)
	}
	// The device still works: nothing above revoked it.
	if r, _ := deviceCall(t, s, "/api/v1/devices/readings", p.Token, glucoseBatch("o-2", 1, s.Clock.Now(), 10, func(int) float64 { return 100 })); r.StatusCode != http.StatusCreated {
		t.Fatalf("device after the attempts: %d", r.StatusCode)
	}
}

// TestDeviceConcurrentBatchesLoseNothing: two devices of one patient post
// readings of the same day at the same time; every reading is kept (the
// day's chunk and the type's roll-up are merged under a lock), and the
// chart read from the roll-up shows them all. Both engines.
func TestDeviceConcurrentBatchesLoseNothing(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		var tokens []string
		for range 2 {
			_, code := registerDevice(t, s, patient, devices.GlucoseMeter)
			tokens = append(tokens, pairDevice(t, s, code).Token)
		}
		day := s.Clock.Now().Truncate(24 * time.Hour).Add(-12 * time.Hour)
		errs := make(chan string, 20)
		var wg sync.WaitGroup
		for d, tok := range tokens {
			wg.Go(func() {
				for i := range 10 {
					end := day.Add(time.Duration(d*10+i) * 20 * time.Minute)
					body := glucoseBatch(fmt.Sprintf("c-%d-%d", d, i), 20, end, int64((d*10+i)*20), func(int) float64 { return 100 })
					if r, b := deviceCall(t, s, "/api/v1/devices/readings", tok, body); r.StatusCode != http.StatusCreated {
						errs <- fmt.Sprintf("%d %s", r.StatusCode, b)
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		if n, _ := countChunkReadings(t, s); n != 400 {
			t.Fatalf("%d readings kept of 400", n)
		}
		var built int
		if err := s.Stores.PHI.Reader().QueryRowContext(testkit.AllTenants(context.Background()), `SELECT COUNT(data_ct) FROM device_rollups`).Scan(&built); err != nil || built != 1 {
			t.Fatalf("%d roll-ups built (want 1), %v", built, err)
		}
		ser, err := s.Services().Devices.Series(asPerson(patient), patient.TenantID, patient.ID, devices.Glucose, devices.Week)
		if err != nil {
			t.Fatal(err)
		}
		if ser.Count() != 400 {
			t.Fatalf("series: %d readings, %v", ser.Count(), err)
		}
	})
}

// seedDeviceReadings gives a patient a paired glucose meter with days of
// simulated readings and a blood pressure monitor with bpDays, through the
// device API.
func seedDeviceReadings(t testing.TB, s *testkit.Server, patient testkit.Person, days, bpDays int) {
	t.Helper()
	for kind, n := range map[devices.Kind]int{devices.GlucoseMeter: days, devices.BloodPressure: bpDays} {
		_, code := registerDevice(t, s, patient, kind)
		tok := pairDevice(t, s, code).Token
		batches, err := devices.Simulate(kind, n, s.Clock.Now(), devices.MaxBatch, 17)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range batches {
			if r, body := deviceCall(t, s, "/api/v1/devices/readings", tok, string(b.Body)); r.StatusCode != http.StatusCreated {
				t.Fatalf("seed readings: %d %s", r.StatusCode, body)
			}
		}
	}
}

// TestDeviceRateLimit: a device may send DefaultBatchesPerMinute batches a
// minute; the next is a 429 that stores nothing, and a minute later it may
// send again.
func TestDeviceRateLimit(t *testing.T) {
	s := testkit.StartServer(t, store.SQLite)
	patient := s.NewPerson(t, access.RolePatient)
	_, code := registerDevice(t, s, patient, devices.GlucoseMeter)
	tok := pairDevice(t, s, code).Token
	now := s.Clock.Now()
	post := func(i int) *http.Response {
		r, _ := deviceCall(t, s, "/api/v1/devices/readings", tok, glucoseBatch(fmt.Sprintf("r-%d", i), 1, now.Add(-time.Duration(i)*time.Minute), int64(i), func(int) float64 { return 100 }))
		return r
	}
	for i := range devices.DefaultBatchesPerMinute {
		if r := post(i); r.StatusCode != http.StatusCreated {
			t.Fatalf("batch %d: %d", i, r.StatusCode)
		}
	}
	if r := post(devices.DefaultBatchesPerMinute); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") == "" {
		t.Fatalf("past the limit: %d", r.StatusCode)
	}
	if n, _ := countChunkReadings(t, s); n != devices.DefaultBatchesPerMinute {
		t.Fatalf("%d readings stored", n)
	}
	s.Clock.Advance(time.Minute + time.Second)
	if r := post(devices.DefaultBatchesPerMinute + 1); r.StatusCode != http.StatusCreated {
		t.Fatalf("a minute later: %d", r.StatusCode)
	}
}
