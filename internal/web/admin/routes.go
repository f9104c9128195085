package admin

import (
	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/httpx"
)

// Routes registers the admin routes. Catalog pages are Staff routes for store
// managers and admins only: the router checks the role after the guard, so a
// pharmacist or a patient gets the same 404 as anyone denied. Staff accounts
// and the outbox are Admin routes (the admin role, signed in with MFA); the
// break-glass review is for compliance and admins. Those pages about people
// exist only where the PHI store is.
func (h *Handlers) Routes(rt *httpx.Router) {
	mgr := httpx.Roles(access.RoleStoreManager, access.RoleAdmin)
	rt.Handle(access.Staff, "GET /admin/catalog", h.listProducts, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/products/new", h.newProduct, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/products", h.saveProduct, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/products/{id}", h.editProduct, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/products/{id}", h.saveProduct, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/products/{id}/status", h.setProductStatus, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/products/{id}/images", h.uploadImage, mgr, httpx.MaxBody(MaxUploadBody))
	rt.Handle(access.Staff, "POST /admin/catalog/products/{id}/images/{image}/delete", h.deleteImage, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/categories", h.listCategories, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/categories", h.saveCategory, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/categories/{id}/delete", h.deleteCategory, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/pages", h.listPages, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/pages/new", h.newPage, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/pages", h.savePage, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/pages/{slug}", h.editPage, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/pages/{slug}", h.savePage, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/pages/{slug}/delete", h.deletePage, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/menu", h.showMenu, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/menu", h.saveMenu, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/promotions", h.listPromotions, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/promotions", h.createPromotion, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/promotions/{id}", h.editPromotion, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/promotions/{id}", h.savePromotion, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/promotions/{id}/pause", h.pausePromotion, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/promotions/{id}/resume", h.resumePromotion, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/promotions/{id}/end", h.endPromotion, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/promotions/{id}/duplicate", h.duplicatePromotion, mgr)
	rt.Handle(access.Staff, "GET /admin/catalog/export.csv", h.exportCSV, mgr)
	rt.Handle(access.Staff, "POST /admin/catalog/import", h.importCSV, mgr, httpx.MaxBody(MaxImportBody))
	// The brand's look (white label): colours and footer, set here or
	// inherited from the organisation. Merchandising, like the catalog.
	if h.Brand != nil {
		rt.Handle(access.Staff, "GET /admin/brand", h.showBrand, mgr)
		rt.Handle(access.Staff, "POST /admin/brand/{key}", h.setBrandSetting, mgr)
		rt.Handle(access.Staff, "POST /admin/brand/{key}/reset", h.resetBrandSetting, mgr)
	}
	// The organisation's own page (organisation.go): managers and admins
	// at the router, then only those holding an organisation role of a
	// manager or admin; the roles only for the organisation's admin.
	if h.Orgs != nil && h.Audit != nil && h.OrgBrands != nil && h.people != nil {
		rt.Handle(access.Staff, "GET /admin/organisation", h.showOrg, mgr)
		rt.Handle(access.Staff, "POST /admin/organisation/settings/{key}", h.setOrgSetting, mgr)
		rt.Handle(access.Staff, "POST /admin/organisation/settings/{key}/reset", h.resetOrgSetting, mgr)
		rt.Handle(access.Staff, "POST /admin/organisation/roles", h.grantOrgRole, mgr)
		rt.Handle(access.Staff, "POST /admin/organisation/roles/{user}/revoke", h.revokeOrgRole, mgr)
		if h.people.Changes != nil {
			rt.Handle(access.Staff, "POST /admin/organisation/session-limits", h.requestOrgSessionLimits, mgr)
		}
	}
	if h.Offers != nil {
		// The organisation's shared catalog as this brand sees it: which
		// products it sells, at what price. Merchandising, like the
		// catalog; why only where the audit log is: every change is
		// recorded before it is made (internal/offers).
		rt.Handle(access.Staff, "GET /admin/catalog/organisation", h.showOrgCatalog, mgr)
		rt.Handle(access.Staff, "POST /admin/catalog/organisation/{id}", h.chooseOffer, mgr)
		rt.Handle(access.Staff, "POST /admin/catalog/organisation/variants/{id}/price", h.setOfferPrice, mgr)
		rt.Handle(access.Staff, "POST /admin/catalog/organisation/variants/{id}/stock", h.setOfferStock, mgr)
		rt.Handle(access.Staff, "GET /admin/catalog/organisation/products", h.listOrgProducts, mgr)
		rt.Handle(access.Staff, "GET /admin/catalog/organisation/products/new", h.newOrgProduct, mgr)
		rt.Handle(access.Staff, "POST /admin/catalog/organisation/products", h.saveOrgProduct, mgr)
		rt.Handle(access.Staff, "GET /admin/catalog/organisation/products/{id}", h.editOrgProduct, mgr)
		rt.Handle(access.Staff, "POST /admin/catalog/organisation/products/{id}", h.saveOrgProduct, mgr)
		rt.Handle(access.Staff, "POST /admin/catalog/organisation/products/{id}/images", h.uploadOrgImage, mgr, httpx.MaxBody(MaxUploadBody))
		rt.Handle(access.Staff, "POST /admin/catalog/organisation/products/{id}/images/{image}/delete", h.deleteOrgImage, mgr)
	}
	if h.ShipTax != nil {
		// Shipping and tax settings (issue 18): what buyers are charged,
		// merchandising like the catalog, so the store manager's. Why only
		// where the audit log is: every change is recorded before it is
		// made (internal/shiptax), and a process without one cannot.
		rt.Handle(access.Staff, "GET /admin/shipping", h.showShipping, mgr)
		rt.Handle(access.Staff, "POST /admin/shipping/methods", h.saveShippingMethod, mgr)
		rt.Handle(access.Staff, "POST /admin/shipping/methods/{code}/delete", h.deleteShippingMethod, mgr)
		rt.Handle(access.Staff, "POST /admin/shipping/zones", h.saveShippingZone, mgr)
		rt.Handle(access.Staff, "POST /admin/shipping/zones/{code}/delete", h.deleteShippingZone, mgr)
		rt.Handle(access.Staff, "POST /admin/shipping/rates", h.saveShippingRate, mgr)
		rt.Handle(access.Staff, "POST /admin/shipping/rates/{method}/{zone}/delete", h.deleteShippingRate, mgr)
		rt.Handle(access.Staff, "GET /admin/tax", h.showTax, mgr)
		rt.Handle(access.Staff, "POST /admin/tax/{region}", h.saveTaxRegion, mgr)
	}
	if h.Insights != nil {
		// Dashboard insights: PHI-free counts, and the default order a
		// store manager may pin (a merchandising decision).
		rt.Handle(access.Staff, "GET /admin/insights", h.showInsights, mgr)
		rt.Handle(access.Staff, "POST /admin/insights/pin", h.pinDefault, mgr)
		rt.Handle(access.Staff, "POST /admin/insights/unpin", h.unpinDefault, mgr)
	}
	if h.people == nil {
		return
	}
	rt.Handle(access.Admin, "GET /admin", h.showUsers)
	rt.Handle(access.Admin, "POST /admin/users/invite", h.invite)
	rt.Handle(access.Admin, "POST /admin/users/{id}/role", h.setRole)
	rt.Handle(access.Admin, "POST /admin/users/{id}/disable", h.setDisabled(true))
	rt.Handle(access.Admin, "POST /admin/users/{id}/enable", h.setDisabled(false))
	// Care for patients of sister brands who share with this brand (issue
	// 20 point 4): the admin's, as care assignments are (shared_care.go).
	if h.OrgBrands != nil {
		rt.Handle(access.Admin, "GET /admin/shared-care", h.showSharedCare)
		rt.Handle(access.Admin, "POST /admin/shared-care", h.assignSharedCare)
		rt.Handle(access.Admin, "POST /admin/shared-care/remove", h.removeSharedCare)
	}
	rt.Handle(access.Admin, "GET /admin/outbox", h.showOutbox)
	rt.Handle(access.Admin, "POST /admin/outbox/{id}/open", h.openOutboxMessage)
	reviewers := httpx.Roles(access.RoleCompliance, access.RoleAdmin)
	rt.Handle(access.Staff, "GET /admin/break-glass", h.showReviews, reviewers)
	rt.Handle(access.Staff, "POST /admin/break-glass/{id}/review", h.review, reviewers)
	// Retention rules and disposal certificates: compliance's work, and
	// the admin's as for the break-glass review. Why not store managers or
	// the care team: the rules decide when patients' data is destroyed.
	if h.people.Retention != nil {
		rt.Handle(access.Staff, "GET /admin/compliance/retention", h.showRetention, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/retention", h.setRetentionRule, reviewers)
		rt.Handle(access.Staff, "GET /admin/compliance/retention/certificates/{id}", h.downloadCertificate, reviewers)
	}
	// Compliance operations (issue 19): changes with approvals, the
	// report and the data-flow diagram, for compliance and admins (the
	// same reviewers as retention). Why not other roles: they decide and
	// see how the installation is secured.
	if h.people.Changes != nil {
		rt.Handle(access.Staff, "GET /admin/compliance/changes", h.showChanges, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/changes/{id}/approve", h.approveChange, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/changes/{id}/reject", h.rejectChange, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/changes/session-limits", h.requestSessionLimits, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/changes/sso", h.requestSSO, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/changes/working-hours", h.requestWorkingHours, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/changes/policy", h.requestPolicy, reviewers)
	}
	if h.people.Compliance != nil {
		rt.Handle(access.Staff, "GET /admin/compliance", h.showCompliance, reviewers)
		rt.Handle(access.Staff, "GET /admin/compliance/data-flow", h.showDataFlow, reviewers)
		rt.Handle(access.Staff, "GET /admin/compliance/data-flow.svg", h.dataFlowSVG, reviewers)
	}
	// Vendors and BAAs (issue 19): compliance and admins look; only the
	// compliance officer changes what may receive PHI (separation of
	// duties: admins set integrations up, compliance approves where PHI
	// goes). Outgoing webhooks: admins and compliance set them up.
	if h.people.Vendors != nil {
		officer := httpx.Roles(access.RoleCompliance)
		rt.Handle(access.Staff, "GET /admin/compliance/vendors", h.showVendors, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/vendors", h.addVendor, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/vendors/{id}", h.updateVendor, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/vendors/{id}/document", h.uploadBAA, officer, httpx.MaxBody(MaxBAABody))
		rt.Handle(access.Staff, "GET /admin/compliance/vendors/{id}/document", h.downloadBAA, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/integrations/{key}", h.bindIntegration, officer)
	}
	if h.people.Webhooks != nil && h.people.Vendors != nil {
		rt.Handle(access.Staff, "GET /admin/compliance/webhooks", h.showWebhooks, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/webhooks", h.addWebhook, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/webhooks/{id}/test", h.sendTestWebhook, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/webhooks/{id}/disable", h.disableWebhook, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/webhooks/{id}/phi", h.requestWebhookPHI, reviewers)
	}
	// Incidents and breach notification (issue 19, 164.400–414): the
	// compliance officer only. Why not admins, unlike the other compliance
	// pages: an investigation may concern an admin's own access, and the
	// people affected (a list of patients) are PHI nobody else needs.
	if h.people.Incidents != nil {
		officer := httpx.Roles(access.RoleCompliance)
		rt.Handle(access.Staff, "GET /admin/compliance/incidents", h.showIncidents, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/incidents", h.createIncident, officer)
		rt.Handle(access.Staff, "GET /admin/compliance/incidents/hhs-log.csv", h.exportHHSLog, officer)
		rt.Handle(access.Staff, "GET /admin/compliance/incidents/{id}", h.showIncident, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/incidents/{id}/affected", h.selectAffected, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/incidents/{id}/assessment", h.assessIncident, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/incidents/{id}/letter", h.saveIncidentLetter, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/incidents/{id}/notify", h.notifyIncident, officer)
		rt.Handle(access.Staff, "POST /admin/compliance/incidents/{id}/close", h.closeIncident, officer)
		rt.Handle(access.Staff, "GET /admin/compliance/incidents/{id}/letters/{person}", h.downloadIncidentLetter, officer)
	}
	// Scheduled reviews (issue 19): compliance and admins (the managers
	// who confirm staff roles) see the calendar and record reviews.
	if h.people.Reviews != nil {
		rt.Handle(access.Staff, "GET /admin/compliance/reviews", h.showReviewsCalendar, reviewers)
		rt.Handle(access.Staff, "POST /admin/compliance/reviews", h.completeReview, reviewers, httpx.MaxBody(MaxReviewBody))
		rt.Handle(access.Staff, "GET /admin/compliance/reviews/{id}/evidence", h.downloadReviewEvidence, reviewers)
		rt.Handle(access.Staff, "GET /admin/compliance/reviews/{id}/file", h.downloadReviewFile, reviewers)
	}
	// The review of audit activity and the audit events behind it: the
	// compliance officer's alone. Why not admins: their own actions are in
	// the log under review (separation of duties).
	if h.people.Activity != nil {
		officer := httpx.Roles(access.RoleCompliance)
		rt.Handle(access.Staff, "GET /admin/compliance/activity", h.showActivity, officer)
		rt.Handle(access.Staff, "GET /admin/compliance/audit", h.showAuditEvents, officer)
	}
	// Patient rights (issue 16): the amendment clock for compliance (no
	// text, only kinds and dates); the reach of a targeted promotion for
	// those who make promotions (a count, never who).
	if h.rights.amend != nil {
		rt.Handle(access.Staff, "GET /admin/compliance/amendments", h.showAmendmentClock, reviewers)
	}
	if h.rights.marketing != nil && h.Promotions != nil {
		rt.Handle(access.Staff, "GET /admin/catalog/promotions/{id}/reach", h.showPromotionReach, mgr)
	}
	// The appointment offer (types, locations, the cancellation window):
	// the business's own data like the catalog, so store managers and
	// admins; it lives in the PHI store beside the bookings it rules.
	if h.people.Appointments != nil {
		rt.Handle(access.Staff, "GET /admin/appointments", h.showAppointmentTypes, mgr)
		rt.Handle(access.Staff, "POST /admin/appointments/types", h.addAppointmentType, mgr)
		rt.Handle(access.Staff, "POST /admin/appointments/types/{id}/retire", h.setAppointmentType(false), mgr)
		rt.Handle(access.Staff, "POST /admin/appointments/types/{id}/offer", h.setAppointmentType(true), mgr)
		rt.Handle(access.Staff, "POST /admin/appointments/locations", h.addLocation, mgr)
		rt.Handle(access.Staff, "POST /admin/appointments/window", h.setCancelWindow, mgr)
	}
}

// Routes registers the form builder (issue 18). Why store managers and
// admins: a form is shop content like a product page; building one shows no
// answers (those are read by the roles of the form's data class).
func (h *FormPages) Routes(rt *httpx.Router) {
	mgr := httpx.Roles(access.RoleStoreManager, access.RoleAdmin)
	rt.Handle(access.Staff, "GET /admin/forms", h.showForms, mgr)
	rt.Handle(access.Staff, "GET /admin/forms/new", h.newForm, mgr)
	rt.Handle(access.Staff, "POST /admin/forms", h.saveForm, mgr)
	rt.Handle(access.Staff, "GET /admin/forms/{id}", h.editForm, mgr)
	rt.Handle(access.Staff, "POST /admin/forms/{id}", h.saveForm, mgr)
	rt.Handle(access.Staff, "GET /admin/forms/{id}/questionnaire", h.downloadQuestionnaire, mgr)
}
