package agenda

// palette is the colours of Palette, as an array so that TrackColor
// allocates nothing.
func palette() [12]string {
	return [...]string{
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

// Palette returns the colours tracks are given where nothing else gives
// them one: the built-in agenda's tracks in order of first appearance,
// and the tracks a source names without a colour (frab, Pentabarf,
// Sessionize), by their place (Snapshot.TrackColor). Each is dark enough
// for white text on it and for text in it on white (contrast at least
// 4.5:1), and no two are alike (at least 45 apart in RGB).
func Palette() []string {
	p := palette()
	return p[:]
}

// TrackColor returns the colour track id is shown in, #RRGGBB: its own,
// or, when it has none, the colour of Palette at the track's place among
// the tracks, so that the tracks of a source that gives no colours are
// told apart (up to Palette's length). Tracks are only ever appended, so
// a track's place, and its colour, stay the same across revisions. The
// page, the feeds and the CalDAV calendars all show a track in it. It is
// "" for an unknown track.
func (s *Snapshot) TrackColor(id string) string {
	i, ok := s.trackIdx[id]
	if !ok {
		return ""
	}
	if c := s.tracks[i].Color; c != "" && validColor(c) {
		return c
	}
	p := palette()
	return p[i%len(p)]
}
