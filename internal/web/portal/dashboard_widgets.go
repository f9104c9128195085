package portal

import (
	"bytes"
	"html"
	"strconv"
	"strings"

	dash "github.com/salvehealth/salve/internal/portal"
)

// WriteHTML writes the dashboard's list of widgets (dashboard.html: the
// page is split around it, see render.HTMLWriter) straight into the
// page's buffer. Why written here rather than in the template: html/template
// reaches every field through reflection and calls its escapers through
// reflect.Value.Call, a dozen times per line of every widget; that was a
// fifth of a dashboard view's CPU (BenchmarkDashboardRender). The markup is
// the template's, and every value is escaped here as the template escaped
// it: text and attribute values with html.EscapeString (every attribute is
// quoted), links and form actions only when they are same-site paths
// (anything else becomes "#ZgotmplZ", as html/template writes an unsafe
// URL), so a title or detail holding markup is text, never markup.
func (d dashboardData) WriteHTML(b *bytes.Buffer) {
	own := d.ForID == ""
	b.Grow(widgetListSize(d.Panels, own))
	b.WriteString(`<ol class="widgets"`)
	if own {
		b.WriteString(` data-dashboard data-order-url="/account/dashboard/order"`)
	}
	b.WriteString(`>`)
	for i := range d.Panels {
		writePanel(b, &d.Panels[i], own)
	}
	b.WriteString("\n  </ol>")
}

// widgetListSize is what the list takes, or a little more: the markup of a
// panel and of a line with room for their escaped text. Why sized: the
// page's buffer then grows at most once for the list, rather than doubling
// its way up (render reuses its buffers, so once they are large enough this
// costs nothing).
func widgetListSize(panels []dash.Panel, own bool) int {
	n := 128
	for i := range panels {
		p := &panels[i]
		n += 512 + 8*len(p.Key) + 4*len(p.Title) + len(p.Empty) + len(p.Next) + len(p.NextLabel) + len(p.Summary.Note)
		if own {
			n += 768
		}
		for j := range p.Summary.Lines {
			l := &p.Summary.Lines[j]
			n += 224 + len(l.Title) + len(l.Detail) + len(l.Href) + len(l.Badge)
			if a := l.Action; a != nil {
				n += 160 + len(a.Label) + len(a.Path)
			}
		}
	}
	return n
}

// writePanel writes one widget of the list. Why piece by piece: joining
// the pieces with + first made a string for each join.
func writePanel(b *bytes.Buffer, p *dash.Panel, own bool) {
	key, title := html.EscapeString(p.Key), html.EscapeString(p.Title)
	sum := &p.Summary
	ws(b, "\n    <li class=\"widget\" id=\"widget-", key, "\" data-widget=\"", key, "\"")
	if own {
		b.WriteString(` draggable="true"`)
	}
	ws(b, " aria-labelledby=\"wh-", key, "\">\n      <div class=\"widget-head\">\n        <h2 id=\"wh-", key, "\">", title, "</h2>")
	if sum.Note != "" {
		b.WriteString(` <span class="badge">`)
		escape(b, sum.Note)
		b.WriteString(`</span>`)
	}
	b.WriteString("\n      </div>")
	if m := sum.Meter; m != nil {
		pct, label := strconv.Itoa(m.Percent), html.EscapeString(m.Label)
		ws(b, "\n      <p class=\"widget-meter\"><label for=\"meter-", key, "\">", label, ": ", pct, "%</label>\n        <meter class=\"meter\" id=\"meter-",
			key, "\" min=\"0\" max=\"100\" value=\"", pct, "\">", pct, "%</meter></p>")
	}
	if len(sum.Lines) > 0 {
		b.WriteString("\n      <ul class=\"widget-lines\">")
		for i := range sum.Lines {
			writeLine(b, &sum.Lines[i])
		}
		b.WriteString("\n      </ul>")
		if sum.Total > len(sum.Lines) {
			ws(b, `<p class="muted">`, strconv.Itoa(len(sum.Lines)), " of ", strconv.Itoa(sum.Total), " shown.</p>")
		}
	} else {
		b.WriteString("\n      <p class=\"widget-empty\">")
		escape(b, p.Empty)
		if p.Next != "" {
			b.WriteString(` <a href="`)
			writePath(b, p.Next)
			b.WriteString(`">`)
			escape(b, p.NextLabel)
			b.WriteString(`</a>`)
		}
		b.WriteString("</p>")
	}
	b.WriteString("\n      <div class=\"widget-foot\">")
	if p.Href != "" && own {
		ws(b, `<a href="/account/widgets/`, key, `">See all<span class="visually-hidden"> `, title, `</span></a>`)
	}
	if own {
		b.WriteString("\n        <div class=\"widget-tools\">")
		if !p.First {
			writeMove(b, key, title, "up", "Move up")
		}
		if !p.Last {
			writeMove(b, key, title, "down", "Move down")
		}
		ws(b, "\n          <form method=\"post\" action=\"/account/dashboard/", key, "/hide\" class=\"inline-form\"><button type=\"submit\" class=\"link-button\">Hide<span class=\"visually-hidden\"> ",
			title, "</span></button></form>\n        </div>")
	}
	b.WriteString("\n      </div>\n    </li>")
}

// writeMove writes a widget's form that moves it up or down.
func writeMove(b *bytes.Buffer, key, title, dir, label string) {
	ws(b, "\n          <form method=\"post\" action=\"/account/dashboard/", key, "/move\" class=\"inline-form\"><input type=\"hidden\" name=\"dir\" value=\"",
		dir, "\"><button type=\"submit\" class=\"link-button\">", label, "<span class=\"visually-hidden\"> ", title, "</span></button></form>")
}

// writeLine writes one record of a widget.
func writeLine(b *bytes.Buffer, l *dash.Line) {
	b.WriteString("\n        <li>\n          <div class=\"line-text\">")
	if l.Href != "" {
		b.WriteString(`<a href="`)
		writePath(b, l.Href)
		b.WriteString(`">`)
		escape(b, l.Title)
		b.WriteString(`</a>`)
	} else {
		b.WriteString(`<span>`)
		escape(b, l.Title)
		b.WriteString(`</span>`)
	}
	if l.Badge != "" {
		b.WriteString(` <span class="badge`)
		if l.Tone != "" {
			b.WriteString(" tone-")
			escape(b, string(l.Tone))
		}
		b.WriteString(`">`)
		escape(b, l.Badge)
		b.WriteString(`</span>`)
	}
	if l.Detail != "" {
		b.WriteString(`<br><span class="muted">`)
		escape(b, l.Detail)
		b.WriteString(`</span>`)
	}
	b.WriteString("\n          </div>")
	if a := l.Action; a != nil {
		b.WriteString("\n          <form method=\"post\" action=\"")
		writePath(b, a.Path)
		b.WriteString("\" class=\"inline-form\"><button type=\"submit\" class=\"button-secondary\">")
		escape(b, a.Label)
		b.WriteString("</button></form>")
	}
	b.WriteString("\n        </li>")
}

// ws writes the strings in order.
func ws(b *bytes.Buffer, parts ...string) {
	for _, s := range parts {
		b.WriteString(s)
	}
}

// writePath writes a link or form action for a quoted attribute: a
// same-site path escaped, or "#ZgotmplZ" (html/template's mark of an unsafe
// URL) for anything else. Why only paths: the dashboard links to its own
// pages; a "javascript:" or off-site URL in a summary would be a bug, and
// must not become a live link.
func writePath(b *bytes.Buffer, u string) {
	if !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") || strings.HasPrefix(u, "/\\") ||
		strings.ContainsAny(u, " \t\r\n\"'<>\\`") {
		b.WriteString("#ZgotmplZ")
		return
	}
	escape(b, u)
}

// escape writes s as html.EscapeString(s) would return it (the same five
// characters, the same entities), straight into b. Why not
// html.EscapeString: it makes a string of every value that needs escaping,
// and a line of a widget has several (TestEscapeAsHTMLEscapeString).
func escape(b *bytes.Buffer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var ent string
		switch s[i] {
		case '<':
			ent = "&lt;"
		case '>':
			ent = "&gt;"
		case '&':
			ent = "&amp;"
		case '\'':
			ent = "&#39;"
		case '"':
			ent = "&#34;"
		default:
			continue
		}
		b.WriteString(s[last:i])
		b.WriteString(ent)
		last = i + 1
	}
	b.WriteString(s[last:])
}
