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
	"github.com/salvehealth/salve/internal/tenant"
)

// apiTokenMessage is the answer to a missing, unknown, expired or revoked
// API token.
const apiTokenMessage = "This API token does not work (unknown, expired or revoked). Make a new one on the API tokens page of the account." //nolint:gosec // a message, not a credential

type tokenKey struct{}

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
func TokenGuard(tokens *apitokens.Service, next httpx.Guard) httpx.Guard {
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
		rec, err := tokens.Authenticate(r.Context(), t.ID, strings.TrimSpace(token))
		if apperr.Is(err, apperr.NotFound) {
			return r, apperr.Wrap(errors.New("unknown, expired or revoked api token"), apperr.Unauthenticated, apiTokenMessage)
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

// ownOnly refuses, through a personal token, a record of another patient
// than the token's (patientID is the record's). Why: a personal token reads
// its patient's own data; a proxy's grant to someone else's record is for
// the proxy signed in, not for an app they gave a token to. A refusal is
// the same 404 as a missing record.
func ownOnly(r *http.Request, patientID string) error {
	if t, ok := TokenFrom(r.Context()); ok && t.Kind == apitokens.KindPersonal && t.OwnerID != patientID {
		return apperr.NotFoundError()
	}
	return nil
}
