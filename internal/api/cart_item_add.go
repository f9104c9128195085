package api

import (
	"encoding/json"
	"net/http"

	"github.com/salvehealth/salve/internal/apperr"
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
	return writeJSON(w, http.StatusOK, cartJSON(ct))
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return apperr.Internalf("encode json: %w", err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, err = w.Write(append(b, '\n'))
	return err
}
