// Package markup renders the small markdown that store managers write
// (descriptions, landing pages) into safe HTML.
//
// Why our own renderer and not a full markdown module: the subset needed is
// small (paragraphs, headings, lists, emphasis, links), and a renderer that
// escapes every character itself and emits only the tags below cannot pass raw
// HTML through, whatever the input. There is no HTML sanitizer to get wrong.
//
// Supported: "# ", "## ", "### " headings (rendered one level lower: h2-h4, as
// the page has its own h1), "- " or "* " bullet lists, "1. " numbered lists,
// blank-line separated paragraphs, **bold**, *italic*, and [text](url) links
// whose url starts with "/", "https://" or "mailto:". Everything else is text.
package markup

import (
	"html"
	"html/template"
	"strings"
)

// Render turns markdown into HTML that contains only the supported tags, with
// all text escaped.
func Render(src string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var para []string
	list := ""
	flushPara := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + inline(strings.Join(para, " ")) + "</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	for _, raw := range lines {
		line := strings.TrimSpace(raw)
		switch {
		case line == "":
			flushPara()
			closeList()
		case strings.HasPrefix(line, "### "), strings.HasPrefix(line, "## "), strings.HasPrefix(line, "# "):
			flushPara()
			closeList()
			level := strings.Index(line, " ")
			tag := []string{"h2", "h3", "h4"}[level-1]
			b.WriteString("<" + tag + ">" + inline(strings.TrimSpace(line[level:])) + "</" + tag + ">\n")
		case strings.HasPrefix(line, "- "), strings.HasPrefix(line, "* "):
			flushPara()
			if list != "ul" {
				closeList()
				b.WriteString("<ul>\n")
				list = "ul"
			}
			b.WriteString("<li>" + inline(strings.TrimSpace(line[2:])) + "</li>\n")
		case numbered(line) > 0:
			flushPara()
			if list != "ol" {
				closeList()
				b.WriteString("<ol>\n")
				list = "ol"
			}
			b.WriteString("<li>" + inline(strings.TrimSpace(line[numbered(line):])) + "</li>\n")
		default:
			closeList()
			para = append(para, line)
		}
	}
	flushPara()
	closeList()
	return template.HTML(b.String()) //nolint:gosec // built only from escaped text and the fixed tags above
}

// numbered returns the length of a "12. " prefix, or 0.
func numbered(line string) int {
	i := 0
	for i < len(line) && i < 4 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && strings.HasPrefix(line[i:], ". ") {
		return i + 2
	}
	return 0
}

// inline renders emphasis and links within one block; all text is escaped.
func inline(s string) string {
	var b strings.Builder
	for len(s) > 0 {
		switch {
		case strings.HasPrefix(s, "**"):
			if end := strings.Index(s[2:], "**"); end > 0 {
				b.WriteString("<strong>" + inline(s[2:2+end]) + "</strong>")
				s = s[4+end:]
				continue
			}
		case s[0] == '*':
			if end := strings.IndexByte(s[1:], '*'); end > 0 {
				b.WriteString("<em>" + inline(s[1:1+end]) + "</em>")
				s = s[2+end:]
				continue
			}
		case s[0] == '[':
			if mid := strings.Index(s, "]("); mid > 0 {
				if end := strings.IndexByte(s[mid:], ')'); end > 0 {
					text, href := s[1:mid], s[mid+2:mid+end]
					if safeURL(href) {
						b.WriteString(`<a href="` + html.EscapeString(href) + `">` + inline(text) + "</a>")
						s = s[mid+end+1:]
						continue
					}
				}
			}
		}
		// Plain text up to the next special character.
		n := strings.IndexAny(s[1:], "*[")
		if n < 0 {
			n = len(s) - 1
		}
		b.WriteString(html.EscapeString(s[:n+1]))
		s = s[n+1:]
	}
	return b.String()
}

// safeURL allows same-site paths, https and mailto links only: never
// javascript:, data: or protocol-relative URLs.
func safeURL(u string) bool {
	if strings.ContainsAny(u, " \t\"'<>\\`") {
		return false
	}
	return (strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//")) ||
		strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "mailto:")
}
