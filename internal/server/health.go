package server

import (
	"context"
	"net/http"
	"time"

	"github.com/salvehealth/salve/internal/httpx"
)

// healthz answers as long as the process serves requests.
func healthz(w http.ResponseWriter, _ *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err := w.Write([]byte("ok\n"))
	return err
}

// readiness is the JSON body of /readyz.
type readiness struct {
	Status string            `json:"status"`
	Stores map[string]string `json:"stores"`
}

// readyz answers 200 when every store of this process answers, 503 otherwise.
// It names stores and says "ok" or "unreachable", never the error, which could
// describe the database's address.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	results, ok := s.stores.Ping(ctx)
	body := readiness{Status: "ok", Stores: make(map[string]string)}
	status := http.StatusOK
	for kind, err := range results {
		body.Stores[string(kind)] = "ok"
		if err != nil {
			body.Stores[string(kind)] = "unreachable"
			s.log.WarnContext(r.Context(), "readiness: store unreachable", "store", string(kind), "err", err)
		}
	}
	if !ok {
		body.Status = "unavailable"
		status = http.StatusServiceUnavailable
	}
	return httpx.WriteJSON(w, status, body)
}
