package shop

import (
	"html/template"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/render"
)

// cardsHTML renders the product grid's cards, as the products page's
// template would with a {{range}} over them. Why in Go: the cards are most of
// the page's bytes and, through html/template, most of its rendering time (an
// escaper called through reflection for every value of every card), and the
// page is rendered on every search. The escaping is html/template's for each
// context (TestCardsHTMLIsTheTemplate renders awkward cards both ways and
// compares them): text and attribute values through escapeHTML, URLs through
// filterURL and normalizeURL first.
func cardsHTML(cards []productCard) template.HTML {
	var b strings.Builder
	b.Grow(len(cards) * 400)
	for i := range cards {
		c := &cards[i]
		b.WriteString("\n<li class=\"product-card\"><a href=\"")
		escapeHTML(&b, normalizeURL(filterURL(c.URL)))
		b.WriteString("\">")
		if c.ImageURL != "" {
			b.WriteString("<img src=\"")
			escapeHTML(&b, normalizeURL(filterURL(c.ImageURL)))
			b.WriteString("\" alt=\"\" width=\"")
			b.WriteString(strconv.Itoa(c.ImageW))
			b.WriteString("\" height=\"")
			b.WriteString(strconv.Itoa(c.ImageH))
			b.WriteString("\" loading=\"lazy\">")
		}
		b.WriteString("<span class=\"product-name\">")
		escapeHTML(&b, c.Name)
		b.WriteString("</span></a>\n<p class=\"price\">")
		if c.FromPrice {
			b.WriteString("From ")
		}
		escapeHTML(&b, c.Price)
		b.WriteString("</p>")
		if c.Rx || c.HSA || !c.InStock {
			b.WriteString("<p class=\"badges\">")
			if c.Rx {
				b.WriteString("<span class=\"badge rx\">Prescription required</span>")
			}
			if c.HSA {
				b.WriteString("<span class=\"badge\">HSA/FSA</span>")
			}
			if !c.InStock {
				b.WriteString("<span class=\"badge out\">Out of stock</span>")
			}
			b.WriteString("</p>")
		}
		b.WriteString("</li>")
	}
	//nolint:gosec // every value above is escaped for its context, as html/template would
	return template.HTML(b.String())
}

// facetsHTML renders facet links as list items, as the products page's
// template would with a {{range}} over them (for the same reason as
// cardsHTML; TestFacetsHTMLIsTheTemplate compares them).
func facetsHTML(fs ...facetLink) template.HTML {
	var b strings.Builder
	b.Grow(len(fs) * 160)
	for i := range fs {
		f := &fs[i]
		b.WriteString("\n      <li><a href=\"")
		escapeHTML(&b, normalizeURL(filterURL(f.URL)))
		b.WriteString("\"")
		if f.Selected {
			b.WriteString(" aria-current=\"true\" class=\"selected\"")
		}
		b.WriteString(">")
		escapeHTML(&b, f.Label)
		b.WriteString("</a> <span class=\"count\">(")
		b.WriteString(strconv.Itoa(f.Count))
		b.WriteString(")</span></li>")
	}
	//nolint:gosec // every value above is escaped for its context, as html/template would
	return template.HTML(b.String())
}

// optionsHTML renders a select's options, as the products page's template
// would with a {{range}} over them (TestOptionsHTMLIsTheTemplate).
func optionsHTML(os []option) template.HTML {
	var b strings.Builder
	b.Grow(len(os) * 64)
	for _, o := range os {
		b.WriteString("\n        <option value=\"")
		escapeHTML(&b, o.Value)
		b.WriteString("\"")
		if o.Selected {
			b.WriteString(" selected")
		}
		b.WriteString(">")
		escapeHTML(&b, o.Label)
		b.WriteString("</option>")
	}
	//nolint:gosec // every value above is escaped for its context, as html/template would
	return template.HTML(b.String())
}

// escapeHTML writes s escaped as html/template escapes a string in text and
// in a quoted attribute value.
func escapeHTML(b *strings.Builder, s string) { b.WriteString(render.EscapeText(s)) }

// filterURL is html/template's filter of a URL attribute's value: a URL with
// a scheme other than http, https or mailto becomes "#ZgotmplZ".
func filterURL(s string) string {
	if scheme, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(scheme, "/") {
		if !strings.EqualFold(scheme, "http") && !strings.EqualFold(scheme, "https") && !strings.EqualFold(scheme, "mailto") {
			return "#ZgotmplZ"
		}
	}
	return s
}

// normalizeURL is html/template's normalization of a URL attribute's value:
// bytes outside RFC 3986's unreserved and reserved characters are
// percent-encoded, valid escapes are kept.
func normalizeURL(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$&*+,/:;=?@[]-._~", c) >= 0:
			continue
		case c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			continue
		}
		if written == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[written:i])
		const hex = "0123456789abcdef"
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
