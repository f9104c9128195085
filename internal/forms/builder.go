package forms

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/salvehealth/salve/internal/access"
)

// The builder is a plain HTML form (no JavaScript needed): every question is
// a group of inputs named f<i>_label, f<i>_type, ... and the buttons (add a
// question, remove, move up or down, save) are submit buttons named "op".
// Each button posts the whole form; the server applies the step and shows
// the form again, and only "save" stores a new version.

// Op is the builder button that was pressed.
type Op struct {
	// Kind is "add", "remove", "up", "down" or "save".
	Kind string
	// Index is the question the button belongs to (remove, up, down).
	Index int
}

// MaxBuilderFields bounds how many question slots a post may name, so that a
// forged count cannot make the parser loop for long.
const MaxBuilderFields = MaxFields + 1

// FromValues reads the builder's post: the definition as typed (not yet
// validated) and the button pressed. An unknown button is "save"'s opposite:
// nothing is stored (Kind ""), the form is shown again.
func FromValues(v url.Values) (Definition, Op) {
	d := Definition{Title: v.Get("title"), Intro: v.Get("intro"), Class: access.DataClass(v.Get("class")), Attach: Attach(v.Get("attach"))}
	switch d.Attach {
	case Product:
		d.Target = strings.TrimSpace(v.Get("target"))
	case Page:
		d.Target = strings.TrimSpace(v.Get("page"))
	}
	n, err := strconv.Atoi(v.Get("n"))
	if err != nil || n < 0 {
		n = 0
	}
	n = min(n, MaxBuilderFields)
	for i := range n {
		p := fmt.Sprintf("f%d_", i)
		f := Field{Key: v.Get(p + "key"), Label: v.Get(p + "label"), Type: FieldType(v.Get(p + "type")), Help: v.Get(p + "help"),
			Required: v.Get(p+"required") == "yes", ShowWhen: v.Get(p + "show_when")}
		if f.Type.HasOptions() {
			for _, line := range strings.Split(strings.ReplaceAll(v.Get(p+"options"), "\r\n", "\n"), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					f.Options = append(f.Options, line)
				}
			}
		}
		d.Fields = append(d.Fields, f)
	}
	return d, parseOp(v.Get("op"), len(d.Fields))
}

func parseOp(s string, n int) Op {
	kind, idx, _ := strings.Cut(s, ":")
	switch kind {
	case "add", "save":
		return Op{Kind: kind}
	case "remove", "up", "down":
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= n {
			return Op{}
		}
		return Op{Kind: kind, Index: i}
	}
	return Op{}
}

// Apply performs a builder step on the definition: add a question at the
// end, remove one, or move one up or down. A question that depended on a
// removed one, or that would come before the question it depends on, loses
// the condition (the builder shows it again for the manager to check).
func (d *Definition) Apply(op Op) {
	switch op.Kind {
	case "add":
		if len(d.Fields) < MaxFields {
			d.Fields = append(d.Fields, Field{Key: NewKey(), Type: Text})
		}
	case "remove":
		gone := d.Fields[op.Index].Key
		d.Fields = append(d.Fields[:op.Index], d.Fields[op.Index+1:]...)
		for i := range d.Fields {
			if d.Fields[i].ShowWhen == gone {
				d.Fields[i].ShowWhen = ""
			}
		}
	case "up":
		if op.Index > 0 {
			d.Fields[op.Index-1], d.Fields[op.Index] = d.Fields[op.Index], d.Fields[op.Index-1]
		}
	case "down":
		if op.Index < len(d.Fields)-1 {
			d.Fields[op.Index+1], d.Fields[op.Index] = d.Fields[op.Index], d.Fields[op.Index+1]
		}
	}
	// A condition must point to an earlier question.
	seen := map[string]bool{}
	for i := range d.Fields {
		if w := d.Fields[i].ShowWhen; w != "" && !seen[w] {
			d.Fields[i].ShowWhen = ""
		}
		seen[d.Fields[i].Key] = true
	}
}

// NewKey returns a fresh question key: random, so that two managers adding
// questions at once never collide and a key says nothing about the question.
func NewKey() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24)
	return "q" + hex.EncodeToString(b)
}
