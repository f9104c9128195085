// Package render turns templates into pages: html/template with layouts, every
// template parsed at start-up (a missing or broken one fails start-up, not a
// request), and the embedded static files served at content-hash URLs.
package render

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/salvehealth/salve/internal/catalog"
	"github.com/salvehealth/salve/internal/httpx"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// StaticFS returns the embedded static files.
func StaticFS() fs.FS {
	sub, _ := fs.Sub(staticFS, "static")
	return sub
}

// Engine holds the parsed pages.
type Engine struct {
	pages map[string]*template.Template
	// layouts are the pages' pre-rendered layouts, by page name.
	layouts map[string]*layout
	// split are the pages whose content is written in three parts
	// (defineSplitContent).
	split map[string]bool
	// personal renders the "personal" partial on its own, per request, into a
	// cached page's slot.
	personal *template.Template
	assets   *Assets
	opts     Options
	bufs     *sync.Pool // render buffers, reused across requests
}

// Options are what every page of the process shows alike.
type Options struct {
	// TestPayments is on while the test gateway is offered: every page then
	// carries the "test-payments" banner (no money moves).
	TestPayments bool
}

// New parses every layout, partial and page. Page names are their paths under
// templates/pages without ".html" ("shop/home", "error").
func New(assets *Assets, o Options) (*Engine, error) {
	e := &Engine{pages: make(map[string]*template.Template), layouts: make(map[string]*layout), split: make(map[string]bool),
		assets: assets, opts: o,
		bufs: &sync.Pool{New: func() any { return new(bytes.Buffer) }}}
	base := template.New("").Funcs(e.funcs())
	for _, dir := range []string{"templates/layouts", "templates/partials"} {
		matches, err := fs.Glob(templateFS, dir+"/*.html")
		if err != nil {
			return nil, err
		}
		for _, m := range matches {
			b, err := templateFS.ReadFile(m)
			if err != nil {
				return nil, err
			}
			if _, err := base.New(path.Base(m)).Parse(string(b)); err != nil {
				return nil, fmt.Errorf("parse template %s: %w", m, err)
			}
		}
	}
	err := fs.WalkDir(templateFS, "templates/pages", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		b, err := templateFS.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := base.Clone()
		if err != nil {
			return err
		}
		if _, err := t.New(path.Base(p)).Parse(string(b)); err != nil {
			return fmt.Errorf("parse template %s: %w", p, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/pages/"), ".html")
		split := t.Lookup(contentHead) != nil || t.Lookup(contentTail) != nil
		if split {
			if err := defineSplitContent(name, t); err != nil {
				return err
			}
			e.split[name] = true
		}
		if t.Lookup("content") == nil {
			return fmt.Errorf("template %s defines no \"content\"", p)
		}
		e.pages[name] = t
		l, err := newLayout(name, t)
		if err != nil {
			return err
		}
		e.layouts[name] = l
		return nil
	})
	if err != nil {
		return nil, err
	}
	if e.personal, err = base.Clone(); err != nil {
		return nil, err
	}
	if e.personal.Lookup("personal") == nil {
		return nil, fmt.Errorf("the partial \"personal\" is missing")
	}
	return e, nil
}

// SlotMarker is where the per-request part of a cached page goes. It is an
// HTML comment, so a page rendered with it is still valid HTML.
const SlotMarker = "<!--salve:personal-->"

// ExecuteSplit renders the page for a cache: everything but the per-request
// part (the "personal" partial), split at the slot where that part goes. Only
// pages whose data is the same for every visitor may be rendered this way.
func (p *Page) ExecuteSplit(v *View) (head, tail []byte, err error) {
	v.Slot = true
	defer func() { v.Slot = false }()
	var buf bytes.Buffer
	buf.Grow(int(p.splitSize.Load()) + 1024)
	if err := p.execute(&buf, v); err != nil {
		return nil, nil, err
	}
	b := buf.Bytes()
	p.splitSize.Store(int64(len(b)))
	i := bytes.Index(b, []byte(SlotMarker))
	if i < 0 {
		return b, nil, nil
	}
	return b[:i], b[i+len(SlotMarker):], nil
}

// Personal renders the per-request part of a page (the "personal" partial:
// later the cart count and the signed-in name) into w.
func (e *Engine) Personal(w io.Writer, v *View) error {
	if err := e.personal.ExecuteTemplate(w, "personal", v); err != nil {
		return fmt.Errorf("render personal part: %w", err)
	}
	return nil
}

func (e *Engine) funcs() template.FuncMap {
	return template.FuncMap{
		// asset returns the content-hash URL of a static file; a missing file is
		// an execution error, caught by the start-up render of every page.
		"asset": e.assets.URL,
		// testPayments says whether the test gateway is on (the banner).
		"testPayments": func() bool { return e.opts.TestPayments },
		// field builds the data of the "field" partial: field form name label
		// type [autocomplete [hint]]. Password inputs never show a value again.
		"field": func(f FormState, name, label, typ string, more ...string) Field {
			fl := Field{Name: name, Label: label, Type: typ}
			if f != nil {
				fl.Error = f.Error(name)
				if typ != "password" {
					fl.Value = f.Value(name)
				}
			}
			if len(more) > 0 {
				fl.Autocomplete = more[0]
			}
			if len(more) > 1 {
				fl.Hint = more[1]
			}
			return fl
		},
		// optional marks a field as not required.
		"optional": func(f Field) Field { f.Optional = true; return f },
		// slot marks where a cached page's per-request part goes.
		"slot": func() template.HTML { return SlotMarker },
		// contentMarker marks where a pre-rendered layout's content goes.
		"contentMarker": func() template.HTML { return contentMarker },
		// price formats minor units with the currency.
		"price": catalog.FormatPrice,
		// writtenHTML is the part of a split page's content that its data
		// writes itself (defineSplitContent), as a value: for Execute, which
		// renders the whole page through html/template.
		"writtenHTML": writtenHTML,
	}
}

// Assets returns the static files.
func (e *Engine) Assets() *Assets { return e.assets }

// Page is one parsed page, looked up once when a handler is built.
type Page struct {
	name   string
	t      *template.Template
	layout *layout
	bufs   *sync.Pool
	// split says the page's content is its head, what its data writes, and
	// its tail (defineSplitContent).
	split bool
	// splitSize is the size of the page's last render for a cache: the
	// next one's buffer starts there rather than doubling its way up
	// (ExecuteSplit's bytes are kept, so they cannot come from bufs).
	splitSize atomic.Int64
}

// Page returns a page by name, or an error; handlers get their pages when they
// are built, so a missing template fails start-up.
func (e *Engine) Page(name string) (*Page, error) {
	t, ok := e.pages[name]
	if !ok {
		return nil, fmt.Errorf("render: no template for page %q", name)
	}
	return &Page{name: name, t: t, layout: e.layouts[name], bufs: e.bufs, split: e.split[name]}, nil
}

// Name returns the page name.
func (p *Page) Name() string { return p.name }

// Render executes the page into a buffer, then writes it with the status. A
// template error writes nothing, so the caller can still render an error page.
func (p *Page) Render(w http.ResponseWriter, status int, v *View) error {
	buf := p.bufs.Get().(*bytes.Buffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 {
			p.bufs.Put(buf)
		}
	}()
	if err := p.execute(buf, v); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := httpx.WriteWhole(w, buf.Bytes())
	return err
}

// execute renders the page into buf: the layout's parts as pre-rendered for
// v's layout inputs, and the page's content rendered now. The output is the
// same, byte for byte, as executing the whole layout (Execute).
func (p *Page) execute(buf *bytes.Buffer, v *View) error {
	if p.layout == nil {
		if err := p.t.ExecuteTemplate(buf, "base", v); err != nil {
			return fmt.Errorf("render %s: %w", p.name, err)
		}
		return nil
	}
	e, err := p.layout.parts(v)
	if err != nil {
		return err
	}
	buf.Write(e.pre)
	if v.Title != "" {
		buf.WriteString(EscapeText(v.Title))
		buf.Write(e.post)
	}
	if err := p.content(buf, v); err != nil {
		return err
	}
	buf.Write(e.tail)
	return nil
}

// content renders the page's content into buf: a split page's head, what
// its data writes straight into buf, then its tail; any other page's
// "content" template.
func (p *Page) content(buf *bytes.Buffer, v *View) error {
	if !p.split {
		if err := p.t.ExecuteTemplate(buf, "content", v); err != nil {
			return fmt.Errorf("render %s: %w", p.name, err)
		}
		return nil
	}
	hw, ok := v.Data.(HTMLWriter)
	if !ok {
		return fmt.Errorf("render %s: %w", p.name, errNotHTMLWriter)
	}
	if err := p.t.ExecuteTemplate(buf, contentHead, v); err != nil {
		return fmt.Errorf("render %s: %w", p.name, err)
	}
	hw.WriteHTML(buf)
	if err := p.t.ExecuteTemplate(buf, contentTail, v); err != nil {
		return fmt.Errorf("render %s: %w", p.name, err)
	}
	return nil
}

// EscapeText returns s escaped as html/template escapes a string in text, in
// a title and in a quoted attribute value: NUL, quotes, &, +, < and >. (All
// are ASCII, and no byte of a multi-byte UTF-8 sequence is, so a byte loop
// finds the same ones as html/template's loop over runes.) s itself when
// nothing needs escaping.
func EscapeText(s string) string {
	var b strings.Builder
	written := 0
	for i := 0; i < len(s); i++ {
		var repl string
		switch s[i] {
		case 0:
			repl = "\uFFFD"
		case '"':
			repl = "&#34;"
		case '&':
			repl = "&amp;"
		case '\'':
			repl = "&#39;"
		case '+':
			repl = "&#43;"
		case '<':
			repl = "&lt;"
		case '>':
			repl = "&gt;"
		default:
			continue
		}
		if written == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[written:i])
		b.WriteString(repl)
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// Execute renders the page into a byte slice (for caches and tests).
func (p *Page) Execute(v *View) ([]byte, error) {
	var b bytes.Buffer
	if err := p.t.ExecuteTemplate(&b, "base", v); err != nil {
		return nil, fmt.Errorf("render %s: %w", p.name, err)
	}
	return b.Bytes(), nil
}

// Names returns every page name.
func (e *Engine) Names() []string {
	out := make([]string, 0, len(e.pages))
	for n := range e.pages {
		out = append(out, n)
	}
	return out
}
