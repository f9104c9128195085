package checkout

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers the order pages. They are for patients (and
// so proxies, who are patients too): staff do not buy here.
func (h *Handlers) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET /account/orders", h.listOrders, patients)
	rt.Handle(access.Customer, "GET /account/orders/{id}", h.showOrder, patients)
	rt.Handle(access.Customer, "POST /account/orders/{id}/reorder", h.reorder, patients)
	rt.Handle(access.Customer, "GET /account/orders/{id}/pay", h.payOrder, patients)
	rt.Handle(access.Customer, "GET /account/lists", h.showLists, patients)
	rt.Handle(access.Customer, "POST /account/lists", h.createList, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/items", h.addListItem, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/items/{variant}/remove", h.removeListItem, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/cart", h.listToCart, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/from-cart", h.listFromCart, patients)
}
