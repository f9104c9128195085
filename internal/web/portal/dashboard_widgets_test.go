package portal

import (
	"bytes"
	"html"
	"strings"
	"testing"

	dash "github.com/salvehealth/salve/internal/portal"
)

// TestWidgetListEscapes: the hand-written widget list escapes every value
// as html/template did: markup in a title, note or detail is text, and a
// link or form action that is not a same-site path is neutralised.
func TestWidgetListEscapes(t *testing.T) {
	w, _ := dash.Lookup(dash.WidgetLabs)
	p := dash.Panel{Widget: w, First: true, Last: true, Summary: dash.Summary{Note: `<b>2 new</b>`, Total: 9, Lines: []dash.Line{
		{Title: `<script>alert(1)</script>`, Detail: `"quoted" & 'single'`, Href: "javascript:alert(1)", Badge: "<i>New</i>", Tone: dash.ToneWarn},
		{Title: "Lipid panel", Href: "/account/results/r1", Action: &dash.Action{Label: "Open", Path: "//evil.example/x"}},
	}}}
	got := widgetList(dashboardData{Dashboard: dash.Dashboard{Panels: []dash.Panel{p}}})
	for _, bad := range []string{"<script>", "<b>", "<i>", `href="javascript:`, `action="//evil`, `"quoted"`} {
		if strings.Contains(got, bad) {
			t.Errorf("unescaped %q in:\n%s", bad, got)
		}
	}
	for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;2 new&lt;/b&gt;", `href="#ZgotmplZ"`, `action="#ZgotmplZ"`,
		`href="/account/results/r1"`, "&#34;quoted&#34; &amp; &#39;single&#39;", "2 of 9 shown.", `tone-warn`, `draggable="true"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	// Acting for someone: no arranging tools.
	other := widgetList(dashboardData{Dashboard: dash.Dashboard{Panels: []dash.Panel{p}}, ForID: "someone"})
	if strings.Contains(other, "draggable") || strings.Contains(other, "/hide") {
		t.Errorf("a proxy's view has arranging tools:\n%s", other)
	}
}

// widgetList is what d writes of its page (WriteHTML).
func widgetList(d dashboardData) string {
	var b bytes.Buffer
	d.WriteHTML(&b)
	return b.String()
}

// TestEscapeAsHTMLEscapeString: escape writes what html.EscapeString
// returns, for text with and without the characters it escapes.
func TestEscapeAsHTMLEscapeString(t *testing.T) {
	for _, s := range []string{"", "plain text", `<script>alert("x")</script>`, "a & b's <c>", `&&''""<<>>`, "☃ \x00 \xff <", ">", "end&"} {
		var b bytes.Buffer
		escape(&b, s)
		if got, want := b.String(), html.EscapeString(s); got != want {
			t.Errorf("escape(%q) = %q, want %q", s, got, want)
		}
	}
}
