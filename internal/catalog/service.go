package catalog

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/clock"
	"github.com/salvehealth/salve/internal/id"
	"github.com/salvehealth/salve/internal/markup"
	"github.com/salvehealth/salve/internal/tenant"
)

// Store is the catalog's storage (internal/store.Catalog). Every write bumps the
// tenant's catalog version in the same transaction.
type Store interface {
	// Search runs a search in SQL over the tenant's active products whose
	// search text has every term as a word prefix (all of them when there are
	// no terms): filters, order and page, returning the page's ids in order
	// and the counts (see Spec and Counts). Both engines give the same answer
	// for the same data.
	Search(ctx context.Context, tenantID string, s Spec) ([]string, Counts, error)
	// ProductWords returns the names, brands and tags of the tenant's active
	// products: the words a misspelled search is corrected to.
	ProductWords(ctx context.Context, tenantID string) ([]string, error)
	// Products loads products with variants and images, in the order of ids.
	Products(ctx context.Context, tenantID string, ids []string) ([]*Product, error)
	// ProductBySlug and ProductByID return a product of any status, or NotFound.
	ProductBySlug(ctx context.Context, tenantID, slug string) (*Product, error)
	ProductByID(ctx context.Context, tenantID, id string) (*Product, error)
	// AllProducts returns every product of a tenant (any status), by name.
	AllProducts(ctx context.Context, tenantID string) ([]*Product, error)
	// SaveProducts inserts or updates products (matched by id) with their
	// variants, in one transaction: all or nothing.
	SaveProducts(ctx context.Context, tenantID string, ps []*Product) error
	Categories(ctx context.Context, tenantID string) ([]Category, error)
	SaveCategory(ctx context.Context, c *Category) error
	DeleteCategory(ctx context.Context, tenantID, id string) error
	Pages(ctx context.Context, tenantID string) ([]Page, error)
	PageBySlug(ctx context.Context, tenantID, slug string) (*Page, error)
	SavePage(ctx context.Context, p *Page) error
	DeletePage(ctx context.Context, tenantID, id string) error
	Menu(ctx context.Context, tenantID string) ([]MenuItem, error)
	SaveMenu(ctx context.Context, tenantID string, items []MenuItem) error
	// AddImage stores an image's renditions; the image is the product's last.
	AddImage(ctx context.Context, tenantID string, img *Image, renditions map[string]Rendition) error
	DeleteImage(ctx context.Context, tenantID, productID, imageID string) error
	// Rendition returns the bytes of one image rendition by content hash.
	Rendition(ctx context.Context, tenantID, sha, size string) (*Rendition, error)
	// Version returns the tenant's catalog version.
	Version(ctx context.Context, tenantID string) (int64, error)
}

// Rendition is one stored size of an image.
type Rendition struct {
	ContentType string
	Data        []byte
}

// Service is the catalog's rules over a Store, with the per-tenant catalog
// version that keys every cache of catalog output.
type Service struct {
	store Store
	clock clock.Clock
	// ttl is how long a version read from the store is trusted before it is
	// read again: the bound on how stale another replica's change can look.
	ttl time.Duration

	mu       sync.RWMutex
	versions map[string]versionEntry
	// words are each tenant's spelling vocabulary (spell.go), rebuilt when
	// the catalog version moves.
	words map[string]vocabulary
	// kept is each tenant's categories and loaded products at one catalog
	// version (versioncache.go).
	kept map[string]*atVersion
	// keptProducts is how many products kept holds, all tenants together.
	keptProducts int
	// listings are each tenant's active products at one catalog version,
	// for searches without text (memsearch.go).
	listings map[string]*listing
	// searches is the turn every search's SQL takes (admission.go).
	searches admission
}

type versionEntry struct {
	v       int64
	checked time.Time
}

// NewService returns the catalog service.
func NewService(s Store, clk clock.Clock) *Service {
	return &Service{store: s, clock: clk, ttl: time.Second, versions: map[string]versionEntry{}, words: map[string]vocabulary{}, kept: map[string]*atVersion{}, listings: map[string]*listing{}, searches: newAdmission()}
}

// Categories returns a tenant's categories.
func (s *Service) Categories(ctx context.Context, tenantID string) ([]Category, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Categories(ctx, tenantID)
}

// Menu returns a tenant's navigation menu.
func (s *Service) Menu(ctx context.Context, tenantID string) ([]MenuItem, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Menu(ctx, tenantID)
}

// Pages returns a tenant's landing pages.
func (s *Service) Pages(ctx context.Context, tenantID string) ([]Page, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Pages(ctx, tenantID)
}

// PageBySlug returns a landing page, or NotFound.
func (s *Service) PageBySlug(ctx context.Context, tenantID, slug string) (*Page, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.PageBySlug(ctx, tenantID, slug)
}

// ProductByID returns a product of any status (drafts and archived ones too:
// the admin pages), or NotFound. The public reads PublicProduct.
func (s *Service) ProductByID(ctx context.Context, tenantID, productID string) (*Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.ProductByID(ctx, tenantID, productID)
}

// ProductBySlug returns a product of any status by its slug, or NotFound; the
// public reads PublicProduct.
func (s *Service) ProductBySlug(ctx context.Context, tenantID, slug string) (*Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.ProductBySlug(ctx, tenantID, slug)
}

// Products returns the products of ids (any status, unknown ids left out)
// in their order, with their variants, from memory at the tenant's current
// catalog version (versioncache.go): no statement once they were loaded at
// this version. Every catalog write moves the version, and so does a stock
// change that changes a variant's availability (not every unit sold: the
// Stock counts kept may lag, whether a variant is in stock does not).
// Shared between requests: read only.
func (s *Service) Products(ctx context.Context, tenantID string, ids []string) ([]*Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if len(ids) == 0 {
		return nil, nil
	}
	v, err := s.Version(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return s.productsAt(ctx, tenantID, v, ids)
}

// AllProducts returns every product of a tenant (any status), by name.
func (s *Service) AllProducts(ctx context.Context, tenantID string) ([]*Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.AllProducts(ctx, tenantID)
}

// Rendition returns the bytes of one image rendition by content hash, or
// NotFound.
func (s *Service) Rendition(ctx context.Context, tenantID, sha, size string) (*Rendition, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.store.Rendition(ctx, tenantID, sha, size)
}

// Version returns the tenant's catalog version. It reads the store at most once
// a second per tenant; writes through this service refresh it at once, so an
// edit shows immediately on this replica and within a second on others.
func (s *Service) Version(ctx context.Context, tenantID string) (int64, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	now := s.clock.Now()
	s.mu.RLock()
	e, ok := s.versions[tenantID]
	s.mu.RUnlock()
	if ok && now.Sub(e.checked) < s.ttl && now.Sub(e.checked) >= 0 {
		return e.v, nil
	}
	return s.refresh(ctx, tenantID)
}

func (s *Service) refresh(ctx context.Context, tenantID string) (int64, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	v, err := s.store.Version(ctx, tenantID)
	if err != nil {
		return 0, err
	}
	s.mu.Lock()
	s.versions[tenantID] = versionEntry{v: v, checked: s.clock.Now()}
	s.mu.Unlock()
	return v, nil
}

// changed refreshes the version after a write.
func (s *Service) changed(ctx context.Context, tenantID string, err error) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err != nil {
		return err
	}
	_, err = s.refresh(ctx, tenantID)
	return err
}

// Search runs a query: matching, filters, facet counts, order and page in the
// store's SQL (Store.Search), then one load of the page's products. A bounded
// number of statements whatever the catalog's size. When the text finds
// nothing, its misspelled words are corrected to the catalog's words and the
// search runs once more (Results.Corrected says so).
func (s *Service) Search(ctx context.Context, tenantID string, q Query) (*Results, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if q.PerPage == 0 {
		q.PerPage = DefaultPerPage
	}
	if q.Page == 0 {
		q.Page = 1
	}
	// The categories and the page's products come from memory at the
	// current catalog version when a search has read them before.
	v, err := s.Version(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	cats, err := s.categoriesAt(ctx, tenantID, v)
	if err != nil {
		return nil, err
	}
	res := &Results{Query: q, Categories: cats}
	spec := Spec{Query: q, Terms: Terms(q.Text)}
	if q.Category != "" {
		for _, c := range cats {
			if c.Slug == q.Category {
				spec.CategoryID = c.ID
			}
		}
		if spec.CategoryID == "" {
			return res, nil // an unknown category has no products
		}
	}
	ids, counts, err := s.search(ctx, tenantID, v, spec)
	if err != nil {
		return nil, err
	}
	if counts.Total == 0 && len(spec.Terms) > 0 {
		fixed, changed, err := s.correct(ctx, tenantID, spec.Terms)
		if err != nil {
			return nil, err
		}
		if changed {
			spec.Terms = fixed
			ids2, counts2, err := s.storeSearch(ctx, tenantID, spec)
			if err != nil {
				return nil, err
			}
			if counts2.Total > 0 {
				ids, counts, res.Corrected = ids2, counts2, strings.Join(fixed, " ")
			}
		}
	}
	ps, err := s.productsAt(ctx, tenantID, v, ids)
	if err != nil {
		return nil, err
	}
	res.Products, res.Total, res.Pages = ps, counts.Total, (counts.Total+q.PerPage-1)/q.PerPage
	res.Facets = Facets{Tags: counts.Tags, InStock: counts.InStock, Rx: counts.Rx, HSA: counts.HSA}
	for _, c := range cats {
		if n := counts.Categories[c.ID]; n > 0 {
			res.Facets.Categories = append(res.Facets.Categories, Facet{Value: c.Slug, Label: c.Name, Count: n})
		}
	}
	return res, nil
}

// search runs a search without text in memory from the tenant's listing
// when the catalog is small enough (memsearch.go), and in the store's SQL
// otherwise.
func (s *Service) search(ctx context.Context, tenantID string, v int64, spec Spec) ([]string, Counts, error) {
	if len(spec.Terms) == 0 {
		l, err := s.listingAt(ctx, tenantID, v)
		if err != nil {
			return nil, Counts{}, err
		}
		if ids, c, ok := l.search(spec); ok {
			return ids, c, nil
		}
	}
	return s.storeSearch(ctx, tenantID, spec)
}

// PublicProduct returns an active product by slug; drafts and archived products
// are NotFound to the public.
func (s *Service) PublicProduct(ctx context.Context, tenantID, slug string) (*Product, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	if !ValidSlug(slug) {
		return nil, apperr.NotFoundError()
	}
	p, err := s.store.ProductBySlug(ctx, tenantID, slug)
	if err != nil {
		return nil, err
	}
	if p.Status != StatusActive {
		return nil, apperr.NotFoundError()
	}
	return p, nil
}

// Prepare normalizes, renders and validates a product before it is saved, and
// fills its id and times.
func (s *Service) Prepare(tenantID string, p *Product) error {
	p.TenantID = tenantID
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	// Why render on save: the stored HTML is what every page shows, and
	// sanitizing once when it is written means no page can forget to.
	p.DescriptionHTML = string(markup.Render(p.Description))
	now := s.clock.Now()
	if p.ID == "" {
		p.ID = id.NewAt(now)
		p.CreatedAt = now
	}
	p.UpdatedAt = now
	for i := range p.Variants {
		if p.Variants[i].ID == "" {
			p.Variants[i].ID = id.NewAt(now)
		}
		p.Variants[i].ProductID = p.ID
	}
	return nil
}

// SaveProduct validates and saves one product with its variants.
func (s *Service) SaveProduct(ctx context.Context, tenantID string, p *Product) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if err := s.Prepare(tenantID, p); err != nil {
		return err
	}
	return s.changed(ctx, tenantID, s.store.SaveProducts(ctx, tenantID, []*Product{p}))
}

// SaveProducts saves prepared products in one transaction (CSV import).
func (s *Service) SaveProducts(ctx context.Context, tenantID string, ps []*Product) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.changed(ctx, tenantID, s.store.SaveProducts(ctx, tenantID, ps))
}

// SetStatus archives, drafts or re-activates a product.
func (s *Service) SetStatus(ctx context.Context, tenantID, productID, status string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	p, err := s.store.ProductByID(ctx, tenantID, productID)
	if err != nil {
		return err
	}
	p.Status = status
	return s.SaveProduct(ctx, tenantID, p)
}

// SaveCategory validates and saves a category.
func (s *Service) SaveCategory(ctx context.Context, c *Category) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if c.ID == "" {
		c.ID = id.NewAt(s.clock.Now())
	}
	return s.changed(ctx, c.TenantID, s.store.SaveCategory(ctx, c))
}

// DeleteCategory deletes a category; its products become uncategorized.
func (s *Service) DeleteCategory(ctx context.Context, tenantID, categoryID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.changed(ctx, tenantID, s.store.DeleteCategory(ctx, tenantID, categoryID))
}

// SavePage validates, renders and saves a landing page.
func (s *Service) SavePage(ctx context.Context, p *Page) error {
	if err := p.Validate(); err != nil {
		return err
	}
	p.BodyHTML = string(markup.Render(p.Body))
	p.UpdatedAt = s.clock.Now()
	if p.ID == "" {
		p.ID = id.NewAt(p.UpdatedAt)
	}
	return s.changed(ctx, p.TenantID, s.store.SavePage(ctx, p))
}

// DeletePage deletes a landing page.
func (s *Service) DeletePage(ctx context.Context, tenantID, pageID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.changed(ctx, tenantID, s.store.DeletePage(ctx, tenantID, pageID))
}

// SaveMenu parses and saves the navigation menu.
func (s *Service) SaveMenu(ctx context.Context, tenantID, text string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	items, err := ParseMenu(text)
	if err != nil {
		return err
	}
	return s.changed(ctx, tenantID, s.store.SaveMenu(ctx, tenantID, items))
}

// AddImage stores an uploaded image, already checked and resized (see
// ProcessImage), as the product's last image.
func (s *Service) AddImage(ctx context.Context, tenantID, productID, alt string, up *Upload) error {
	ctx = tenant.WithScope(ctx, tenantID)
	if _, err := s.store.ProductByID(ctx, tenantID, productID); err != nil {
		return err
	}
	img := &Image{ID: id.NewAt(s.clock.Now()), ProductID: productID, SHA256: up.SHA256, Alt: alt, Width: up.Width, Height: up.Height}
	return s.changed(ctx, tenantID, s.store.AddImage(ctx, tenantID, img, up.Renditions))
}

// DeleteImage removes an image from a product.
func (s *Service) DeleteImage(ctx context.Context, tenantID, productID, imageID string) error {
	ctx = tenant.WithScope(ctx, tenantID)
	return s.changed(ctx, tenantID, s.store.DeleteImage(ctx, tenantID, productID, imageID))
}
