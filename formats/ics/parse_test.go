package ics_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/ics"
)

// crlf writes s, written with LF line ends for legibility, with CR LF.
func crlf(s string) []byte {
	return []byte(strings.ReplaceAll(strings.TrimPrefix(s, "\n"), "\n", "\r\n"))
}

// vcal wraps events in a calendar named "Test" in Europe/Berlin.
func vcal(events string) string {
	return "\nBEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//test//EN\nX-WR-CALNAME:Test\nX-WR-TIMEZONE:Europe/Berlin\n" +
		strings.TrimPrefix(events, "\n") + "END:VCALENDAR\n"
}

// brief writes a session as the tests expect it: ID, local start and end,
// room, track and title.
func brief(x agenda.Session, loc *time.Location) string {
	return x.ID + " " + x.Start.In(loc).Format("2006-01-02 15:04") + "–" + x.End.In(loc).Format("15:04") +
		" " + x.Room + "/" + x.Track + " " + x.Title
}

func problems(r formats.Result) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in        []byte
		opts      formats.Options
		sessions  []string // brief of each session, in agenda order
		problems  []string
		zone      string            // the conference zone, when the case is about it
		abstracts map[string]string // session ID → abstract, where the case is about them
	}{
		{
			name: "TZID without VTIMEZONE names the zone",
			in: crlf(`
BEGIN:VCALENDAR
VERSION:2.0
X-WR-CALNAME:Test
BEGIN:VEVENT
UID:a
DTSTART;TZID=America/New_York:20241008T100000
DTEND;TZID=America/New_York:20241008T110000
SUMMARY:Talk
LOCATION:Hall
END:VEVENT
END:VCALENDAR
`),
			sessions: []string{"a 2024-10-08 10:00–11:00 hall/general Talk"},
			zone:     "America/New_York",
		},
		{
			name: "Outlook: Windows zone names, with and without VTIMEZONE, METHOD in VEVENT",
			in: crlf(`
BEGIN:VCALENDAR
METHOD:PUBLISH
PRODID:Microsoft Exchange Server 2010
VERSION:2.0
X-WR-CALNAME:Test
BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
BEGIN:VEVENT
METHOD:PUBLISH
UID:040000008200E00074C5B7101A82E00800000000
SUMMARY:Planning
DTSTART;TZID=W. Europe Standard Time:20241008T140000
DTEND;TZID="W. Europe Standard Time":20241008T150000
LOCATION:Room 1
X-ALT-DESC;FMTTYPE=text/html:<html><body><p>An <b>HTML</b> agenda</p></body></html>
END:VEVENT
BEGIN:VEVENT
UID:b
SUMMARY:Second
DTSTART;TZID=Romance Standard Time:20241008T150000
DTEND;TZID=Romance Standard Time:20241008T153000
LOCATION:Room 1
END:VEVENT
END:VCALENDAR
`),
			sessions: []string{
				"040000008200e00074c5b7101a82e00800000000-29257007 2024-10-08 14:00–15:00 room-1/general Planning",
				"b 2024-10-08 15:00–15:30 room-1/general Second",
			},
			zone:      "Europe/Berlin",
			abstracts: map[string]string{"040000008200e00074c5b7101a82e00800000000-29257007": "An HTML agenda"},
		},
		{
			name: "Mozilla and libical TZIDs",
			in: crlf(vcal(`
BEGIN:VTIMEZONE
TZID:Custom Zone
X-LIC-LOCATION:Europe/Berlin
END:VTIMEZONE
BEGIN:VEVENT
UID:a
DTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:20241008T100000
DTEND;TZID=/softwarestudio.org/Olson_20011030_5/Europe/Berlin:20241008T110000
SUMMARY:Mozilla
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;TZID=Custom Zone:20241008T110000
DTEND;TZID=Custom Zone:20241008T120000
SUMMARY:libical
END:VEVENT
`)),
			sessions: []string{
				"a 2024-10-08 10:00–11:00 to-be-announced/general Mozilla",
				"b 2024-10-08 11:00–12:00 to-be-announced/general libical",
			},
		},
		{
			name: "unknown TZID skips its event",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:a
DTSTART;TZID="(UTC+01:00) Amsterdam, Berlin":20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:Unknown
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;TZID=Europe/Berlin:20241008T110000
DTEND;TZID=Europe/Berlin:20241008T120000
SUMMARY:Known
END:VEVENT
`)),
			sessions: []string{"b 2024-10-08 11:00–12:00 to-be-announced/general Known"},
			problems: []string{`test.ics:6: DTSTART: TZID "(UTC+01:00) Amsterdam, Berlin" names no IANA time zone (nor a Windows zone this import knows, nor does a VTIMEZONE give an X-LIC-LOCATION): skipped`},
		},
		{
			name: "floating times in the zone of the option",
			in: crlf(`
BEGIN:VCALENDAR
X-WR-CALNAME:Test
BEGIN:VEVENT
UID:a
DTSTART:20241008T100000
DTEND:20241008T110000
SUMMARY:Floating
END:VEVENT
END:VCALENDAR
`),
			opts:     formats.Options{TimeZone: "Asia/Tokyo"},
			sessions: []string{"a 2024-10-08 10:00–11:00 to-be-announced/general Floating"},
			zone:     "Asia/Tokyo",
		},
		{
			name: "UTC times shown in the zone of the option",
			in: crlf(`
BEGIN:VCALENDAR
X-WR-CALNAME:Test
BEGIN:VEVENT
UID:a
DTSTART:20241008T080000Z
DTEND:20241008T090000Z
SUMMARY:UTC
END:VEVENT
END:VCALENDAR
`),
			opts:     formats.Options{TimeZone: "Europe/Berlin"},
			sessions: []string{"a 2024-10-08 10:00–11:00 to-be-announced/general UTC"},
		},
		{
			name: "event without UID: ID from start and room",
			in: crlf(vcal(`
BEGIN:VEVENT
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:No UID
LOCATION:Room 1
END:VEVENT
BEGIN:VEVENT
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:No UID\, no room
END:VEVENT
`)),
			sessions: []string{
				"2024-10-08t08-00z-room-1-3dd167aa 2024-10-08 10:00–11:00 room-1/general No UID",
				"2024-10-08t08-00z-to-be-announced-b7aba3f7 2024-10-08 10:00–11:00 to-be-announced/general No UID, no room",
			},
			problems: []string{
				"test.ics:6: no UID: identified by its start and LOCATION instead, so a moved event will read as a new one",
				"test.ics:12: no UID: identified by its start and LOCATION instead, so a moved event will read as a new one",
			},
		},
		{
			name: "recurring events: the first instance",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:lunch
DTSTART;TZID=Europe/Berlin:20241008T120000
DTEND;TZID=Europe/Berlin:20241008T130000
RRULE:FREQ=DAILY;COUNT=3
SUMMARY:Lunch
END:VEVENT
BEGIN:VEVENT
UID:lunch
RECURRENCE-ID;TZID=Europe/Berlin:20241009T120000
DTSTART;TZID=Europe/Berlin:20241009T123000
DTEND;TZID=Europe/Berlin:20241009T133000
SUMMARY:Lunch (late)
END:VEVENT
BEGIN:VEVENT
UID:coffee
DTSTART:20241008T080000Z
DTEND:20241008T083000Z
RRULE:FREQ=DAILY;COUNT=2
SUMMARY:Coffee
END:VEVENT
BEGIN:VEVENT
UID:coffee
RECURRENCE-ID:20241008T080000Z
DTSTART:20241008T081500Z
DTEND:20241008T084500Z
SUMMARY:Coffee (moved)
END:VEVENT
BEGIN:VEVENT
UID:dinner
DTSTART;TZID=Europe/Berlin:20241008T190000
DTEND;TZID=Europe/Berlin:20241008T200000
RRULE:FREQ=DAILY;COUNT=2
EXDATE;TZID=Europe/Berlin:20241008T190000
SUMMARY:Dinner
END:VEVENT
BEGIN:VEVENT
UID:orphan
RECURRENCE-ID;TZID=Europe/Berlin:20241009T090000
DTSTART;TZID=Europe/Berlin:20241009T090000
DTEND;TZID=Europe/Berlin:20241009T100000
SUMMARY:Instance without its series
END:VEVENT
`)),
			sessions: []string{
				"coffee 2024-10-08 10:15–10:45 to-be-announced/general Coffee (moved)",
				"lunch 2024-10-08 12:00–13:00 to-be-announced/general Lunch",
				"orphan 2024-10-09 09:00–10:00 to-be-announced/general Instance without its series",
			},
			problems: []string{
				"test.ics:13: changes a later instance (RECURRENCE-ID) of the recurring event at line 6, which is imported as its first instance only: skipped",
				"test.ics:6: a recurring event (RRULE or RDATE): imported as its first instance only, a conference session does not repeat",
				"test.ics:20: its first instance was changed by the event at line 27: imported as changed",
				"test.ics:20: a recurring event (RRULE or RDATE): imported as its first instance only, a conference session does not repeat",
				"test.ics:34: a recurring event whose first instance is excluded (EXDATE): skipped, a conference session does not repeat",
			},
		},
		{
			name: "structure: missing and stray ENDs, VALARM, events outside the calendar",
			in: crlf(`
BEGIN:VCALENDAR
X-WR-CALNAME:Test
X-WR-TIMEZONE:Europe/Berlin
BEGIN:VEVENT
UID:a
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:No END
BEGIN:VEVENT
UID:b
DTSTART;TZID=Europe/Berlin:20241008T110000
DTEND;TZID=Europe/Berlin:20241008T120000
BEGIN:VALARM
TRIGGER:-PT5M
SUMMARY:Not the title
END:VALARM
SUMMARY:Title after the alarm
END:VTODO
END:VEVENT
BEGIN:VEVENT
UID:c
DTSTART;TZID=Europe/Berlin:20241008T120000
DTEND;TZID=Europe/Berlin:20241008T130000
SUMMARY:Until the end of the calendar
END:VCALENDAR
`),
			sessions: []string{
				"a 2024-10-08 10:00–11:00 to-be-announced/general No END",
				"b 2024-10-08 11:00–12:00 to-be-announced/general Title after the alarm",
				"c 2024-10-08 12:00–13:00 to-be-announced/general Until the end of the calendar",
			},
			problems: []string{
				"test.ics:4: no END:VEVENT before the BEGIN:VEVENT at line 9: the event ends there",
				"test.ics:18: END:VTODO ends no open component: dropped",
				"test.ics:20: no END:VEVENT before the END:VCALENDAR at line 25: the event ends there",
			},
		},
		{
			name: "continuations of no line",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:a
DTSTART:20241008T080000Z
DTEND:20241008T090000Z
SUMMARY:Title

  lost after an empty line
END:VEVENT
`)),
			sessions: []string{"a 2024-10-08 10:00–11:00 to-be-announced/general Title"},
			problems: []string{"test.ics: line 12 is indented (a folded line's continuation) with no line to continue, after an empty line or at the start of the file: dropped"},
		},
		{
			name: "lines go-ical cannot read",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:a
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:Broken lines
DESCRIPTION:First line
second line, written without an escape
X-BROKEN;A="b"c:panics go-ical
X-BROKEN;A=b
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;TZID=Europe/Berlin
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:DTSTART without a value
END:VEVENT
`)),
			sessions: []string{"a 2024-10-08 10:00–11:00 to-be-announced/general Broken lines"},
			problems: []string{
				"test.ics:12: not a content line (no property name and colon): read as a new line of the DESCRIPTION above it",
				"test.ics:13: not a content line (no property name and colon): dropped",
				"test.ics:14: not a content line (no property name and colon): dropped",
				"test.ics:18: not a content line (no property name and colon): dropped",
				"test.ics:16: DTSTART: missing: skipped",
			},
		},
		{
			name: "text: unescaped commas, stray backslashes, control characters, long titles",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:a
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:Keynote, day one
DESCRIPTION:Files in C:\Users\demo, and a tab:	here\nnext line
LOCATION:Hall A, upstairs
CATEGORIES:Talks\, Papers,Other
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;TZID=Europe/Berlin:20241008T110000
DTEND;TZID=Europe/Berlin:20241008T120000
SUMMARY:` + strings.Repeat("long ", 70) + `
END:VEVENT
`)),
			sessions: []string{
				"a 2024-10-08 10:00–11:00 hall-a-upstairs/talks-papers Keynote, day one",
				"b 2024-10-08 11:00–12:00 to-be-announced/general " + strings.TrimSpace(strings.Repeat("long ", 59)) + " long…",
			},
			problems:  []string{"test.ics:15: the title is longer than 300 characters: cut"},
			abstracts: map[string]string{"a": "Files in C:\\Users\\demo, and a tab:\there\nnext line"},
		},
		{
			name: "times: extended ISO, no seconds, seconds, DURATION, bad ends",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:a
DTSTART;TZID=Europe/Berlin:2024-10-08T10:00:00
DTEND;TZID=Europe/Berlin:20241008T1100
SUMMARY:ISO
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;TZID=Europe/Berlin:20241008T110030
DURATION:PT45M
SUMMARY:Seconds
END:VEVENT
BEGIN:VEVENT
UID:c
DTSTART;TZID=Europe/Berlin:20241008T120000
DTEND;TZID=Europe/Berlin:20241008T120000
SUMMARY:Ends at its start
END:VEVENT
BEGIN:VEVENT
UID:d
DTSTART;TZID=Europe/Berlin:20241008T120000
SUMMARY:No end
END:VEVENT
BEGIN:VEVENT
UID:e
DTSTART;TZID=Europe/Berlin:20241008T120000
DTEND;VALUE=DATE:20241009
SUMMARY:Date end
END:VEVENT
BEGIN:VEVENT
UID:f
DTSTART;TZID=Europe/Berlin:tomorrow
DTEND;TZID=Europe/Berlin:20241009T120000
SUMMARY:Bad start
END:VEVENT
BEGIN:VEVENT
UID:g
DTSTART;TZID=Europe/Berlin:20241008T120000
DURATION:45 minutes
SUMMARY:Bad duration
END:VEVENT
BEGIN:VEVENT
UID:h
DTSTART;TZID=Europe/Berlin:20241008T120000
DTEND;TZID=Europe/Berlin:20241008T130000
END:VEVENT
BEGIN:VEVENT
UID:i
DTSTART;TZID=Europe/Berlin:18241008T120000
DTEND;TZID=Europe/Berlin:18241008T130000
SUMMARY:Two hundred years ago
END:VEVENT
`)),
			sessions: []string{
				"a 2024-10-08 10:00–11:00 to-be-announced/general ISO",
				"b 2024-10-08 11:00–11:45 to-be-announced/general Seconds",
			},
			problems: []string{
				"test.ics:12: times with seconds: cut to the minute",
				"test.ics:18: it ends when it starts (2024-10-08 12:00): skipped",
				"test.ics:24: no DTEND or DURATION: a session needs an end: skipped",
				"test.ics:29: DTEND is a date but DTSTART is not: skipped",
				`test.ics:35: DTSTART: "tomorrow" is not a date (YYYYMMDD): skipped`,
				`test.ics:41: DURATION "45 minutes": ical: invalid duration: expected 'P': skipped`,
				"test.ics:47: no title (SUMMARY): skipped",
				"test.ics:52: in the year 1824: read are the years 1900 to 9999: skipped",
			},
		},
		{
			name: "rooms and tracks of the same ID under other names",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:a
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:One
LOCATION:Main Hall
CATEGORIES:Talks
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;TZID=Europe/Berlin:20241008T090000
DTEND;TZID=Europe/Berlin:20241008T100000
SUMMARY:Two
LOCATION:main  hall
CATEGORIES:TALKS
END:VEVENT
BEGIN:VEVENT
UID:c
DTSTART;TZID=Europe/Berlin:20241008T090000
DTEND;TZID=Europe/Berlin:20241008T100000
SUMMARY:Three
LOCATION:会议室
CATEGORIES:general
END:VEVENT
`)),
			sessions: []string{
				"b 2024-10-08 09:00–10:00 main-hall/talks Two",
				"c 2024-10-08 09:00–10:00 k-423bba6b/general Three",
				"a 2024-10-08 10:00–11:00 main-hall/talks One",
			},
			problems: []string{
				`test.ics:14: LOCATION "main hall" is read as the room "Main Hall" (the same ID, "main-hall")`,
				`test.ics:14: category "TALKS" is read as the track "Talks" (the same ID, "talks")`,
			},
		},
		{
			name: "stray events of another year",
			in: crlf(vcal(`
BEGIN:VEVENT
UID:old
DTSTART;TZID=Europe/Berlin:20230301T100000
DTEND;TZID=Europe/Berlin:20230301T110000
SUMMARY:Last year
END:VEVENT
BEGIN:VEVENT
UID:a
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:This year
END:VEVENT
BEGIN:VEVENT
UID:b
DTSTART;TZID=Europe/Berlin:20241010T100000
DTEND;TZID=Europe/Berlin:20241010T110000
SUMMARY:Also this year
END:VEVENT
`)),
			sessions: []string{
				"a 2024-10-08 10:00–11:00 to-be-announced/general This year",
				"b 2024-10-10 10:00–11:00 to-be-announced/general Also this year",
			},
			problems: []string{"test.ics:6: outside the 60 days from 2024-10-08 to 2024-12-06 that hold the most events (a conference lasts at most 60 days): skipped"},
		},
		{
			name: "calendar without a name is named after the file",
			in: crlf(`
BEGIN:VCALENDAR
BEGIN:VEVENT
UID:a
DTSTART:20241008T080000Z
DTEND:20241008T090000Z
SUMMARY:Talk
END:VEVENT
END:VCALENDAR
`),
			opts:     formats.Options{TimeZone: "UTC"},
			sessions: []string{"a 2024-10-08 08:00–09:00 to-be-announced/general Talk"},
			problems: []string{`test.ics: the calendar has no name (X-WR-CALNAME or NAME): the conference is named "test"`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := tc.opts
			opts.Name, opts.Now = "test.ics", imported
			r, err := ics.Parse(tc.in, opts)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			snap, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
			if err != nil {
				t.Fatalf("no snapshot: %v", err)
			}
			var got []string
			for _, x := range snap.Sessions() {
				got = append(got, brief(x, snap.Location()))
			}
			if !slices.Equal(got, tc.sessions) {
				t.Errorf("sessions:\n got %q\nwant %q", got, tc.sessions)
			}
			if p := problems(r); !slices.Equal(p, tc.problems) {
				t.Errorf("problems:\n got %q\nwant %q", p, tc.problems)
			}
			for _, x := range r.Contents.Sessions {
				if want, ok := tc.abstracts[x.ID]; ok && x.Abstract != want {
					t.Errorf("session %s: abstract %q, want %q", x.ID, x.Abstract, want)
				}
			}
			if tc.zone != "" && r.Contents.Conference.TimeZone != tc.zone {
				t.Errorf("zone %s, want %s", r.Contents.Conference.TimeZone, tc.zone)
			}
			for _, x := range r.Contents.Sessions {
				if !x.LastModified.Equal(imported) || x.Status != agenda.StatusConfirmed {
					t.Errorf("session %s: last modified %s, status %s", x.ID, x.LastModified, x.Status)
				}
			}
		})
	}
}

// TestLineEnds: CR LF, bare LF, bare CR and a mix of them read alike, and
// so do folds that split a UTF-8 sequence under each of them.
func TestLineEnds(t *testing.T) {
	lf, err := os.ReadFile(filepath.Join("testdata", "democon.ics"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(lf, []byte("\r")) {
		t.Fatal("democon.ics should have bare LF line ends")
	}
	want := parseFile(t, "democon.ics", formats.Options{})
	mixed := bytes.Clone(lf)
	for i, n := 0, 0; i < len(mixed); i++ {
		if mixed[i] == '\n' {
			if n%3 == 1 {
				mixed[i] = '\r'
			}
			n++
		}
	}
	mixed = bytes.ReplaceAll(mixed, []byte("END:VEVENT\n"), []byte("END:VEVENT\r\n"))
	for name, data := range map[string][]byte{
		"CR LF": bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n")),
		"CR":    bytes.ReplaceAll(lf, []byte("\n"), []byte("\r")),
		"mixed": mixed,
		"BOM":   append([]byte("\uFEFF"), lf...),
	} {
		r, err := ics.Parse(data, formats.Options{Name: "democon.ics", Now: imported})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if got := dump(r); got != dump(want) {
			t.Errorf("%s line ends read differently:\n%s", name, lineDiff(dump(want), got))
		}
	}
}

// TestEncodings: UTF-16 and Windows-1252 lines are read as text.
func TestEncodings(t *testing.T) {
	src := string(crlf(vcal(`
BEGIN:VEVENT
UID:a
DTSTART;TZID=Europe/Berlin:20241008T100000
DTEND;TZID=Europe/Berlin:20241008T110000
SUMMARY:Grüße – “quoted”
LOCATION:Saal Köln
END:VEVENT
`)))
	utf16le := []byte{0xFF, 0xFE}
	for _, u := range utf16.Encode([]rune(src)) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	var utf16be []byte // without a byte-order mark
	for _, u := range utf16.Encode([]rune(src)) {
		utf16be = append(utf16be, byte(u>>8), byte(u))
	}
	cp1252 := strings.NewReplacer("ü", "\xfc", "ß", "\xdf", "ö", "\xf6", "–", "\x96", "“", "\x93", "”", "\x94").Replace(src)
	for _, tc := range []struct {
		name     string
		data     []byte
		problems []string
	}{
		{"UTF-8", []byte(src), nil},
		{"UTF-16LE with BOM", utf16le, nil},
		{"UTF-16BE without BOM", utf16be, nil},
		{"Windows-1252", []byte(cp1252), []string{"test.ics: lines 10, 11 are not UTF-8: read as Windows-1252"}},
		{"Windows-1252, one line", []byte(strings.Replace(src, "Köln", "K\xf6ln", 1)), []string{"test.ics: line 11 is not UTF-8: read as Windows-1252"}},
	} {
		r, err := ics.Parse(tc.data, formats.Options{Name: "test.ics", Now: imported})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(r.Contents.Sessions) != 1 || r.Contents.Sessions[0].Title != "Grüße – “quoted”" || r.Contents.Rooms[0].Name != "Saal Köln" {
			t.Errorf("%s: sessions %+v, rooms %+v", tc.name, r.Contents.Sessions, r.Contents.Rooms)
		}
		if p := problems(r); !slices.Equal(p, tc.problems) {
			t.Errorf("%s: problems %q, want %q", tc.name, p, tc.problems)
		}
	}
}

// TestFoldSplitsUTF8: a fold inside a multi-byte character, at each of
// its bytes, reads as the character.
func TestFoldSplitsUTF8(t *testing.T) {
	const title = "Grüße aus 東京 🎉"
	for cut := 1; cut < len(title); cut++ {
		line := "SUMMARY:" + title[:cut] + "\n " + title[cut:]
		in := vcal("\nBEGIN:VEVENT\nUID:a\nDTSTART:20241008T080000Z\nDTEND:20241008T090000Z\n" + line + "\nEND:VEVENT\n")
		r, err := ics.Parse(crlf(in), formats.Options{Name: "test.ics", Now: imported})
		if err != nil {
			t.Fatalf("cut at byte %d: %v", cut, err)
		}
		if got := r.Contents.Sessions[0].Title; got != title || len(r.Problems) > 0 {
			t.Errorf("cut at byte %d: title %q, problems %v", cut, got, r.Problems)
		}
	}
}

// TestParseFails: documents with nothing usable fail with an error that
// names the document.
func TestParseFails(t *testing.T) {
	event := "BEGIN:VEVENT\nUID:a\nDTSTART:20241008T100000\nDTEND:20241008T110000\nSUMMARY:Floating\nEND:VEVENT\n"
	for _, tc := range []struct {
		name string
		in   string
		opts formats.Options
		want string
	}{
		{"not iCalendar", "<html><body>Not found</body></html>", formats.Options{}, "test.ics is not an iCalendar file"},
		{"empty", "", formats.Options{}, "test.ics is not an iCalendar file"},
		{"no events", "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n", formats.Options{TimeZone: "UTC"}, "test.ics holds no usable event (0 found)"},
		{"only skipped events", "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:a\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n", formats.Options{TimeZone: "UTC"}, "test.ics holds no usable event (1 found, none kept; the last problem: test.ics:2: "},
		{"floating times and no zone", "BEGIN:VCALENDAR\n" + event + "END:VCALENDAR\n", formats.Options{}, "test.ics names no time zone"},
		// Read up to the cut, a followed calendar would lose its last
		// events, and keep the one cut through with half a title.
		{"cut short in an event", "BEGIN:VCALENDAR\n" + event + "BEGIN:VEVENT\nUID:b\nSUMMARY:Fl", formats.Options{TimeZone: "UTC"},
			"test.ics:10: the calendar ends here, before its END:VCALENDAR (cut short?); nothing is imported"},
		{"cut short after an event", "BEGIN:VCALENDAR\n" + event, formats.Options{TimeZone: "UTC"},
			"test.ics:7: the calendar ends here, before its END:VCALENDAR (cut short?)"},
	} {
		opts := tc.opts
		opts.Name = "test.ics"
		_, err := ics.Parse(crlf(tc.in), opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

// The organizer's time zone wins over the calendar's, and the import says so.
func TestParseZoneOverride(t *testing.T) {
	in := "BEGIN:VCALENDAR\nX-WR-TIMEZONE:Europe/Berlin\nBEGIN:VEVENT\nUID:a\nDTSTART:20241008T100000\nDTEND:20241008T110000\nSUMMARY:Floating\nEND:VEVENT\nEND:VCALENDAR\n"
	res, err := ics.Parse(crlf(in), formats.Options{Name: "test.ics", TimeZone: "Europe/Paris"})
	if err != nil {
		t.Fatal(err)
	}
	if z := res.Contents.Conference.TimeZone; z != "Europe/Paris" {
		t.Errorf("zone %s, want Europe/Paris", z)
	}
	if len(res.Problems) == 0 || !strings.Contains(res.Problems[0].Reason, "the calendar's time zone is Europe/Berlin") {
		t.Errorf("problems %v, want the override reported", res.Problems)
	}
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]bool{
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n": true,
		"\uFEFF\r\n  begin:vcalendar\n":      true,
		"<?xml version='1.0'?><schedule>":    false,
		"title,start,end\n":                  false,
		"BEGIN:VCARD\r\n":                    false,
		"":                                   false,
	} {
		if got := ics.Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", in, got, want)
		}
	}
}
