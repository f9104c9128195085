package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/oauth"
	"github.com/salvehealth/salve/internal/tenant"
)

// apiTokenMessage is the answer to a missing, unknown, expired or revoked
// API token.
const apiTokenMessage = "This API token does not work (unknown, expired or revoked). Make a new one on the API tokens page of the account." //nolint:gosec // a message, not a credential

// appTokenMessage is the answer to an app's access token that does not
// work: the app refreshes it, or the patient approves the app again.
const appTokenMessage = "This access token does not work (expired or revoked). Refresh it, or sign in to the app again." //nolint:gosec // a message, not a credential

type tokenKey struct{}

// AppTokens authenticates the access tokens of apps (internal/oauth).
type AppTokens interface {
	Authenticate(ctx context.Context, tenantID, token string) (apitokens.Record, error)
}

// TokenFrom returns the API token the guard admitted the request with.
func TokenFrom(ctx context.Context) (apitokens.Record, bool) {
	t, ok := ctx.Value(tokenKey{}).(apitokens.Record)
	return t, ok
}

// TokenGuard admits api-class routes with an API token (Authorization:
// Bearer spt_...) and hands every other request to next: a route of another
// class, or an api-class request without a bearer token (a browser's
// session, decided by next). Why a token reaches only api-class routes: the
// portal's pages and forms are decided by next, which reads only the session
// cookie, so a leaked token reads data through /api/v1 in its scopes and
// can change nothing. Why the token wins over a cookie that came with it:
// a request has one identity, and the token's scopes must not be widened by
// a session the same client happens to hold. The token is looked up on
// every request (no cache), so a revoked or expired token fails at once.
//
// An app's OAuth access token (sat_..., internal/oauth) is checked by apps
// and then treated as a personal token of the patient who approved the app.
func TokenGuard(tokens *apitokens.Service, apps AppTokens, next httpx.Guard) httpx.Guard {
	return func(r *http.Request, route httpx.Route) (*http.Request, error) {
		if route.Class != access.API {
			return next(r, route)
		}
		auth := r.Header.Get("Authorization")
		if auth == "" {
			return next(r, route)
		}
		token, ok := strings.CutPrefix(auth, "Bearer ")
		t := tenant.FromContext(r.Context())
		// Why 401 and not the 404 of a denial: the answer says only that
		// this token does not work, which its holder needs to know.
		if !ok || t == nil {
			return r, apperr.Wrap(errors.New("no api token"), apperr.Unauthenticated, apiTokenMessage)
		}
		token = strings.TrimSpace(token)
		var rec apitokens.Record
		var err error
		if strings.HasPrefix(token, oauth.AccessPrefix) && apps != nil {
			rec, err = apps.Authenticate(r.Context(), t.ID, token)
		} else {
			rec, err = tokens.Authenticate(r.Context(), t.ID, token)
		}
		if apperr.Is(err, apperr.NotFound) {
			msg := apiTokenMessage
			if strings.HasPrefix(token, oauth.AccessPrefix) {
				msg = appTokenMessage
			}
			return r, apperr.Wrap(errors.New("unknown, expired or revoked api token"), apperr.Unauthenticated, msg)
		}
		if err != nil {
			return nil, err
		}
		// Why a route outside the token's scopes is a 404 like any denial:
		// deny by default, and a token must not learn what else exists for
		// its holder. A route without a scope admits no token at all.
		if route.Scope == "" || !rec.Has(apitokens.Scope(route.Scope)) {
			return r, apperr.DeniedError(errors.New("route outside the token's scopes"))
		}
		// The actor: a personal token acts as its patient; a service token
		// as itself with its staff role. The session slot names the token,
		// so the audit log says which token read what.
		actor := access.Actor{ID: rec.OwnerID, Role: rec.Role, TenantID: rec.TenantID, SessionID: "token:" + rec.ID}
		if rec.Kind == apitokens.KindService {
			actor.ID = "token:" + rec.ID
		}
		ctx := access.WithActor(r.Context(), actor)
		return r.WithContext(context.WithValue(ctx, tokenKey{}, rec)), nil
	}
}

// requester is the person a patient route acts for: the actor the guard
// admitted (a session's patient or a personal token's).
func requester(r *http.Request) (access.Actor, error) {
	a, ok := access.ActorFrom(r.Context())
	if !ok {
		return a, apperr.DeniedError(errors.New("no actor on a patient route"))
	}
	return a, nil
}

// ownOnly refuses, through a personal token or an app's token, a record of another patient
// than the token's (patientID is the record's). Why: a personal token reads
// its patient's own data; a proxy's grant to someone else's record is for
// the proxy signed in, not for an app they gave a token to. A refusal is
// the same 404 as a missing record.
func ownOnly(r *http.Request, patientID string) error {
	if t, ok := TokenFrom(r.Context()); ok && t.Kind != apitokens.KindService && t.OwnerID != patientID {
		return apperr.NotFoundError()
	}
	return nil
}
