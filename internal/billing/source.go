package billing

import (
	"context"
	"fmt"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/orders"
	"github.com/salvehealth/salve/internal/portal"
)

// Source fills the dashboard's billing widget (and the staff view's billing
// section): the balance due in the header, the unpaid orders with what each
// owes, or, when nothing is due, the latest receipt. Access is decided as
// billing data (a proxy needs the billing class; staff a role that reads
// billing), one audited read of the orders.
func (s *Service) Source() portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		// Billing is decided first: without it, nothing is read.
		if err := s.orders.May(ctx, tenantID, patientID, access.DataBilling); err != nil {
			return portal.Summary{}, err
		}
		// Why the order widgets' read when the viewer may read orders too:
		// the dashboard then opens the orders once (one audited access,
		// order.list, naming the patient) for every widget that shows
		// them, instead of a second read of the same rows. A viewer with
		// billing but not orders (a proxy granted billing only) gets a read
		// of its own under the billing class.
		var list []*orders.Order
		var err error
		if s.orders.May(ctx, tenantID, patientID, access.DataOrders) == nil {
			list, err = portal.Remember(ctx, portal.OrdersKey(tenantID, patientID), func() ([]*orders.Order, error) {
				return s.orders.List(ctx, tenantID, patientID)
			})
		} else {
			list, err = s.orders.ListAs(ctx, tenantID, patientID, access.DataBilling)
		}
		if err != nil {
			return portal.Summary{}, err
		}
		return summary(s.statement(list)), nil
	})
}

func summary(st *Statement) portal.Summary {
	var sum portal.Summary
	if st.Balance > 0 {
		sum.Note = catalog.FormatPrice(st.Balance, st.Currency) + " due"
	}
	for _, inv := range st.Open {
		sum.Total++
		if len(sum.Lines) < portal.MaxLines {
			detail := fmt.Sprintf("%s due · placed %s", catalog.FormatPrice(inv.Amount, inv.Currency), inv.Date.Format("2 Jan 2006"))
			if !inv.PayOnPage {
				detail += " · pay by invoice, quoting " + inv.Reference
			}
			// Why the invoice page, not the order's: it is billing data, so
			// whoever sees this widget (a proxy granted billing only, too)
			// may open it; it links on to paying.
			sum.Lines = append(sum.Lines, portal.Line{Title: "Order " + inv.Reference, Detail: detail, Badge: "Due", Tone: portal.ToneWarn,
				Href: "/account/orders/" + inv.OrderID + "/receipt"})
		}
	}
	if sum.Total > 0 {
		return sum
	}
	// Nothing due: the latest payment's receipt.
	for _, e := range st.Entries {
		if e.Kind == Payment {
			sum.Total = 1
			sum.Lines = []portal.Line{{Title: "Latest receipt: order " + e.Reference, Badge: "Paid", Tone: portal.ToneGood,
				Detail: fmt.Sprintf("%s · %s · nothing due", catalog.FormatPrice(-e.Amount, e.Currency), e.Date.Format("2 Jan 2006")),
				Href:   "/account/orders/" + e.OrderID + "/receipt"}}
			break
		}
	}
	return sum
}
