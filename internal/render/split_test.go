package render

import (
	"bytes"
	"html/template"
	"net/http/httptest"
	"sync"
	"testing"
)

// splitData writes its part of a split page.
type splitData struct{ part string }

func (d splitData) WriteHTML(b *bytes.Buffer) { b.WriteString(d.part) }

// TestSplitPage: a page defining content-head and content-tail gets its
// "content" from render (head, what the data writes, tail), rendered the
// same whole (Execute) and split (Render); a page defining only one part,
// or a content of its own besides, fails start-up; data that writes nothing
// itself is an error, not a page without its middle.
func TestSplitPage(t *testing.T) {
	base := func() *template.Template {
		return template.Must(template.New("").Funcs(template.FuncMap{"writtenHTML": writtenHTML}).
			Parse(`{{define "base"}}<main>{{template "content" .}}</main>{{end}}`))
	}
	tm := base()
	template.Must(tm.Parse(`{{define "content-head"}}<h1>{{.Title}}</h1>{{end}}{{define "content-tail"}}<p>{{.Title}}</p>{{end}}`))
	if err := defineSplitContent("t", tm); err != nil {
		t.Fatal(err)
	}
	p := &Page{name: "t", t: tm, split: true, bufs: &sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	v := &View{Title: "A & B", Data: splitData{part: "<ol><li>x</li></ol>"}}
	whole, err := p.Execute(v)
	if err != nil {
		t.Fatal(err)
	}
	if want := "<main><h1>A &amp; B</h1><ol><li>x</li></ol><p>A &amp; B</p></main>"; string(whole) != want {
		t.Fatalf("whole: %s, want %s", whole, want)
	}
	var buf bytes.Buffer
	if err := p.content(&buf, v); err != nil {
		t.Fatal(err)
	}
	if want := "<h1>A &amp; B</h1><ol><li>x</li></ol><p>A &amp; B</p>"; buf.String() != want {
		t.Fatalf("split: %s, want %s", buf.String(), want)
	}
	if err := p.Render(httptest.NewRecorder(), 200, &View{Data: "not a writer"}); err == nil {
		t.Fatal("data that is no HTMLWriter rendered")
	}
	for _, src := range []string{
		`{{define "content-head"}}x{{end}}`,
		`{{define "content-tail"}}x{{end}}`,
		`{{define "content-head"}}x{{end}}{{define "content-tail"}}y{{end}}{{define "content"}}z{{end}}`,
	} {
		tm := base()
		template.Must(tm.Parse(src))
		if err := defineSplitContent("t", tm); err == nil {
			t.Errorf("%s: accepted", src)
		}
	}
}
