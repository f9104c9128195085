package orders

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/phi"
	"github.com/salvehealth/salve/internal/tenant"
)

// Shipment is how a shipped order travels: the carrier and its tracking
// number. Sealed under the patient (Record.ShipmentCT).
type Shipment struct {
	Carrier  string `json:"carrier"`
	Tracking string `json:"tracking"`
}

// Carrier is a parcel carrier Salve can link to.
type Carrier struct {
	Code, Name string
	// track is the carrier's public tracking page, with %s for the number.
	track string
}

// Carriers are the carriers a shipment may name, in the order the staff
// form offers them.
var Carriers = []Carrier{
	{Code: "usps", Name: "USPS", track: "https://tools.usps.com/go/TrackConfirmAction?tLabels="},
	{Code: "ups", Name: "UPS", track: "https://www.ups.com/track?tracknum="},
	{Code: "fedex", Name: "FedEx", track: "https://www.fedex.com/fedextrack/?trknbr="},
	{Code: "dhl", Name: "DHL", track: "https://www.dhl.com/us-en/home/tracking.html?tracking-id="},
}

var trackingRE = regexp.MustCompile(`^[A-Z0-9]{8,40}$`)

// CheckShipment normalizes a shipment as typed (the number upper case,
// without spaces or dashes) and checks it: a known carrier and a number of
// 8 to 40 letters and digits. A bad one is an Invalid error per field.
func CheckShipment(s *Shipment) error {
	s.Carrier = strings.ToLower(strings.TrimSpace(s.Carrier))
	s.Tracking = strings.ToUpper(strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(s.Tracking)))
	f := map[string]string{}
	if _, ok := carrierOf(s.Carrier); !ok {
		f["carrier"] = "Choose the carrier."
	}
	if !trackingRE.MatchString(s.Tracking) {
		f["tracking"] = "Enter the tracking number: 8 to 40 letters and digits."
	}
	if len(f) > 0 {
		return apperr.InvalidFields("Enter the carrier and the tracking number to mark the order shipped.", f)
	}
	return nil
}

func carrierOf(code string) (Carrier, bool) {
	for _, c := range Carriers {
		if c.Code == code {
			return c, true
		}
	}
	return Carrier{}, false
}

// CarrierName is the carrier's name for people.
func (s Shipment) CarrierName() string {
	c, _ := carrierOf(s.Carrier)
	return c.Name
}

// TrackingURL is the carrier's public tracking page for the number. Why a
// link to a third party is allowed here: the carrier holds the parcel and
// its number already; the link carries that number only (no order, person
// or product), and the page sends no Referer (rel="noreferrer").
func (s Shipment) TrackingURL() string {
	c, ok := carrierOf(s.Carrier)
	if !ok {
		return ""
	}
	return c.track + url.QueryEscape(s.Tracking)
}

// Ship marks a ready order shipped (StepShip, with its rules: fulfillment
// only, from ready) and records its carrier and tracking number, sealed
// under the patient. The shipment is checked first, so a bad one is an
// Invalid error and changes nothing. The step is taken before the shipment
// is stored: a failure to store it leaves a shipped order without tracking
// (reported to the caller, logged with ids), never a tracking number on an
// order that did not ship.
func (s *Service) Ship(ctx context.Context, tenantID, orderID string, sh Shipment, n Links) (*Advanced, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := CheckShipment(&sh); err != nil {
		return nil, err
	}
	out, err := s.Advance(ctx, tenantID, orderID, StepShip, n)
	if err != nil {
		return nil, err
	}
	r, err := s.orders.ByID(ctx, tenantID, orderID)
	if err != nil {
		return nil, err
	}
	d, err := s.decide(ctx, tenantID, r.UserID, access.Write)
	if err != nil {
		return nil, apperr.NotFoundError()
	}
	// A write of the patient's data, audited as such (order.shipment).
	h, err := s.vault.Access(ctx, phi.Request{TenantID: tenantID, Subjects: []string{r.UserID}, Action: access.Write,
		Purpose: d.Purpose, Resource: "order", ResourceID: r.ID, AuditAction: "order.shipment"})
	if err != nil {
		return nil, err
	}
	body, err := json.Marshal(sh)
	if err != nil {
		return nil, fmt.Errorf("order shipment: %w", err)
	}
	ct, err := h.SealBytes(r.UserID, "orders", "shipment_ct", r.ID, body)
	if err != nil {
		return nil, err
	}
	if err := s.orders.SetShipment(ctx, tenantID, r.ID, ct, s.clock.Now()); err != nil {
		s.log.ErrorContext(ctx, "shipped order without its tracking number", "order", r.ID, "err", err)
		return nil, err
	}
	return out, nil
}
