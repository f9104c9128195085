package catalog

import (
	"context"
	"slices"
	"strings"

	"github.com/salvehealth/salve/internal/tenant"
)

// Typo tolerance. A search whose text finds nothing gets a second try with its
// misspelled words corrected to the closest word of the tenant's product names,
// brands and tags, by Damerau-Levenshtein distance (an insertion, deletion,
// substitution or swap of two neighbours each count one). Why a vocabulary in
// the application rather than pg_trgm or an FTS5 trigram index: the correction
// must be the same on both engines (the first page of a search is), and the
// vocabulary of even a 100,000-product catalog is a few thousand words that are
// cheap to hold; it is only consulted when a search found nothing.

// minCorrectLen is the shortest word that is corrected: shorter words are too
// close to too many others.
const minCorrectLen = 4

// vocabulary is a tenant's sorted, distinct words at one catalog version.
type vocabulary struct {
	version int64
	words   []string
}

// maxEdits is how many edits a word of n letters may be away from its
// correction: one up to 7 letters, two from 8.
func maxEdits(n int) int {
	if n >= 8 {
		return 2
	}
	return 1
}

// correct returns terms with each word that starts no catalog word replaced by
// the closest catalog word within maxEdits (of equally close words the
// alphabetically first, so the answer is the same every time), and whether any
// changed.
func (s *Service) correct(ctx context.Context, tenantID string, terms []string) ([]string, bool, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	voc, err := s.vocabulary(ctx, tenantID)
	if err != nil {
		return nil, false, err
	}
	out := slices.Clone(terms)
	changed := false
	for i, t := range terms {
		if len(t) < minCorrectLen || hasPrefixWord(voc, t) {
			continue
		}
		if w, ok := closest(voc, t); ok {
			out[i], changed = w, true
		}
	}
	return out, changed, nil
}

// hasPrefixWord reports whether a word of the sorted vocabulary starts with t.
func hasPrefixWord(voc []string, t string) bool {
	i, _ := slices.BinarySearch(voc, t)
	return i < len(voc) && strings.HasPrefix(voc[i], t)
}

// closest returns the vocabulary word nearest to t within maxEdits(len(t)).
func closest(voc []string, t string) (string, bool) {
	limit := maxEdits(len(t))
	best, bestD := "", limit+1
	for _, w := range voc {
		if len(w) < len(t)-limit || len(w) > len(t)+limit {
			continue
		}
		if d := editDistance(t, w, limit); d < bestD {
			best, bestD = w, d
		}
	}
	return best, bestD <= limit
}

// editDistance is the optimal-string-alignment Damerau-Levenshtein distance of
// two ASCII words, or limit+1 when it is above limit.
func editDistance(a, b string, limit int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin > limit {
			return limit + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if d := prev[len(b)]; d <= limit {
		return d
	}
	return limit + 1
}

// vocabulary returns the tenant's words at the current catalog version,
// building them from the store when the version moved.
func (s *Service) vocabulary(ctx context.Context, tenantID string) ([]string, error) {
	ctx = tenant.WithScope(ctx, tenantID)
	v, err := s.Version(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	voc, ok := s.words[tenantID]
	s.mu.RUnlock()
	if ok && voc.version == v {
		return voc.words, nil
	}
	texts, err := s.store.ProductWords(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var words []string
	for _, t := range texts {
		for _, w := range strings.Fields(Normalize(t)) {
			// The shortest words kept are one edit from the shortest corrected.
			if len(w) >= minCorrectLen-1 && !seen[w] {
				seen[w] = true
				words = append(words, w)
			}
		}
	}
	slices.Sort(words)
	s.mu.Lock()
	s.words[tenantID] = vocabulary{version: v, words: words}
	s.mu.Unlock()
	return words, nil
}
