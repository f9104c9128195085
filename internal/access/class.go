// Package access decides who may do what: route classes, roles, and what a
// role may see of a patient's data (tenant, relationship, proxy grants,
// break-glass). Package grants looks up the facts and audits the decision.
package access

import "fmt"

// Class is the access class of a route. Every route is registered with one; the
// zero value means "unclassified", which the router refuses and which denies every
// request should it ever be served (deny by default).
type Class uint8

// The route classes.
const (
	// Unclassified is the zero value: never valid for a registered route.
	Unclassified Class = iota
	// Public routes are for anyone: catalog, landing pages, static files, health.
	Public
	// Customer routes need a signed-in patient (or proxy acting for one).
	Customer
	// Staff routes need a signed-in staff member who has passed MFA.
	Staff
	// Admin routes need a signed-in administrator who has passed MFA.
	Admin
	// API routes are the JSON API for apps and integrations.
	API
	// Device routes take readings from devices with their own tokens.
	Device
)

// Classes lists every valid class.
var Classes = []Class{Public, Customer, Staff, Admin, API, Device}

// String returns the class name.
func (c Class) String() string {
	switch c {
	case Public:
		return "public"
	case Customer:
		return "customer"
	case Staff:
		return "staff"
	case Admin:
		return "admin"
	case API:
		return "api"
	case Device:
		return "device"
	case Unclassified:
		return "unclassified"
	default:
		return fmt.Sprintf("class(%d)", uint8(c))
	}
}

// Valid reports whether c is one of the known classes.
func (c Class) Valid() bool { return c >= Public && c <= Device }

// JSON reports whether responses of this class, errors included, are JSON.
func (c Class) JSON() bool { return c == API || c == Device }
