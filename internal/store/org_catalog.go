package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/id"
)

// OrgCatalogRepo stores organisations' shared catalogs and their brands'
// choices (docs/white-label.md, "A shared catalog"). As a catalog.Store its
// tenant is an organisation: it holds products and variants only (no
// categories of its own, pages, menu or images), so that catalog.Service's
// CSV import and export work on an organisation's catalog unchanged.
//
// A brand's chosen product is a copy in the brand's own products and
// variants, rewritten in the transaction of every change to the
// organisation's product, the brand's choice or its price; why copies: every
// reader of a brand's catalog (search, pages, the API, carts, caches keyed by
// the brand's catalog version) then answers per brand with no change, and a
// brand can only ever show what it chose, at its price.
type OrgCatalogRepo struct {
	db  *DB
	cat *CatalogRepo
}

// NewOrgCatalogRepo returns the organisation catalogs of a catalog store.
func NewOrgCatalogRepo(db *DB) *OrgCatalogRepo {
	return &OrgCatalogRepo{db: db, cat: NewCatalogRepo(db)}
}

var (
	_ catalog.Store      = (*OrgCatalogRepo)(nil)
	_ catalog.OfferStore = (*OrgCatalogRepo)(nil)
)

var errOrgCatalog = apperr.New(apperr.Invalid, "An organisation's catalog holds products only; categories, pages, the menu and images belong to each brand.")

type queryRower interface {
	querier
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// orgProducts loads an organisation's products with their variants; where
// ($2 onwards) narrows them.
func orgProducts(ctx context.Context, q queryRower, orgID, where string, args ...any) ([]*catalog.Product, error) {
	var out []*catalog.Product
	byID := map[string]*catalog.Product{}
	all := append([]any{orgID}, args...)
	//nolint:gosec // only constant text is concatenated; values are parameters
	err := each(ctx, q, `SELECT id, org_id, slug, name, brand, summary, description, description_html, category_slug, tags,
		requires_prescription, hsa_fsa_eligible, status, created_at, updated_at FROM org_products WHERE org_id = $1 `+where+`
		ORDER BY lower(name), id`, all, func(rows *sql.Rows) error {
		var p catalog.Product
		var tags string
		if err := rows.Scan(&p.ID, &p.TenantID, &p.Slug, &p.Name, &p.Brand, &p.Summary, &p.Description, &p.DescriptionHTML,
			&p.CategoryID, &tags, &p.RequiresPrescription, &p.HSAFSAEligible, &p.Status, &p.CreatedAt, &p.UpdatedAt); err != nil {
			return err
		}
		p.Tags = splitTags(tags)
		p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
		out = append(out, &p)
		byID[p.ID] = &p
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load organisation products: %w", err)
	}
	if len(out) == 0 {
		return nil, nil
	}
	err = each(ctx, q, `SELECT id, org_product_id, sku, name, price, currency, stock, position, price_breaks, weight_grams
		FROM org_variants WHERE org_id = $1 ORDER BY position, sku`, []any{orgID}, func(rows *sql.Rows) error {
		var v catalog.Variant
		var breaks string
		if err := rows.Scan(&v.ID, &v.ProductID, &v.SKU, &v.Name, &v.Price, &v.Currency, &v.Stock, &v.Position, &breaks, &v.WeightGrams); err != nil {
			return err
		}
		bs, err := catalog.ParsePriceBreaks(breaks, false)
		if err != nil {
			return fmt.Errorf("variant %s: %w", v.ID, err)
		}
		v.PriceBreaks = bs
		if p := byID[v.ProductID]; p != nil {
			p.Variants = append(p.Variants, v)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load organisation variants: %w", err)
	}
	err = each(ctx, q, `SELECT id, org_product_id, sha256, alt, width, height, position FROM org_product_images WHERE org_id = $1
		ORDER BY position, id`, []any{orgID}, func(rows *sql.Rows) error {
		var im catalog.Image
		if err := rows.Scan(&im.ID, &im.ProductID, &im.SHA256, &im.Alt, &im.Width, &im.Height, &im.Position); err != nil {
			return err
		}
		if p := byID[im.ProductID]; p != nil {
			p.Images = append(p.Images, im)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load organisation images: %w", err)
	}
	return out, nil
}

// AllProducts returns the organisation's products by name.
func (s *OrgCatalogRepo) AllProducts(ctx context.Context, orgID string) ([]*catalog.Product, error) {
	return orgProducts(ctx, s.db.r, orgID, "")
}

// ProductBySlug returns an organisation product, or NotFound.
func (s *OrgCatalogRepo) ProductBySlug(ctx context.Context, orgID, slug string) (*catalog.Product, error) {
	return first(orgProducts(ctx, s.db.r, orgID, "AND slug = $2", slug))
}

// ProductByID returns an organisation product, or NotFound.
func (s *OrgCatalogRepo) ProductByID(ctx context.Context, orgID, pid string) (*catalog.Product, error) {
	if !id.Valid(pid) {
		return nil, apperr.NotFoundError()
	}
	return first(orgProducts(ctx, s.db.r, orgID, "AND id = $2", pid))
}

func first(ps []*catalog.Product, err error) (*catalog.Product, error) {
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 {
		return nil, apperr.NotFoundError()
	}
	return ps[0], nil
}

// Products returns the organisation products of ids, in that order.
func (s *OrgCatalogRepo) Products(ctx context.Context, orgID string, ids []string) ([]*catalog.Product, error) {
	all, err := s.AllProducts(ctx, orgID)
	if err != nil {
		return nil, err
	}
	byID := map[string]*catalog.Product{}
	for _, p := range all {
		byID[p.ID] = p
	}
	var out []*catalog.Product
	for _, x := range ids {
		if p := byID[x]; p != nil {
			out = append(out, p)
		}
	}
	return out, nil
}

// Categories are the categories of the organisation's brands, by slug (the
// first name seen for a slug): an organisation product names a category by
// slug, and each brand that sells it files it under its own category of
// that slug. The ID of each is its slug.
func (s *OrgCatalogRepo) Categories(ctx context.Context, orgID string) ([]catalog.Category, error) {
	var out []catalog.Category
	seen := map[string]bool{}
	err := each(ctx, s.db.r, `SELECT c.slug, c.name FROM categories c JOIN tenants t ON t.id = c.tenant_id
		WHERE t.org_id = $1 ORDER BY c.position, c.name, t.slug`, []any{orgID}, func(rows *sql.Rows) error {
		var c catalog.Category
		if err := rows.Scan(&c.Slug, &c.Name); err != nil {
			return err
		}
		if !seen[c.Slug] {
			seen[c.Slug] = true
			c.ID, c.TenantID = c.Slug, orgID
			out = append(out, c)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("organisation categories: %w", err)
	}
	return out, nil
}

// SaveProducts inserts or updates organisation products (matched by id) with
// their variants, and rewrites every brand's copy of them, in one
// transaction: a problem anywhere (a slug or SKU a brand already uses for a
// product of its own) changes nothing.
func (s *OrgCatalogRepo) SaveProducts(ctx context.Context, orgID string, ps []*catalog.Product) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		for _, p := range ps {
			if err := saveOrgProduct(ctx, tx, orgID, p); err != nil {
				return err
			}
		}
		for _, p := range ps {
			var offers []struct{ brand, copyID string }
			err := each(ctx, tx, `SELECT tenant_id, product_id FROM brand_offers WHERE org_product_id = $1 ORDER BY tenant_id`,
				[]any{p.ID}, func(rows *sql.Rows) error {
					var o struct{ brand, copyID string }
					err := rows.Scan(&o.brand, &o.copyID)
					offers = append(offers, o)
					return err
				})
			if err != nil {
				return fmt.Errorf("brand offers: %w", err)
			}
			for _, o := range offers {
				if _, err := s.syncBrand(ctx, tx, o.brand, orgID, p.ID, p.UpdatedAt); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func saveOrgProduct(ctx context.Context, tx *sql.Tx, orgID string, p *catalog.Product) error {
	tags := strings.Join(p.Tags, ",")
	res, err := tx.ExecContext(ctx, `UPDATE org_products SET slug = $3, name = $4, brand = $5, summary = $6, description = $7,
		description_html = $8, category_slug = $9, tags = $10, requires_prescription = $11, hsa_fsa_eligible = $12,
		status = $13, updated_at = $14 WHERE id = $1 AND org_id = $2`,
		p.ID, orgID, p.Slug, p.Name, p.Brand, p.Summary, p.Description, p.DescriptionHTML, p.CategoryID, tags,
		p.RequiresPrescription, p.HSAFSAEligible, p.Status, p.UpdatedAt)
	if err != nil {
		return productErr(err, p)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_products (id, org_id, slug, name, brand, summary, description,
			description_html, category_slug, tags, requires_prescription, hsa_fsa_eligible, status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
			p.ID, orgID, p.Slug, p.Name, p.Brand, p.Summary, p.Description, p.DescriptionHTML, p.CategoryID, tags,
			p.RequiresPrescription, p.HSAFSAEligible, p.Status, p.CreatedAt, p.UpdatedAt); err != nil {
			return productErr(err, p)
		}
	}
	// Variants are updated in place, not replaced: brands' prices refer to
	// them by id.
	keep := []any{p.ID}
	for _, v := range p.Variants {
		keep = append(keep, v.ID)
	}
	//nolint:gosec // only $n placeholders are concatenated; values are parameters
	if _, err := tx.ExecContext(ctx, `DELETE FROM org_variants WHERE org_product_id = $1 AND id NOT IN (`+Placeholders(2, len(p.Variants))+`)`,
		keep...); err != nil {
		return fmt.Errorf("remove organisation variants: %w", err)
	}
	for _, v := range p.Variants {
		breaks := catalog.FormatPriceBreaks(v.PriceBreaks, false)
		res, err := tx.ExecContext(ctx, `UPDATE org_variants SET sku = $3, name = $4, price = $5, currency = $6, stock = $7,
			position = $8, price_breaks = $9, weight_grams = $10 WHERE id = $1 AND org_product_id = $2`,
			v.ID, p.ID, v.SKU, v.Name, v.Price, v.Currency, v.Stock, v.Position, breaks, v.WeightGrams)
		if err == nil {
			if n, _ := res.RowsAffected(); n == 0 {
				_, err = tx.ExecContext(ctx, `INSERT INTO org_variants (id, org_id, org_product_id, sku, name, price, currency, stock,
					position, price_breaks, weight_grams) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
					v.ID, orgID, p.ID, v.SKU, v.Name, v.Price, v.Currency, v.Stock, v.Position, breaks, v.WeightGrams)
			}
		}
		if err != nil {
			if isUniqueViolation(err) {
				return apperr.InvalidFields("A SKU is taken.", map[string]string{"sku": "Another product uses the SKU " + v.SKU + "."})
			}
			return fmt.Errorf("save organisation variant: %w", err)
		}
	}
	return nil
}

// brandOrg returns the organisation of a brand, or NotFound when it has none.
func brandOrg(ctx context.Context, q queryRower, brandID string) (string, error) {
	var org sql.NullString
	err := q.QueryRowContext(ctx, `SELECT org_id FROM tenants WHERE id = $1`, brandID).Scan(&org)
	if errors.Is(err, sql.ErrNoRows) || err == nil && !org.Valid {
		return "", apperr.NotFoundError()
	}
	if err != nil {
		return "", fmt.Errorf("brand organisation: %w", err)
	}
	return org.String, nil
}

// syncBrand writes a brand's copy of an organisation product from the
// product, the brand's choice and its prices, and bumps the brand's catalog
// version. It returns the copy's id. A brand that never chose the product
// has no offer row and gets no copy ("" is returned).
func (s *OrgCatalogRepo) syncBrand(ctx context.Context, tx *sql.Tx, brandID, orgID, orgProductID string, now time.Time) (string, error) {
	org, err := first(orgProducts(ctx, tx, orgID, "AND id = $2", orgProductID))
	if err != nil {
		return "", err
	}
	o := &catalog.Offer{Product: org, Prices: map[string]int64{}, OwnStock: map[string]int64{}}
	var copyID string
	err = tx.QueryRowContext(ctx, `SELECT product_id, chosen FROM brand_offers WHERE tenant_id = $1 AND org_product_id = $2`,
		brandID, orgProductID).Scan(&copyID, &o.Chosen)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("brand offer: %w", err)
	}
	if err := s.brandPrices(ctx, tx, brandID, o.Prices); err != nil {
		return "", err
	}
	var old *catalog.Product
	if copyID != "" {
		old = &catalog.Product{ID: copyID}
		err := tx.QueryRowContext(ctx, `SELECT created_at FROM products WHERE id = $1 AND tenant_id = $2`, copyID, brandID).Scan(&old.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			old = nil
		} else if err != nil {
			return "", fmt.Errorf("brand copy: %w", err)
		}
	}
	if old != nil {
		// A variant on the brand's own stock keeps it, and its count, across
		// the rewrite (keyed by the organisation variant, which outlives a
		// changed SKU).
		err := each(ctx, tx, `SELECT id, sku, stock, own_stock, org_variant_id FROM variants WHERE product_id = $1 AND tenant_id = $2`,
			[]any{copyID, brandID}, func(rows *sql.Rows) error {
				var v catalog.Variant
				var own bool
				var orgVariant sql.NullString
				err := rows.Scan(&v.ID, &v.SKU, &v.Stock, &own, &orgVariant)
				if own && orgVariant.Valid {
					o.OwnStock[orgVariant.String] = v.Stock
				}
				old.Variants = append(old.Variants, v)
				return err
			})
		if err != nil {
			return "", fmt.Errorf("brand copy: %w", err)
		}
	}
	var catID, catName string
	if org.CategoryID != "" {
		err := tx.QueryRowContext(ctx, `SELECT id, name FROM categories WHERE tenant_id = $1 AND slug = $2`, brandID, org.CategoryID).Scan(&catID, &catName)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", fmt.Errorf("brand category: %w", err)
		}
	}
	c := catalog.BrandCopy(org, o, brandID, catID, old, now)
	if err := s.cat.saveProduct(ctx, tx, brandID, c, catName); err != nil {
		return "", err
	}
	for i, v := range c.Variants {
		_, own := o.OwnStock[org.Variants[i].ID]
		if _, err := tx.ExecContext(ctx, `UPDATE variants SET org_variant_id = $1, own_stock = $4 WHERE id = $2 AND tenant_id = $3`,
			org.Variants[i].ID, v.ID, brandID, own); err != nil {
			return "", fmt.Errorf("brand copy: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE brand_offers SET product_id = $3 WHERE tenant_id = $1 AND org_product_id = $2`,
		brandID, orgProductID, c.ID); err != nil {
		return "", fmt.Errorf("brand offer: %w", err)
	}
	if err := syncPictures(ctx, tx, brandID, c.ID, org, now); err != nil {
		return "", err
	}
	return c.ID, bumpVersion(ctx, tx, brandID)
}

// syncPictures gives a brand's copy a picture row for each of the
// organisation product's pictures it lacks and removes those the
// organisation removed; the brand's own pictures of its copy (no
// org_image_id) are left alone. The bytes stay the organisation's, served to
// the brand by CatalogRepo.Rendition.
func syncPictures(ctx context.Context, tx *sql.Tx, brandID, copyID string, org *catalog.Product, now time.Time) error {
	have := map[string]bool{}
	err := each(ctx, tx, `SELECT org_image_id FROM product_images WHERE tenant_id = $1 AND product_id = $2 AND org_image_id IS NOT NULL`,
		[]any{brandID, copyID}, func(rows *sql.Rows) error {
			var x string
			err := rows.Scan(&x)
			have[x] = true
			return err
		})
	if err != nil {
		return fmt.Errorf("brand pictures: %w", err)
	}
	keep := map[string]bool{}
	for _, im := range org.Images {
		keep[im.ID] = true
		if have[im.ID] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO product_images (id, tenant_id, product_id, sha256, alt, width, height, position, org_image_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, id.NewAt(now), brandID, copyID, im.SHA256, im.Alt, im.Width, im.Height, im.Position, im.ID); err != nil {
			return fmt.Errorf("brand pictures: %w", err)
		}
	}
	for x := range have {
		if keep[x] {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM product_images WHERE tenant_id = $1 AND product_id = $2 AND org_image_id = $3`,
			brandID, copyID, x); err != nil {
			return fmt.Errorf("brand pictures: %w", err)
		}
	}
	return nil
}

// syncOffers rewrites every brand's copy of an organisation product.
func (s *OrgCatalogRepo) syncOffers(ctx context.Context, tx *sql.Tx, orgID, orgProductID string, now time.Time) error {
	var brands []string
	err := each(ctx, tx, `SELECT tenant_id FROM brand_offers WHERE org_product_id = $1 ORDER BY tenant_id`,
		[]any{orgProductID}, func(rows *sql.Rows) error {
			var b string
			err := rows.Scan(&b)
			brands = append(brands, b)
			return err
		})
	if err != nil {
		return fmt.Errorf("brand offers: %w", err)
	}
	for _, b := range brands {
		if _, err := s.syncBrand(ctx, tx, b, orgID, orgProductID, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *OrgCatalogRepo) brandPrices(ctx context.Context, q querier, brandID string, into map[string]int64) error {
	err := each(ctx, q, `SELECT org_variant_id, price FROM brand_prices WHERE tenant_id = $1`, []any{brandID}, func(rows *sql.Rows) error {
		var v string
		var p int64
		err := rows.Scan(&v, &p)
		into[v] = p
		return err
	})
	if err != nil {
		return fmt.Errorf("brand prices: %w", err)
	}
	return nil
}

// Offers returns the products of the brand's organisation with the brand's
// choices and prices; a brand outside any organisation has none.
func (s *OrgCatalogRepo) Offers(ctx context.Context, brandID string) ([]*catalog.Offer, error) {
	orgID, err := brandOrg(ctx, s.db.r, brandID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ps, err := orgProducts(ctx, s.db.r, orgID, "")
	if err != nil {
		return nil, err
	}
	prices := map[string]int64{}
	if err := s.brandPrices(ctx, s.db.r, brandID, prices); err != nil {
		return nil, err
	}
	chosen := map[string]bool{}
	err = each(ctx, s.db.r, `SELECT org_product_id, chosen FROM brand_offers WHERE tenant_id = $1`, []any{brandID}, func(rows *sql.Rows) error {
		var pid string
		var c bool
		err := rows.Scan(&pid, &c)
		chosen[pid] = c
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("brand offers: %w", err)
	}
	own := map[string]int64{}
	err = each(ctx, s.db.r, `SELECT org_variant_id, stock FROM variants WHERE tenant_id = $1 AND own_stock AND org_variant_id IS NOT NULL`,
		[]any{brandID}, func(rows *sql.Rows) error {
			var v string
			var n int64
			err := rows.Scan(&v, &n)
			own[v] = n
			return err
		})
	if err != nil {
		return nil, fmt.Errorf("brand stock: %w", err)
	}
	out := make([]*catalog.Offer, 0, len(ps))
	for _, p := range ps {
		o := &catalog.Offer{Product: p, Chosen: chosen[p.ID], Prices: map[string]int64{}, OwnStock: map[string]int64{}}
		for _, v := range p.Variants {
			if x, ok := prices[v.ID]; ok {
				o.Prices[v.ID] = x
			}
			if n, ok := own[v.ID]; ok {
				o.OwnStock[v.ID] = n
			}
		}
		out = append(out, o)
	}
	return out, nil
}

// Choose makes the brand sell an organisation product, or stop selling it.
// A product of another organisation is NotFound, like one that does not
// exist: why, a brand reaches only its own organisation's catalog.
func (s *OrgCatalogRepo) Choose(ctx context.Context, brandID, orgProductID string, chosen bool, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		orgID, err := brandOrg(ctx, tx, brandID)
		if err != nil {
			return err
		}
		if _, err := first(orgProducts(ctx, tx, orgID, "AND id = $2", orgProductID)); err != nil {
			return err
		}
		var copyID string
		err = tx.QueryRowContext(ctx, `SELECT product_id FROM brand_offers WHERE tenant_id = $1 AND org_product_id = $2`,
			brandID, orgProductID).Scan(&copyID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if !chosen {
				return nil
			}
			// The offer row needs the copy's id (a foreign key), and the
			// copy is made from the offer: insert the copy's row first.
			copyID = id.NewAt(now)
			if _, err := tx.ExecContext(ctx, `INSERT INTO products (id, tenant_id, slug, name, status, created_at, updated_at)
				SELECT $1, $2, slug, name, 'draft', $3, $3 FROM org_products WHERE id = $4`, copyID, brandID, now, orgProductID); err != nil {
				if isUniqueViolation(err) {
					return apperr.InvalidFields("This shop already has a product with that slug.", map[string]string{"slug": "Rename or archive this shop's own product of the same slug first."})
				}
				return fmt.Errorf("brand copy: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO brand_offers (tenant_id, org_product_id, product_id, chosen, updated_at)
				VALUES ($1, $2, $3, $4, $5)`, brandID, orgProductID, copyID, chosen, now); err != nil {
				return fmt.Errorf("brand offer: %w", err)
			}
		case err != nil:
			return fmt.Errorf("brand offer: %w", err)
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE brand_offers SET chosen = $3, updated_at = $4 WHERE tenant_id = $1 AND org_product_id = $2`,
				brandID, orgProductID, chosen, now); err != nil {
				return fmt.Errorf("brand offer: %w", err)
			}
		}
		_, err = s.syncBrand(ctx, tx, brandID, orgID, orgProductID, now)
		return err
	})
}

// SetPrice sets the brand's price for an organisation variant (price < 0:
// the organisation's again) and rewrites the brand's copy if it has one.
func (s *OrgCatalogRepo) SetPrice(ctx context.Context, brandID, orgVariantID string, price int64, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		orgID, err := brandOrg(ctx, tx, brandID)
		if err != nil {
			return err
		}
		var pid string
		err = tx.QueryRowContext(ctx, `SELECT org_product_id FROM org_variants WHERE id = $1 AND org_id = $2`, orgVariantID, orgID).Scan(&pid)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("organisation variant: %w", err)
		}
		if price < 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM brand_prices WHERE tenant_id = $1 AND org_variant_id = $2`, brandID, orgVariantID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO brand_prices (tenant_id, org_variant_id, price, updated_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (tenant_id, org_variant_id) DO UPDATE SET price = excluded.price, updated_at = excluded.updated_at`,
				brandID, orgVariantID, price, now)
		}
		if err != nil {
			return fmt.Errorf("brand price: %w", err)
		}
		_, err = s.syncBrand(ctx, tx, brandID, orgID, pid, now)
		return err
	})
}

// SetOwnStock switches the brand's copy of an organisation variant to its
// own stock of count units, or (count < 0) back to the organisation's shared
// stock, and bumps the brand's catalog version. From then on the copy's
// sales take its own count and never the organisation's (store.Stock); back
// on the shared stock, the copy shows the organisation's count again.
// A variant of another organisation is NotFound; one this brand never chose
// (no copy) is refused.
func (s *OrgCatalogRepo) SetOwnStock(ctx context.Context, brandID, orgVariantID string, count int64, now time.Time) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		orgID, err := brandOrg(ctx, tx, brandID)
		if err != nil {
			return err
		}
		// The organisation's variant is locked first (an UPDATE that changes
		// nothing, which locks on both engines), then the brand's copy: the
		// order a sale takes them in (takeShared), so the two cannot
		// deadlock, and a sale cannot slip its shared count in between the
		// read below and the switch back.
		var shared int64
		err = tx.QueryRowContext(ctx, `UPDATE org_variants SET stock = stock WHERE id = $1 AND org_id = $2 RETURNING stock`,
			orgVariantID, orgID).Scan(&shared)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("organisation variant: %w", err)
		}
		var res sql.Result
		if count < 0 {
			res, err = tx.ExecContext(ctx, `UPDATE variants SET own_stock = FALSE, stock = $3 WHERE tenant_id = $1 AND org_variant_id = $2`,
				brandID, orgVariantID, shared)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE variants SET own_stock = TRUE, stock = $3 WHERE tenant_id = $1 AND org_variant_id = $2`,
				brandID, orgVariantID, count)
		}
		if err != nil {
			return fmt.Errorf("brand stock: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.InvalidFields("Sell the product here first.", map[string]string{"stock": "This shop has not chosen this product, so it has no stock of its own to keep."})
		}
		if _, err := tx.ExecContext(ctx, `UPDATE products SET in_stock = EXISTS (SELECT 1 FROM variants v WHERE v.product_id = products.id AND v.stock > 0)
			WHERE tenant_id = $1 AND id IN (SELECT product_id FROM variants WHERE tenant_id = $1 AND org_variant_id = $2)`, brandID, orgVariantID); err != nil {
			return fmt.Errorf("brand stock flags: %w", err)
		}
		return bumpVersion(ctx, tx, brandID)
	})
}

// Search finds nothing: an organisation's catalog is searched through its
// brands.
func (s *OrgCatalogRepo) Search(context.Context, string, catalog.Spec) ([]string, catalog.Counts, error) {
	return nil, catalog.Counts{}, nil
}

// ProductWords is empty (see Search).
func (s *OrgCatalogRepo) ProductWords(context.Context, string) ([]string, error) { return nil, nil }

// SaveCategory is refused: categories belong to brands.
func (s *OrgCatalogRepo) SaveCategory(context.Context, *catalog.Category) error { return errOrgCatalog }

// DeleteCategory is refused: categories belong to brands.
func (s *OrgCatalogRepo) DeleteCategory(context.Context, string, string) error { return errOrgCatalog }

// Pages is empty: landing pages belong to brands.
func (s *OrgCatalogRepo) Pages(context.Context, string) ([]catalog.Page, error) { return nil, nil }

// PageBySlug is NotFound: landing pages belong to brands.
func (s *OrgCatalogRepo) PageBySlug(context.Context, string, string) (*catalog.Page, error) {
	return nil, apperr.NotFoundError()
}

// SavePage is refused: landing pages belong to brands.
func (s *OrgCatalogRepo) SavePage(context.Context, *catalog.Page) error { return errOrgCatalog }

// DeletePage is refused: landing pages belong to brands.
func (s *OrgCatalogRepo) DeletePage(context.Context, string, string) error { return errOrgCatalog }

// Menu is empty: the menu belongs to brands.
func (s *OrgCatalogRepo) Menu(context.Context, string) ([]catalog.MenuItem, error) { return nil, nil }

// SaveMenu is refused: the menu belongs to brands.
func (s *OrgCatalogRepo) SaveMenu(context.Context, string, []catalog.MenuItem) error {
	return errOrgCatalog
}

// AddImage adds a picture (checked and resized by catalog.ProcessImage) to
// an organisation product and, in the same transaction, to every brand's
// copy of it. A product of another organisation is NotFound.
func (s *OrgCatalogRepo) AddImage(ctx context.Context, orgID string, img *catalog.Image, rs map[string]catalog.Rendition) error {
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		// The product's time stamps the copies' rewrites (the store keeps
		// no clock of its own).
		var at time.Time
		err := tx.QueryRowContext(ctx, `SELECT updated_at FROM org_products WHERE id = $1 AND org_id = $2`, img.ProductID, orgID).Scan(&at)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("store image: %w", err)
		}
		for size, r := range rs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO org_image_renditions (org_id, sha256, size, content_type, data)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, orgID, img.SHA256, size, r.ContentType, r.Data); err != nil {
				return fmt.Errorf("store image: %w", err)
			}
		}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(position) + 1, 0) FROM org_product_images WHERE org_product_id = $1`,
			img.ProductID).Scan(&img.Position); err != nil {
			return fmt.Errorf("store image: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO org_product_images (id, org_id, org_product_id, sha256, alt, width, height, position)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, img.ID, orgID, img.ProductID, img.SHA256, img.Alt, img.Width, img.Height, img.Position); err != nil {
			return fmt.Errorf("store image: %w", err)
		}
		return s.syncOffers(ctx, tx, orgID, img.ProductID, at.UTC())
	})
}

// DeleteImage removes a picture from an organisation product and from every
// brand's copy, and its bytes when no other picture of the organisation
// uses them.
func (s *OrgCatalogRepo) DeleteImage(ctx context.Context, orgID, productID, imageID string) error {
	if !id.Valid(productID) || !id.Valid(imageID) {
		return apperr.NotFoundError()
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		var sha string
		var at time.Time
		err := tx.QueryRowContext(ctx, `SELECT i.sha256, p.updated_at FROM org_product_images i JOIN org_products p ON p.id = i.org_product_id
			WHERE i.id = $1 AND i.org_product_id = $2 AND i.org_id = $3`, imageID, productID, orgID).Scan(&sha, &at)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFoundError()
		}
		if err != nil {
			return fmt.Errorf("delete image: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_product_images WHERE id = $1`, imageID); err != nil {
			return fmt.Errorf("delete image: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM org_image_renditions WHERE org_id = $1 AND sha256 = $2
			AND NOT EXISTS (SELECT 1 FROM org_product_images WHERE org_id = $1 AND sha256 = $2)`, orgID, sha); err != nil {
			return fmt.Errorf("delete image: %w", err)
		}
		return s.syncOffers(ctx, tx, orgID, productID, at.UTC())
	})
}

// Rendition returns one stored size of an organisation's picture, or
// NotFound.
func (s *OrgCatalogRepo) Rendition(ctx context.Context, orgID, sha, size string) (*catalog.Rendition, error) {
	var r catalog.Rendition
	err := s.db.r.QueryRowContext(ctx, `SELECT content_type, data FROM org_image_renditions WHERE org_id = $1 AND sha256 = $2 AND size = $3`,
		orgID, sha, size).Scan(&r.ContentType, &r.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.NotFoundError()
	}
	if err != nil {
		return nil, fmt.Errorf("load image: %w", err)
	}
	return &r, nil
}

// Version is 0: nothing caches an organisation's catalog; its brands'
// versions move with every change.
func (s *OrgCatalogRepo) Version(context.Context, string) (int64, error) { return 0, nil }

// refuseOrgCopies refuses to save a brand's copy of an organisation product
// through the brand's own product pages or CSV import. Why: the copy is
// rewritten from the organisation's product at its next change, so an edit
// would be lost, and a brand could otherwise sell it at a price that is not
// its chosen price or with stock that is not the shared stock.
func refuseOrgCopies(ctx context.Context, tx *sql.Tx, brandID string, ps []*catalog.Product) error {
	copies := map[string]bool{}
	err := each(ctx, tx, `SELECT product_id FROM brand_offers WHERE tenant_id = $1`, []any{brandID}, func(rows *sql.Rows) error {
		var pid string
		err := rows.Scan(&pid)
		copies[pid] = true
		return err
	})
	if err != nil {
		return fmt.Errorf("brand offers: %w", err)
	}
	for _, p := range ps {
		if copies[p.ID] {
			return apperr.InvalidFields(p.Name+" comes from the organisation's catalog.", map[string]string{
				"slug": p.Slug + " is the organisation's product: choose it and set this shop's price under Organisation catalog."})
		}
	}
	return nil
}

// OrgCopies returns the ids of a brand's copies of its organisation's
// products (catalog.OrgCopies: its CSV export leaves them out).
func (s *CatalogRepo) OrgCopies(ctx context.Context, tenantID string) (map[string]bool, error) {
	out := map[string]bool{}
	err := each(ctx, s.db.r, `SELECT product_id FROM brand_offers WHERE tenant_id = $1`, []any{tenantID}, func(rows *sql.Rows) error {
		var pid string
		err := rows.Scan(&pid)
		out[pid] = true
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("brand offers: %w", err)
	}
	return out, nil
}
