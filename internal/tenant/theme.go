package tenant

import (
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
)

// Theme is a tenant's colours. The pages derive every other colour from these
// two so that text always meets WCAG AA contrast (4.5:1), whatever is chosen.
type Theme struct {
	Primary string // header and footer background, "#rrggbb"
	Accent  string // buttons and links, "#rrggbb"
}

// DefaultTheme is used for new tenants.
var DefaultTheme = Theme{Primary: "#1f4e79", Accent: "#0b7a75"}

// Color is an sRGB colour.
type Color struct{ R, G, B uint8 }

// ParseColor parses "#rrggbb".
func ParseColor(s string) (Color, error) {
	if len(s) != 7 || s[0] != '#' {
		return Color{}, errors.New("want #rrggbb")
	}
	var rgb [3]byte
	if _, err := hex.Decode(rgb[:], []byte(s[1:])); err != nil {
		return Color{}, errors.New("want #rrggbb")
	}
	return Color{rgb[0], rgb[1], rgb[2]}, nil
}

// Hex returns "#rrggbb".
func (c Color) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Luminance is the WCAG relative luminance.
func (c Color) Luminance() float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.R) + 0.7152*ch(c.G) + 0.0722*ch(c.B)
}

// Contrast is the WCAG contrast ratio of two colours (1 to 21).
func Contrast(a, b Color) float64 {
	la, lb := a.Luminance(), b.Luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// The fixed colours of the base layout.
var (
	White = Color{255, 255, 255}
	Black = Color{0, 0, 0}
)

// Palette is the full set of colours a page uses, derived from a Theme.
type Palette struct {
	Primary, OnPrimary string // header background and its text
	Accent, OnAccent   string // button background and its text
	Link               string // links and focus rings on white
}

// Palette derives colours that meet WCAG AA (4.5:1) from the theme: text on the
// primary and accent colours is white or black, whichever contrasts more (one of
// them always reaches at least 4.58:1, whatever the background); links
// use the accent darkened until it reaches 4.5:1 on white.
func (t Theme) Palette() Palette {
	p, err := ParseColor(t.Primary)
	if err != nil {
		p, _ = ParseColor(DefaultTheme.Primary)
	}
	a, err := ParseColor(t.Accent)
	if err != nil {
		a, _ = ParseColor(DefaultTheme.Accent)
	}
	return Palette{
		Primary: p.Hex(), OnPrimary: onColor(p).Hex(),
		Accent: a.Hex(), OnAccent: onColor(a).Hex(),
		Link: darkenUntil(a, White, 4.5).Hex(),
	}
}

// Version is a short hash of the theme, used in the theme stylesheet's URL so
// that browsers may cache it forever.
func (t Theme) Version() string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(t.Primary + t.Accent))
	return strconv.FormatUint(h.Sum64(), 36)
}

func onColor(bg Color) Color {
	if Contrast(bg, White) >= Contrast(bg, Black) {
		return White
	}
	return Black
}

// darkenUntil scales c towards black until its contrast with bg reaches ratio.
func darkenUntil(c, bg Color, ratio float64) Color {
	for i := 0; i < 100 && Contrast(c, bg) < ratio; i++ {
		c = Color{uint8(float64(c.R) * 0.95), uint8(float64(c.G) * 0.95), uint8(float64(c.B) * 0.95)}
	}
	return c
}
