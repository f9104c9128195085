package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/store"
)

// DeviceDays is how many days of readings SeedDevices gives the demo patient.
const DeviceDays = 90

// SeedDevices gives the demo patient a glucose meter and a blood pressure
// monitor, paired, with DeviceDays of readings from the simulator, unless
// the patient has devices already. Why in-process and not over HTTP: the
// demo seeds before it listens; the readings go through the same service
// call the API makes (parsing, validation, dedup, sealing), in batches of
// 1,000, so the first start stays fast.
func SeedDevices(ctx context.Context, catalog, phiDB *store.DB, svc *devices.Service, ix phi.Indexer, now time.Time) error {
	t, err := store.NewTenants(catalog).BySlug(ctx, TenantSlug)
	if err != nil {
		return err
	}
	var email string
	for _, p := range People {
		if p.Role == access.RolePatient {
			email = p.Email
		}
	}
	u, err := store.NewUsers(phiDB).ByEmail(ctx, t.ID, accounts.EmailIndex(ix, t.ID, email))
	if err != nil {
		return fmt.Errorf("demo patient: %w", err)
	}
	if have, err := store.NewDevices(phiDB).ByPatient(ctx, t.ID, u.ID); err != nil || len(have) > 0 {
		return err
	}
	ctx = access.WithActor(ctx, access.Actor{ID: u.ID, Role: access.RolePatient, TenantID: t.ID})
	for _, k := range []struct {
		kind  devices.Kind
		model string
	}{{devices.GlucoseMeter, "Contour Next One"}, {devices.BloodPressure, "Omron Evolv"}} {
		_, code, err := svc.Register(ctx, t.ID, u.ID, devices.Registration{Kind: k.kind, Model: k.model})
		if err != nil {
			return err
		}
		p, err := svc.Pair(ctx, t.ID, "127.0.0.1", code)
		if err != nil {
			return err
		}
		dev, err := svc.Authenticate(ctx, p.Token)
		if err != nil {
			return err
		}
		batches, err := devices.Simulate(k.kind, DeviceDays, now, devices.MaxBatch, 17)
		if err != nil {
			return err
		}
		devCtx := access.WithActor(ctx, access.Actor{ID: u.ID, Role: access.RolePatient, TenantID: t.ID, SessionID: "device:" + dev.ID})
		for _, b := range batches {
			if _, err := svc.Ingest(devCtx, dev, b.Body, ""); err != nil {
				return fmt.Errorf("demo readings: %w", err)
			}
		}
	}
	return nil
}
