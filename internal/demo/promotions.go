package demo

import (
	"context"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/promo"
	"github.com/salvehealth/salve/internal/tenant"
)

// PromoCode is the demo's promotion code: 10% off, no end, no limit.
const PromoCode = "WELCOME10"

// TargetedPromoCode is the demo's promotion targeted from health data
// (issue 16): 15% off for patients whose HbA1c is flagged high. The demo
// patient sees it on their dashboard once they sign the authorization at
// /account/privacy, and no longer once they revoke it.
const TargetedPromoCode = "STRIPS15"

// SeedPromotions creates the demo promotion codes unless they exist; it
// reports whether it created the first.
func SeedPromotions(ctx context.Context, promos *promo.Service, tenantID string, now time.Time) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	start := now.Add(-24 * time.Hour).Truncate(24 * time.Hour)
	created := false
	for _, p := range []*promo.Promotion{
		{Code: PromoCode, Kind: promo.Percent, Value: 10},
		{Code: TargetedPromoCode, Kind: promo.Percent, Value: 15, Target: promo.Target{Kind: promo.TargetLabHigh, Code: LOINCHbA1c}},
	} {
		_, err := promos.ByCode(ctx, tenantID, p.Code)
		if err == nil {
			continue
		}
		if !apperr.Is(err, apperr.Invalid) {
			return created, err
		}
		p.ID, p.TenantID, p.StartsAt, p.CreatedAt = id.New(), tenantID, start, now
		if err := promos.Create(ctx, p); err != nil {
			return created, err
		}
		created = created || p.Code == PromoCode
	}
	return created, nil
}
