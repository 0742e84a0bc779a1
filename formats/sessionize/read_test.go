package sessionize_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/sessionize"
)

var now = time.Date(2024, 11, 1, 12, 0, 0, 0, time.UTC)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// line sums a session up for comparison with a table.
func line(x agenda.Session) string {
	return fmt.Sprintf("%s|%s|%s|%s|%s|%s|%s|%s|%s|%d", x.ID, x.Title, x.Start.UTC().Format("2006-01-02 15:04"), x.End.UTC().Format("15:04"),
		x.Room, x.Track, x.Type, x.Status, strings.Join(x.Speakers, ","), x.Number)
}

func TestParseQuirks(t *testing.T) {
	res, err := sessionize.Parse(fixture(t, "quirks.json"), formats.Options{Name: "quirks.json", TimeZone: "America/New_York", UIDDomain: "dev.example", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	c := res.Contents
	if _, err := agenda.NewSnapshot(c, 1, 1, nil); err != nil {
		t.Fatal(err)
	}
	wantConf := agenda.Conference{Name: "quirks", TimeZone: "America/New_York", UIDDomain: "dev.example",
		First: agenda.Date{Year: 2020, Month: 3, Day: 7}, Last: agenda.Date{Year: 2020, Month: 3, Day: 8}}
	if c.Conference != wantConf {
		t.Errorf("conference\n got %+v\nwant %+v", c.Conference, wantConf)
	}
	wantRooms := []agenda.Room{{ID: "main-hall", Name: "Main Hall"}, {ID: "room-1", Name: "Room 1"}, {ID: "room-1-2", Name: "Room-1"}}
	if !slices.Equal(c.Rooms, wantRooms) {
		t.Errorf("rooms\n got %v\nwant %v", c.Rooms, wantRooms)
	}
	wantTracks := []agenda.Track{{ID: "frontend", Name: "Frontend"}, {ID: "backend", Name: "Backend"}, formats.DefaultTrack}
	if !slices.Equal(c.Tracks, wantTracks) {
		t.Errorf("tracks\n got %v\nwant %v", c.Tracks, wantTracks)
	}
	const ian, rob, robert = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002", "aaaaaaaa-0000-4000-8000-000000000003"
	wantSpeakers := []agenda.Speaker{{ID: rob, Name: "Rob Pike"}, {ID: ian, Name: "Ian Taylor"}, {ID: robert, Name: "Griesemer, Robert"}}
	if !slices.Equal(c.Speakers, wantSpeakers) {
		t.Errorf("speakers\n got %v\nwant %v", c.Speakers, wantSpeakers)
	}
	var got []string
	for _, x := range c.Sessions {
		got = append(got, line(x))
		if !x.LastModified.Equal(now) || x.Sequence != 0 {
			t.Errorf("session %s: LastModified %v, sequence %d", x.ID, x.LastModified, x.Sequence)
		}
	}
	want := []string{
		// EST before the DST change on 2020-03-08, EDT after it.
		"1001|Generics in Go|2020-03-07 15:00|15:45|room-1|frontend|Session|confirmed|" + ian + "," + rob + "|1001",
		"1007|Called off|2020-03-07 21:00|21:30|main-hall|backend||cancelled||1007",
		"1009|On the waiting list|2020-03-07 22:00|22:30|room-1|general||confirmed|" + ian + "|1009",
		"1013|In the gap|2020-03-08 07:30|08:00|room-1|general||confirmed||1013", // 02:30 read with EST, the offset before the gap: 03:30 EDT
		"1003|Numeric id|2020-03-08 14:00|14:30|room-1-2|general|Lightning talk|confirmed|" + robert + "|1003",
		"bbbbbbbb-0000-4000-8000-000000000001|Lunch|2020-03-08 16:00|17:00|main-hall|general||confirmed||0",
		"1011|With seconds|2020-03-08 18:00|18:30|main-hall|general||confirmed||1011",
		"1012|With an offset|2020-03-08 19:00|19:30|room-1-2|general||confirmed||1012",
	}
	if !slices.Equal(got, want) {
		t.Errorf("sessions\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
	if a := c.Sessions[0].Abstract; a != "Write List<T> once.\nUse it & reuse it.\n\nSecond paragraph." {
		t.Errorf("the description of 1001 reads %q", a)
	}
	wantProblems := []string{
		`quirks.json: the Sessionize All view names no conference: named it "quirks"`,
		"quirks.json: room 13: no name: skipped",
		`quirks.json: room 12: room "Room-1": its ID is taken by another room: using room-1-2`,
		"quirks.json: speaker aaaaaaaa-0000-4000-8000-000000000003: listed twice: kept the first",
		"quirks.json: speaker aaaaaaaa-0000-4000-8000-000000000004: no name: skipped",
		`quirks.json: session 1001: in 2 tracks (Frontend, Backend): kept "Frontend"`,
		"quirks.json: session 1001: listed twice (first as session 1001): skipped",
		"quirks.json: session 1004: not scheduled (no readable startsAt and endsAt): skipped",
		"quirks.json: session 1005: ends (2020-03-07 14:00:00) at or before it starts (2020-03-07 15:00:00): skipped",
		"quirks.json: session 1006: roomId 99 names no room of the rooms array: skipped",
		`quirks.json: session 1008: status "Declined": not on the programme: skipped`,
		`quirks.json: session 1009: unknown status "Waitlisted": kept as confirmed`,
		"quirks.json: session 1009: speaker cccccccc-0000-4000-8000-000000000009 is not in the speakers array: left out",
		"quirks.json: session 1009: speaker aaaaaaaa-0000-4000-8000-000000000001 is listed twice: kept once",
		"quirks.json: session 1010: no title: skipped",
		`quirks.json: session 1011: startsAt "2020-03-08T14:00:30" has seconds: dropped`,
		`quirks.json: session 1013: startsAt "2020-03-08T02:30:00" does not exist in America/New_York (the clocks skip it): read as 03:30 EDT (UTC-04:00)`,
		"quirks.json: session 15 in the list: no id to follow the session by: skipped",
	}
	var gotProblems []string
	for _, p := range res.Problems {
		gotProblems = append(gotProblems, p.String())
	}
	if !slices.Equal(gotProblems, wantProblems) {
		t.Errorf("problems\n got %s\nwant %s", strings.Join(gotProblems, "\n     "), strings.Join(wantProblems, "\n     "))
	}
}

// TestTrackCategory: the track category by its title, in order of
// preference; none gives every session the default track.
func TestTrackCategory(t *testing.T) {
	doc := func(cats string) []byte {
		return []byte(`{"sessions":[{"id":"1","title":"T","startsAt":"2021-05-01T10:00:00","endsAt":"2021-05-01T11:00:00","categoryItems":[1,2,3],"roomId":1}],
			"speakers":[],"rooms":[{"id":1,"name":"R"}],"categories":[` + cats + `]}`)
	}
	for _, tc := range []struct {
		cats, track, typ string
	}{
		{`{"id":10,"title":"Tracks","items":[{"id":1,"name":"Web"}]},{"id":11,"title":"Format","items":[{"id":2,"name":"Workshop"}]}`, "Web", "Workshop"},
		{`{"id":10,"title":"Category","items":[{"id":1,"name":"Web"}]},{"id":11,"title":"Topic","items":[{"id":2,"name":"Data"}]}`, "Data", ""},
		{`{"id":10,"title":"Level","items":[{"id":1,"name":"Expert"}]},{"id":11,"title":"Session type","items":[{"id":2,"name":"Talk"}]}`, "General", "Talk"},
		{`{"id":10,"title":"TRACK","type":"speaker","items":[{"id":1,"name":"Speakers"}]},{"id":11,"title":"Streams","items":[{"id":3,"name":"Main"}]}`, "Main", ""},
	} {
		res, err := sessionize.Parse(doc(tc.cats), formats.Options{Name: "c.json", TimeZone: "Europe/London"})
		if err != nil {
			t.Fatal(err)
		}
		x := res.Contents.Sessions[0]
		tr := res.Contents.Tracks[slices.IndexFunc(res.Contents.Tracks, func(tr agenda.Track) bool { return tr.ID == x.Track })]
		if tr.Name != tc.track || x.Type != tc.typ {
			t.Errorf("categories %s: track %q, type %q; want %q, %q", tc.cats, tr.Name, x.Type, tc.track, tc.typ)
		}
	}
}

// TestTrackOrderSharedID: two track categories under one id (an export
// that numbered them alike) give their tracks in one order every time:
// the first category's items in their sort order, then the second's.
func TestTrackOrderSharedID(t *testing.T) {
	doc := []byte(`{"sessions":[
		{"id":"1","title":"A","startsAt":"2021-05-01T10:00:00","endsAt":"2021-05-01T11:00:00","categoryItems":[1],"roomId":1},
		{"id":"2","title":"B","startsAt":"2021-05-01T11:00:00","endsAt":"2021-05-01T12:00:00","categoryItems":[2],"roomId":1},
		{"id":"3","title":"C","startsAt":"2021-05-01T12:00:00","endsAt":"2021-05-01T13:00:00","categoryItems":[3],"roomId":1},
		{"id":"4","title":"D","startsAt":"2021-05-01T13:00:00","endsAt":"2021-05-01T14:00:00","categoryItems":[4],"roomId":1}],
		"speakers":[],"rooms":[{"id":1,"name":"R"}],"categories":[
		{"id":7,"title":"Track","items":[{"id":2,"name":"Second","sort":2},{"id":1,"name":"First","sort":1}]},
		{"id":7,"title":"Track","items":[{"id":4,"name":"Fourth","sort":2},{"id":3,"name":"Third","sort":1}]}]}`)
	want := []string{"First", "Second", "Third", "Fourth"}
	for range 20 { // the map the items are kept in is iterated in another order each time
		res, err := sessionize.Parse(doc, formats.Options{Name: "c.json", TimeZone: "Europe/London"})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, tr := range res.Contents.Tracks {
			got = append(got, tr.Name)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("tracks %q, want %q", got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	quirks := string(fixture(t, "quirks.json"))
	for _, tc := range []struct {
		name, data, zone, want string
	}{
		{"no zone", quirks, "", "x.json names no time zone: give the conference's with -time-zone"},
		{"bad zone", quirks, "Eastern", `x.json: time zone "Eastern" is not an IANA zone name`},
		{"empty", "\ufeff", "UTC", "x.json: empty document"},
		{"syntax", "{\"sessions\": [\n  {\"id\": 1,}\n]}", "UTC", "x.json:2:12: not JSON"},
		{"trailing", `{"sessions": []} []`, "UTC", "x.json:1:18: more after the JSON document"},
		{"sessions view", `[{"groupId": null, "groupName": "All", "sessions": []}]`, "UTC", "x.json: a JSON array: this is a Sessionize view other than All"},
		{"no sessions array", `{"speakers": []}`, "UTC", `x.json: no "sessions" array`},
		{"no sessions", `{"sessions": [], "rooms": []}`, "UTC", "x.json: no usable session (its sessions array is empty)"},
		{"none usable", `{"sessions": [{"id": "1", "title": "T"}], "rooms": []}`, "UTC",
			"x.json: no usable session (1 sessions, none usable; the last: session 1: not scheduled (no readable startsAt and endsAt): skipped)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sessionize.Parse([]byte(tc.data), formats.Options{Name: "x.json", TimeZone: tc.zone})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Parse: %v\nwant an error starting %q", err, tc.want)
			}
		})
	}
}

func TestSniff(t *testing.T) {
	for _, tc := range []struct {
		data string
		want bool
	}{
		{string(fixture(t, "quirks.json")), true},
		{`{"schedule":{"conference":{"days":[]}}}`, false},
		{`[{"groupId":null,"sessions":[]}]`, false},
		{`{"schedule":{"title":"sessions","description":"startsAt"}}`, false}, // the names as values
		{"\ufeff{\"sessions\" : [{\"startsAt\":\"2020-01-01T10:00:00\"}]}", true},
		{"", false},
	} {
		if got := sessionize.Sniff([]byte(tc.data)); got != tc.want {
			t.Errorf("Sniff(%.40q) = %v, want %v", tc.data, got, tc.want)
		}
	}
}

// The Orlando Code Camp 2020 All view (../shared/samples, see its
// SOURCE.txt). Counted with Python's json module, not with this package:
// 99 sessions (87 with numeric ids, 12 service sessions), 14 rooms, 84
// speakers, all on 2020-03-28; 22 sessions carry an item of the
// "Category" category (12 distinct items), the other 77 none; "Session
// format" gives 75 "Session" and 12 "Lightning talk"; Room 1 holds 12
// sessions, the Auditorium 11.
const occ = "samples/sessionize-occ2020/all.json"

func TestSampleOCC2020(t *testing.T) {
	path := filepath.Join("..", "..", "..", "shared", occ)
	data, err := os.ReadFile(path)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but the sample is missing: %v", err)
		}
		t.Skipf("the sample is missing: %v", err)
	}
	if !sessionize.Sniff(data) {
		t.Error("Sniff does not know the sample")
	}
	if _, err := sessionize.Parse(data, formats.Options{Name: "all.json"}); err == nil || !strings.Contains(err.Error(), "names no time zone") {
		t.Errorf("Parse without a time zone: %v", err)
	}
	res, err := sessionize.Parse(data, formats.Options{Name: "all.json", TimeZone: "America/New_York", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	snap, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(snap.Sessions()); n != 99 {
		t.Errorf("%d sessions, want 99", n)
	}
	if days := snap.Days(); len(days) != 1 || days[0].String() != "2020-03-28" {
		t.Errorf("days %v, want 2020-03-28 only", days)
	}
	if n := len(snap.Rooms()); n != 14 {
		t.Errorf("%d rooms, want 14", n)
	}
	if n := len(snap.Speakers()); n != 84 {
		t.Errorf("%d speakers, want 84", n)
	}
	for room, want := range map[string]int{"room-1": 12, "auditorium": 11, "iot-room": 7} {
		if n := len(snap.ByRoom(room)); n != want {
			t.Errorf("room %s: %d sessions, want %d", room, n, want)
		}
	}
	tracks := snap.Tracks()
	if len(tracks) != 13 || tracks[len(tracks)-1] != formats.DefaultTrack || len(snap.ByTrack(formats.DefaultTrack.ID)) != 77 {
		t.Errorf("tracks %v with %d sessions in the default one; want 12 and the default with 77", tracks, len(snap.ByTrack(formats.DefaultTrack.ID)))
	}
	types := map[string]int{}
	numbered := 0
	for _, x := range snap.Sessions() {
		types[x.Type]++
		if strconv.FormatInt(x.Number, 10) == x.ID {
			numbered++
		}
	}
	if types["Session"] != 75 || types["Lightning talk"] != 12 || types[""] != 12 || numbered != 87 {
		t.Errorf("types %v, %d sessions with the source's number; want 75 Session, 12 Lightning talk, 12 none, 87 numbered", types, numbered)
	}
	x, ok := snap.Session("176242")
	if !ok || x.Title != "Kubernetes - Going Beyond Docker and Docker Compose" || !x.Start.Equal(time.Date(2020, 3, 28, 13, 55, 0, 0, time.UTC)) ||
		x.Duration() != 45*time.Minute || x.Room != "room-8" || x.Number != 176242 || x.Type != "Session" ||
		!slices.Equal(x.Speakers, []string{"0fe268d2-54f7-4dbe-9a2b-7e5b8af2e493"}) {
		t.Errorf("session 176242: %+v", x)
	}
	var got []string
	for _, p := range res.Problems {
		got = append(got, p.String())
		t.Log(p)
	}
	want := []string{`all.json: the Sessionize All view names no conference: named it "Sessionize agenda"`, "all.json: no domain for calendar UIDs given: using sessionize-agenda.invalid"}
	if !slices.Equal(got, want) {
		t.Errorf("problems\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

// FuzzParse: any input gives a Result or an error, never a panic; a Result
// always makes a snapshot.
func FuzzParse(f *testing.F) {
	f.Add(fixture(f, "quirks.json"))
	f.Add([]byte(`{"sessions":[{"id":"1","title":"T","startsAt":"2021-05-01T10:00:00","endsAt":"2021-05-01T11:00:00","categoryItems":[1],"roomId":1}],"rooms":[{"id":1,"name":"R"}],"categories":[{"id":2,"title":"Track","items":[{"id":1,"name":"General"}]}]}`))
	f.Add([]byte(`{"sessions":[{"id":"1","title":"T","startsAt":"2021-05-01T10:00:00","endsAt":"2021-09-01T11:00:00","roomId":"1"}],"rooms":[{"id":"1","name":"R"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := sessionize.Parse(data, formats.Options{Name: "fuzz.json", TimeZone: "America/New_York", Now: now})
		if err != nil {
			return
		}
		if _, err := agenda.NewSnapshot(res.Contents, 1, 1, nil); err != nil {
			t.Fatalf("Parse gave contents NewSnapshot refuses: %v", err)
		}
	})
}
