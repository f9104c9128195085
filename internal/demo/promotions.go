package demo

import (
	"context"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/promo"
)

// PromoCode is the demo's promotion code: 10% off, no end, no limit.
const PromoCode = "WELCOME10"

// SeedPromotions creates the demo promotion code unless it exists; it reports
// whether it created it.
func SeedPromotions(ctx context.Context, promos *promo.Service, tenantID string, now time.Time) (bool, error) {
	_, err := promos.ByCode(ctx, tenantID, PromoCode)
	if err == nil {
		return false, nil
	}
	if !apperr.Is(err, apperr.Invalid) {
		return false, err
	}
	p := &promo.Promotion{ID: id.New(), TenantID: tenantID, Code: PromoCode, Kind: promo.Percent, Value: 10,
		StartsAt: now.Add(-24 * time.Hour).Truncate(24 * time.Hour), CreatedAt: now}
	return true, promos.Create(ctx, p)
}
