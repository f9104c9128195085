package orders_test

import (
	"testing"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/orders"
)

// TestCheckShipment: a tracking number is kept as letters and digits (spaces
// and dashes dropped, upper case) and must be 8 to 40 of them; the carrier
// must be one Salve links to; the link carries the number only.
func TestCheckShipment(t *testing.T) {
	sh := orders.Shipment{Carrier: " UPS ", Tracking: "1z 999-aa1 0123456784"}
	if err := orders.CheckShipment(&sh); err != nil {
		t.Fatal(err)
	}
	if sh.Carrier != "ups" || sh.Tracking != "1Z999AA10123456784" || sh.CarrierName() != "UPS" ||
		sh.TrackingURL() != "https://www.ups.com/track?tracknum=1Z999AA10123456784" {
		t.Fatalf("%+v %s", sh, sh.TrackingURL())
	}
	for _, bad := range []orders.Shipment{
		{Carrier: "pigeon", Tracking: "12345678"},
		{Carrier: "usps", Tracking: "1234567"},
		{Carrier: "usps", Tracking: "12345678&x=<y>"},
		{Carrier: "usps", Tracking: "123456789012345678901234567890123456789012"},
		{},
	} {
		err := orders.CheckShipment(&bad)
		if ae := apperr.As(err); ae == nil || ae.Code != apperr.Invalid || len(ae.Fields) == 0 {
			t.Errorf("%+v: %v", bad, err)
		}
	}
}
