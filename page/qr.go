package page

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	qrcode "github.com/yeqown/go-qrcode/v2"
)

// quietZone is the blank margin around a QR code, in modules (ISO/IEC 18004
// asks for four).
const quietZone = 4

// QRSVG encodes text as a QR code (error correction level M) and draws it as
// a standalone SVG image: a white square with one black path made of
// horizontal runs of modules, each module one user unit, a quiet zone of
// four modules around it, and an intrinsic size of px pixels.
func QRSVG(text string, px int) ([]byte, error) {
	bits, err := qrBits(text)
	if err != nil {
		return nil, err
	}
	n := len(bits) + 2*quietZone
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`, n, n, px, px)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			w := 1
			for x+w < len(row) && row[x+w] {
				w++
			}
			b.WriteString("M" + strconv.Itoa(x+quietZone) + " " + strconv.Itoa(y+quietZone) +
				"h" + strconv.Itoa(w) + "v1h-" + strconv.Itoa(w) + "z")
			x += w
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}

// qrBits returns the QR code of text as rows of modules, true for dark.
func qrBits(text string) ([][]bool, error) {
	if text == "" {
		return nil, fmt.Errorf("page: QR code of an empty text")
	}
	q, err := qrcode.NewWith(text, qrcode.WithErrorCorrectionLevel(qrcode.ErrorCorrectionMedium))
	if err != nil {
		return nil, fmt.Errorf("page: QR code of %q: %w", truncate(text, 60), err)
	}
	var m matrixWriter
	if err := q.Save(&m); err != nil {
		return nil, fmt.Errorf("page: QR code of %q: %w", truncate(text, 60), err)
	}
	return m.bits, nil
}

// matrixWriter is a qrcode.Writer that keeps the module matrix.
type matrixWriter struct{ bits [][]bool }

func (m *matrixWriter) Write(mat qrcode.Matrix) error {
	m.bits = mat.Bitmap()
	return nil
}

func (m *matrixWriter) Close() error { return nil }

// qrCache keeps the SVGs of the most recently drawn texts, so a page full of
// QR codes costs one encoding per feed URL.
type qrCache struct {
	mu    sync.Mutex
	max   int
	svgs  map[string][]byte
	order []string // texts, oldest first
}

func newQRCache(limit int) *qrCache {
	return &qrCache{max: max(limit, 1), svgs: map[string][]byte{}}
}

// get returns the SVG of text, drawing it when it is not cached.
func (c *qrCache) get(text string) ([]byte, error) {
	c.mu.Lock()
	svg, ok := c.svgs[text]
	c.mu.Unlock()
	if ok {
		return svg, nil
	}
	svg, err := QRSVG(text, 200)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.svgs[text]; !ok {
		if len(c.order) >= c.max {
			delete(c.svgs, c.order[0])
			c.order = c.order[1:]
		}
		c.svgs[text] = svg
		c.order = append(c.order, text)
	}
	return svg, nil
}
