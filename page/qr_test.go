package page_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confcal/agenda/agendatest"
	"confcal/page"
	"confcal/page/qrtest"
)

// TestQRCodesDecodeToTheFeedURL draws the QR code of every subscribe
// block on the agenda and reads each back to the block's feed URL.
func TestQRCodesDecodeToTheFeedURL(t *testing.T) {
	f := newFixture(t, agendatest.Small(t), editTime)
	doc := f.page(t, "/?pick=late-talk,opening-keynote")
	imgs := all(doc, tagClass("img", "qr"))
	if len(imgs) < 8 {
		t.Fatalf("%d QR codes on /, want one per subscribe block", len(imgs))
	}
	for _, img := range imgs {
		src := attr(img, "src")
		u, err := url.Parse(src)
		if err != nil || u.Path != "/qr.svg" {
			t.Fatalf("QR image %q: %v", src, err)
		}
		feed := u.Query().Get("feed")
		svg, err := f.r.QR(testBase, feed)
		if err != nil {
			t.Errorf("QR of %s: %v", feed, err)
			continue
		}
		got, err := qrtest.Decode(svg)
		if want := testBase + feed; err != nil || got != want {
			t.Errorf("%s decodes to %q, %v; want %q", src, got, err, want)
		}
	}
}

// The QR endpoint draws only local feed paths.
func TestQRRefusesOtherPaths(t *testing.T) {
	r, err := page.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, feed := range []string{"", "https://evil.example/feeds/x.ics", "//evil.example/feeds/x.ics", "/feeds/../help", "/help",
		"/feeds/all.ics#x", "/feeds/a b.ics", "/feeds/" + strings.Repeat("x", 1500)} {
		_, err := r.QR(testBase, feed)
		var pe *page.Error
		if !errors.As(err, &pe) || pe.Status() != http.StatusBadRequest || err.Error() == "" {
			t.Errorf("QR(%.40q) = %v, want a 400 saying why", feed, err)
		}
	}
}

func TestQRSVG(t *testing.T) {
	tests := []struct {
		text    string
		modules int
	}{
		{"https://cal.example.org/feeds/all.ics", 29},
		{"https://cal.example.org/feeds/custom.ics?sessions=" + strings.Repeat("a-session-id,", 10) + "x", 57}, // 181 bytes: version 10 at level M
		{"webcal://x/ünïcödé", 25},
	}
	for _, tt := range tests {
		svg, err := page.QRSVG(tt.text, 200)
		if err != nil {
			t.Fatal(err)
		}
		got, err := qrtest.Decode(svg)
		if err != nil || got != tt.text {
			t.Errorf("QRSVG(%q) decodes to %q, %v", tt.text, got, err)
		}
		if n, err := qrtest.Modules(svg); err != nil || n != tt.modules {
			t.Errorf("QRSVG(%q): %d modules (%v), want %d", tt.text, n, err, tt.modules)
		}
		if !strings.Contains(string(svg), `width="200" height="200"`) {
			t.Errorf("QRSVG(%q) lacks its pixel size", tt.text)
		}
	}
	if _, err := page.QRSVG("", 100); err == nil {
		t.Error("QRSVG of empty text: no error")
	}
	if _, err := page.QRSVG(strings.Repeat("x", 5000), 100); err == nil {
		t.Error("QRSVG of 5000 bytes: no error")
	}
}

func BenchmarkQRSVG(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := page.QRSVG("https://cal.example.org/feeds/tracks/use-case.ics", 200); err != nil {
			b.Fatal(err)
		}
	}
}
