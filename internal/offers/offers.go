// Package offers holds a brand's choices of its organisation's shared
// catalog: which organisation products the brand sells and at what price
// (docs/white-label.md, "A shared catalog"). Every change is audited before
// it is made.
package offers

import (
	"context"
	"strconv"

	"github.com/salvehealth/salve/internal/access"
	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/audit"
	"github.com/salvehealth/salve/internal/catalog"
)

// Service reads and changes a brand's offers, and (for a person with an
// organisation-level role) the organisation's products themselves.
type Service struct {
	store   catalog.OfferStore
	catalog *catalog.Service
	audit   audit.Appender
	// org is the catalog service over organisations' catalogs (its tenant
	// is an organisation); nil leaves the organisation's products to
	// salve catalog import --org.
	org *catalog.Service
}

// WithOrgCatalog lets the service edit organisations' own products through
// org, a catalog service over store.OrgCatalogRepo.
func (s *Service) WithOrgCatalog(org *catalog.Service) *Service {
	s.org = org
	return s
}

// OrgProducts returns an organisation's products by name.
func (s *Service) OrgProducts(ctx context.Context, orgID string) ([]*catalog.Product, error) {
	if s.org == nil {
		return nil, apperr.NotFoundError()
	}
	return s.org.AllProducts(ctx, orgID)
}

// OrgProduct returns one of an organisation's products; another
// organisation's is NotFound, like none.
func (s *Service) OrgProduct(ctx context.Context, orgID, productID string) (*catalog.Product, error) {
	if s.org == nil {
		return nil, apperr.NotFoundError()
	}
	return s.org.ProductByID(ctx, orgID, productID)
}

// OrgCategories are the category slugs the organisation's brands use.
func (s *Service) OrgCategories(ctx context.Context, orgID string) ([]catalog.Category, error) {
	if s.org == nil {
		return nil, apperr.NotFoundError()
	}
	return s.org.Categories(ctx, orgID)
}

// SaveOrgProduct creates or updates an organisation's product with its
// variants and shared stock, and rewrites every brand's copy in the same
// transaction (store.OrgCatalogRepo.SaveProducts). The change is audited in
// the brand the person acts in, before it is made (fail closed).
func (s *Service) SaveOrgProduct(ctx context.Context, brandID, orgID string, p *catalog.Product) error {
	if s.org == nil {
		return apperr.NotFoundError()
	}
	if p.ID != "" {
		if _, err := s.org.ProductByID(ctx, orgID, p.ID); err != nil {
			return err
		}
	}
	if err := s.org.Prepare(orgID, p); err != nil {
		return err
	}
	if err := s.record(ctx, brandID, "catalog.org.product.save", "org_product", p.ID, "organisation "+orgID+" product "+p.Slug); err != nil {
		return err
	}
	return s.org.SaveProducts(ctx, orgID, []*catalog.Product{p})
}

// New returns the service. al records every change; nil is refused at change
// time (fail closed), so a process without an audit log (the storefront
// role) can list but never change.
func New(st catalog.OfferStore, cat *catalog.Service, al audit.Appender) *Service {
	return &Service{store: st, catalog: cat, audit: al}
}

// List returns the organisation's products with the brand's choices and
// prices; none for a brand outside any organisation.
func (s *Service) List(ctx context.Context, brandID string) ([]*catalog.Offer, error) {
	return s.catalog.Offers(ctx, s.store, brandID)
}

// Choose makes the brand sell an organisation product (chosen) or stop.
func (s *Service) Choose(ctx context.Context, brandID, orgProductID string, chosen bool) error {
	action, detail := "catalog.offer.choose", "sold by this brand"
	if !chosen {
		action, detail = "catalog.offer.withdraw", "no longer sold by this brand"
	}
	if err := s.record(ctx, brandID, action, "org_product", orgProductID, detail); err != nil {
		return err
	}
	return s.catalog.Choose(ctx, s.store, brandID, orgProductID, chosen)
}

// SetPrice sets the brand's price of an organisation variant from a decimal
// ("12.50"); empty returns it to the organisation's price.
func (s *Service) SetPrice(ctx context.Context, brandID, orgVariantID, price string) error {
	minor, err := catalog.ParseBrandPrice(price)
	if err != nil {
		return err
	}
	detail := "brand price " + catalog.FormatDecimal(minor)
	if minor < 0 {
		detail = "back to the organisation's price"
	}
	if err := s.record(ctx, brandID, "catalog.offer.price", "org_variant", orgVariantID, detail); err != nil {
		return err
	}
	return s.catalog.SetPrice(ctx, s.store, brandID, orgVariantID, minor)
}

// AddOrgImage adds a picture (already checked and resized) to an
// organisation product; it reaches every brand's copy in the same
// transaction. Audited in the brand the person acts in, before it is made.
func (s *Service) AddOrgImage(ctx context.Context, brandID, orgID, productID, alt string, up *catalog.Upload) error {
	if s.org == nil {
		return apperr.NotFoundError()
	}
	if _, err := s.org.ProductByID(ctx, orgID, productID); err != nil {
		return err
	}
	if err := s.record(ctx, brandID, "catalog.org.image.add", "org_product", productID, "organisation "+orgID+" picture "+up.SHA256); err != nil {
		return err
	}
	return s.org.AddImage(ctx, orgID, productID, alt, up)
}

// DeleteOrgImage removes a picture from an organisation product and every
// brand's copy. Audited likewise.
func (s *Service) DeleteOrgImage(ctx context.Context, brandID, orgID, productID, imageID string) error {
	if s.org == nil {
		return apperr.NotFoundError()
	}
	if _, err := s.org.ProductByID(ctx, orgID, productID); err != nil {
		return err
	}
	if err := s.record(ctx, brandID, "catalog.org.image.delete", "org_product", productID, "organisation "+orgID+" picture "+imageID); err != nil {
		return err
	}
	return s.org.DeleteImage(ctx, orgID, productID, imageID)
}

// SetStock switches the brand's copy of an organisation variant to its own
// stock of count units, typed as a whole number ("12"); empty returns it to
// the organisation's shared stock.
func (s *Service) SetStock(ctx context.Context, brandID, orgVariantID, count string) error {
	n, err := catalog.ParseOwnStock(count)
	if err != nil {
		return err
	}
	detail := "own stock " + strconv.FormatInt(n, 10)
	if n < 0 {
		detail = "back to the organisation's stock"
	}
	if err := s.record(ctx, brandID, "catalog.offer.stock", "org_variant", orgVariantID, detail); err != nil {
		return err
	}
	return s.catalog.SetOwnStock(ctx, s.store, brandID, orgVariantID, n)
}

// record writes the audit event of a change before it is made. Why first and
// fail closed: what a brand sells and charges is a business change that must
// be traceable to who made it; one that cannot be recorded is not made (an
// event whose change then fails, a bad price say, is a harmless extra line).
// The detail is a product id and a price: no person's data.
func (s *Service) record(ctx context.Context, brandID, action, resource, id, detail string) error {
	if s.audit == nil {
		return apperr.New(apperr.Unavailable, "Salve cannot record this change here, so it was not made.")
	}
	if err := s.audit.Append(ctx, audit.Entry{TenantID: brandID, Action: action, ResourceType: resource, ResourceID: id,
		Purpose: access.PurposeOperations, Severity: audit.Normal, Detail: detail}); err != nil {
		return apperr.Wrap(err, apperr.Unavailable, "Salve cannot record this right now, so it was not done. Try again in a minute.")
	}
	return nil
}
