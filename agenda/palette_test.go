package agenda_test

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

// luminance is the WCAG 2 relative luminance of a #RRGGBB colour.
func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q is not #RRGGBB", hex)
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

// TestPalette checks that every colour of the palette is readable (WCAG AA contrast
// of 4.5:1 against white, both as text and behind white text) and that no
// two are the same.
func TestPalette(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range agenda.Palette() {
		if contrast := 1.05 / (luminance(t, c) + 0.05); contrast < 4.5 {
			t.Errorf("colour %s has contrast %.2f:1 against white, want at least 4.5:1", c, contrast)
		}
		if seen[c] {
			t.Errorf("colour %s appears twice", c)
		}
		seen[c] = true
	}
	p := agenda.Palette()
	for i, a := range p {
		for _, b := range p[i+1:] {
			if d := distance(t, a, b); d < 45 {
				t.Errorf("colours %s and %s are only %.0f apart in RGB, want at least 45", a, b, d)
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("palette has %d colours; the built-in agenda has 10 tracks", len(seen))
	}
}

// distance is the Euclidean distance of two #RRGGBB colours in RGB.
func distance(t *testing.T, a, b string) float64 {
	t.Helper()
	var sum float64
	for i := 1; i < 7; i += 2 {
		x, err1 := strconv.ParseUint(a[i:i+2], 16, 8)
		y, err2 := strconv.ParseUint(b[i:i+2], 16, 8)
		if err1 != nil || err2 != nil {
			t.Fatalf("colours %q, %q are not #RRGGBB", a, b)
		}
		sum += (float64(x) - float64(y)) * (float64(x) - float64(y))
	}
	return math.Sqrt(sum)
}

// TestTrackColor: a track with its own colour is shown in it; tracks
// without one are shown in the palette's colours by their place, so up to
// the palette's length no two share one, and a track keeps its colour when
// tracks are added after it.
func TestTrackColor(t *testing.T) {
	c := agendatest.SmallContents()
	c.Sessions = nil
	own := c.Tracks[1]
	c.Tracks = []agenda.Track{own}
	for i := range len(agenda.Palette()) {
		c.Tracks = append(c.Tracks, agenda.Track{ID: fmt.Sprintf("track-%d", i), Name: fmt.Sprintf("Track %d", i)})
	}
	snap, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := snap.TrackColor(own.ID); got != own.Color {
		t.Errorf("TrackColor(%s) = %q, want its own %s", own.ID, got, own.Color)
	}
	seen := map[string]string{}
	for _, tr := range c.Tracks[1:] {
		got := snap.TrackColor(tr.ID)
		if !slices.Contains(agenda.Palette(), got) {
			t.Errorf("TrackColor(%s) = %q, want a colour of the palette", tr.ID, got)
		}
		if other, ok := seen[got]; ok {
			t.Errorf("tracks %s and %s are both shown in %s", other, tr.ID, got)
		}
		seen[got] = tr.ID
	}
	if got := snap.TrackColor("no-such-track"); got != "" {
		t.Errorf("TrackColor of an unknown track = %q, want none", got)
	}
	// A track added later leaves the others' colours as they were.
	c.Tracks = append(c.Tracks, agenda.Track{ID: "late", Name: "Late"})
	more, err := agenda.NewSnapshot(c, 2, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range c.Tracks[:len(c.Tracks)-1] {
		if a, b := snap.TrackColor(tr.ID), more.TrackColor(tr.ID); a != b {
			t.Errorf("track %s: shown in %s, then in %s once a track was added", tr.ID, a, b)
		}
	}
}
