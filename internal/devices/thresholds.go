package devices

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Threshold is a type's target range and alert thresholds, in its
// canonical unit (the systolic value for blood pressure). A zero bound is
// not set.
type Threshold struct {
	Low       float64 `json:"low,omitempty"`
	High      float64 `json:"high,omitempty"`
	AlertLow  float64 `json:"alert_low,omitempty"`
	AlertHigh float64 `json:"alert_high,omitempty"`
}

// HasRange reports whether a target range is set.
func (t Threshold) HasRange() bool { return t.Low > 0 || t.High > 0 }

// Flag places a value against the threshold.
func (t Threshold) Flag(v float64) Flag {
	switch {
	case t.AlertLow > 0 && v < t.AlertLow:
		return AlertLow
	case t.AlertHigh > 0 && v > t.AlertHigh:
		return AlertHigh
	case t.Low > 0 && v < t.Low:
		return Below
	case t.High > 0 && v > t.High:
		return Above
	}
	return InRange
}

// Thresholds are a patient's thresholds per type.
type Thresholds map[Type]Threshold

// For returns the type's threshold.
func (ts Thresholds) For(t Type) Threshold { return ts[t] }

// Defaults are the thresholds of a patient no clinician has set any for,
// from the guidelines: glucose 70–180 mg/dL in range, alert below 54 (level
// 2 hypoglycaemia) or above 300; systolic 90–135 mmHg, alert below 80 or
// above 180 (hypertensive crisis); SpO2 alert below 88 %; heart rate
// 50–100, alert below 40 or above 150.
var Defaults = Thresholds{
	Glucose:   {Low: 70, High: 180, AlertLow: 54, AlertHigh: 300},
	BP:        {Low: 90, High: 135, AlertLow: 80, AlertHigh: 180},
	SpO2:      {Low: 95, AlertLow: 88},
	HeartRate: {Low: 50, High: 100, AlertLow: 40, AlertHigh: 150},
}

// ThresholdRecord is a patient's thresholds as the store keeps them: sealed
// (a target range says what a person is treated for).
type ThresholdRecord struct {
	TenantID, PatientID, ID string
	DataCT                  []byte
	SetBy                   string
	UpdatedAt               time.Time
}

// thresholds opens a patient's thresholds with a handle, or the defaults.
func (s *Service) thresholds(ctx context.Context, h phi.Handle, tenantID, patientID string) (Thresholds, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	r, err := s.d.Store.Thresholds(ctx, tenantID, patientID)
	if apperr.Is(err, apperr.NotFound) {
		return Defaults, nil
	}
	if err != nil {
		return nil, err
	}
	return openThresholds(h, patientID, &r)
}

// openThresholds opens a patient's sealed thresholds; nil is the defaults.
func openThresholds(h phi.Handle, patientID string, r *ThresholdRecord) (Thresholds, error) {
	if r == nil {
		return Defaults, nil
	}
	plain, err := h.OpenBytes(patientID, "device_thresholds", "data_ct", r.ID, r.DataCT)
	if err != nil {
		return nil, err
	}
	ts := Thresholds{}
	if err := phi.DecodeJSON(plain.Reveal(), &ts); err != nil {
		return nil, fmt.Errorf("thresholds: %w", err)
	}
	return ts, nil
}

// Thresholds opens a patient's thresholds for the actor in ctx.
func (s *Service) Thresholds(ctx context.Context, tenantID, patientID string) (Thresholds, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read)
	if err != nil {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: dec.Purpose, Resource: "device_thresholds", AuditAction: "device_thresholds.read"})
	if err != nil {
		return nil, err
	}
	return s.thresholds(ctx, h, tenantID, patientID)
}

// ThresholdForm is what a clinician types: per type, the four bounds as
// text ("" for none).
type ThresholdForm map[Type][4]string

// SetThresholds stores a patient's thresholds: a clinician with a care
// relationship only. Why a clinician: a range is a clinical decision; the
// patient sees it but does not set it.
func (s *Service) SetThresholds(ctx context.Context, tenantID, patientID string, form ThresholdForm) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleClinician {
		return apperr.NotFoundError()
	}
	// Read, not write: the policy gives clinicians read on device data
	// (with a care relationship); thresholds are theirs to set on top.
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read)
	if err != nil {
		return err
	}
	ts := Thresholds{}
	fields := map[string]string{}
	names := [4]string{"low", "high", "alert_low", "alert_high"}
	for _, t := range Types {
		raw, ok := form[t]
		if !ok {
			continue
		}
		var v [4]float64
		for i, s := range raw {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			f, err := strconv.ParseFloat(s, 64)
			r := plausible[t]
			if err != nil || f < r[0] || f > r[1] {
				fields[string(t)+"."+names[i]] = fmt.Sprintf("Enter a number from %s to %s %s, or leave it empty.", Format(t, r[0]), Format(t, r[1]), t.Unit())
				continue
			}
			v[i] = f
		}
		th := Threshold{Low: v[0], High: v[1], AlertLow: v[2], AlertHigh: v[3]}
		switch {
		case th.Low > 0 && th.High > 0 && th.Low >= th.High:
			fields[string(t)+".high"] = "The top of the range must be above its bottom."
		case th.AlertLow > 0 && th.Low > 0 && th.AlertLow > th.Low:
			fields[string(t)+".alert_low"] = "The low alert must be at or below the range."
		case th.AlertHigh > 0 && th.High > 0 && th.AlertHigh < th.High:
			fields[string(t)+".alert_high"] = "The high alert must be at or above the range."
		}
		if th != (Threshold{}) {
			ts[t] = th
		}
	}
	if len(fields) > 0 {
		return apperr.InvalidFields("Check the thresholds.", fields)
	}
	now := s.d.Clock.Now().UTC()
	r := ThresholdRecord{TenantID: tenantID, PatientID: patientID, ID: id.NewAt(now), SetBy: a.ID, UpdatedAt: now}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Write,
		Purpose: dec.Purpose, Resource: "device_thresholds", ResourceID: r.ID, AuditAction: "device_thresholds.write"})
	if err != nil {
		return err
	}
	plain, err := json.Marshal(ts)
	if err != nil {
		return fmt.Errorf("thresholds: %w", err)
	}
	if r.DataCT, err = h.SealBytes(patientID, "device_thresholds", "data_ct", r.ID, plain); err != nil {
		return err
	}
	return s.d.Store.SetThresholds(ctx, r)
}

// Alert is a reading past an alert threshold, for the care team. It holds
// no value: the reading is in its chunk, flagged.
type Alert struct {
	ID, TenantID, PatientID string
	Type                    Type
	MeasuredAt, CreatedAt   time.Time
	ResolvedBy              string
	ResolvedAt              time.Time
}

// AlertLimit is the most alerts a list shows.
const AlertLimit = 200

// OpenAlerts lists a tenant's unresolved alerts for a clinician: only those
// of patients in their care (each is an authorization; others are left out,
// as if absent).
func (s *Service) OpenAlerts(ctx context.Context, tenantID string) ([]Alert, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	all, err := s.d.Store.OpenAlerts(ctx, tenantID, AlertLimit)
	if err != nil {
		return nil, err
	}
	var out []Alert
	seen := map[string]bool{}
	for _, al := range all {
		ok, done := seen[al.PatientID]
		if !done {
			_, err := s.d.Grants.Authorize(ctx, tenantID, al.PatientID, access.DataDevices, access.Read)
			if err != nil && !apperr.Is(err, apperr.Denied) && !apperr.Is(err, apperr.NotFound) {
				return nil, err
			}
			ok = err == nil
			seen[al.PatientID] = ok
		}
		if ok {
			out = append(out, al)
		}
	}
	return out, nil
}

// PatientAlerts lists a patient's alerts, newest first, for the actor in ctx.
func (s *Service) PatientAlerts(ctx context.Context, tenantID, patientID string) ([]Alert, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read); err != nil {
		return nil, err
	}
	return s.d.Store.PatientAlerts(ctx, tenantID, patientID, 20)
}

// ResolveAlert marks an alert seen to by a clinician in the patient's care.
func (s *Service) ResolveAlert(ctx context.Context, tenantID, patientID, alertID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	a, ok := access.ActorFrom(ctx)
	if !ok || a.Role != access.RoleClinician {
		return apperr.NotFoundError()
	}
	if _, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read); err != nil {
		return err
	}
	return s.d.Store.ResolveAlert(ctx, tenantID, patientID, alertID, a.ID, s.d.Clock.Now().UTC())
}

// DefaultAdvice is what a patient reads about an alert when the tenant
// wrote nothing of its own.
const DefaultAdvice = "A reading was outside the safe range your care team set, and they have been told. " +
	"If you feel unwell, follow the plan your clinician gave you. In an emergency, call your local emergency number now."

// Advice is the tenant's text for a patient about an alert.
func (s *Service) Advice(ctx context.Context, tenantID string) string {
	ctx = tenant.WithScope(ctx, tenantID)
	if s.d.AlertAdvice != nil {
		if t := s.d.AlertAdvice(ctx, tenantID); t != "" {
			return t
		}
	}
	return DefaultAdvice
}
