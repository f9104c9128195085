package api

import (
	"strconv"
	"unicode/utf8"
)

// appendJSON is a document that writes its own JSON: the bytes json.Marshal
// would write for it (serveCached uses it instead).
type appendJSON interface {
	AppendJSON(b []byte) []byte
}

// AppendJSON writes the list as json.Marshal would. Why by hand: the list
// is encoded on every uncached search, and encoding/json's reflection over
// its products was a quarter of the request's CPU.
// TestProductListJSONIsMarshal fills every field and compares; a new field
// fails it until it is written here.
func (l *ProductList) AppendJSON(b []byte) []byte {
	b = append(b, `{"products":`...)
	if l.Products == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range l.Products {
			if i > 0 {
				b = append(b, ',')
			}
			b = l.Products[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(l.Total), 10)
	b = append(b, `,"page":`...)
	b = strconv.AppendInt(b, int64(l.Page), 10)
	b = append(b, `,"pages":`...)
	b = strconv.AppendInt(b, int64(l.Pages), 10)
	b = append(b, `,"limit":`...)
	b = strconv.AppendInt(b, int64(l.Limit), 10)
	b = append(b, `,"facets":{"categories":`...)
	b = appendFacets(b, l.Facets.Categories)
	b = append(b, `,"tags":`...)
	b = appendFacets(b, l.Facets.Tags)
	b = append(b, `,"in_stock":`...)
	b = strconv.AppendInt(b, int64(l.Facets.InStock), 10)
	b = append(b, `,"requires_prescription":`...)
	b = strconv.AppendInt(b, int64(l.Facets.Rx), 10)
	b = append(b, `,"hsa_fsa_eligible":`...)
	b = strconv.AppendInt(b, int64(l.Facets.HSA), 10)
	b = append(b, '}')
	if l.Corrected != "" {
		b = append(b, `,"corrected":`...)
		b = appendString(b, l.Corrected)
	}
	return append(b, '}')
}

func appendFacets(b []byte, fs []FacetJSON) []byte {
	if fs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"value":`...)
		b = appendString(b, f.Value)
		b = append(b, `,"label":`...)
		b = appendString(b, f.Label)
		b = append(b, `,"count":`...)
		b = strconv.AppendInt(b, int64(f.Count), 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

func (s *ProductSummary) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, s.ID)
	b = append(b, `,"slug":`...)
	b = appendString(b, s.Slug)
	b = append(b, `,"name":`...)
	b = appendString(b, s.Name)
	b = append(b, `,"brand":`...)
	b = appendString(b, s.Brand)
	b = append(b, `,"summary":`...)
	b = appendString(b, s.Summary)
	b = append(b, `,"category":`...)
	if s.Category == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, `{"slug":`...)
		b = appendString(b, s.Category.Slug)
		b = append(b, `,"name":`...)
		b = appendString(b, s.Category.Name)
		b = append(b, '}')
	}
	b = append(b, `,"tags":`...)
	if s.Tags == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range s.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, t)
		}
		b = append(b, ']')
	}
	b = append(b, `,"requires_prescription":`...)
	b = strconv.AppendBool(b, s.RequiresPrescription)
	b = append(b, `,"hsa_fsa_eligible":`...)
	b = strconv.AppendBool(b, s.HSAFSAEligible)
	b = append(b, `,"in_stock":`...)
	b = strconv.AppendBool(b, s.InStock)
	b = append(b, `,"price":`...)
	b = s.Price.appendJSON(b)
	b = append(b, `,"images":`...)
	if s.Images == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, im := range s.Images {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"url":`...)
			b = appendString(b, im.URL)
			b = append(b, `,"thumb_url":`...)
			b = appendString(b, im.ThumbURL)
			b = append(b, `,"alt":`...)
			b = appendString(b, im.Alt)
			b = append(b, `,"width":`...)
			b = strconv.AppendInt(b, int64(im.Width), 10)
			b = append(b, `,"height":`...)
			b = strconv.AppendInt(b, int64(im.Height), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"variants":`...)
	if s.Variants == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range s.Variants {
			if i > 0 {
				b = append(b, ',')
			}
			b = s.Variants[i].appendJSON(b)
		}
		b = append(b, ']')
	}
	b = append(b, `,"url":`...)
	b = appendString(b, s.URL)
	return append(b, '}')
}

func (v *VariantJSON) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, v.ID)
	b = append(b, `,"sku":`...)
	b = appendString(b, v.SKU)
	b = append(b, `,"name":`...)
	b = appendString(b, v.Name)
	b = append(b, `,"price":`...)
	b = v.Price.appendJSON(b)
	b = append(b, `,"in_stock":`...)
	b = strconv.AppendBool(b, v.InStock)
	b = append(b, `,"low_stock":`...)
	b = strconv.AppendBool(b, v.LowStock)
	b = append(b, `,"price_breaks":`...)
	if v.PriceBreaks == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, pb := range v.PriceBreaks {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"min_quantity":`...)
			b = strconv.AppendInt(b, pb.MinQuantity, 10)
			b = append(b, `,"unit_price":`...)
			b = pb.UnitPrice.appendJSON(b)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func (m Money) appendJSON(b []byte) []byte {
	b = append(b, `{"amount":`...)
	b = strconv.AppendInt(b, m.Amount, 10)
	b = append(b, `,"currency":`...)
	b = appendString(b, m.Currency)
	return append(b, '}')
}

// appendString writes s as a JSON string as json.Marshal does: quotes,
// backslashes and control characters escaped, <, > and & as \u003c, \u003e
// and \u0026 (HTML-safe), invalid UTF-8 as \ufffd, and U+2028 and U+2029
// escaped.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
