package agenda

import "hash/fnv"

// Palette returns the colours tracks are given where nothing else gives
// them one: the built-in agenda's tracks in order of first appearance,
// and the tracks a source names without a colour (frab, Pentabarf,
// Sessionize), each by its ID (Track.Shown). Each is dark enough for white
// text on it and for text in it on white (contrast at least 4.5:1), and
// no two are alike (at least 45 apart in RGB).
func Palette() []string {
	return []string{
		"#1B5E9E", // blue
		"#B3261E", // red
		"#2E7D32", // green
		"#6A3FA0", // purple
		"#A04A00", // orange
		"#00727A", // teal
		"#AD1457", // pink
		"#5D6300", // olive
		"#455A64", // slate
		"#6D4C41", // brown
		"#8E2480", // magenta
		"#212121", // near black
	}
}

// Shown returns the colour t is shown in, #RRGGBB: its own, or, when it
// has none, a colour of Palette chosen by its ID. The page, the feeds and
// the CalDAV calendars all show a track in it, so the tracks of a source
// that gives no colours are told apart, and each keeps its colour across
// revisions and servers (it depends on nothing but the ID).
func (t Track) Shown() string {
	if t.Color != "" && validColor(t.Color) {
		return t.Color
	}
	h := fnv.New32a()
	h.Write([]byte(t.ID))
	p := Palette()
	return p[h.Sum32()%uint32(len(p))]
}
