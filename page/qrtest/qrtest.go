// Package qrtest reads back the QR code SVGs that package page draws, for
// tests: it rasterizes the SVG's module runs into a grey image and decodes
// that with an independent QR decoder (gozxing).
package qrtest

import (
	"encoding/xml"
	"fmt"
	"image"
	"image/color"
	"strconv"
	"strings"

	"github.com/makiuchi-d/gozxing"
	gozxingqr "github.com/makiuchi-d/gozxing/qrcode"
)

// scale is how many pixels one module becomes.
const scale = 4

// svgDoc is the shape page.QRSVG draws: a white square and one black path.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	ViewBox string   `xml:"viewBox,attr"`
	Rect    struct {
		Width  int    `xml:"width,attr"`
		Height int    `xml:"height,attr"`
		Fill   string `xml:"fill,attr"`
	} `xml:"rect"`
	Path struct {
		Fill string `xml:"fill,attr"`
		D    string `xml:"d,attr"`
	} `xml:"path"`
}

// Rasterize draws a QR SVG as page.QRSVG writes it into a grey image: it
// understands a viewBox "0 0 n n", a background rect and one path of
// "Mx yhWv1h-Wz" runs.
func Rasterize(svg []byte) (*image.Gray, error) {
	var doc svgDoc
	if err := xml.Unmarshal(svg, &doc); err != nil {
		return nil, fmt.Errorf("qrtest: parse SVG: %w", err)
	}
	var x0, y0, w, h int
	if _, err := fmt.Sscanf(doc.ViewBox, "%d %d %d %d", &x0, &y0, &w, &h); err != nil || x0 != 0 || y0 != 0 || w != h || w <= 0 || w > 400 {
		return nil, fmt.Errorf("qrtest: viewBox %q, want 0 0 n n", doc.ViewBox)
	}
	if doc.Rect.Width != w || doc.Rect.Height != h || doc.Rect.Fill != "#fff" || doc.Path.Fill != "#000" {
		return nil, fmt.Errorf("qrtest: want a white %dx%d background and a black path", w, h)
	}
	img := image.NewGray(image.Rect(0, 0, w*scale, h*scale))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for run := range strings.SplitSeq(doc.Path.D, "z") {
		if run == "" {
			continue
		}
		var x, y, rw, back int
		if _, err := fmt.Sscanf(run, "M%d %dh%dv1h%d", &x, &y, &rw, &back); err != nil || back != -rw || rw <= 0 {
			return nil, fmt.Errorf("qrtest: path run %q is not Mx yhWv1h-W", run)
		}
		if x < 0 || y < 0 || x+rw > w || y >= h {
			return nil, fmt.Errorf("qrtest: run %q outside the %dx%d box", run, w, h)
		}
		for px := x * scale; px < (x+rw)*scale; px++ {
			for py := y * scale; py < (y+1)*scale; py++ {
				img.SetGray(px, py, color.Gray{})
			}
		}
	}
	return img, nil
}

// Decode rasterizes a QR SVG and returns the text it encodes.
func Decode(svg []byte) (string, error) {
	img, err := Rasterize(svg)
	if err != nil {
		return "", err
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", fmt.Errorf("qrtest: %w", err)
	}
	res, err := gozxingqr.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_PURE_BARCODE: true})
	if err != nil {
		return "", fmt.Errorf("qrtest: decode: %w", err)
	}
	return res.GetText(), nil
}

// Modules returns the module count of one side of the QR code (without the
// quiet zone), from the SVG's viewBox.
func Modules(svg []byte) (int, error) {
	var doc svgDoc
	if err := xml.Unmarshal(svg, &doc); err != nil {
		return 0, fmt.Errorf("qrtest: parse SVG: %w", err)
	}
	f := strings.Fields(doc.ViewBox)
	if len(f) != 4 {
		return 0, fmt.Errorf("qrtest: viewBox %q", doc.ViewBox)
	}
	n, err := strconv.Atoi(f[3])
	if err != nil {
		return 0, fmt.Errorf("qrtest: viewBox %q: %w", doc.ViewBox, err)
	}
	return n - 8, nil
}
