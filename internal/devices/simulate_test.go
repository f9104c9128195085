package devices_test

import (
	"testing"

	"github.com/salvehealth/salve/internal/devices"
)

// TestSimulatePassesTheParser: every simulated batch of every kind is a
// valid batch, the same seed makes the same batches, and 90 days of glucose
// are 8,640 readings.
func TestSimulatePassesTheParser(t *testing.T) {
	for name, k := range devices.SimKinds {
		bs, err := devices.Simulate(k, 90, now, 500, 7)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := devices.Simulate(k, 90, now, 500, 7)
		n := 0
		for i, b := range bs {
			if string(b.Body) != string(again[i].Body) {
				t.Fatalf("%s: not deterministic", name)
			}
			p, err := devices.Parse(b.Body, "", now)
			if err != nil {
				t.Fatalf("%s batch %d: %v", name, i, err)
			}
			if p.ID != b.ID || len(p.Readings) != b.Readings {
				t.Fatalf("%s batch %d parsed as %s, %d readings", name, i, p.ID, len(p.Readings))
			}
			n += b.Readings
		}
		if k == devices.GlucoseMeter && n != 90*96 {
			t.Fatalf("glucose: %d readings", n)
		}
	}
	if _, err := devices.Simulate(devices.GlucoseMeter, devices.MaxSimDays+1, now, 500, 1); err == nil {
		t.Fatal("no bound on days")
	}
}
