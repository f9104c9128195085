package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/devices"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// Devices serves the device endpoints: pairing and ingestion.
type Devices struct {
	devices *devices.Service
}

// NewDevices returns the device endpoints.
func NewDevices(d *devices.Service) *Devices { return &Devices{devices: d} }

// Routes registers POST /api/v1/devices/pair (class Public: the pairing
// code is the credential, and the service throttles wrong ones) and POST
// /api/v1/devices/readings (class Device: only a device token reaches it,
// see DeviceGuard). Both answer JSON, errors included.
func (d *Devices) Routes(rt *httpx.Router) {
	rt.Handle(access.Public, "POST /api/v1/devices/pair", d.pair, httpx.JSON(), httpx.MaxBody(4<<10))
	rt.Handle(access.Device, "POST /api/v1/devices/readings", d.readings, httpx.JSON(), httpx.MaxBody(devices.MaxBody))
}

// pairRequest is the body of a pairing.
type pairRequest struct {
	Code string `json:"code"`
}

// pair exchanges a pairing code for a device token, shown this once.
func (d *Devices) pair(w http.ResponseWriter, r *http.Request) error {
	var req pairRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return apperr.InvalidFields("Send the pairing code as JSON.", map[string]string{"code": `Send {"code": "7KQ2-M9TD"}: the 8 characters shown on the devices page.`})
	}
	p, err := d.devices.Pair(r.Context(), tenant.FromContext(r.Context()).ID, httpx.InfoFrom(r.Context()).ClientIP.String(), req.Code)
	if err != nil {
		return err
	}
	// Why no-store: the token must not stay in any cache on the way.
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusCreated, p)
}

// readings ingests a batch from the device the guard found.
func (d *Devices) readings(w http.ResponseWriter, r *http.Request) error {
	dev, ok := DeviceFrom(r.Context())
	if !ok {
		return apperr.DeniedError(errors.New("no device on a device route"))
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return apperr.Wrap(err, apperr.Invalid, "The batch could not be read.")
	}
	res, err := d.devices.Ingest(r.Context(), dev, body, r.Header.Get("Idempotency-Key"))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusCreated, res)
}

// tokenMessage is the answer to a missing, unknown or revoked token.
const tokenMessage = "This device token does not work (missing, unknown or revoked). Pair the device again from the Devices page of the account."

type deviceKey struct{}

// DeviceFrom returns the device the guard authenticated.
func DeviceFrom(ctx context.Context) (devices.Record, bool) {
	d, ok := ctx.Value(deviceKey{}).(devices.Record)
	return d, ok
}

// DeviceGuard admits device routes with a device token (Authorization:
// Bearer sdt_...) and hands every other route to next. Why a token reaches
// nothing else: every other class is decided by next, which reads only the
// session cookie, so a device token is no identity there (a lost phone's
// token can post readings and nothing more); and a session cookie is no
// identity on a device route. The token is looked up on every request (no
// cache), so a revoked token fails at once. The actor is the device's
// person, with the device named in the session slot for the audit log.
func DeviceGuard(d *devices.Service, next httpx.Guard) httpx.Guard {
	return func(r *http.Request, route httpx.Route) (*http.Request, error) {
		if route.Class != access.Device {
			return next(r, route)
		}
		t := tenant.FromContext(r.Context())
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Why 401 and not the 404 of a denial: the route is public
		// knowledge, and the answer says only that this token does not
		// work, which its holder needs to know to pair again.
		if t == nil || !ok {
			return r, apperr.Wrap(errors.New("no device token"), apperr.Unauthenticated, tokenMessage)
		}
		dev, err := d.Authenticate(r.Context(), strings.TrimSpace(token))
		if apperr.Is(err, apperr.NotFound) {
			return r, apperr.Wrap(errors.New("unknown or revoked device token"), apperr.Unauthenticated, tokenMessage)
		}
		if err != nil {
			return nil, err
		}
		// Why the tenant must match: a token is scoped to its tenant's site.
		if dev.TenantID != t.ID {
			return r, apperr.Wrap(errors.New("device of another tenant"), apperr.Unauthenticated, tokenMessage)
		}
		ctx := access.WithActor(r.Context(), access.Actor{ID: dev.PatientID, Role: access.RolePatient, TenantID: dev.TenantID,
			SessionID: "device:" + dev.ID})
		return r.WithContext(context.WithValue(ctx, deviceKey{}, dev)), nil
	}
}
