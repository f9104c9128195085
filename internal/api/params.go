package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/httpx"
)

// queryParams maps each route of the API ("GET /api/v1/products", as the
// router's patterns read) to the query parameters openapi.json describes
// for it: the API's own description is the one list of what it accepts.
var queryParams = paramsOf(openAPI)

// paramsOf reads the query parameters of every operation of an OpenAPI
// document. A document that cannot be read is a build defect: it panics at
// start, and the tests load the same document.
func paramsOf(doc []byte) map[string][]string {
	var d struct {
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name string `json:"name"`
				In   string `json:"in"`
			} `json:"parameters"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil || len(d.Servers) != 1 {
		panic(fmt.Sprintf("api: openapi.json: %v (servers: %d)", err, len(d.Servers)))
	}
	out := map[string][]string{}
	for path, ops := range d.Paths {
		for method, op := range ops {
			names := []string{}
			for _, p := range op.Parameters {
				if p.In == "query" {
					names = append(names, p.Name)
				}
			}
			out[strings.ToUpper(method)+" "+d.Servers[0].URL+path] = names
		}
	}
	return out
}

// described refuses a query parameter the route's description does not
// name, with a 400 problem naming it. Why refuse rather than ignore: a
// misspelt filter (?categroy=) silently ignored answers a different question
// than the one asked, and the client never learns. A route missing from the
// description accepts no parameters (fail closed).
func described(h httpx.Handler) httpx.Handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		allowed := queryParams[r.Pattern]
		var unknown []string
		for k := range r.URL.Query() {
			if !slices.Contains(allowed, k) {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) == 0 {
			return h(w, r)
		}
		slices.Sort(unknown)
		fields := map[string]string{}
		for _, k := range unknown {
			fields[k] = "Unknown parameter."
		}
		msg := "Unknown query parameter: " + strings.Join(unknown, ", ") + "."
		if len(allowed) > 0 {
			msg += " This endpoint takes " + strings.Join(allowed, ", ") + "."
		}
		return apperr.InvalidFields(msg, fields)
	}
}

// notFound answers every path under /api/v1 that no route serves: a problem
// document, as on every API route, not the HTML page of a missing page.
func notFound(http.ResponseWriter, *http.Request) error { return apperr.NotFoundError() }
