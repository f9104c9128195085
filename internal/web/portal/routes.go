package portal

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/forms"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers every page under /account. Enrolling a second factor
// (an authenticator or a passkey) takes a half-signed-in session (Partial):
// a staff member must enrol one before anything else. The rest need a
// finished sign-in; proxies, orders and lists are for patients (and so
// proxies, who are patients too): staff do not buy here.
func (h *Handlers) Routes(rt *httpx.Router) {
	rt.Handle(access.Customer, "POST /account/passkeys/begin", h.beginPasskey, httpx.Partial())
	rt.Handle(access.Customer, "POST /account/passkeys/finish", h.finishPasskey, httpx.Partial())
	rt.Handle(access.Customer, "GET /account/mfa", h.showEnrol, httpx.Partial())
	rt.Handle(access.Customer, "POST /account/mfa/begin", h.beginEnrol, httpx.Partial())
	rt.Handle(access.Customer, "GET /account/mfa/qr.png", h.enrolQR, httpx.Partial())
	rt.Handle(access.Customer, "POST /account/mfa", h.confirmEnrol, httpx.Partial())

	// Both read the session's extras with it (signin.Extras): a statement
	// or four fewer each.
	rt.Handle(access.Customer, "GET /account", h.showDashboard, httpx.Extras())
	rt.Handle(access.Customer, "GET /account/profile", h.showProfile, httpx.Extras())
	rt.Handle(access.Customer, "POST /account/profile", h.submitProfile)
	rt.Handle(access.Customer, "GET /account/security", h.showSecurity)
	rt.Handle(access.Customer, "POST /account/sessions/revoke", h.revokeSession)
	rt.Handle(access.Customer, "POST /account/recovery-codes", h.newCodes)
	rt.Handle(access.Customer, "POST /account/password", h.changePassword)
	rt.Handle(access.Customer, "POST /account/mfa/remove", h.removeEnrol)
	rt.Handle(access.Customer, "POST /account/passkeys/remove", h.removePasskey)
	rt.Handle(access.Customer, "GET /account/reauth", h.showReauth)
	rt.Handle(access.Customer, "POST /account/reauth", h.submitReauth)

	patients := httpx.Roles(access.RolePatient)
	// Closing one's own account and deleting one's data: patients, for
	// themselves only (never through a proxy grant); the page after it is
	// public, since the person is signed out by then.
	rt.Handle(access.Customer, "GET /account/delete", h.showDelete, patients)
	rt.Handle(access.Customer, "POST /account/delete", h.requestDelete, patients)
	rt.Handle(access.Customer, "GET /account/delete/confirm", h.showDeleteConfirm, patients)
	rt.Handle(access.Customer, "POST /account/delete/confirm", h.confirmDelete, patients)
	rt.Handle(access.Public, "GET /account/closed", h.showClosed)
	// The dashboard: arranged by the patient, for themselves only; shown
	// for someone else only within their grant (GET /account/for/...).
	rt.Handle(access.Customer, "GET /account/for/{patient}", h.showDashboardFor, patients)
	rt.Handle(access.Customer, "GET /account/widgets/{key}", h.openWidget, patients)
	rt.Handle(access.Customer, "POST /account/dashboard/order", h.orderWidgets, patients)
	rt.Handle(access.Customer, "POST /account/dashboard/{key}/move", h.moveWidget, patients)
	rt.Handle(access.Customer, "POST /account/dashboard/{key}/hide", h.hideWidget, patients)
	rt.Handle(access.Customer, "POST /account/dashboard/{key}/restore", h.restoreWidget, patients)
	rt.Handle(access.Customer, "GET /account/proxies", h.showProxies, patients)
	rt.Handle(access.Customer, "POST /account/proxies", h.grantProxy, patients)
	rt.Handle(access.Customer, "POST /account/proxies/revoke", h.revokeProxy, patients)
	// Sharing with a sister brand (issue 20 point 4): the patient's own
	// consent, given and withdrawn here (sharing.go).
	rt.Handle(access.Customer, "GET /account/sharing", h.showSharing, patients)
	rt.Handle(access.Customer, "POST /account/sharing", h.shareWithBrand, patients)
	rt.Handle(access.Customer, "POST /account/sharing/{id}/revoke", h.revokeBrandShare, patients)
	rt.Handle(access.Customer, "GET /account/orders", h.listOrders, patients)
	rt.Handle(access.Customer, "GET /account/orders/{id}", h.showOrder, patients)
	rt.Handle(access.Customer, "POST /account/orders/{id}/reorder", h.reorder, patients)
	rt.Handle(access.Customer, "GET /account/orders/{id}/pay", h.payOrder, patients)
	// Returns (issue 18 point 2): the patient asks; staff decide and refund.
	rt.Handle(access.Customer, "GET /account/orders/{id}/return", h.newReturn, patients)
	rt.Handle(access.Customer, "POST /account/orders/{id}/return", h.createReturn, patients)
	rt.Handle(access.Customer, "GET /account/lists", h.showLists, patients)
	rt.Handle(access.Customer, "POST /account/lists", h.createList, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/items", h.addListItem, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/items/{variant}/remove", h.removeListItem, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/cart", h.listToCart, patients)
	rt.Handle(access.Customer, "POST /account/lists/{id}/from-cart", h.listFromCart, patients)
	// Prescriptions: the patient's own list, an upload (a body up to twice
	// the file limit reaches the handler, which says "at most 10 MB"), and
	// Refill into the cart.
	rt.Handle(access.Customer, "GET /account/prescriptions", h.showPrescriptions, patients)
	rt.Handle(access.Customer, "POST /account/prescriptions", h.submitPrescription, patients, httpx.MaxBody(MaxPrescriptionBody))
	rt.Handle(access.Customer, "POST /account/prescriptions/{id}/refill", h.refillPrescription, patients)
	// Appointments: the patient's own. Choosing a kind of appointment is a
	// POST (slots) so that it never travels in a URL.
	rt.Handle(access.Customer, "GET /account/appointments", h.showAppointments, patients)
	rt.Handle(access.Customer, "POST /account/appointments/slots", h.showSlots, patients)
	rt.Handle(access.Customer, "POST /account/appointments", h.bookAppointment, patients)
	rt.Handle(access.Customer, "GET /account/appointments/{id}", h.showAppointment, patients)
	rt.Handle(access.Customer, "POST /account/appointments/{id}/reschedule", h.rescheduleAppointment, patients)
	rt.Handle(access.Customer, "POST /account/appointments/{id}/cancel", h.cancelAppointment, patients)
	// Lab results: patients and their proxies (the labs service decides per
	// patient: own, or a proxy grant of the clinical records); staff read
	// results on their own pages.
	rt.Handle(access.Customer, "GET /account/results", h.listResults, patients)
	rt.Handle(access.Customer, "GET /account/results/{id}", h.showResult, patients)
	rt.Handle(access.Customer, "GET /account/results/{id}/trend/{obs}", h.showTrend, patients)
	// Billing (issue 16): the patient's own bills; an order's receipts are
	// read as billing data (the patient, or a proxy granted billing), the
	// PDF with no-store; a year's HSA/FSA receipt is the patient's own.
	rt.Handle(access.Customer, "GET /account/billing", h.showBilling, patients)
	rt.Handle(access.Customer, "GET /account/billing/{year}/hsa-receipt", h.showYearHSA, patients)
	rt.Handle(access.Customer, "GET /account/billing/{year}/hsa-receipt.pdf", h.downloadYearHSA, patients)
	rt.Handle(access.Customer, "GET /account/orders/{id}/receipt", h.showReceipt, patients)
	rt.Handle(access.Customer, "GET /account/orders/{id}/hsa-receipt", h.showOrderHSA, patients)
	rt.Handle(access.Customer, "GET /account/orders/{id}/hsa-receipt.pdf", h.downloadOrderHSA, patients)

	// Patient rights (issue 16): corrections to a record (the amend service
	// decides per record: own, or a proxy with the record's class) and the
	// marketing authorizations, which only the patient signs.
	if h.rights.amend != nil {
		rt.Handle(access.Customer, "GET /account/amendments", h.listAmendments, patients)
		rt.Handle(access.Customer, "GET /account/amendments/new", h.newAmendment, patients)
		rt.Handle(access.Customer, "POST /account/amendments", h.createAmendment, patients)
		rt.Handle(access.Customer, "GET /account/amendments/{id}", h.showAmendment, patients)
		rt.Handle(access.Customer, "POST /account/amendments/{id}/disagree", h.disagreeAmendment, patients)
	}
	if h.rights.marketing != nil {
		rt.Handle(access.Customer, "GET /account/privacy", h.showPrivacy, patients)
		rt.Handle(access.Customer, "POST /account/privacy", h.grantPrivacy, patients)
		rt.Handle(access.Customer, "POST /account/privacy/{id}/revoke", h.revokePrivacy, patients)
	}
	// Devices (issue 17): the patient's own devices (register, a new
	// pairing code, revoke), and the readings' charts and CSV (the patient,
	// or a proxy with the device readings scope via ?for=).
	rt.Handle(access.Customer, "GET /account/devices", h.showDevices, patients)
	rt.Handle(access.Customer, "POST /account/devices", h.registerDevice, patients)
	rt.Handle(access.Customer, "POST /account/devices/{id}/code", h.newDeviceCode, patients)
	// Issue 22: the page connected a meter through Web Bluetooth; JSON with
	// the device, a pairing code and the last sequence number stored.
	rt.Handle(access.Customer, "POST /account/devices/bluetooth", h.connectBluetooth, patients, httpx.JSON(), httpx.MaxBody(4<<10))
	rt.Handle(access.Customer, "POST /account/devices/{id}/revoke", h.revokeDevice, patients)
	rt.Handle(access.Customer, "GET /account/devices/readings/{type}", h.showReadings, patients)
	rt.Handle(access.Customer, "GET /account/devices/readings/{type}/csv", h.downloadReadings, patients)
}

// Routes registers the form pages (issue 18). Why patients only: a person
// answers for themselves; staff read answers on their own pages, as the
// form's data class allows. Why a body limit of its own: a form may carry
// files (forms.MaxUploads in all).
func (h *Forms) Routes(rt *httpx.Router) {
	patients := httpx.Roles(access.RolePatient)
	rt.Handle(access.Customer, "GET /account/forms", h.showForms, patients)
	rt.Handle(access.Customer, "GET /account/forms/{id}", h.showForm, patients)
	rt.Handle(access.Customer, "POST /account/forms/{id}", h.submitForm, patients, httpx.MaxBody(forms.MaxUploads+64<<10))
	rt.Handle(access.Customer, "GET /account/forms/responses/{id}", h.showResponse, patients)
	rt.Handle(access.Customer, "GET /account/forms/responses/{id}/fhir", h.downloadResponse, patients)
}
