package frabjson_test

import (
	"slices"
	"testing"
	"time"

	"confcal/formats"
	"confcal/formats/frabjson"
)

// TestParseClockChanges: a date without an offset, or a day's date and a
// start, is a wall time in the conference's zone. One the clocks show
// twice is the first of the two, one they skip is read with the offset
// before the skip (RFC 5545 §3.3.5, as every importer reads them), and
// both are reported.
func TestParseClockChanges(t *testing.T) {
	tests := []struct {
		name, day, event string
		want             string // RFC 3339
		problems         []string
	}{
		{"date in the fold", "2025-10-26", `"date":"2025-10-26T02:30:00"`, "2025-10-26T00:30:00Z", []string{
			`d.json: day 1, room R, event 1 (guid g1): date "2025-10-26T02:30:00" has no offset: read in Europe/Berlin`,
			`d.json: day 1, room R, event 1 (guid g1): date "2025-10-26T02:30:00" happens twice in Europe/Berlin (the clocks go back): read as the first, 02:30 CEST (UTC+02:00)`}},
		{"start in the gap", "2025-03-30", `"start":"02:30"`, "2025-03-30T01:30:00Z", []string{
			`d.json: day 1, room R, event 1 (guid g1): no usable date (""): placed at its day's date and start, 2025-03-30T03:30:00+02:00`,
			`d.json: day 1, room R, event 1 (guid g1): start "02:30" on 2025-03-30 does not exist in Europe/Berlin (the clocks skip it): read as 03:30 CEST (UTC+02:00)`}},
		{"ordinary", "2025-10-26", `"date":"2025-10-26T10:00:00+01:00"`, "2025-10-26T09:00:00Z", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := `{"schedule":{"version":"1","conference":{"title":"D","time_zone_name":"Europe/Berlin","days":[
			{"date":"` + tt.day + `","rooms":{"R":[{"guid":"g1","title":"T",` + tt.event + `,"duration":"01:00"}]}}]}}}`
			res, err := frabjson.Parse([]byte(doc), formats.Options{Name: "d.json", UIDDomain: "d.example"})
			if err != nil {
				t.Fatal(err)
			}
			xs := res.Contents.Sessions
			if len(xs) != 1 {
				t.Fatalf("%d sessions, want 1; problems %q", len(xs), problems(res))
			}
			if got := xs[0].Start.UTC().Format(time.RFC3339); got != tt.want {
				t.Errorf("starts at %s, want %s", got, tt.want)
			}
			if p := problems(res); !slices.Equal(p, tt.problems) {
				t.Errorf("problems\n got %q\nwant %q", p, tt.problems)
			}
		})
	}
}
