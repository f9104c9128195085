package catalog

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"

	// Registers GIF decoding so that GIF uploads are recognized (and re-encoded).
	_ "image/gif"

	"golang.org/x/image/draw"

	"github.com/salvehealth/salve/internal/apperr"
)

// Image upload limits. Why check pixels before decoding: a small file can
// declare a huge image (a decompression bomb); DecodeConfig reads only the
// header, so the size is refused before any pixel memory is allocated.
const (
	MaxImageBytes  = 10 << 20
	MaxImagePixels = 24_000_000 // a 6000 x 4000 camera photo; decoding it takes about 100 MB
	MaxImageSide   = 12_000
)

// Rendition sizes: the longest side in pixels.
const (
	SizeLarge = "l" // 800 px: the product page
	SizeThumb = "t" // 320 px: lists
)

var renditionSides = map[string]int{SizeLarge: 800, SizeThumb: 320}

// Upload is a checked image, resized into its renditions.
type Upload struct {
	SHA256        string // of the large rendition
	Width, Height int    // of the large rendition
	Renditions    map[string]Rendition
}

// ProcessImage checks an uploaded file by its content (not its name or
// declared type), refuses what is too large, and re-encodes it into the
// renditions. Re-encoding also drops whatever else the file carried (metadata,
// trailing data).
func ProcessImage(data []byte) (*Upload, error) {
	if len(data) > MaxImageBytes {
		return nil, apperr.New(apperr.TooLarge, "The image is larger than 10 MB.")
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.InvalidFields("That file is not an image we can read.", map[string]string{"image": "Upload a PNG, JPEG or GIF image."})
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageSide || cfg.Height > MaxImageSide || cfg.Width*cfg.Height > MaxImagePixels {
		return nil, apperr.InvalidFields("The image is too large.", map[string]string{"image": fmt.Sprintf("Use at most %d pixels per side and 24 megapixels.", MaxImageSide)})
	}
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, apperr.InvalidFields("That image is damaged.", map[string]string{"image": "The file could not be decoded."})
	}
	up := &Upload{Renditions: map[string]Rendition{}}
	for size, side := range renditionSides {
		img := resize(src, side)
		var b bytes.Buffer
		ct := "image/png"
		if format == "jpeg" {
			ct = "image/jpeg"
			err = jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
		} else {
			err = png.Encode(&b, img)
		}
		if err != nil {
			return nil, apperr.Internalf("encode image: %w", err)
		}
		up.Renditions[size] = Rendition{ContentType: ct, Data: b.Bytes()}
		if size == SizeLarge {
			sum := sha256.Sum256(b.Bytes())
			up.SHA256 = hex.EncodeToString(sum[:])
			up.Width, up.Height = img.Bounds().Dx(), img.Bounds().Dy()
		}
	}
	return up, nil
}

// resize scales an image down so its longest side is at most side; smaller
// images keep their size.
func resize(src image.Image, side int) image.Image {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= side && h <= side {
		dst := image.NewNRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	if w >= h {
		h, w = max(1, h*side/w), side
	} else {
		w, h = max(1, w*side/h), side
	}
	dst := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}
