package demo

import (
	"context"
	"fmt"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/tenant"
)

// legalPages are the demo tenant's privacy notice, contact page and terms:
// the pages the footer links to (web.LegalSlugs). A real tenant writes its
// own in the admin; these say plainly that they are examples.
var legalPages = []catalog.Page{
	{Slug: "privacy", Title: "Privacy notice", Body: "*This is the demo pharmacy's example notice; a real pharmacy publishes its own.*\n\n" +
		"## What we keep\n\nYour orders, prescriptions and the details you give us. Your health information is encrypted, and every access to it is recorded.\n\n" +
		"## Who sees it\n\nOnly the staff whose work needs it: a pharmacist sees your prescription, the warehouse sees what to ship and where. " +
		"You can see who opened your record from your account.\n\n## Your rights\n\nYou may ask for a copy of your record, or for a correction, through the [contact page](/pages/contact)."},
	{Slug: "contact", Title: "Contact us", Body: "*The demo pharmacy's example contact page.*\n\n" +
		"- Pharmacy questions: ask a pharmacist from your account once messages arrive.\n- Orders and deliveries: customer service, weekdays 9:00 to 17:00.\n\n" +
		"Please do not send health information by ordinary email."},
	{Slug: "terms", Title: "Terms of sale", Body: "*The demo pharmacy's example terms.*\n\n" +
		"- Prescription items ship after a pharmacist verifies the prescription.\n- Prices include no tax; tax and shipping are shown before you pay.\n" +
		"- Unopened items may be returned within 30 days; medicines cannot be returned."},
}

// SeedLegalPages adds the demo's privacy notice, contact page and terms where
// the tenant has no page of that slug yet; it reports whether it added any.
func SeedLegalPages(ctx context.Context, svc *catalog.Service, tenantID string) (bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	added := false
	for _, lp := range legalPages {
		_, err := svc.PageBySlug(ctx, tenantID, lp.Slug)
		if err == nil {
			continue
		}
		if !apperr.Is(err, apperr.NotFound) {
			return false, err
		}
		p := lp
		p.TenantID, p.Published = tenantID, true
		if err := svc.SavePage(ctx, &p); err != nil {
			return false, fmt.Errorf("demo page %s: %w", p.Slug, err)
		}
		added = true
	}
	return added, nil
}
