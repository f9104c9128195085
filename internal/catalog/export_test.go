package catalog

import "context"

// MemSearch runs a search without text from the service's in-memory listing
// (memsearch.go), for comparing it with the store's SQL; ok is false when it
// would go to SQL.
func MemSearch(ctx context.Context, s *Service, tenantID string, spec Spec) ([]string, Counts, bool, error) {
	v, err := s.Version(ctx, tenantID)
	if err != nil {
		return nil, Counts{}, false, err
	}
	l, err := s.listingAt(ctx, tenantID, v)
	if err != nil {
		return nil, Counts{}, false, err
	}
	ids, c, ok := l.search(spec)
	return ids, c, ok, nil
}

// KeptProducts is how many products the service keeps, all tenants.
func KeptProducts(s *Service) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, c := range s.kept {
		n += len(c.products)
	}
	if n != s.keptProducts {
		return -1
	}
	return n
}
