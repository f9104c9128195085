package server_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestBluetoothConnection is POST /account/devices/bluetooth (issue 22) on
// both engines: the first connection of a meter registers it and answers a
// pairing code with no sequence number stored; after readings, a second
// connection of the same meter finds the same device and answers the last
// sequence number stored; another patient's connection of a meter with the
// same browser id is their own device; a bad request is a clear error that
// registers nothing; the devices page, and only it, allows Bluetooth.
func TestBluetoothConnection(t *testing.T) {
	testkit.ForEachEngine(t, func(t *testing.T, e store.Engine) {
		s := testkit.StartServer(t, e)
		patient := s.NewPerson(t, access.RolePatient)
		other := s.NewPerson(t, access.RolePatient)
		pc, oc := s.ClientAs(t, patient), s.ClientAs(t, other)
		connect := func(c *http.Client, form url.Values) (int, devices.Connection) {
			t.Helper()
			req := s.NewRequest(t, "POST", "/account/devices/bluetooth", form)
			req.Header.Set("Accept", "application/json")
			r, body := testkit.Do(t, c, req)
			var conn devices.Connection
			if r.StatusCode == http.StatusOK {
				if err := json.Unmarshal([]byte(body), &conn); err != nil {
					t.Fatalf("%s: %v", body, err)
				}
			}
			return r.StatusCode, conn
		}
		meter := url.Values{"ble": {"crGWsxLgtxSyajWfOrCR9g=="}, "service": {"glucose"}, "name": {"Contour Next One"}}

		status, first := connect(pc, meter)
		if status != http.StatusOK || !first.New || first.LastSeq != -1 || first.Code == "" || first.DeviceID == "" {
			t.Fatalf("first connection: %d %+v", status, first)
		}
		p := pairDevice(t, s, first.Code)
		if p.DeviceID != first.DeviceID {
			t.Fatalf("paired %s, connected %s", p.DeviceID, first.DeviceID)
		}
		if r, body := deviceCall(t, s, "/api/v1/devices/readings", p.Token, glucoseBatch("ble-1", 20, s.Clock.Now(), 1, func(i int) float64 { return 100 })); r.StatusCode != http.StatusCreated {
			t.Fatalf("batch: %d %s", r.StatusCode, body)
		}
		status, again := connect(pc, meter)
		if status != http.StatusOK || again.New || again.DeviceID != first.DeviceID || again.LastSeq != 20 || again.Code == first.Code {
			t.Fatalf("reconnection: %d %+v", status, again)
		}
		// The new code replaces the token: the page pairs afresh each time.
		if p2 := pairDevice(t, s, again.Code); p2.DeviceID != first.DeviceID {
			t.Fatalf("re-paired %s", p2.DeviceID)
		}

		// Another patient, same browser id: their own device, nothing stored.
		status, theirs := connect(oc, meter)
		if status != http.StatusOK || !theirs.New || theirs.DeviceID == first.DeviceID || theirs.LastSeq != -1 {
			t.Fatalf("another patient: %d %+v", status, theirs)
		}

		// Bad requests: a clear error, no device registered.
		before, err := s.Services().Devices.List(asPerson(patient), patient.TenantID, patient.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []url.Values{
			{"ble": {""}, "service": {"glucose"}},
			{"ble": {strings.Repeat("x", 200)}, "service": {"glucose"}},
			{"ble": {"abc"}, "service": {"toaster"}},
		} {
			req := s.NewRequest(t, "POST", "/account/devices/bluetooth", bad)
			r, body := testkit.Do(t, pc, req)
			if r.StatusCode != http.StatusUnprocessableEntity && r.StatusCode != http.StatusBadRequest || !strings.Contains(body, "errors") {
				t.Errorf("%v: %d %s", bad, r.StatusCode, body)
			}
		}
		after, _ := s.Services().Devices.List(asPerson(patient), patient.TenantID, patient.ID)
		if len(after) != len(before) {
			t.Errorf("bad requests registered %d devices", len(after)-len(before))
		}

		// Bluetooth is allowed on the devices page only.
		r, _ := testkit.Do(t, pc, s.NewRequest(t, "GET", "/account/devices", nil))
		if pp := r.Header.Get("Permissions-Policy"); !strings.Contains(pp, "bluetooth=(self)") || !strings.Contains(pp, "camera=()") {
			t.Errorf("devices page: %q", pp)
		}
		r, _ = testkit.Do(t, pc, s.NewRequest(t, "GET", "/account", nil))
		if pp := r.Header.Get("Permissions-Policy"); !strings.Contains(pp, "bluetooth=()") {
			t.Errorf("dashboard: %q", pp)
		}
	})
}
