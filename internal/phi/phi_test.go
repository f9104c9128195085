package phi

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"log"
	"log/slog"
	"strings"
	"testing"
)

// canary is the plaintext that must never appear in any output below.
const canary = "CANARY-Jane-Doe-HIV+-555-0199"

type exported struct {
	Name  String
	Notes Bytes
	Ptr   *String
}

type hidden struct {
	name  String
	notes Bytes
	ptr   *String
	list  []String
	m     map[string]String
}

// TestPHINeverPrints logs and prints PHI values every way Go offers and proves
// the plaintext never appears. Break any method of String or Bytes (or store the
// plaintext directly in the struct instead of behind a pointer) and it fails.
func TestPHINeverPrints(t *testing.T) {
	s := NewString(canary)
	b := NewBytes([]byte(canary))
	ex := exported{Name: s, Notes: b, Ptr: &s}
	hd := hidden{name: s, notes: b, ptr: &s, list: []String{s}, m: map[string]String{"k": s}}

	var out bytes.Buffer
	values := []any{s, &s, b, &b, ex, &ex, hd, &hd, []String{s}, map[string]String{"k": s}, []any{s, b}}
	verbs := []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10s", "%-10v", "%.3s"}
	for _, v := range values {
		for _, verb := range verbs {
			fmt.Fprintf(&out, verb+"\n", v)
		}
		fmt.Fprintln(&out, v)
		fmt.Fprint(&out, v, "\n")
		fmt.Fprint(&out, v)

		// errors, wrapped and unwrapped
		err := fmt.Errorf("lookup of %v failed: %w", v, errors.New("boom"))
		out.WriteString(err.Error())
		out.WriteString(fmt.Errorf("outer: %w", err).Error())

		// encoding/json and encoding/xml
		j, err := json.Marshal(v)
		if err == nil {
			out.Write(j)
		}
		j, err = json.MarshalIndent(map[string]any{"v": v}, "", " ")
		if err == nil {
			out.Write(j)
		}
		if x, err := xml.Marshal(v); err == nil {
			out.Write(x)
		}

		// log/slog, JSON and text, every attribute constructor that takes the value
		for _, h := range []slog.Handler{
			slog.NewJSONHandler(&out, &slog.HandlerOptions{AddSource: true}),
			slog.NewTextHandler(&out, nil),
		} {
			l := slog.New(h)
			l.Info("msg", "v", v)
			l.Info("msg", slog.Any("v", v))
			l.Info("msg", slog.Group("g", slog.Any("v", v)))
			l.With("v", v).Warn("with")
			l.Error("error", "err", fmt.Errorf("wrapping %v", v))
			l.Info(fmt.Sprint(v))
		}
		// the standard log package
		log.New(&out, "", 0).Printf("%v %+v %#v", v, v, v)
	}
	// map keys go through MarshalText
	if j, err := json.Marshal(map[String]int{s: 1}); err == nil {
		out.Write(j)
	}

	if strings.Contains(out.String(), canary) {
		i := strings.Index(out.String(), canary)
		lo := max(0, i-120)
		t.Fatalf("PHI plaintext leaked into output near: %q", out.String()[lo:i+len(canary)])
	}
	if !strings.Contains(out.String(), Redacted) {
		t.Fatal("redaction marker missing: the test is not printing anything")
	}
	// The plaintext is still there for the code that is allowed to have it.
	if s.Reveal() != canary || string(b.Reveal()) != canary {
		t.Fatal("Reveal lost the value")
	}
}

func TestZeroValues(t *testing.T) {
	var s String
	var b Bytes
	if s.Reveal() != "" || !s.IsZero() || b.Reveal() != nil || b.Len() != 0 {
		t.Fatal("zero values must be empty")
	}
	if fmt.Sprint(s) != Redacted {
		t.Fatal("zero value must print as redacted too")
	}
	if !NewString("a").Equal(NewString("a")) || NewString("a").Equal(NewString("b")) {
		t.Fatal("Equal is wrong")
	}
}
