package catalog_test

import (
	"bytes"
	"image"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/salvehealth/salve/internal/apperr"
	"github.com/salvehealth/salve/internal/catalog"
)

func TestProcessImage(t *testing.T) {
	var j bytes.Buffer
	_ = jpeg.Encode(&j, image.NewRGBA(image.Rect(0, 0, 1000, 400)), nil)
	up, err := catalog.ProcessImage(j.Bytes())
	if err != nil || up.Renditions[catalog.SizeLarge].ContentType != "image/jpeg" || up.Width != 800 || up.Height != 320 {
		t.Fatalf("jpeg: %+v %v", up, err)
	}
	var g bytes.Buffer
	if err := gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 10, 30), palette.Plan9), nil); err != nil {
		t.Fatal(err)
	}
	up, err = catalog.ProcessImage(g.Bytes())
	if err != nil || up.Renditions[catalog.SizeThumb].ContentType != "image/png" || up.Width != 10 || up.Height != 30 {
		t.Fatalf("gif: %+v %v", up, err)
	}
	// 25 megapixels: refused from the header, before decoding.
	var big bytes.Buffer
	_ = png.Encode(&big, image.NewGray(image.Rect(0, 0, 5000, 5000)))
	if _, err := catalog.ProcessImage(big.Bytes()); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("25 MP: %v", err)
	}
	if _, err := catalog.ProcessImage([]byte("GIF89a not really")); !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("fake gif: %v", err)
	}
	if _, err := catalog.ProcessImage(make([]byte, catalog.MaxImageBytes+1)); !apperr.Is(err, apperr.TooLarge) {
		t.Fatalf("too many bytes: %v", err)
	}
}

func FuzzProcessImage(f *testing.F) {
	var p bytes.Buffer
	_ = png.Encode(&p, image.NewGray(image.Rect(0, 0, 3, 2)))
	f.Add(p.Bytes())
	f.Add([]byte("\xff\xd8\xff"))
	f.Add([]byte("GIF89a"))
	f.Fuzz(func(t *testing.T, data []byte) {
		up, err := catalog.ProcessImage(data)
		if err == nil && (up.SHA256 == "" || len(up.Renditions) != 2) {
			t.Fatalf("accepted without renditions: %+v", up)
		}
	})
}
