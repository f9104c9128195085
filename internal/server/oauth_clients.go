package server

import (
	"context"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/changes"
	"github.com/salvehealth/salve/internal/oauth"
)

// oauthClientKind governs the tenant's OAuth clients (target: the client
// id): registering, editing and disabling an app goes through a request a
// second admin or the compliance officer approves. Fields: name,
// redirect_uris and scopes (space-separated), enabled (yes or no).
func oauthClientKind(apps *oauth.Service) changes.Kind {
	return changes.Kind{Name: oauth.ChangeKind, Title: "Mobile app (OAuth client)",
		Current: func(ctx context.Context, tenantID, target string) (map[string]string, error) {
			c, err := apps.Client(ctx, tenantID, target)
			if apperr.Is(err, apperr.NotFound) {
				return map[string]string{"enabled": "no"}, nil
			}
			if err != nil {
				return nil, err
			}
			enabled := "yes"
			if !c.Active() {
				enabled = "no"
			}
			return map[string]string{"enabled": enabled, "name": c.Name, "redirect_uris": strings.Join(c.RedirectURIs, " "),
				"scopes": oauth.ScopeString(c.Scopes)}, nil
		},
		Check: func(ctx context.Context, tenantID, target string, after map[string]string) error {
			if !strings.HasPrefix(target, "app_") || len(target) > 40 {
				return apperr.Errorf(apperr.Invalid, "a client id starts with app_")
			}
			if after["enabled"] == "no" {
				_, err := apps.Client(ctx, tenantID, target)
				return err
			}
			_, err := oauth.CheckClient(after["name"], strings.Fields(after["redirect_uris"]), strings.Fields(after["scopes"]))
			return err
		},
		Apply: func(ctx context.Context, ch changes.Change) error {
			cur, err := apps.Client(ctx, ch.TenantID, ch.Target)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			if ch.Payload["enabled"] == "no" {
				if err != nil {
					return err
				}
				cur.DisabledAt = apps.Now()
				return apps.RegisterClient(ctx, cur)
			}
			c, cerr := oauth.CheckClient(ch.Payload["name"], strings.Fields(ch.Payload["redirect_uris"]), strings.Fields(ch.Payload["scopes"]))
			if cerr != nil {
				return cerr
			}
			c.ID, c.TenantID, c.CreatedAt = ch.Target, ch.TenantID, cur.CreatedAt
			return apps.RegisterClient(ctx, c)
		}}
}
