package shop

import (
	"html/template"
	"strings"
	"testing"
)

// cardsTemplate is the products page's card markup as a template, as it was
// before the cards were rendered in Go: cardsHTML must give the same bytes.
const cardsTemplate = `{{- range .}}
<li class="product-card"><a href="{{.URL}}">{{if .ImageURL}}<img src="{{.ImageURL}}" alt="" width="{{.ImageW}}" height="{{.ImageH}}" loading="lazy">{{end}}<span class="product-name">{{.Name}}</span></a>
<p class="price">{{if .FromPrice}}From {{end}}{{.Price}}</p>
{{- if or .Rx .HSA (not .InStock)}}<p class="badges">{{if .Rx}}<span class="badge rx">Prescription required</span>{{end}}{{if .HSA}}<span class="badge">HSA/FSA</span>{{end}}{{if not .InStock}}<span class="badge out">Out of stock</span>{{end}}</p>{{end}}</li>
      {{- end}}`

func TestCardsHTMLIsTheTemplate(t *testing.T) {
	tmpl := template.Must(template.New("cards").Parse(cardsTemplate))
	awkward := []string{
		"", "plain", `<script>alert("x")</script>`, `Tom & Jerry's "best" + more`, "nul\x00byte", "café – ünïcödé ☃",
		"bad utf-8 \xff\xfe", "\uFDD0 \uFFFE", "a > b < c",
	}
	urls := []string{
		"/products/plain", "/products/" + "caf%C3%A9", "/products/a b", "/products/%zz%4", "/products/100%",
		"javascript:alert(1)", "JavaScript:x", "https://example.com/a?b=c&d=e+f", "mailto:x@example.com", "data:text/html,x",
		"/a:b", "/x/\"quoted\"/'single'", "/<tag>/é/\x00", "/products/[x]!$*,;=@~._-#frag", "",
	}
	var cards []productCard
	for i, s := range awkward {
		for j, u := range urls {
			cards = append(cards, productCard{Name: s, URL: u, Price: s + "$1.00", Summary: s,
				ImageURL: urls[(i+j)%len(urls)], ImageAlt: s, ImageW: i * 40, ImageH: j - 3,
				FromPrice: (i+j)%2 == 0, InStock: (i+j)%3 != 0, Rx: j%2 == 1, HSA: i%2 == 1})
		}
	}
	for _, cs := range [][]productCard{nil, cards[:1], cards} {
		var want strings.Builder
		if err := tmpl.Execute(&want, cs); err != nil {
			t.Fatal(err)
		}
		if got := string(cardsHTML(cs)); got != want.String() {
			t.Errorf("cardsHTML differs from the template for %d cards:\n got: %q\nwant: %q", len(cs), got, want.String())
		}
	}
}

func BenchmarkCardsHTML(b *testing.B) {
	cards := make([]productCard, 24)
	for i := range cards {
		cards[i] = productCard{Name: "Acme Vitamin C Sugar Free Capsules 120 count", URL: "/products/acme-vitamin-c-sugar-free-capsules-120-count-36",
			Price: "$180.14", ImageURL: "/images/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef/thumb", ImageW: 320, ImageH: 240,
			InStock: i%3 != 0, Rx: i%5 == 0, HSA: i%2 == 0}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = cardsHTML(cards)
	}
}

// facetsTemplate is the products page's facet list markup as a template, as
// it was before the lists were rendered in Go.
const facetsTemplate = `{{- range .}}
      <li><a href="{{.URL}}"{{if .Selected}} aria-current="true" class="selected"{{end}}>{{.Label}}</a> <span class="count">({{.Count}})</span></li>
      {{- end}}`

func TestFacetsHTMLIsTheTemplate(t *testing.T) {
	tmpl := template.Must(template.New("facets").Parse(facetsTemplate))
	var fs []facetLink
	for i, s := range []string{"", "vitamins", `Tom & Jerry's "best" + <more>`, "nul\x00", "ünï ☃", "\xff"} {
		for j, u := range []string{"/products?tag=a&in_stock=1", "/products?q=a+b%20c", "javascript:x", "/products?q=é <x>", ""} {
			fs = append(fs, facetLink{Label: s, URL: u, Count: i*1000 - j, Selected: (i+j)%2 == 0})
		}
	}
	for _, list := range [][]facetLink{nil, fs[:1], fs} {
		var want strings.Builder
		if err := tmpl.Execute(&want, list); err != nil {
			t.Fatal(err)
		}
		if got := string(facetsHTML(list...)); got != want.String() {
			t.Errorf("facetsHTML differs from the template for %d links:\n got: %q\nwant: %q", len(list), got, want.String())
		}
	}
}

// optionsTemplate is the products page's select markup as a template, as it
// was before the options were rendered in Go.
const optionsTemplate = `{{- range .}}
        <option value="{{.Value}}"{{if .Selected}} selected{{end}}>{{.Label}}</option>
        {{- end}}`

func TestOptionsHTMLIsTheTemplate(t *testing.T) {
	tmpl := template.Must(template.New("options").Parse(optionsTemplate))
	var os []option
	for i, s := range []string{"", "price_asc", `Tom & Jerry's "best" + <more>`, "nul\x00", "ünï ☃", "\xff"} {
		os = append(os, option{Value: s, Label: "Label " + s, Selected: i%2 == 0})
	}
	for _, list := range [][]option{nil, os[:1], os} {
		var want strings.Builder
		if err := tmpl.Execute(&want, list); err != nil {
			t.Fatal(err)
		}
		if got := string(optionsHTML(list)); got != want.String() {
			t.Errorf("optionsHTML differs from the template for %d options:\n got: %q\nwant: %q", len(list), got, want.String())
		}
	}
}
