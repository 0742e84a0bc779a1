package seeds_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/seeds"
)

// seedLines returns the embedded scrape's lines; line n is index n-1.
func seedLines() []string {
	return strings.Split(string(seeds.FlinkForwardBerlin2019()), "\n")
}

// sessionLineRE matches what the package doc calls a session line.
var sessionLineRE = regexp.MustCompile(`^(January|February|March|April|May|June|July|August|September|October|November|December) [0-9]+:`)

// TestCounts checks the number of sessions per day and per track against
// counts taken by hand from the file (grep -c "^October 8:" and the
// category after each duration).
func TestCounts(t *testing.T) {
	c := parseSeed(t)
	if got, want := len(c.Sessions), 93; got != want {
		t.Errorf("sessions = %d, want %d", got, want)
	}
	n := 0
	for _, l := range seedLines() {
		if sessionLineRE.MatchString(l) {
			n++
		}
	}
	if n != len(c.Sessions) {
		t.Errorf("the file has %d session lines, Parse found %d sessions", n, len(c.Sessions))
	}

	loc, _ := c.Conference.Location()
	days := map[string]int{}
	tracks := map[string]int{}
	for _, x := range c.Sessions {
		days[agenda.DateOf(x.Start, loc).String()]++
		tracks[x.Track]++
	}
	wantDays := map[string]int{"2019-10-07": 16, "2019-10-08": 46, "2019-10-09": 31}
	if fmt.Sprint(days) != fmt.Sprint(wantDays) {
		t.Errorf("sessions per day = %v, want %v", days, wantDays)
	}
	wantTracks := map[string]int{
		"standard-training": 12, "advanced-training": 4, "operations": 8, "technology-deep-dive": 15, "ecosystem": 7,
		"use-case": 19, "other": 7, "community": 7, "research": 8, "keynote": 6,
	}
	if fmt.Sprint(tracks) != fmt.Sprint(wantTracks) {
		t.Errorf("sessions per track = %v, want %v", tracks, wantTracks)
	}

	// Tracks in order of first appearance on the page, names as written.
	var names []string
	colors := map[string]bool{}
	for _, tr := range c.Tracks {
		names = append(names, tr.Name)
		if tr.ID != agenda.Slug(tr.Name) {
			t.Errorf("track %q has ID %q, want %q", tr.Name, tr.ID, agenda.Slug(tr.Name))
		}
		if !regexp.MustCompile(`^#[0-9A-F]{6}$`).MatchString(tr.Color) || colors[tr.Color] {
			t.Errorf("track %q has colour %q: not #RRGGBB or not distinct", tr.Name, tr.Color)
		}
		colors[tr.Color] = true
	}
	wantNames := []string{"Standard Training", "Advanced Training", "Operations", "Technology Deep Dive", "Ecosystem",
		"Use Case", "Other", "Community", "Research", "Keynote"}
	if !slices.Equal(names, wantNames) {
		t.Errorf("tracks = %q, want %q", names, wantNames)
	}
}

// TestRooms checks the room layout of every day and that the plenary
// sessions share the main room.
func TestRooms(t *testing.T) {
	c := parseSeed(t)
	var rooms []string
	for _, r := range c.Rooms {
		rooms = append(rooms, r.ID+"="+r.Name)
	}
	if want := []string{"room-1=Room 1", "room-2=Room 2", "room-3=Room 3", "room-4=Room 4", "room-5=Room 5"}; !slices.Equal(rooms, want) {
		t.Errorf("rooms = %q, want %q", rooms, want)
	}

	loc, _ := c.Conference.Location()
	layout := map[string]int{}
	for _, x := range c.Sessions {
		layout[agenda.DateOf(x.Start, loc).String()+" "+x.Room]++
	}
	want := map[string]int{
		// October 7: the four trainings side by side, four slots each.
		"2019-10-07 room-1": 4, "2019-10-07 room-2": 4, "2019-10-07 room-3": 4, "2019-10-07 room-4": 4,
		// October 8: five columns of 8 talks; Room 1 also holds welcome,
		// three keynotes, the lunch talk and the coffee break.
		"2019-10-08 room-1": 8 + 6, "2019-10-08 room-2": 8, "2019-10-08 room-3": 8, "2019-10-08 room-4": 8, "2019-10-08 room-5": 8,
		// October 9: four columns (6 or 7 talks); Room 1 also holds the
		// breakfast, two keynotes and the lunch talk.
		"2019-10-09 room-1": 6 + 4, "2019-10-09 room-2": 7, "2019-10-09 room-3": 7, "2019-10-09 room-4": 7,
	}
	if fmt.Sprint(layout) != fmt.Sprint(want) {
		t.Errorf("sessions per day and room = %v, want %v", layout, want)
	}

	byID := map[string]agenda.Session{}
	for _, x := range c.Sessions {
		byID[x.ID] = x
	}
	plenary := []string{
		"welcome-session",
		"keynote-stream-processing-and-applications-in-the-modern-age",
		"keynote-open-source-in-the-age-of-change",
		"keynote-clouderas-data-in-motion-vision",
		"lunch-talk-how-to-contribute-to-apache-flink",
		"coffee-break-book-signing-stream-processing-with-apache-flink-by-fabian-hueske-v",
		"check-in-breakfast",
		"keynote-customer-journey-with-streaming-data-on-aws",
		"keynote-building-and-operating-a-serverless-streaming-runtime-for-apache-beam-in",
		"lunch-talk-non-code-contributions-as-a-road-to-diversity",
	}
	for _, id := range plenary {
		x, ok := byID[id]
		if !ok {
			t.Errorf("no session %q", id)
			continue
		}
		if x.Room != "room-1" {
			t.Errorf("plenary session %q is in %s, want room-1", id, x.Room)
		}
	}
	for _, x := range c.Sessions {
		if x.Track == "keynote" && x.Room != "room-1" {
			t.Errorf("keynote %q is in %s, want room-1", x.ID, x.Room)
		}
	}

	// Each training keeps its room for its four slots; the four trainings
	// run in four rooms.
	trainingRooms := map[string]bool{}
	for _, tr := range []string{"apache-flink-developer-training", "apache-flink-operations-training", "sql-developer-training", "apache-flink-tuning-troubleshooting"} {
		room := byID[tr+"-1"].Room
		for n := 1; n <= 4; n++ {
			if x := byID[fmt.Sprintf("%s-%d", tr, n)]; x.Room != room || x.Room == "" {
				t.Errorf("%s-%d is in %q, want %q like slot 1", tr, n, x.Room, room)
			}
		}
		trainingRooms[room] = true
	}
	if len(trainingRooms) != 4 {
		t.Errorf("the four trainings use rooms %v, want four rooms", trainingRooms)
	}

	// The group rule "starts before the session above it has ended" is, on
	// this page, the same as "the start time goes back".
	for i := 1; i < len(c.Sessions); i++ {
		x, prev := c.Sessions[i], c.Sessions[i-1]
		if agenda.DateOf(x.Start, loc) == agenda.DateOf(prev.Start, loc) && x.Start.Before(prev.Start) != x.Start.Before(prev.End) {
			t.Errorf("%s starts during %s without going back before its start", x.ID, prev.ID)
		}
	}

	// No two sessions share a room at the same time.
	for i, x := range c.Sessions {
		for _, y := range c.Sessions[i+1:] {
			if x.Room == y.Room && x.Overlaps(y) {
				t.Errorf("%q and %q overlap in %s", x.ID, y.ID, x.Room)
			}
		}
	}
}

// TestAbstracts checks where a few abstracts begin and end, and that no
// closing line, glued title line or summary list text ends up in one.
func TestAbstracts(t *testing.T) {
	c := parseSeed(t)
	byID := map[string]agenda.Session{}
	titles := map[string]int{}
	for _, x := range c.Sessions {
		byID[x.ID] = x
		titles[x.Title]++
	}
	tests := []struct {
		id, first, last string
	}{
		{"apache-flink-developer-training-1", "This course is a hands-on introduction to Apache Flink for Java and Scala developers", "a week or two before the conference."},
		{"apache-flink-developer-training-4", "This course is a hands-on introduction to Apache Flink for Java and Scala developers", "a week or two before the conference."},
		{"apache-flink-tuning-troubleshooting-4", "Working with numerous Flink users over the last years", "a week or two before the conference."},
		// The session line reads "40minCommunity The Flink community…".
		{"sql-ask-me-anything", "The Flink community has been working on unified SQL support", "Master Thesis on Distributed Genomic Datawarehouse."},
		// Blocks without a closing category line.
		{"coffee-break-book-signing-stream-processing-with-apache-flink-by-fabian-hueske-v", "Become one of the lucky Flink Forward attendees", "during the break to grab your copy."},
		{"flinking-fast-and-slow", "Have you tried to build a new Flink project", "is efficient and maximizes Flink’s strengths."},
		{"astream-ad-hoc-shared-stream-processing", "In the last decade, many distributed stream processing engines", "outperforms it in orders of magnitude with multiple queries."},
		// The abstract that has a line ending in "…" (not a summary).
		{"flinkdtw-time-series-pattern-search-at-scale-using-dynamic-time-warping", "DTW: Dynamic Time Warping is a well-known method", "1000B points/100 TB of data."},
		{"panel-discussion-building-self-service-platforms-for-apache-flink", "Moderated by: Robert Metzger & Konstantin Knauf (Ververica)\nThis panel session", "Ryan holds a BE from Virginia Tech."},
		// The last session of the file, followed by a summary list.
		{"lunch-talk-non-code-contributions-as-a-road-to-diversity", "Open source draws its power and strength", "dances salsa and bakes lava cakes."},
		// Empty abstracts: the category twice on the session line.
		{"unlocking-the-next-wave-of-applications-with-stream-processing", "", ""},
		{"check-in-breakfast", "", ""},
	}
	for _, tt := range tests {
		x, ok := byID[tt.id]
		if !ok {
			t.Errorf("no session %q", tt.id)
			continue
		}
		if tt.first == "" && x.Abstract != "" {
			t.Errorf("%s: abstract = %q, want empty", tt.id, clip(x.Abstract))
		}
		if !strings.HasPrefix(x.Abstract, tt.first) || !strings.HasSuffix(x.Abstract, tt.last) {
			t.Errorf("%s: abstract = %q … %q, want %q … %q", tt.id, clip(x.Abstract), tail(x.Abstract), tt.first, tt.last)
		}
	}
	if a := byID["flinkdtw-time-series-pattern-search-at-scale-using-dynamic-time-warping"].Abstract; !strings.Contains(a, "electro-cardiograms, DNA…\nMost of the implementations") {
		t.Errorf("FlinkDTW abstract lost the lines after its first line ending in …: %q", clip(a))
	}
	// Paragraph breaks the scrape lost between two sentences are put back.
	if a := byID["apache-flink-developer-training-1"].Abstract; !strings.Contains(a, "to solve real problems.\nCourse Content\n") || !strings.Contains(a, "should be fine.\nTo save time") {
		t.Errorf("developer training abstract keeps paragraphs glued: %q", a)
	}
	if a := byID["apache-flink-tuning-troubleshooting-1"].Abstract; !strings.Contains(a, "either throughput or latency.\nPrerequisites\nIn order to make the most") {
		t.Errorf("tuning training abstract keeps its heading glued: %q", a)
	}

	trackNames := map[string]bool{}
	for _, tr := range c.Tracks {
		trackNames[tr.Name] = true
	}
	var empty []string
	for _, x := range c.Sessions {
		if x.Abstract == "" {
			empty = append(empty, x.ID)
		}
		for i, l := range strings.Split(x.Abstract, "\n") {
			switch {
			case titles[l] > 0:
				t.Errorf("%s: abstract line %d is a session title (a summary list entry or the next title): %q", x.ID, i+1, l)
			case trackNames[l]:
				t.Errorf("%s: abstract line %d is a closing category line: %q", x.ID, i+1, l)
			case strings.HasSuffix(l, "…") && !(x.ID == "flinkdtw-time-series-pattern-search-at-scale-using-dynamic-time-warping" && i == 0):
				t.Errorf("%s: abstract line %d ends in … like a summary list entry: %q", x.ID, i+1, clip(l))
			}
			for title := range titles {
				if rest, ok := strings.CutPrefix(l, title); ok && titles[rest] > 0 {
					t.Errorf("%s: abstract line %d is a glued title line: %q", x.ID, i+1, l)
				}
			}
		}
	}
	if want := []string{"unlocking-the-next-wave-of-applications-with-stream-processing", "check-in-breakfast"}; !slices.Equal(empty, want) {
		t.Errorf("sessions with empty abstracts = %q, want %q", empty, want)
	}

	// Titles repeated in the summary lists are still one session each; only
	// the trainings repeat, four slots each.
	for title, n := range titles {
		want := 1
		if strings.HasSuffix(title, "Training") || title == "Apache Flink Tuning & Troubleshooting" {
			want = 4
		}
		if n != want {
			t.Errorf("%d sessions titled %q, want %d", n, title, want)
		}
		if strings.HasSuffix(title, "…") {
			t.Errorf("session title %q ends in …: a summary line taken as a title", title)
		}
	}
}

func clip(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[:60])
	}
	return s
}

func tail(s string) string {
	if r := []rune(s); len(r) > 60 {
		return string(r[len(r)-60:])
	}
	return s
}

// TestTimes reads the time and duration spellings of the page.
func TestTimes(t *testing.T) {
	tests := []struct {
		line       string
		start, end string
	}{
		{"October 7: 10:00am - 11:30am1h 30minKeynoteX", "10:00", "11:30"},
		{"October 8: 11:00 am - 11:40 am 40minKeynoteX", "11:00", "11:40"},
		{"October 8: 11:50 am - 12:30 pm40minKeynoteX", "11:50", "12:30"},
		{"October 9: 12:00 pm - 12:40 pm40minKeynoteX", "12:00", "12:40"},
		{"October 9: 4:00 pm - 5:00 pm1h 0minKeynoteX", "16:00", "17:00"},
		{"October 9: 8:30 am - 9:30 am 1h 0minKeynoteX", "08:30", "09:30"},
		{"October 9: 12:15 am - 1:00 am45minKeynoteX", "00:15", "01:00"},
		{"October 9: 11:15 PM – 11:59 PM44minKeynoteX", "23:15", "23:59"},
	}
	for _, tt := range tests {
		src := "Title\n" + tt.line + "\nKeynote\n"
		c, err := seeds.Parse("t.txt", []byte(src), seeds.FlinkForwardBerlin2019Conference())
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.line, err)
			continue
		}
		x := c.Sessions[0]
		loc, _ := c.Conference.Location()
		if got := x.Start.In(loc).Format("15:04") + "-" + x.End.In(loc).Format("15:04"); got != tt.start+"-"+tt.end {
			t.Errorf("Parse(%q) = %s, want %s-%s", tt.line, got, tt.start, tt.end)
		}
		if x.Start.Location().String() != "Europe/Berlin" || x.Abstract != "X" || x.Track != "keynote" {
			t.Errorf("Parse(%q) = %v in %v, abstract %q, track %q", tt.line, x.Start, x.Start.Location(), x.Abstract, x.Track)
		}
	}
}

// TestSmall parses a short page with each quirk once and checks every field.
func TestSmall(t *testing.T) {
	src := strings.Join([]string{
		"Agenda",
		"Talk A",
		"October 8: 9:00am - 10:30am1h 30minUse CaseAbstract A.",
		"Bio A.",
		"Use Case",
		"Talk ATalk B",
		"Talk B",
		"October 8: 12:00 pm - 12:40 pm 40minKeynote Abstract B.", // stray space
		"Keynote",
		"Talk BTalk C",
		"Talk C",
		"October 8: 11:00 am - 12:00 pm1h 0minUse CaseUse Case", // empty abstract; starts before B ends: a new group
		"Talk CTalk D",
		"Talk D",
		"October 8: 9:30 am - 10:00 am30minKeynoteAbstract D, without a closing line.", // parallel to A
		"Talk E",
		"Talk E",
		"October 9: 9:00 am - 9:30 am30minUse CaseAbstract E.",
		"Use Case",
		"Talk ETalk A",
		"Abstract A shortened…",
		"Talk B",
		"Abstract B shortened…",
	}, "\r\n") // CRLF line ends, no final one
	c, err := seeds.Parse("small.txt", []byte(src), seeds.FlinkForwardBerlin2019Conference())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, x := range c.Sessions {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s|%s|%s|%q", x.ID, x.Title, x.Start.Format("01-02 15:04"), x.End.Format("15:04"), x.Track, x.Room, x.Abstract))
		if x.Status != agenda.StatusConfirmed || x.Sequence != 0 || !x.LastModified.Equal(seeds.Published()) {
			t.Errorf("%s: status %q, sequence %d, last modified %v", x.ID, x.Status, x.Sequence, x.LastModified)
		}
	}
	want := []string{
		`talk-a|Talk A|10-08 09:00|10:30|use-case|room-1|"Abstract A.\nBio A."`,
		`talk-b|Talk B|10-08 12:00|12:40|keynote|room-1|"Abstract B."`,
		`talk-c|Talk C|10-08 11:00|12:00|use-case|room-1|""`,
		`talk-d|Talk D|10-08 09:30|10:00|keynote|room-2|"Abstract D, without a closing line."`,
		`talk-e|Talk E|10-09 09:00|09:30|use-case|room-1|"Abstract E."`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("sessions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(c.Tracks) != 2 || c.Tracks[0].Name != "Use Case" || c.Tracks[1].Name != "Keynote" || len(c.Rooms) != 2 {
		t.Errorf("tracks %v, rooms %v", c.Tracks, c.Rooms)
	}
}

// TestStableIDs checks that IDs do not depend on times or rooms: moving a
// training slot and a talk in the source changes no ID.
func TestStableIDs(t *testing.T) {
	ids := func(c agenda.Contents) []string {
		var s []string
		for _, x := range c.Sessions {
			s = append(s, x.ID)
		}
		return s
	}
	before := parseSeed(t)
	lines := seedLines()
	lines[14] = strings.Replace(lines[14], "October 7: 10:00am - 11:30am", "October 7: 8:00am - 9:30am", 1)
	// "Dynamically Generated Flink Jobs at Scale", room-2 on October 8.
	lines[356] = strings.Replace(lines[356], "October 8: 11:00 am - 11:40 am", "October 9: 7:00 am - 7:40 am", 1)
	after, err := seeds.Parse("moved.txt", []byte(strings.Join(lines, "\n")), seeds.FlinkForwardBerlin2019Conference())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids(before), ids(after)) {
		t.Errorf("IDs changed when sessions moved:\n%q\n%q", ids(before), ids(after))
	}
	if b, a := before.Sessions[0], after.Sessions[0]; b.Start.Equal(a.Start) {
		t.Errorf("%s did not move: %v", a.ID, a.Start)
	}
	if b, a := before.Sessions[24], after.Sessions[24]; b.Start.Equal(a.Start) || b.Room == a.Room {
		t.Errorf("%s did not move: %v in %s", a.ID, a.Start, a.Room)
	}
}

// TestErrors breaks the seed in one place at a time and checks that the
// error names the right line and says what was expected.
func TestErrors(t *testing.T) {
	// edit returns the seed with line n (counted from 1) passed through f.
	edit := func(n int, f func(string) string) string {
		l := seedLines()
		l[n-1] = f(l[n-1])
		return strings.Join(l, "\n")
	}
	replace := func(n int, old, new string) string {
		return edit(n, func(s string) string {
			if !strings.Contains(s, old) {
				panic(fmt.Sprintf("line %d has no %q", n, old))
			}
			return strings.Replace(s, old, new, 1)
		})
	}
	upTo := func(n int) string { return strings.Join(seedLines()[:n], "\n") + "\n" }
	tests := []struct {
		name string
		src  string
		line int
		msg  string
	}{
		{"duration mismatch", replace(304, " 40min", " 50min"), 304, `the stated duration "50min" does not match "11:00 am - 11:40 am", which lasts 40min`},
		{"duration mismatch hours", replace(760, "1h 0min", "1h 30min"), 760, `the stated duration "1h 30min" does not match`},
		{"bad minutes", replace(310, "11:50 am", "11:70 am"), 310, `expected a start time (hours 1 to 12, minutes 00 to 59) in place of "11:70 am"`},
		{"bad hour", replace(15, "11:30am", "13:30am"), 15, `expected an end time (hours 1 to 12, minutes 00 to 59) in place of "13:30am"`},
		{"no am or pm", replace(613, "10:05 am", "10:05"), 613, `expected a start time like "10:00am" or "11:00 am"`},
		{"no dash", replace(613, "10:05 am - ", "10:05 am "), 613, `expected " - " between the start and the end time`},
		{"end before start", replace(613, "10:05 am - 10:30 am25min", "10:30 am - 10:05 am25min"), 613, "expected the end time after the start time"},
		{"no duration", replace(613, "25minKeynote", "Keynote"), 613, `expected a duration like "40min" or "1h 30min"`},
		{"not a conference day", replace(304, "October 8:", "October 12:"), 304, "expected a conference day (2019-10-07 to 2019-10-09), got October 12"},
		{"not a date", replace(304, "October 8:", "October 32:"), 304, "expected a date, got October 32"},
		{"missing category", replace(304, "40minOperations", "40min"), 304, `expected the category "Operations" (as on line 307) after the duration`},
		{"missing category, no closing line", replace(725, "20minOperations", "20min"), 725, "expected a category after the duration (one of "},
		{"unknown category", replace(725, "20minOperations", "20minWorkshop"), 725, `got "WorkshopHave you tried`},
		{"closing category differs", replace(307, "Operations", "Research"), 304, `expected the category "Research" (as on line 307)`},
		{"no title", edit(303, func(string) string { return "" }), 304, "expected the session's title on the line before this session line, got an empty line"},
		{"summary entry of no session", replace(641, "Worst", "Best"), 641, `expected a summary list entry (a session title, then a line ending in "…") or the next session's title, got "Apache Flink Best Practices"`},
		{"summary entry without abstract", replace(642, "…", "."), 642, `expected the shortened abstract of "Apache Flink Worst Practices"`},
		{"truncated in a session line", upTo(303) + "October 8: 11:00 am - 11:4", 304, `expected an end time like "10:00am" or "11:00 am" after "October 8: 11:00 am -", got "11:4"`},
		{"truncated in an abstract", upTo(305), 305, `expected the closing category line of the session "Apache Flink Worst Practices" (line 304), got the end of the file`},
		{"truncated after a glued title line", upTo(308), 308, `expected a session line ("October N: …") after the title "Unlocking the next wave of applications …", got none`},
		{"truncated after a title", upTo(309), 309, `expected a session line ("October N: …") after the title "Unlocking the next wave of applications …", got none`},
		{"truncated in a summary list", upTo(1022), 1022, `expected the shortened abstract of "AStream: Ad-hoc Shared Stream Processing" (a line ending in "…") after it, got the end of the file`},
		{"invalid UTF-8", edit(500, func(s string) string { return s + "\xff" }), 500, "expected UTF-8 text"},
		{"control character", edit(501, func(s string) string { return s + "\x00" }), 501, "got the control character U+0000"},
		{"C1 control character", edit(501, func(s string) string { return s + "\u009b" }), 501, "got the control character U+009B"},
		{"long title", strings.ReplaceAll(string(seeds.FlinkForwardBerlin2019()), "Apache Flink Worst Practices", strings.Repeat("Worst ", 51)), 303,
			"title is 305 characters long, longer than the limit of 300"},
		{"tab in a title", strings.ReplaceAll(string(seeds.FlinkForwardBerlin2019()), "Apache Flink Worst Practices", "Apache Flink\tWorst Practices"), 303,
			"title holds the control character U+0009 at character 13"},
		{"long abstract", edit(305, func(s string) string { return s + strings.Repeat(" more", 4000) }), 304,
			"abstract is 21532 characters long, longer than the limit of 20000"},
		{"long category", "T\nOctober 8: 11:00 am - 11:40 am 40min" + strings.Repeat("K", 101) + "X\n" + strings.Repeat("K", 101) + "\n", 3,
			"track name is 101 characters long, longer than the limit of 100"},
		{"ID taken", strings.ReplaceAll(string(seeds.FlinkForwardBerlin2019()), "State Unlocked", "SQL Developer Training 2"), 863,
			`expected a title whose ID "sql-developer-training-2" is free, but "SQL Developer Training" (line 165) has it`},
		{"empty file", "", 1, "no session line"},
		{"no session lines", "Berlin 2019\nAgenda\n", 2, "no session line"},
		{"session line first", "October 8: 11:00 am - 11:40 am 40minKeynoteX\nKeynote", 1, "got the start of the file"},
		{"two session lines", "T\nOctober 8: 11:00 am - 11:40 am 40minKeynoteX\nOctober 8: 11:00 am - 11:40 am 40minKeynoteX\nKeynote", 3, "got another session line"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := seeds.Parse("seed.txt", []byte(tt.src), seeds.FlinkForwardBerlin2019Conference())
			var e *seeds.Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse = %v, want a *seeds.Error", err)
			}
			if e.File != "seed.txt" || e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
				t.Errorf("Parse = %q, want seed.txt:%d: …%s…", err, tt.line, tt.msg)
			}
			if want := fmt.Sprintf("seed.txt:%d: %s", e.Line, e.Msg); err.Error() != want {
				t.Errorf("Error() = %q, want %q", err.Error(), want)
			}
		})
	}
}

// TestBadConference checks that a conference that does not validate is
// refused before the text is read.
func TestBadConference(t *testing.T) {
	conf := seeds.FlinkForwardBerlin2019Conference()
	conf.TimeZone = "Mars/Olympus_Mons"
	if _, err := seeds.Parse("x.txt", seeds.FlinkForwardBerlin2019(), conf); err == nil {
		t.Fatal("Parse with an unknown time zone succeeded")
	}
}

// TestDefault checks that the embedded agenda builds a valid first revision.
func TestDefault(t *testing.T) {
	s, err := seeds.Default()
	if err != nil {
		t.Fatal(err)
	}
	if s.Revision() != 1 || s.BaseRevision() != 1 || len(s.Log()) != 0 {
		t.Errorf("revision %d from base %d with %d changes, want 1 from 1 with none", s.Revision(), s.BaseRevision(), len(s.Log()))
	}
	conf := s.Conference()
	if conf.Name != "Flink Forward Berlin 2019" || conf.TimeZone != "Europe/Berlin" || conf.First.String() != "2019-10-07" ||
		conf.Last.String() != "2019-10-09" || conf.Description == "" || strings.Contains(conf.Description, "\n") {
		t.Errorf("conference = %+v", conf)
	}
	if got, want := s.UID("apache-flink-developer-training-2"), "apache-flink-developer-training-2@berlin-2019.flink-forward.org"; got != want {
		t.Errorf("UID = %q, want %q", got, want)
	}
	if x, ok := s.Session("apache-flink-developer-training-2"); !ok || x.Start.Format(time.RFC3339) != "2019-10-07T11:45:00+02:00" {
		t.Errorf("Session(apache-flink-developer-training-2) = %v, %v", x.Start, ok)
	}
	if n := len(s.Sessions()); n != 93 {
		t.Errorf("%d sessions, want 93", n)
	}
	if !s.Updated().Equal(seeds.Published()) {
		t.Errorf("Updated() = %v, want Published() = %v", s.Updated(), seeds.Published())
	}
	if len(s.ByDay(agenda.Date{Year: 2019, Month: time.October, Day: 8})) != 46 {
		t.Errorf("October 8 has %d sessions, want 46", len(s.ByDay(agenda.Date{Year: 2019, Month: time.October, Day: 8})))
	}

	// The embedded seed is handed out as a copy.
	b := seeds.FlinkForwardBerlin2019()
	b[1] = 'X'
	if seeds.FlinkForwardBerlin2019()[1] == 'X' {
		t.Error("FlinkForwardBerlin2019 returns the embedded bytes themselves")
	}
}

func BenchmarkParse(b *testing.B) {
	src := seeds.FlinkForwardBerlin2019()
	conf := seeds.FlinkForwardBerlin2019Conference()
	b.SetBytes(int64(len(src)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := seeds.Parse(seeds.FlinkForwardBerlin2019File, src, conf); err != nil {
			b.Fatal(err)
		}
	}
}
