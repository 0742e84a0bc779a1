package spreadsheet_test

import (
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/spreadsheet"
)

// brief writes a session as the tests expect it: ID, local start and end,
// room, track, title and speakers.
func brief(x agenda.Session, loc *time.Location) string {
	s := x.ID + " " + x.Start.In(loc).Format("2006-01-02 15:04") + "–" + x.End.In(loc).Format("15:04") +
		" " + x.Room + "/" + x.Track + " " + x.Title
	if len(x.Speakers) > 0 {
		s += " (" + strings.Join(x.Speakers, ", ") + ")"
	}
	return s
}

func problems(r formats.Result) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.String())
	}
	return out
}

// parse imports in as test.csv in Europe/Berlin and checks the result
// makes a snapshot.
func parse(t *testing.T, in []byte, opts formats.Options) (formats.Result, *agenda.Snapshot) {
	t.Helper()
	opts.Name, opts.Now = "test.csv", imported
	if opts.TimeZone == "" {
		opts.TimeZone = "Europe/Berlin"
	}
	r, err := spreadsheet.Parse(in, opts)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	snap, err := agenda.NewSnapshot(r.Contents, 1, 1, nil)
	if err != nil {
		t.Fatalf("no snapshot: %v", err)
	}
	return r, snap
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in       string
		opts     formats.Options
		sessions []string
		problems []string
	}{
		{
			name: "aliases, extra columns, own names win",
			in: "Summary,Title,Begin,Finish,Location,Category,Presenter,Description,UID,Notes\n" +
				"not the title,Talk,2024-10-08 10:00,2024-10-08 10:30,Hall,Talks,Ada,Abstract,a1,x\n",
			sessions: []string{"a1 2024-10-08 10:00–10:30 hall/talks Talk (ada)"},
			problems: []string{`test.csv:1: column 1 ("Summary") is not read as the title: column 2 ("Title") names it`},
		},
		{
			name: "rows above the header",
			in: "DemoCon 2024 – Programme,,,\n" +
				"\"As of March 1, \"\"final\"\"\",,,\n" +
				",,,\n" +
				"Title,Start,End,ID\n" +
				"Talk,2024-10-08 10:00,2024-10-08 10:30,a1\n",
			sessions: []string{"a1 2024-10-08 10:00–10:30 to-be-announced/general Talk"},
			problems: []string{"test.csv:4: the header row: the 3 lines above it are not read"},
		},
		{
			name: "the first of two aliases",
			in: "name,session,start,end,id\n" +
				"First,Second,2024-10-08 10:00,2024-10-08 10:30,a1\n",
			sessions: []string{"a1 2024-10-08 10:00–10:30 to-be-announced/general First"},
			problems: []string{`test.csv:1: column 2 ("session") is not read: column 1 ("name") is the title`},
		},
		{
			name: "date and time columns, end on the start's day, ranges",
			in: "title,date,time,end,id\n" +
				"A,2024-10-08,9:00,9:45,a\n" +
				"B,08.10.2024,10:00–10:40,,b\n" +
				"C,,2024-10-09 11:00 - 11:30,,c\n" +
				"D,,2024-10-09 12:00,12:30,d\n" +
				"E,,12:00,13:00,e\n",
			sessions: []string{
				"a 2024-10-08 09:00–09:45 to-be-announced/general A",
				"b 2024-10-08 10:00–10:40 to-be-announced/general B",
				"c 2024-10-09 11:00–11:30 to-be-announced/general C",
				"d 2024-10-09 12:00–12:30 to-be-announced/general D",
			},
			problems: []string{`test.csv:6: start "12:00": a time of day without a date (give a date like 2019-10-08 14:00, or a date column): skipped`},
		},
		{
			name: "durations",
			in: "title,start,duration,id\n" +
				"A,2024-10-08 09:00,45,a\n" +
				"B,2024-10-08 10:00,1:30,b\n" +
				"C,2024-10-08 12:00,01:30:00,c\n" +
				"D,2024-10-08 14:00,90 min,d\n" +
				"E,2024-10-08 16:00,1h 15m,e\n" +
				"F,2024-10-08 18:00,PT2H,f\n" +
				"G,2024-10-08 20:00,2 hours,g\n" +
				"H,2024-10-08 22:00,soon,h\n" +
				"I,2024-10-08 22:00,0,i\n",
			sessions: []string{
				"a 2024-10-08 09:00–09:45 to-be-announced/general A",
				"b 2024-10-08 10:00–11:30 to-be-announced/general B",
				"c 2024-10-08 12:00–13:30 to-be-announced/general C",
				"d 2024-10-08 14:00–15:30 to-be-announced/general D",
				"e 2024-10-08 16:00–17:15 to-be-announced/general E",
				"f 2024-10-08 18:00–20:00 to-be-announced/general F",
				"g 2024-10-08 20:00–22:00 to-be-announced/general G",
			},
			problems: []string{
				`test.csv:9: duration: "soon" is not a duration like 45 (minutes), 1:30 or 1h 30min: skipped`,
				"test.csv:10: it ends when it starts (2024-10-08 22:00): skipped",
			},
		},
		{
			name: "offsets",
			in: "title,start,end,id\n" +
				"A,2024-10-08 08:00Z,2024-10-08 09:00 UTC,a\n" +
				"B,2024-10-08T10:00+02:00,2024-10-08T11:00+0200,b\n" +
				"C,2024-10-08 06:00 -05,2024-10-08 07:00−05:00,c\n" +
				"D,2024-10-08 06:00 +25:00,2024-10-08 07:00,d\n" +
				"E,2024-10-08 06:00 CEST,2024-10-08 07:00,e\n",
			sessions: []string{
				"a 2024-10-08 10:00–11:00 to-be-announced/general A",
				"b 2024-10-08 10:00–11:00 to-be-announced/general B",
				"c 2024-10-08 13:00–14:00 to-be-announced/general C",
			},
			problems: []string{
				`test.csv:5: start "2024-10-08 06:00 +25:00": "+25:00" after the time is not an offset like +02:00 or Z: skipped`,
				`test.csv:6: start "2024-10-08 06:00 CEST": "CEST" after the time is not an offset like +02:00 or Z: skipped`,
			},
		},
		{
			name: "bad dates and times",
			in: "title,start,end,id\n" +
				"A,2024-02-30 10:00,2024-02-30 11:00,a\n" +
				"B,10/08/2024 10:00,10/08/2024 11:00,b\n" +
				"C,2024-10-08,2024-10-09,c\n" +
				"D,2024-10-08 25:00,2024-10-08 26:00,d\n" +
				"E,2024-10-08 10:00,2024-10-08 24:30,e\n" +
				"F,2024-10-08 10:00,,f\n" +
				"H,0224-10-08 10:00,0224-10-08 11:00,h\n" +
				"I,00-1-1 0:00,2024-10-08 11:00,i\n",
			opts: formats.Options{},
			problems: []string{
				`test.csv:2: start "2024-02-30 10:00": not a date and time like 2019-10-08 14:00: skipped`,
				`test.csv:3: start "10/08/2024 10:00": not a date and time like 2019-10-08 14:00: skipped`,
				`test.csv:4: start "2024-10-08": a date without a time of day: skipped`,
				`test.csv:5: start "2024-10-08 25:00": no time of day like 14:00 after the date: skipped`,
				`test.csv:6: end "2024-10-08 24:30": a time after 24:00: skipped`,
				"test.csv:7: no end (or duration): skipped",
				"test.csv:8: in the year 224: read are the years 1900 to 9999: skipped",
				`test.csv:9: start "00-1-1 0:00": not a date and time like 2019-10-08 14:00: skipped`,
			},
			sessions: nil,
		},
		{
			name: "ids: keys that are not slugs, numbers, blanks",
			in: "title,start,end,id\n" +
				"A,2024-10-08 10:00,2024-10-08 11:00,A-12/b\n" +
				"B,2024-10-08 11:00,2024-10-08 12:00,7\n" +
				"C,2024-10-08 12:00,2024-10-08 13:00,007\n" +
				"D,2024-10-08 13:00,2024-10-08 14:00,   \n" +
				"E,2024-10-08 14:00,2024-10-08 15:00, 7 \n",
			sessions: []string{
				"a-12-b-fb88034e 2024-10-08 10:00–11:00 to-be-announced/general A",
				"7 2024-10-08 11:00–12:00 to-be-announced/general B",
				"007 2024-10-08 12:00–13:00 to-be-announced/general C",
			},
			problems: []string{
				"test.csv:5: no id (the file has an id column, and a session without one could not be followed from one import to the next): skipped",
				`test.csv:6: id "7" again (first at line 3): skipped, the first is kept`,
			},
		},
		{
			name: "quotes: stray, doubled, unterminated",
			in: "title,start,end,abstract,id\n" +
				`The "best" talk,2024-10-08 10:00,2024-10-08 11:00,"He said ""hi""",a` + "\n" +
				`"Unterminated,2024-10-08 11:00,2024-10-08 12:00,,b` + "\n" +
				"C,2024-10-08 12:00,2024-10-08 13:00,,c\n",
			sessions: []string{
				`a 2024-10-08 10:00–11:00 to-be-announced/general The "best" talk`,
				"c 2024-10-08 12:00–13:00 to-be-announced/general C",
			},
			problems: []string{
				"test.csv:2: a quote inside a field that is not quoted, or after a closing quote: read as a character",
				"test.csv:3: a quoted field that does not end where its row does (it runs to line 4): the row is skipped, reading goes on at the next line",
			},
		},
		{
			name: "speakers: separators, blanks, the same name twice",
			in: "title,start,end,speakers,id\n" +
				"A,2024-10-08 10:00,2024-10-08 11:00,\"Ada Lovelace ;  Grace Hopper\nLinus;;\",a\n" +
				"B,2024-10-08 11:00,2024-10-08 12:00,ADA LOVELACE,b\n",
			sessions: []string{
				"a 2024-10-08 10:00–11:00 to-be-announced/general A (ada-lovelace, grace-hopper, linus)",
				"b 2024-10-08 11:00–12:00 to-be-announced/general B (ada-lovelace)",
			},
			problems: []string{`test.csv:4: speaker "ADA LOVELACE" is read as "Ada Lovelace" (the same ID, "ada-lovelace")`},
		},
		{
			name: "text: control characters, long titles, blank rows, short rows",
			in: "title,start,end,room,id\n" +
				"\x01Tab\there ,2024-10-08 10:00,2024-10-08 11:00,  Room\x7f  1 ,a\n" +
				",,,,\n" +
				"   ,  ,\n" +
				strings.Repeat("word ", 70) + ",2024-10-08 11:00,2024-10-08 12:00\n",
			sessions: []string{
				"a 2024-10-08 10:00–11:00 room-1/general Tab here",
			},
			problems: []string{
				"test.csv:5: the title is longer than 300 characters: cut",
				"test.csv:5: no id (the file has an id column, and a session without one could not be followed from one import to the next): skipped",
			},
		},
		{
			name: "rows of other years",
			in: "title,start,end,id\n" +
				"A,2024-10-08 10:00,2024-10-08 11:00,a\n" +
				"B,2042-10-08 10:00,2042-10-08 11:00,b\n" +
				"C,2024-10-09 10:00,2024-10-09 11:00,c\n",
			sessions: []string{
				"a 2024-10-08 10:00–11:00 to-be-announced/general A",
				"c 2024-10-09 10:00–11:00 to-be-announced/general C",
			},
			problems: []string{"test.csv:3: outside the 60 days from 2024-10-08 to 2024-12-06 that hold the most sessions (a conference lasts at most 60 days): skipped"},
		},
		{
			name: "no id column: IDs from start and room",
			in: "title,start,end,room\n" +
				"A,2024-10-08 10:00,2024-10-08 11:00,Room 1\n" +
				"B,2024-10-08 10:00,2024-10-08 11:00,Room 2\n" +
				"C,2024-10-08 10:00,2024-10-08 10:30,Room 1\n",
			sessions: []string{
				"2024-10-08t08-00z-room-1-3dd167aa 2024-10-08 10:00–11:00 room-1/general A",
				"2024-10-08t08-00z-room-2-17ae07f9 2024-10-08 10:00–11:00 room-2/general B",
			},
			problems: []string{
				"test.csv: no id column: sessions are identified by their start and room, so a moved session will read as a cancelled one and a new one",
				"test.csv:4: id \"\" again (first at line 2): skipped, the first is kept",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.sessions == nil {
				// Every row is bad: the import fails, and the error says so.
				opts := tc.opts
				opts.Name, opts.TimeZone = "test.csv", "Europe/Berlin"
				_, err := spreadsheet.Parse([]byte(tc.in), opts)
				last := tc.problems[len(tc.problems)-1]
				if err == nil || !strings.Contains(err.Error(), " found, none kept; the last problem: "+last+")") {
					t.Errorf("error %v, want one saying the file holds no usable row, and why the last was skipped (%s)", err, last)
				}
				tc.in += "Good,2024-10-08 10:00,2024-10-08 11:00,good\n"
				tc.sessions = []string{"good 2024-10-08 10:00–11:00 to-be-announced/general Good"}
			}
			r, snap := parse(t, []byte(tc.in), tc.opts)
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
		})
	}
}

// TestDialects: the same schedule with ",", ";" or tabs, CR LF, LF or
// bare CR line ends, a BOM, UTF-16 or Windows-1252 reads alike.
func TestDialects(t *testing.T) {
	const base = "title,start,end,room,speakers,abstract,id\n" +
		"Grüße,2024-10-08 10:00,2024-10-08 11:00,Saal Köln,\"Ada; Grace\",\"Zwei, Zeilen\nzweite\",a\n" +
		"Zwei,2024-10-08 11:00,2024-10-08 12:00,Saal Köln,,,b\n"
	want, _ := parse(t, []byte(base), formats.Options{})
	records, err := csv.NewReader(strings.NewReader(base)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	delimited := func(comma rune) string {
		var b strings.Builder
		w := csv.NewWriter(&b)
		w.Comma = comma
		if err := w.WriteAll(records); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	semicolon, tabs := delimited(';'), delimited('\t')
	if !strings.Contains(semicolon, "\"Ada; Grace\";") {
		t.Fatalf("the speakers are not quoted in\n%s", semicolon)
	}
	var u16 []byte
	for _, u := range utf16.Encode([]rune("\uFEFF" + base)) {
		u16 = append(u16, byte(u), byte(u>>8))
	}
	for name, in := range map[string]string{
		"semicolons":   semicolon,
		"tabs":         tabs,
		"CR LF":        strings.ReplaceAll(base, "\n", "\r\n"),
		"CR":           strings.ReplaceAll(base, "\n", "\r"),
		"BOM":          "\uFEFF" + base,
		"UTF-16LE":     string(u16),
		"Windows-1252": strings.NewReplacer("ü", "\xfc", "ß", "\xdf", "ö", "\xf6").Replace(base),
	} {
		r, err := spreadsheet.Parse([]byte(in), formats.Options{Name: "test.csv", TimeZone: "Europe/Berlin", Now: imported})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		r.Problems = slices.DeleteFunc(r.Problems, func(p formats.Problem) bool { return strings.Contains(p.Reason, "Windows-1252") })
		if got := dump(r); got != dump(want) {
			t.Errorf("%s reads differently:\n%s", name, lineDiff(dump(want), got))
		}
	}
}

// TestParseFails: files with nothing usable fail with an error that names
// the file.
func TestParseFails(t *testing.T) {
	for _, tc := range []struct {
		name, in, zone, want string
	}{
		{"empty", "", "UTC", "test.csv is empty"},
		{"no title column", "start,end\n2024-10-08 10:00,2024-10-08 11:00\n", "UTC", `test.csv:1: no title column in the header ("start", "end") (nor in the 9 rows below it)`},
		{"header too far down", strings.Repeat("Programme\n", 10) + "title,start,end\n", "UTC", `test.csv:1: no title column in the header ("Programme")`},
		{"no start column", "title,end\nA,2024-10-08 11:00\n", "UTC", "test.csv:1: no start column"},
		{"iCalendar", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", "UTC", "test.csv:1: no title column"},
		{"no zone", "title,start,end\nA,2024-10-08 10:00,2024-10-08 11:00\n", "", "test.csv names no time zone"},
		{"header only", "title,start,end\n", "UTC", "test.csv holds no usable row (0 found)"},
	} {
		_, err := spreadsheet.Parse([]byte(tc.in), formats.Options{Name: "test.csv", TimeZone: tc.zone})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
	}
}

func TestSniff(t *testing.T) {
	for in, want := range map[string]bool{
		spreadsheet.Header + "\r\n":                    true,
		"\uFEFFSession;Date;Time;Duration\r\n":         true,
		"Programme 2024\n\nTitle,Start,End\n":          true,
		"Title\tStart\tEnd\n":                          true,
		"title,end\n":                                  false,
		"BEGIN:VCALENDAR\r\n":                          false,
		"<?xml version='1.0'?><schedule>":              false,
		`{"sessions": [{"title": "x", "start": "y"}]}`: false,
		"": false,
	} {
		if got := spreadsheet.Sniff([]byte(in)); got != want {
			t.Errorf("Sniff(%q) = %v, want %v", in, got, want)
		}
	}
}
