package admin

import (
	"errors"
	"net/http"

	"github.com/salvehealth/salve/internal/compliance"
)

// dataFlowData is the data-flow page: the diagram as an image, and its
// DOT source as text (what a screen reader and a missing Graphviz get).
type dataFlowData struct {
	DOT    string
	HasSVG bool
}

// showDataFlow shows the data-flow diagram drawn from the live
// configuration: GET /admin/compliance/data-flow.
func (h *Handlers) showDataFlow(w http.ResponseWriter, r *http.Request) error {
	dot, _, err := h.people.Compliance.Diagram(r.Context())
	if err != nil && !errors.Is(err, compliance.ErrNoDot) {
		return err
	}
	return h.site.Render(w, r, h.dataFlowView, http.StatusOK, "Data flow", dataFlowData{DOT: dot, HasSVG: err == nil})
}

// dataFlowSVG serves the diagram as SVG: GET /admin/compliance/data-flow.svg.
// Without Graphviz it answers the DOT text.
func (h *Handlers) dataFlowSVG(w http.ResponseWriter, r *http.Request) error {
	dot, svg, err := h.people.Compliance.Diagram(r.Context())
	if errors.Is(err, compliance.ErrNoDot) {
		w.Header().Set("Content-Type", "text/vnd.graphviz; charset=utf-8")
		_, err = w.Write([]byte(dot))
		return err
	}
	if err != nil {
		return err
	}
	// Why a sandbox CSP: the SVG is drawn from configuration (host names);
	// opened directly it must run nothing.
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(svg)
	return err
}
