package api

import (
	"time"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apitokens"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/labs"
	"github.com/salvehealth/salve/internal/lists"
)

// Patient serves a patient's own shopping lists and lab results as JSON, to
// the patient's session or a personal token in the route's scope.
type Patient struct {
	lists *lists.Service
	labs  *labs.Service
}

// NewPatient returns the patient data API.
func NewPatient(l *lists.Service, lb *labs.Service) *Patient { return &Patient{lists: l, labs: lb} }

// Routes registers GET /api/v1/lists (lists:read), GET /api/v1/results and
// GET /api/v1/results/{id} (results:read). Class API: a signed-in patient,
// or a personal token with the scope (api.TokenGuard); patients only, so a
// staff session or service token gets the same 404 as any denial. Every
// read goes through the same services, and so the same audited vault
// access, as the portal's pages.
func (p *Patient) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.API, "GET /api/v1/lists", described(p.listLists), httpx.JSON(), patients, httpx.Scope(string(apitokens.ListsRead)))
	results := httpx.Scope(string(apitokens.ResultsRead))
	rt.Handle(access.API, "GET /api/v1/results", described(p.listResults), httpx.JSON(), patients, results)
	rt.Handle(access.API, "GET /api/v1/results/{id}", described(p.showResult), httpx.JSON(), patients, results)
}

// ListJSON is a shopping list.
type ListJSON struct {
	ID    string         `json:"id"`
	Kind  string         `json:"kind"`
	Name  string         `json:"name"`
	Items []ListItemJSON `json:"items"`
}

// ListItemJSON is a variant on a list.
type ListItemJSON struct {
	VariantID string `json:"variant_id"`
	Quantity  int64  `json:"quantity"`
}

// ResultSummary is a released lab report in a list.
type ResultSummary struct {
	ID          string    `json:"id"`
	Panel       string    `json:"panel"`
	CollectedAt time.Time `json:"collected_at"`
	ReleasedAt  time.Time `json:"released_at"`
	New         bool      `json:"new"`
}

// Result is a lab report with its observations.
type Result struct {
	ResultSummary
	Observations []ObservationJSON `json:"observations"`
}

// ObservationJSON is one measured value of a report.
type ObservationJSON struct {
	ID    string   `json:"id"`
	LOINC string   `json:"loinc"`
	Name  string   `json:"name"`
	Value float64  `json:"value"`
	Unit  string   `json:"unit"`
	Low   *float64 `json:"low"`
	High  *float64 `json:"high"`
	Flag  string   `json:"flag"`
}

func resultSummary(r *labs.Report) ResultSummary {
	return ResultSummary{ID: r.ID, Panel: r.Panel, CollectedAt: r.CollectedAt.UTC(), ReleasedAt: r.ReleasedAt.UTC(), New: r.New}
}
