package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/cart"
	"github.com/salvehealth/salve/internal/httpx"
	"github.com/salvehealth/salve/internal/tenant"
)

// addCartItem answers POST /api/v1/cart/items {"variant_id", "quantity"}:
// adds to the cart and returns it. Bad input is a 422 problem and changes
// nothing.
func (c *Commerce) addCartItem(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		VariantID string `json:"variant_id"`
		Quantity  int64  `json:"quantity"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		// A number that is JSON but not a quantity (1e20, 2.5, "2") is a
		// mistake in that field, said as such.
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "quantity" {
			return apperr.InvalidFields("The quantity is out of range.", map[string]string{
				"quantity": fmt.Sprintf("Use a whole number from 1 to %d.", cart.MaxQuantity)})
		}
		return apperr.Wrap(err, apperr.Invalid, "The body must be JSON: {\"variant_id\": \"...\", \"quantity\": 1}.")
	}
	t := tenant.FromContext(r.Context())
	token := c.cookies.Ensure(w, r)
	if err := c.carts.Add(r.Context(), t.ID, token, in.VariantID, in.Quantity); err != nil {
		return err
	}
	ct, err := c.carts.Get(r.Context(), t.ID, token)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.WriteJSON(w, http.StatusOK, cartJSON(ct))
}
