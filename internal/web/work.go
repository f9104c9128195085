package web

import (
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/render"
)

// Task is one kind of work a staff role may do: a page of the staff or admin
// surface, with what the staff home says of it.
type Task struct {
	Key, Label, Href, About string
	Roles                   []access.Role
}

// Tasks are the staff pages, in the order the staff menu and the staff home
// show them. Each lists the roles its routes allow (web/staff and web/admin
// routes.go), so the menu offers no page that would answer 404; a test
// (TestStaffMenuOpens) holds the two together.
var Tasks = []Task{
	{Key: "orders", Label: "Orders", Href: "/staff/orders", About: "Orders that wait for payment, a prescription check, packing or shipping.",
		Roles: []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleFulfillment}},
	{Key: "prescriptions", Label: "Prescriptions", Href: "/staff/prescriptions", About: "Uploaded prescriptions and prescriber requests to verify or reject.",
		Roles: []access.Role{access.RolePharmacist}},
	{Key: "results", Label: "Lab results", Href: "/staff/results", About: "Enter your patients' lab results, release them, and review critical values.",
		Roles: []access.Role{access.RoleClinician}},
	{Key: "device-alerts", Label: "Device alerts", Href: "/staff/device-alerts", About: "Device readings of your patients past an alert threshold.",
		Roles: []access.Role{access.RoleClinician}},
	{Key: "patients", Label: "Patients", Href: "/staff/patients", About: "Find a patient and see what your role may of their record.",
		Roles: []access.Role{access.RoleClinician, access.RolePharmacist, access.RoleCustomerService}},
	// Issue 20: records patients of sister brands share with this brand,
	// and (the admin's) who on the staff cares for them.
	{Key: "shared", Label: "Shared records", Href: "/staff/shared", About: "Records that patients of the organisation's other brands share with this brand and whose care you were given.",
		Roles: []access.Role{access.RoleClinician, access.RolePharmacist, access.RoleCustomerService}},
	{Key: "break-glass", Label: "Emergency access", Href: "/staff/break-glass", About: "Open a patient's record in an emergency; every use is reviewed.",
		Roles: []access.Role{access.RoleClinician, access.RolePharmacist}},
	{Key: "appointments", Label: "Appointments", Href: "/staff/appointments", About: "Your day of appointments, and the hours patients book from.",
		Roles: []access.Role{access.RoleClinician}},
	// Secure messaging (issue 16): the inbox of the teams one is on, and
	// the admin's page of teams.
	{Key: "messages", Label: "Messages", Href: "/staff/messages", About: "Patients' messages to your teams: assign, answer and close them.",
		Roles: []access.Role{access.RoleCustomerService, access.RolePharmacist, access.RoleClinician}},
	{Key: "message-teams", Label: "Message teams", Href: "/admin/messages/teams", About: "The teams patients write to, and who is on each.",
		Roles: []access.Role{access.RoleAdmin}},
	// Amendments (issue 16, 164.526): the care team decides corrections of
	// lab results and prescriptions, customer service of profiles.
	{Key: "amendments", Label: "Corrections", Href: "/staff/amendments", About: "Patients' requests to correct a lab result, a prescription or their profile, due within 60 days.",
		Roles: []access.Role{access.RoleClinician, access.RolePharmacist, access.RoleCustomerService}},
	{Key: "catalog", Label: "Catalog", Href: "/admin/catalog", About: "Products, prices, categories, landing pages, the menu and promotions.",
		Roles: []access.Role{access.RoleStoreManager, access.RoleAdmin}},
	{Key: "appointment-types", Label: "Appointment types", Href: "/admin/appointments", About: "Kinds of appointment, locations and the cancellation window.",
		Roles: []access.Role{access.RoleStoreManager, access.RoleAdmin}},
	{Key: "reviews", Label: "Break-glass review", Href: "/admin/break-glass", About: "Review each use of emergency access and record a finding.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	{Key: "retention", Label: "Retention", Href: "/admin/compliance/retention", About: "How long records are kept, and the certificates of patients disposed of.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	// Compliance operations (issue 19).
	{Key: "compliance", Label: "Compliance report", Href: "/admin/compliance", About: "Check the running system and see which safeguard each feature meets.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	{Key: "changes", Label: "Changes", Href: "/admin/compliance/changes", About: "Approve or reject security-setting changes; the record of every change.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	{Key: "data-flow", Label: "Data flow", Href: "/admin/compliance/data-flow", About: "Where data lives and where it goes, drawn from the configuration.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	// Issue 19: vendors and BAAs, outgoing webhooks.
	{Key: "vendors", Label: "Vendors and BAAs", Href: "/admin/compliance/vendors", About: "Outside parties, their BAAs, what each integration may send, and refused attempts.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	{Key: "webhooks", Label: "Webhooks", Href: "/admin/compliance/webhooks", About: "Events sent to other systems, signed, with each delivery's answer.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	// Issue 19: incidents and breach notification (the compliance officer
	// only: an investigation may concern an admin).
	{Key: "incidents", Label: "Incidents", Href: "/admin/compliance/incidents", About: "The incident register, risk assessments, the 60-day clock and breach notices.",
		Roles: []access.Role{access.RoleCompliance}},
	// The amendment clock (issue 16): what is due and overdue, no text.
	{Key: "amendment-clock", Label: "Amendment clock", Href: "/admin/compliance/amendments", About: "Correction requests waiting for a decision, and which are overdue.",
		Roles: []access.Role{access.RoleCompliance, access.RoleAdmin}},
	{Key: "users", Label: "Staff accounts", Href: "/admin", About: "Invite staff, change roles, disable accounts.",
		Roles: []access.Role{access.RoleAdmin}},
	{Key: "shared-care", Label: "Shared care", Href: "/admin/shared-care", About: "Patients of sister brands who share their record with this brand: who on the staff cares for them.",
		Roles: []access.Role{access.RoleAdmin}},
	{Key: "outbox", Label: "Outbox", Href: "/admin/outbox", About: "Emails waiting to leave and those sent.",
		Roles: []access.Role{access.RoleAdmin}},
}

// TasksOf returns the tasks a role may do; none for patients.
func TasksOf(role access.Role) []Task {
	var out []Task
	for _, t := range Tasks {
		if slices.Contains(t.Roles, role) {
			out = append(out, t)
		}
	}
	return out
}

// workMenu is the staff menu of a role: the staff home, then its tasks.
func workMenu(role access.Role) []render.MenuLink {
	tasks := TasksOf(role)
	if len(tasks) == 0 && !role.Staff() {
		return nil
	}
	out := []render.MenuLink{{Label: "Staff home", Href: "/staff"}}
	for _, t := range tasks {
		out = append(out, render.MenuLink{Label: t.Label, Href: t.Href})
	}
	return out
}
