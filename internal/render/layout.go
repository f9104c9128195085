package render

import (
	"bytes"
	"fmt"
	"hash/maphash"
	"html/template"
	"slices"
	"sync"
)

// contentMarker is where a page's own content goes in its pre-rendered
// layout. Written by a template function (html/template drops comments
// written in template text), it never reaches a response: the layout is split
// at it.
const contentMarker = "<!--salve:content-->"

// maxLayouts bounds the pre-rendered layouts kept per page: one per tenant,
// theme, menu and kind of viewer in use. When full, the page starts over.
const maxLayouts = 256

// layout is one page's pre-rendered layout: everything of the base layout but
// the page's content, per set of layout inputs (layoutKey), so that a request
// renders only its content through html/template and copies the rest. The
// layout inputs are the brand, title, menus and which links to offer, never
// who the viewer is, so nothing personal is kept here (no PHI: the content,
// where PHI goes, is rendered per request).
type layout struct {
	name string
	lt   *template.Template // the page with a marker for its content

	mu      sync.RWMutex
	entries map[uint64]*layoutEntry
}

type layoutEntry struct {
	key layoutKey // a copy, compared on every hit (hash collisions)
	// The layout is pre, the page's title (escaped), post, the content,
	// tail.
	pre, post, tail []byte
}

// titleMarker stands for the page's title in a pre-rendered layout: the
// title is written into it at each request, so that the layouts kept do not
// depend on it. Why: a search page's title holds the search terms, and
// layouts kept per title would be a cache keyed by what people search for.
// Letters and dashes only, so no escaper changes it.
const titleMarker = "salve-title-marker-5f2c"

// layoutKey is every field of a View the base layout and its partials read:
// all of View except Data (the content's) and RequestID (not in the layout),
// and of the title only whether there is one (titleMarker). A new View field
// the layout reads must be added here; TestLayoutIsRenderedAsWithoutPreRendering
// compares both ways byte for byte.
type layoutKey struct {
	// Slot: the layout has the slot of a cached page's personal part
	// (Page.ExecuteSplit).
	Slot     bool
	HasTitle bool
	Brand    Brand
	Viewer   Viewer
	Menu     []MenuLink
	Legal    []MenuLink
}

func keyOf(v *View) layoutKey {
	return layoutKey{Slot: v.Slot, HasTitle: v.Title != "", Brand: v.Brand, Viewer: v.Viewer, Menu: v.Menu, Legal: v.Legal}
}

var layoutSeed = maphash.MakeSeed()

func (k *layoutKey) hash() uint64 {
	var h maphash.Hash
	h.SetSeed(layoutSeed)
	str := func(s string) {
		_, _ = h.WriteString(s) // a maphash.Hash never fails
		_ = h.WriteByte(0)
	}
	links := func(ls []MenuLink) {
		for _, l := range ls {
			str(l.Label)
			str(l.Href)
		}
		_ = h.WriteByte(1)
	}
	str(k.Brand.Name)
	str(k.Brand.LogoURL)
	str(k.Brand.ThemeURL)
	str(k.Brand.Footer)
	var flags byte
	for i, b := range []bool{k.Slot, k.HasTitle, k.Viewer.SignedIn, k.Viewer.Patient, k.Viewer.Staff, k.Viewer.Admin, k.Viewer.Orders} {
		if b {
			flags |= 1 << i
		}
	}
	_ = h.WriteByte(flags)
	links(k.Menu)
	links(k.Legal)
	links(k.Viewer.Work)
	for _, b := range k.Viewer.Brands {
		str(b.ID)
		str(b.Name)
		if b.Current {
			_ = h.WriteByte(1)
		}
	}
	return h.Sum64()
}

func (k *layoutKey) equal(o *layoutKey) bool {
	a, b := k.Viewer, o.Viewer
	return k.Slot == o.Slot && k.HasTitle == o.HasTitle && k.Brand == o.Brand &&
		a.SignedIn == b.SignedIn && a.Patient == b.Patient && a.Staff == b.Staff &&
		a.Admin == b.Admin && a.Orders == b.Orders &&
		slices.Equal(a.Work, b.Work) && slices.Equal(a.Brands, b.Brands) &&
		slices.Equal(k.Menu, o.Menu) && slices.Equal(k.Legal, o.Legal)
}

// clone copies the key's slices, so a caller changing its View later cannot
// change a kept entry.
func (k layoutKey) clone() layoutKey {
	k.Menu = slices.Clone(k.Menu)
	k.Legal = slices.Clone(k.Legal)
	k.Viewer.Work = slices.Clone(k.Viewer.Work)
	k.Viewer.Brands = slices.Clone(k.Viewer.Brands)
	return k
}

// newLayout makes a page's layout template: the page with its content
// replaced by the marker. It must be made before the page first executes
// (html/template clones only templates not yet executed).
func newLayout(name string, page *template.Template) (*layout, error) {
	lt, err := page.Clone()
	if err == nil {
		_, err = lt.New("salve-content-marker").Parse(`{{define "content"}}{{contentMarker}}{{end}}`)
	}
	if err != nil {
		return nil, fmt.Errorf("parse template %s: layout: %w", name, err)
	}
	return &layout{name: name, lt: lt, entries: make(map[uint64]*layoutEntry)}, nil
}

// parts returns the layout for v around its title and content (see
// layoutEntry), rendering it once per set of layout inputs.
func (l *layout) parts(v *View) (*layoutEntry, error) {
	k := keyOf(v)
	h := k.hash()
	l.mu.RLock()
	e := l.entries[h]
	l.mu.RUnlock()
	if e != nil && e.key.equal(&k) {
		return e, nil
	}
	lv := *v
	if lv.Title != "" {
		lv.Title = titleMarker
	}
	var b bytes.Buffer
	if err := l.lt.ExecuteTemplate(&b, "base", &lv); err != nil {
		return nil, fmt.Errorf("render %s: %w", l.name, err)
	}
	out := b.Bytes()
	i := bytes.Index(out, []byte(contentMarker))
	if i < 0 || bytes.Contains(out[i+len(contentMarker):], []byte(contentMarker)) {
		return nil, fmt.Errorf("render %s: the layout shows its content %s", l.name, "not exactly once")
	}
	e = &layoutEntry{key: k.clone(), pre: out[:i:i], tail: out[i+len(contentMarker):]}
	if k.HasTitle {
		t := bytes.Index(out[:i], []byte(titleMarker))
		if t < 0 || bytes.Count(out, []byte(titleMarker)) != 1 {
			return nil, fmt.Errorf("render %s: the layout shows the title %s", l.name, "not exactly once, before the content")
		}
		e.pre, e.post = out[:t:t], out[t+len(titleMarker):i:i]
	}
	l.mu.Lock()
	if len(l.entries) >= maxLayouts {
		clear(l.entries)
	}
	l.entries[h] = e
	l.mu.Unlock()
	return e, nil
}
