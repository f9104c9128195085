package devices

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// Latest is each type's newest reading of a patient, in Types order.
type Latest struct {
	Type    Type
	Reading Reading
}

// LatestReadings opens each type's newest reading for the actor in ctx: one
// statement and one audited vault access.
func (s *Service) LatestReadings(ctx context.Context, tenantID, patientID string) ([]Latest, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	dec, err := s.d.Grants.Authorize(ctx, tenantID, patientID, access.DataDevices, access.Read)
	if err != nil {
		return nil, err
	}
	chunks, err := s.d.Store.Latest(ctx, tenantID, patientID)
	if err != nil || len(chunks) == 0 {
		return nil, err
	}
	h, err := s.d.Vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{patientID}, Action: access.Read,
		Purpose: dec.Purpose, Resource: "device_reading", AuditAction: "device_reading.latest", Detail: fmt.Sprintf("chunks=%d", len(chunks))})
	if err != nil {
		return nil, err
	}
	var out []Latest
	for _, c := range chunks {
		plain, err := h.OpenBytes(patientID, "device_chunks", "data_ct", c.ID, c.DataCT)
		if err != nil {
			return nil, err
		}
		r, ok, err := lastInChunk(plain.Reveal())
		if err != nil {
			return nil, fmt.Errorf("device chunk %s: %w", c.ID, err)
		}
		if ok {
			out = append(out, Latest{Type: c.Type, Reading: Reading{At: time.Unix(r.T, 0).UTC(), Value: r.V, Value2: r.W, Flag: r.F, DeviceID: r.D}})
		}
	}
	slices.SortFunc(out, func(a, b Latest) int { return slices.Index(Types, a.Type) - slices.Index(Types, b.Type) })
	return out, nil
}

// Source is the device readings widget (portal.WidgetDevices): each type's
// latest value with its time, flagged when out of range, linking to its
// charts. One statement and one audited vault access; a denial is the same
// NotFound as anywhere (the dashboard leaves the widget out).
func (s *Service) Source() portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		latest, err := s.LatestReadings(ctx, tenantID, patientID)
		if err != nil {
			return portal.Summary{}, err
		}
		sum := portal.Summary{Total: len(latest)}
		for _, l := range latest {
			if len(sum.Lines) == portal.MaxLines {
				break
			}
			line := portal.Line{Title: l.Type.Label(), Detail: l.Reading.Text(l.Type) + " " + l.Type.Unit() + " · " + l.Reading.At.Format("2 Jan 15:04") + " UTC",
				Href: "/account/devices/readings/" + string(l.Type)}
			switch {
			case l.Reading.Flag.Alerting():
				line.Badge, line.Tone = l.Reading.Flag.Label(), portal.ToneBad
			case l.Reading.Flag != InRange:
				line.Badge, line.Tone = l.Reading.Flag.Label(), portal.ToneWarn
			}
			sum.Lines = append(sum.Lines, line)
		}
		return sum, nil
	})
}
