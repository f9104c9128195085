package server

import (
	"context"
	"log/slog"

	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/reviews"
	"github.com/salvehealth/salve/internal/store"
)

// newReviews builds the scheduled compliance reviews (issue 19, item 5) on
// the PHI store: staff accounts by id, role and status only (no sealed
// field is opened), vendors by name and BAA end, reminders to compliance
// officers through the outbox, and disabling through the accounts service
// (which ends the sessions and audits it).
func newReviews(stores *Stores, ids Identity, ob reviews.Enqueuer, links func(context.Context, string) orders.Links,
	c clock.Clock, log *slog.Logger) *reviews.Service {
	d := reviewsReading(stores)
	tenants := store.NewTenants(stores.Catalog)
	d.Vault, d.Audit = stores.Vault, stores.AuditLog
	d.Tenants = func(ctx context.Context) ([]string, error) {
		ts, err := tenants.List(ctx)
		out := make([]string, 0, len(ts))
		for _, t := range ts {
			out = append(out, t.ID)
		}
		return out, err
	}
	d.Disable = ids.Accounts.DisableUnrecertified
	d.Outbox, d.Contacts = ob, ids.Accounts.Email
	d.Links = func(ctx context.Context, tenantID string) (string, string) {
		l := links(ctx, tenantID)
		return l.Brand, l.BaseURL
	}
	d.Clock, d.Log = c, log
	return reviews.New(d)
}

// reviewsReading are the reviews' dependencies that only read: the
// completions, staff accounts (id, role, status) and vendors' BAA ends;
// enough for the calendar and the compliance report's checks.
func reviewsReading(stores *Stores) reviews.Deps {
	users := store.NewUsers(stores.PHI)
	vends := store.NewVendors(stores.PHI)
	return reviews.Deps{Store: store.NewReviews(stores.PHI),
		Staff: func(ctx context.Context, tenantID string) ([]reviews.Staff, error) {
			rows, err := users.List(ctx, tenantID, "", 10000)
			if err != nil {
				return nil, err
			}
			var out []reviews.Staff
			for _, u := range rows {
				if u.Role.Staff() {
					out = append(out, reviews.Staff{ID: u.ID, Role: u.Role, Status: u.Status, CreatedAt: u.CreatedAt})
				}
			}
			return out, nil
		},
		Vendors: func(ctx context.Context, tenantID string) ([]reviews.Vendor, error) {
			vs, err := vends.List(ctx, tenantID)
			out := make([]reviews.Vendor, 0, len(vs))
			for _, v := range vs {
				out = append(out, reviews.Vendor{ID: v.ID, Name: v.Name, ExpiresOn: v.ExpiresOn})
			}
			return out, err
		}}
}
