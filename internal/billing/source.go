package billing

import (
	"context"
	"fmt"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/portal"
)

// Source fills the dashboard's billing widget (and the staff view's billing
// section): the balance due in the header, the unpaid orders with what each
// owes, or, when nothing is due, the latest receipt. Access is decided as
// billing data (a proxy needs the billing class; staff a role that reads
// billing), one audited read of the orders.
func (s *Service) Source() portal.Source {
	return portal.SourceFunc(func(ctx context.Context, tenantID, patientID string) (portal.Summary, error) {
		st, err := s.Statement(ctx, tenantID, patientID)
		if err != nil {
			return portal.Summary{}, err
		}
		return summary(st), nil
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
			sum.Lines = append(sum.Lines, portal.Line{Title: "Order " + inv.Reference, Detail: detail, Badge: "Due", Tone: portal.ToneWarn,
				Href: "/account/orders/" + inv.OrderID})
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
