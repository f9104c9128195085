package render

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestLayoutIsRenderedAsWithoutPreRendering renders every page with views
// that differ in each layout input, the new way (Render: the pre-rendered
// layout around the content rendered now) and the old way (Execute: the whole
// layout through html/template), and needs the same bytes each time; again
// once the layouts are kept (a hit), after the view's slices are changed in
// place (a kept layout must not change with them), and with the test payments
// banner on.
func TestLayoutIsRenderedAsWithoutPreRendering(t *testing.T) {
	menu := []MenuLink{{Label: "Shop", Href: "/products"}, {Label: "Care & <advice>", Href: "/p/care?a=1&b=2"}}
	legal := []MenuLink{{Label: "Privacy", Href: "/p/privacy"}}
	views := func() []*View {
		return []*View{
			{},
			{Brand: Brand{Name: "Acme"}, Title: "Your dashboard", Data: nil},
			// The title is written into the kept layout (titleMarker).
			{Brand: Brand{Name: "Acme"}, Title: "Search: <b>\"zinc\" & 'gummies' + spray\x00 ☃ \xff", Menu: menu},
			{Brand: Brand{Name: "Acme"}, Title: "Search: other words", Menu: menu},
			{Brand: Brand{Name: "Acme <Health>", LogoURL: "/logo.png?x=\"1\"", ThemeURL: "/theme.css?v=2", Footer: "Registered pharmacy & clinic"},
				Title: "Results", Menu: menu, Legal: legal, Viewer: Viewer{SignedIn: true, Patient: true}},
			{Brand: Brand{Name: "Acme <Health>", LogoURL: "/logo.png?x=\"1\"", ThemeURL: "/theme.css?v=3", Footer: "Registered pharmacy & clinic"},
				Title: "Results", Menu: menu, Legal: legal, Viewer: Viewer{SignedIn: true, Patient: true}},
			{Brand: Brand{Name: "Other"}, Title: "Results", Menu: menu[:1], Viewer: Viewer{SignedIn: true}},
			{Brand: Brand{Name: "Other"}, Title: "Orders", Menu: menu[:1], Viewer: Viewer{SignedIn: true}},
			{Brand: Brand{Name: "Other"}, Title: "Orders", Menu: menu[:1], Viewer: Viewer{SignedIn: true, Patient: true}},
			{Brand: Brand{Name: "Other"}, Title: "Orders", Menu: menu[:1], Legal: legal, Viewer: Viewer{SignedIn: true, Patient: true}},
			{Brand: Brand{Name: "Other"}, Title: "Queue", Viewer: Viewer{SignedIn: true, Staff: true, Admin: true, Orders: true,
				Work:   []MenuLink{{Label: "Orders", Href: "/staff/orders"}},
				Brands: []BrandOption{{ID: "b1", Name: "One"}, {ID: "b2", Name: "Two <2>", Current: true}}}},
			{Brand: Brand{Name: "Other"}, Title: "Queue", Viewer: Viewer{SignedIn: true, Staff: true,
				Brands: []BrandOption{{ID: "b1", Name: "One", Current: true}, {ID: "b2", Name: "Two <2>"}}}},
		}
	}
	for _, banner := range []bool{false, true} {
		assets, err := NewAssets(StaticFS())
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(assets, Options{TestPayments: banner})
		if err != nil {
			t.Fatal(err)
		}
		compared := 0
		for _, name := range e.Names() {
			p, err := e.Page(name)
			if err != nil {
				t.Fatal(err)
			}
			for round := range 3 {
				for i, v := range views() {
					want, err := p.Execute(v)
					if err != nil {
						continue // this page needs its own data; the old way fails too
					}
					rec := httptest.NewRecorder()
					if err := p.Render(rec, 200, v); err != nil {
						t.Fatalf("%s view %d: %v", name, i, err)
					}
					if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
						t.Fatalf("%s view %d round %d (banner %v): pre-rendered layout differs:\n%s\n---- want\n%s", name, i, round, banner, got, want)
					}
					if strings.Contains(rec.Body.String(), contentMarker) || strings.Contains(rec.Body.String(), titleMarker) {
						t.Fatalf("%s: a marker reached the page", name)
					}
					// A cached page's render (ExecuteSplit) is the whole
					// layout's with the slot, split at it.
					v.Slot = true
					full, err := p.Execute(v)
					v.Slot = false
					if err != nil {
						t.Fatal(err)
					}
					wantHead, wantTail := full, []byte(nil)
					if j := bytes.Index(full, []byte(SlotMarker)); j >= 0 {
						wantHead, wantTail = full[:j], full[j+len(SlotMarker):]
					}
					head, tail, err := p.ExecuteSplit(v)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(head, wantHead) || !bytes.Equal(tail, wantTail) {
						t.Fatalf("%s view %d round %d (banner %v): split render differs:\n%s%s%s\n---- want\n%s", name, i, round, banner, head, SlotMarker, tail, full)
					}
					compared++
				}
			}
			// Links changed in place after rendering: the kept layout must
			// not change with them, nor be shown for the changed links.
			v := &View{Brand: Brand{Name: "Acme"}, Menu: []MenuLink{{Label: "Shop", Href: "/products"}}}
			for range 2 {
				want, err := p.Execute(v)
				if err != nil {
					break
				}
				rec := httptest.NewRecorder()
				if err := p.Render(rec, 200, v); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(rec.Body.Bytes(), want) {
					t.Fatalf("%s: a layout kept for links since changed was shown", name)
				}
				v.Menu[0].Label = "Changed"
			}
		}
		if compared < 3*len(e.Names()) {
			t.Fatalf("only %d renders compared for %d pages", compared, len(e.Names()))
		}
	}
}

// TestLayoutsKeptAreBounded: a page keeps at most maxLayouts layouts, and
// still renders right after starting over.
func TestLayoutsKeptAreBounded(t *testing.T) {
	e := newEngine(t)
	p, err := e.Page("shop/home")
	if err != nil {
		t.Fatal(err)
	}
	for i := range maxLayouts + 10 {
		v := &View{Brand: Brand{Name: "Brand " + strings.Repeat("x", i)}}
		want, err := p.Execute(v)
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		if err := p.Render(rec, 200, v); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rec.Body.Bytes(), want) {
			t.Fatalf("layout %d differs", i)
		}
		if n := len(p.layout.entries); n > maxLayouts {
			t.Fatalf("%d layouts kept", n)
		}
	}
}
