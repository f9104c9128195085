package catalog

import (
	"context"
	"slices"
)

// maxCachedProducts bounds the products kept per tenant at one catalog
// version (a search's page is served from memory once its products were
// loaded; a tenant's are started afresh when they would grow past this), and
// maxKeptProducts those of all tenants together (all are started afresh):
// a product with its description is a few kilobytes.
const (
	maxCachedProducts = 1024
	maxKeptProducts   = 8192
)

// atVersion is what the service keeps of one tenant's catalog at one catalog
// version: its categories and the products that searches have loaded. Every
// catalog write bumps the version in its transaction, so nothing kept here
// outlives the data it was read from: a new version starts an empty
// atVersion. Why the version is read before the data: data read after it is
// at least as new as the version it is kept under.
type atVersion struct {
	version  int64
	cats     []Category
	catsOK   bool
	products map[string]*Product
}

// at returns the tenant's cache at version v, replacing an older one.
// s.mu must be held for writing.
func (s *Service) at(tenantID string, v int64) *atVersion {
	c := s.kept[tenantID]
	if c == nil || c.version != v {
		if c != nil {
			s.keptProducts -= len(c.products)
		}
		c = &atVersion{version: v, products: map[string]*Product{}}
		s.kept[tenantID] = c
	}
	return c
}

// categoriesAt returns the tenant's categories at catalog version v: read
// once per version, a copy for each caller.
func (s *Service) categoriesAt(ctx context.Context, tenantID string, v int64) ([]Category, error) {
	s.mu.RLock()
	c := s.kept[tenantID]
	if c != nil && c.version == v && c.catsOK {
		cats := slices.Clone(c.cats)
		s.mu.RUnlock()
		return cats, nil
	}
	s.mu.RUnlock()
	cats, err := s.store.Categories(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	c = s.at(tenantID, v)
	c.cats, c.catsOK = slices.Clone(cats), true
	s.mu.Unlock()
	return cats, nil
}

// productsAt returns the products of ids in their order at catalog version
// v, loading from the store only those not kept yet (one load of three
// statements, or none). The products are shared between requests: read
// only.
func (s *Service) productsAt(ctx context.Context, tenantID string, v int64, ids []string) ([]*Product, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	out := make([]*Product, len(ids))
	var missing []string
	s.mu.RLock()
	c := s.kept[tenantID]
	for i, x := range ids {
		if c != nil && c.version == v {
			out[i] = c.products[x]
		}
		if out[i] == nil {
			missing = append(missing, x)
		}
	}
	s.mu.RUnlock()
	if len(missing) > 0 {
		ps, err := s.store.Products(ctx, tenantID, missing)
		if err != nil {
			return nil, err
		}
		byID := make(map[string]*Product, len(ps))
		for _, p := range ps {
			byID[p.ID] = p
		}
		s.mu.Lock()
		if s.keptProducts+len(ps) > maxKeptProducts {
			s.kept, s.keptProducts = map[string]*atVersion{}, 0
		}
		c = s.at(tenantID, v)
		if len(c.products)+len(ps) > maxCachedProducts {
			s.keptProducts -= len(c.products)
			c.products = map[string]*Product{}
		}
		for _, p := range ps {
			if c.products[p.ID] == nil {
				s.keptProducts++
			}
			c.products[p.ID] = p
		}
		s.mu.Unlock()
		for i, x := range ids {
			if out[i] == nil {
				out[i] = byID[x]
			}
		}
	}
	// Unknown ids are left out, as the store does.
	return slices.DeleteFunc(out, func(p *Product) bool { return p == nil }), nil
}
