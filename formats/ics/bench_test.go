package ics_test

import (
	"fmt"
	"strings"
	"testing"

	"confcal/formats"
	"confcal/formats/ics"
)

// bigFeed is a calendar of n events over three days in ten rooms, folded
// descriptions included, like a large conference's export.
func bigFeed(n int) []byte {
	var b strings.Builder
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-CALNAME:Big\r\nX-WR-TIMEZONE:Europe/Berlin\r\n")
	for i := range n {
		day, slot := 8+i%3, (i/30)%14
		fmt.Fprintf(&b, "BEGIN:VEVENT\r\nUID:event-%d@big.example\r\nDTSTART;TZID=Europe/Berlin:202410%02dT%02d%02d00\r\n"+
			"DURATION:PT25M\r\nSUMMARY:Talk number %d\\, with a comma\r\nLOCATION:Room %d\r\nCATEGORIES:Track %d\r\n"+
			"DESCRIPTION:%s\r\n %s\r\nEND:VEVENT\r\n", i, day, 8+slot/2, (slot%2)*30, i, i%10, i%7,
			strings.Repeat("Lorem ipsum dolor sit amet ", 2), strings.Repeat("consectetur adipiscing ", 3))
	}
	b.WriteString("END:VCALENDAR\r\n")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	data := bigFeed(5000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := ics.Parse(data, formats.Options{Name: "big.ics", Now: imported}); err != nil {
			b.Fatal(err)
		}
	}
}
