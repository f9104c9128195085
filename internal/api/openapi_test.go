package api_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/store"
	"github.com/salvehealth/salve/internal/testkit"
)

// TestOpenAPIDescribesEveryRoute enumerates the router's /api/v1 routes (a
// full server, every surface mounted) and fails when one is missing from
// openapi.json, when an operation names no security requirement, or names
// one that does not fit its class: a public route none, a device route the
// device token, an api-class route the session, the bearer token and the
// mobile app's OAuth token, each token with exactly the route's scope, a
// staff route the session. It fails too when
// the document describes an operation no route serves.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	sp := loadSpec(t)
	s := testkit.StartServer(t, store.SQLite)
	comps, _ := sp.doc["components"].(map[string]any)
	schemes, _ := comps["securitySchemes"].(map[string]any)
	for _, name := range []string{"sessionCookie", "bearerToken", "deviceToken", "mobileApp"} {
		if schemes[name] == nil {
			t.Errorf("security scheme %s is not described", name)
		}
	}
	paths := sp.doc["paths"].(map[string]any)
	served := map[string]bool{}
	for _, rt := range s.Router().Routes() {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok || !strings.HasPrefix(path, "/api/v1/") {
			continue // the catch-all "/api/v1/" has no method: it is the JSON 404
		}
		rel := strings.TrimPrefix(path, "/api/v1")
		served[strings.ToLower(method)+" "+rel] = true
		op, _ := paths[rel].(map[string]any)[strings.ToLower(method)].(map[string]any)
		if op == nil {
			t.Errorf("%s is not in openapi.json", rt.Pattern)
			continue
		}
		sec, ok := op["security"].([]any)
		if !ok {
			t.Errorf("%s: no security requirement", rt.Pattern)
			continue
		}
		var got []string
		for _, req := range sec {
			for name, scopes := range req.(map[string]any) {
				var sc []string
				for _, x := range scopes.([]any) {
					sc = append(sc, x.(string))
				}
				got = append(got, name+"["+strings.Join(sc, ",")+"]")
			}
		}
		slices.Sort(got)
		var want []string
		switch rt.Class {
		case access.Public:
			want = nil
		case access.Device:
			want = []string{"deviceToken[]"}
		case access.API:
			want = []string{"bearerToken[" + rt.Scope + "]", "mobileApp[" + rt.Scope + "]", "sessionCookie[]"}
		default:
			want = []string{"sessionCookie[]"}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (class %s): security %v, want %v", rt.Pattern, rt.Class, got, want)
		}
	}
	for p, ops := range paths {
		for m := range ops.(map[string]any) {
			if !served[m+" "+p] {
				t.Errorf("openapi.json describes %s %s, which no route serves", m, p)
			}
		}
	}
}
