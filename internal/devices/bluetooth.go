package devices

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/tenant"
)

// Connection is what the devices page needs to import from a meter it
// connected through Web Bluetooth (issue 22): the device it is in the
// patient's record, a pairing code the page exchanges for a device token
// (so its readings pass the same ingestion, validation and idempotency as
// any device's), and the highest sequence number already stored from it,
// so the page asks the meter for newer records only.
type Connection struct {
	Device *Device `json:"-"`
	// DeviceID is the device's id in the patient's record.
	DeviceID string `json:"device_id"`
	// Code is a fresh pairing code (the page spends it at once).
	Code string `json:"code"`
	// LastSeq is the highest sequence number stored, or -1 when none is.
	LastSeq int64 `json:"last_seq"`
	// New is true when the meter was registered just now.
	New bool `json:"new"`
}

// BluetoothKinds maps the GATT services the page connects to the kind of
// device each is.
var BluetoothKinds = map[string]Kind{
	"glucose":        GlucoseMeter,
	"blood_pressure": BloodPressure,
	"weight_scale":   WeightScale,
	"pulse_oximeter": PulseOximeter,
	"heart_rate":     ActivityTracker,
}

// ConnectBluetooth finds the patient's device the browser knows as bleID
// (registering it on first use, with the name the meter gives), issues it
// a pairing code and says what is stored from it. A revoked device is not
// reused: the patient revoked it, so the meter starts again as a new device.
func (s *Service) ConnectBluetooth(ctx context.Context, tenantID, patientID, bleID string, kind Kind, name string) (*Connection, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	bleID, name = strings.TrimSpace(bleID), strings.TrimSpace(name)
	// Why bounds on the browser's id: it is sealed and compared, never shown,
	// but it comes from the client and must not grow a row without limit.
	if bleID == "" || len(bleID) > 128 || !printable(bleID) {
		return nil, apperr.InvalidFields("The browser did not say which meter it connected.", map[string]string{"ble": "Connect the meter again."})
	}
	if !kind.Valid() {
		return nil, apperr.InvalidFields("Check the device details.", map[string]string{"kind": "This kind of device cannot be connected here."})
	}
	if name == "" || utf8.RuneCountInString(name) > 80 || strings.ContainsAny(name, "\r\n\x00") {
		name = kind.Label() + " (Bluetooth)"
	}
	list, err := s.List(ctx, tenantID, patientID)
	if err != nil {
		return nil, err
	}
	var dev *Device
	for _, d := range list {
		if d.Bluetooth == bleID && d.Kind == kind && d.RevokedAt.IsZero() {
			dev = d
			break
		}
	}
	c := &Connection{LastSeq: -1}
	if dev == nil {
		dev, c.Code, err = s.Register(ctx, tenantID, patientID, Registration{Kind: kind, Model: name, Bluetooth: bleID})
		c.New = true
	} else {
		c.Code, err = s.NewCode(ctx, tenantID, patientID, dev.ID)
	}
	if err != nil {
		return nil, err
	}
	c.Device, c.DeviceID = dev, dev.ID
	last, ok, err := s.d.Store.LastSeq(ctx, dev.ID)
	if err != nil {
		return nil, err
	}
	if ok {
		c.LastSeq = last
	}
	return c, nil
}
