package render

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
)

// HTMLWriter is the data of a split page (defineSplitContent): it writes
// the part of the page's content between the head and the tail itself,
// every value in it escaped as html/template would have escaped it.
type HTMLWriter interface {
	WriteHTML(b *bytes.Buffer)
}

// The templates of a split page's content.
const (
	contentHead = "content-head"
	contentTail = "content-tail"
)

var errNotHTMLWriter = errors.New("a split page's data must be a render.HTMLWriter")

// defineSplitContent defines the "content" of a page that defines a
// "content-head" and a "content-tail" instead: the head, what the page's
// data (an HTMLWriter) writes, then the tail.
//
// Why pages may be split: a part written in Go rather than in the template
// (the dashboard's widget list: through html/template's reflection it cost a
// fifth of a view) was a method returning template.HTML, a string as large as
// most of the page, made and then copied into the response on every view.
// A split page's data writes that part straight into the response buffer
// (Page.Render) between its head and tail. "content" is defined here, never
// by the page, so that it cannot drift from the head and tail: Execute and
// the pre-rendered layouts render it, with the same bytes (writtenHTML).
func defineSplitContent(name string, t *template.Template) error {
	if t.Lookup(contentHead) == nil || t.Lookup(contentTail) == nil {
		return fmt.Errorf("template %s: a split page defines both %q and %q", name, contentHead, contentTail)
	}
	if t.Lookup("content") != nil {
		return fmt.Errorf("template %s: a split page defines no \"content\" of its own", name)
	}
	_, err := t.New("salve-split-content").Parse(`{{define "content"}}{{template "` + contentHead + `" .}}{{writtenHTML .}}{{template "` + contentTail + `" .}}{{end}}`)
	if err != nil {
		return fmt.Errorf("parse template %s: split content: %w", name, err)
	}
	return nil
}

// writtenHTML returns what a split page's data writes (HTMLWriter), for
// the "content" of the page (defineSplitContent).
func writtenHTML(v *View) (template.HTML, error) {
	hw, ok := v.Data.(HTMLWriter)
	if !ok {
		return "", errNotHTMLWriter
	}
	var b bytes.Buffer
	hw.WriteHTML(&b)
	return template.HTML(b.String()), nil //nolint:gosec // an HTMLWriter escapes what it writes (its contract)
}
