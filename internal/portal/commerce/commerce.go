// Package commerce fills the dashboard's widgets of the shop side of a
// patient's account: open and past orders, lists, profile completion and the
// one offer. Each is a portal.Source; server puts them in the portal.Sources
// map beside the clinical domains' own.
//
// Every read goes through its domain's service, which decides access and
// opens the rows under one audited vault access; the order widgets and the
// offer share one read of the orders per dashboard view (portal.Remember).
package commerce

import (
	"context"
	"fmt"
	"slices"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/accounts"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/lists"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/portal"
	"github.com/salvehealth/salve/internal/tenant"
)

// Orders lists a patient's orders under one audited access
// (orders.Service).
type Orders interface {
	List(ctx context.Context, tenantID, userID string) ([]*orders.Order, error)
}

// Lists opens a person's lists under one audited access (lists.Service).
type Lists interface {
	All(ctx context.Context, tenantID, userID string) ([]*lists.List, error)
}

// Accounts opens a person's account (accounts.Service).
type Accounts interface {
	Account(ctx context.Context, tenantID, userID string, purpose access.Purpose) (accounts.Account, error)
}

// Products reads products with their variants, price breaks and stock
// included, at the current catalog version (catalog.Service.Products, which
// keeps them in memory per version: public catalog data, no PHI).
type Products interface {
	Products(ctx context.Context, tenantID string, ids []string) ([]*catalog.Product, error)
}

// Deps are what the sources read.
type Deps struct {
	Orders   Orders
	Lists    Lists
	Accounts Accounts
	Products Products
}

// Sources returns the sources of the open and past orders, lists, profile
// and offer widgets.
func Sources(d Deps) portal.Sources {
	return portal.Sources{
		portal.WidgetOpenOrders: portal.SourceFunc(d.openOrders),
		portal.WidgetPastOrders: portal.SourceFunc(d.pastOrders),
		portal.WidgetLists:      portal.SourceFunc(d.lists),
		portal.WidgetProfile:    portal.SourceFunc(d.profile),
		portal.WidgetOffer:      portal.SourceFunc(d.offer),
	}
}

// orders reads a patient's orders once per dashboard view.
func (d Deps) orders(ctx context.Context, tenantID, patientID string) ([]*orders.Order, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return portal.Remember(ctx, portal.OrdersKey(tenantID, patientID), func() ([]*orders.Order, error) {
		return d.Orders.List(ctx, tenantID, patientID)
	})
}

// openOrders is the orders under way, newest first: status and a link to
// the order's page, where it is tracked.
func (d Deps) openOrders(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	list, err := d.orders(ctx, tenantID, patientID)
	if err != nil {
		return portal.Summary{}, err
	}
	var s portal.Summary
	for _, o := range list {
		if !o.Status.Open() {
			continue
		}
		s.Total++
		if len(s.Lines) < portal.MaxLines {
			tone := portal.ToneNeutral
			switch o.Status {
			case orders.Shipped:
				tone = portal.ToneGood
			case orders.PendingPayment, orders.AwaitingRx:
				tone = portal.ToneWarn
			}
			s.Lines = append(s.Lines, portal.Line{Title: "Order " + o.Reference, Badge: o.Status.Label(), Tone: tone,
				Detail: fmt.Sprintf("Placed %s · %s", o.CreatedAt.Format("2 Jan 2006"), catalog.FormatPrice(o.Total, o.Currency)),
				Href:   "/account/orders/" + o.ID})
		}
	}
	if s.Total > 0 {
		s.Note = fmt.Sprintf("%d under way", s.Total)
	}
	return s, nil
}

// pastOrders is the orders that ended, newest first; a delivered one can be
// ordered again in one step (POST /account/orders/{id}/reorder), by the
// patient only: a proxy reads orders, buying for the patient is no part of
// any grant.
func (d Deps) pastOrders(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	list, err := d.orders(ctx, tenantID, patientID)
	if err != nil {
		return portal.Summary{}, err
	}
	a, _ := access.ActorFrom(ctx)
	var s portal.Summary
	for _, o := range list {
		if o.Status.Open() {
			continue
		}
		s.Total++
		if len(s.Lines) < portal.MaxLines {
			l := portal.Line{Title: "Order " + o.Reference, Badge: o.Status.Label(), Href: "/account/orders/" + o.ID,
				Detail: fmt.Sprintf("%s · %s", o.CreatedAt.Format("2 Jan 2006"), catalog.FormatPrice(o.Total, o.Currency))}
			if o.Status == orders.Delivered && a.ID == patientID {
				l.Action = &portal.Action{Label: "Reorder", Path: "/account/orders/" + o.ID + "/reorder"}
			}
			s.Lines = append(s.Lines, l)
		}
	}
	return s, nil
}

// lists is the person's wish and shopping lists.
func (d Deps) lists(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	all, err := d.Lists.All(ctx, tenantID, patientID)
	if err != nil {
		return portal.Summary{}, err
	}
	s := portal.Summary{Total: len(all)}
	for _, l := range all {
		if len(s.Lines) == portal.MaxLines {
			break
		}
		n := 0
		for _, it := range l.Items {
			n += int(it.Quantity)
		}
		detail := fmt.Sprintf("%d items", n)
		if n == 1 {
			detail = "1 item"
		}
		s.Lines = append(s.Lines, portal.Line{Title: l.Name, Detail: detail, Href: "/account/lists"})
	}
	return s, nil
}

// profile is the profile's completion: a meter, the next thing to add
// with why it helps (the one that helps most: accounts.Completion), then
// the rest of what is missing; nothing when it is complete.
func (d Deps) profile(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	acct, err := d.Accounts.Account(ctx, tenantID, patientID, access.PurposeSelf)
	if err != nil {
		return portal.Summary{}, err
	}
	percent, missing := accounts.Completion(acct)
	if len(missing) == 0 {
		return portal.Summary{}, nil
	}
	s := portal.Summary{Total: len(missing), Meter: &portal.Meter{Percent: percent, Label: "Profile complete"},
		Note: fmt.Sprintf("%d%% complete", percent)}
	for i, m := range missing {
		if len(s.Lines) == portal.MaxLines {
			break
		}
		l := portal.Line{Title: m.Title, Detail: m.Why, Href: m.Href, Badge: "Missing"}
		if i == 0 {
			l.Badge, l.Tone = "Next", portal.ToneWarn
		}
		s.Lines = append(s.Lines, l)
	}
	return s, nil
}

// offer is at most one subtle volume deal: a price break of a product the
// patient bought before. Why from orders only: what a patient bought is
// theirs to be reminded of, but choosing a promotion from their clinical
// data (results, prescriptions, appointments) needs their marketing
// authorization on file (DESIGN §7), which Salve does not record yet; so no
// clinical source is read here, and prescription items are never offered
// (a deal on a prescription drug would be chosen from their prescription).
func (d Deps) offer(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	list, err := d.orders(ctx, tenantID, patientID)
	if err != nil {
		return portal.Summary{}, err
	}
	// The variants bought, newest order first, and their products. Why
	// from the catalog's memory: the offer is shown on every dashboard view
	// and its products change only with the catalog version, so it reads
	// them with no statement once they were loaded at this version.
	var vids, pids []string
	for _, o := range list {
		if o.Status == orders.Cancelled {
			continue
		}
		for _, it := range o.Items {
			if !it.RequiresPrescription && !slices.Contains(vids, it.VariantID) {
				vids = append(vids, it.VariantID)
				if !slices.Contains(pids, it.ProductID) {
					pids = append(pids, it.ProductID)
				}
			}
		}
	}
	if len(vids) == 0 {
		return portal.Summary{}, nil
	}
	ps, err := d.Products.Products(ctx, tenantID, pids)
	if err != nil {
		return portal.Summary{}, err
	}
	// The first variant, in the order last bought, with a price break.
	for _, vid := range vids {
		for _, p := range ps {
			if p.Status != catalog.StatusActive || p.RequiresPrescription {
				continue
			}
			for i := range p.Variants {
				v := &p.Variants[i]
				if v.ID != vid || len(v.PriceBreaks) == 0 || v.Stock <= 0 {
					continue
				}
				b := v.PriceBreaks[0]
				name := p.Name
				if v.Name != "" {
					name += " — " + v.Name
				}
				return portal.Summary{Total: 1, Lines: []portal.Line{{
					Title:  fmt.Sprintf("%s: buy %d, pay less", name, b.MinQuantity),
					Detail: fmt.Sprintf("%s each from %d, instead of %s", catalog.FormatPrice(b.UnitPrice, v.Currency), b.MinQuantity, catalog.FormatPrice(v.Price, v.Currency)),
					Href:   "/products/" + p.Slug, Badge: "Deal",
				}}}, nil
			}
		}
	}
	return portal.Summary{}, nil
}
