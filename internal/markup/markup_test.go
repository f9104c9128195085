package markup

import (
	"strings"
	"testing"
)

func TestRender(t *testing.T) {
	cases := map[string]string{
		"Hello **world**":                     "<p>Hello <strong>world</strong></p>\n",
		"# Title\ntext":                       "<h2>Title</h2>\n<p>text</p>\n",
		"- a\n- b":                            "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n",
		"1. one\n2. two":                      "<ol>\n<li>one</li>\n<li>two</li>\n</ol>\n",
		"[x](/products)":                      `<p><a href="/products">x</a></p>` + "\n",
		"<script>alert(1)</script>":           "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
		"[x](javascript:alert(1))":            "<p>[x](javascript:alert(1))</p>\n",
		`[x](https://a.example/" onclick="x)`: "<p>[x](https://a.example/&#34; onclick=&#34;x)</p>\n",
		"*unclosed":                           "<p>*unclosed</p>\n",
	}
	for in, want := range cases {
		if got := string(Render(in)); got != want {
			t.Errorf("Render(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"**a*", "[a](", "[](/)", "# ", "1. ", "<img src=x onerror=y>", "*[**]*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := string(Render(s))
		// No tag may appear other than the ones the renderer writes.
		for _, bad := range []string{"<script", "<img", "<iframe", "javascript:", "onerror="} {
			if strings.Contains(strings.ToLower(out), bad) && !strings.Contains(strings.ToLower(s), bad) {
				t.Fatalf("Render(%q) produced %q", s, out)
			}
		}
		if strings.Contains(out, "<") {
			rest := out
			for {
				i := strings.IndexByte(rest, '<')
				if i < 0 {
					break
				}
				rest = rest[i+1:]
				ok := false
				for _, tag := range []string{"p>", "/p>", "h2>", "/h2>", "h3>", "/h3>", "h4>", "/h4>", "ul>", "/ul>", "ol>", "/ol>", "li>", "/li>", "strong>", "/strong>", "em>", "/em>", "a href=\"", "/a>"} {
					if strings.HasPrefix(rest, tag) {
						ok = true
						break
					}
				}
				if !ok {
					t.Fatalf("Render(%q) has an unexpected tag in %q", s, out)
				}
			}
		}
	})
}
