package server

import (
	"context"
	"log/slog"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/incidents"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/outbox"
	"github.com/salvehealth/salve/internal/store"
)

// IncidentDeps are what the incident register is wired with.
type IncidentDeps struct {
	Stores   *Stores
	Accounts *accounts.Service
	Outbox   *outbox.Outbox
	// Orders give a person's state of residence (the region of their last
	// shipping address); nil: no state is on file.
	Orders *orders.Service
	Links  func(ctx context.Context, tenantID string) (brand, baseURL string)
	Clock  clock.Clock
	Log    *slog.Logger
}

// NewIncidents builds the incident register and breach notification
// (issue 19, item 7) as the server wires it.
func NewIncidents(d IncidentDeps) *incidents.Service {
	users := store.NewUsers(d.Stores.PHI)
	var residence func(ctx context.Context, tenantID, userID string) (string, error)
	if d.Orders != nil {
		residence = func(ctx context.Context, tenantID, userID string) (string, error) {
			// Why as the system, with the read audited as an order read:
			// the state of residence decides the media notice (164.406),
			// and the compliance officer has no access to orders; only the
			// region is kept, in the sealed list.
			sys := access.WithActor(ctx, access.System("incidents.residence", tenantID))
			a, ok, err := d.Orders.LastAddress(sys, tenantID, userID)
			if err != nil || !ok {
				return "", err
			}
			return a.Region, nil
		}
	}
	return incidents.New(incidents.Deps{
		Store: store.NewIncidents(d.Stores.PHI), Vault: d.Stores.Vault, Audit: d.Stores.AuditLog, Events: d.Stores.AuditLog, Outbox: d.Outbox,
		Contacts: d.Accounts.Email,
		Names: func(ctx context.Context, tenantID, userID string) (string, error) {
			a, err := d.Accounts.Account(ctx, tenantID, userID, access.PurposeCompliance)
			if err != nil {
				return "", err
			}
			return a.Name.Reveal(), nil
		},
		Patient: func(ctx context.Context, tenantID, userID string) (bool, error) {
			u, err := users.ByID(ctx, tenantID, userID)
			if apperr.Is(err, apperr.NotFound) {
				// An id in the audit log whose account is gone (deleted
				// and disposed of) has nobody left to notify.
				return false, nil
			}
			if err != nil {
				return false, err
			}
			return u.Role == access.RolePatient, nil
		},
		Residence: residence, Links: d.Links, Clock: d.Clock, Log: d.Log,
	})
}
