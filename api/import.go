package api

import (
	"fmt"
	"strings"
	"time"

	"confcal/agenda"
)

// Import is the body of POST /import: the whole agenda as an edited source
// document describes it. Its differences from the current agenda are
// applied as one revision (see agenda.Editor.Reconcile for how sessions are
// matched); with DryRun they are only reported.
type Import struct {
	Tracks   []ImportTrack `json:"tracks"`
	Rooms    []ImportRoom  `json:"rooms"`
	Speakers []Speaker     `json:"speakers,omitempty"`
	Sessions []NewSession  `json:"sessions"` // every session needs its ID
	// FirstDay and LastDay (YYYY-MM-DD, both or neither) are the
	// conference days of the version: days beyond the agenda's widen
	// them, so sessions on a day the version adds can be imported
	// (agenda.Editor.WidenDays); without them the days stay as they are.
	FirstDay string `json:"first_day,omitempty"`
	LastDay  string `json:"last_day,omitempty"`
	DryRun   bool   `json:"dry_run,omitempty"`
	// Force applies a version that cancels more than half of the
	// sessions, which is otherwise refused (409).
	Force bool `json:"force,omitempty"`
}

// ImportTrack is a track of an Import.
type ImportTrack struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Color string `json:"color,omitempty"`
}

// ImportRoom is a room of an Import.
type ImportRoom struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ImportResult is the answer to POST /import.
type ImportResult struct {
	// Revision is the revision the import made (or, for a dry run, would
	// make); the current one when nothing differs.
	Revision  int64     `json:"revision"`
	DryRun    bool      `json:"dry_run"`
	Changes   []Change  `json:"changes"`
	Summaries []Summary `json:"summaries"`
	// Warnings name overlaps the import leaves in the agenda.
	Warnings []string `json:"warnings"`
}

// ImportOf returns the POST /import document of contents: its tracks,
// rooms, speakers and sessions, and its days when it has them.
func ImportOf(contents agenda.Contents) Import {
	var in Import
	if conf := contents.Conference; conf.First != (agenda.Date{}) && conf.Last != (agenda.Date{}) {
		in.FirstDay, in.LastDay = conf.First.String(), conf.Last.String()
	}
	for _, t := range contents.Tracks {
		in.Tracks = append(in.Tracks, ImportTrack{ID: t.ID, Name: t.Name, Color: t.Color})
	}
	for _, r := range contents.Rooms {
		in.Rooms = append(in.Rooms, ImportRoom{ID: r.ID, Name: r.Name})
	}
	for _, p := range contents.Speakers {
		in.Speakers = append(in.Speakers, Speaker{ID: p.ID, Name: p.Name})
	}
	for _, x := range contents.Sessions {
		in.Sessions = append(in.Sessions, NewSession{ID: x.ID, Title: x.Title, Start: x.Start.Format(time.RFC3339),
			End: x.End.Format(time.RFC3339), Room: x.Room, Track: x.Track, Abstract: x.Abstract,
			Subtitle: x.Subtitle, Type: x.Type, Language: x.Language, URL: x.URL, Speakers: x.Speakers, Number: x.Number})
	}
	return in
}

// Contents turns the import into agenda contents of the conference conf,
// with the import's days when it gives them.
func (in Import) Contents(conf agenda.Conference, loc *time.Location) (agenda.Contents, error) {
	c := agenda.Contents{Conference: conf}
	if in.FirstDay != "" || in.LastDay != "" {
		first, err := agenda.ParseDate(in.FirstDay)
		if err != nil {
			return c, badRequest("first_day: %q is not a day (YYYY-MM-DD); give first_day and last_day, or neither", truncate(in.FirstDay, 40))
		}
		last, err := agenda.ParseDate(in.LastDay)
		if err != nil {
			return c, badRequest("last_day: %q is not a day (YYYY-MM-DD); give first_day and last_day, or neither", truncate(in.LastDay, 40))
		}
		if last.Before(first) {
			return c, badRequest("last_day %s is before first_day %s", last, first)
		}
		c.Conference.First, c.Conference.Last = first, last
	}
	for _, t := range in.Tracks {
		c.Tracks = append(c.Tracks, agenda.Track{ID: t.ID, Name: t.Name, Color: t.Color})
	}
	for _, r := range in.Rooms {
		c.Rooms = append(c.Rooms, agenda.Room{ID: r.ID, Name: r.Name})
	}
	for _, p := range in.Speakers {
		c.Speakers = append(c.Speakers, agenda.Speaker{ID: p.ID, Name: p.Name})
	}
	for i, n := range in.Sessions {
		if strings.TrimSpace(n.ID) == "" {
			return c, badRequest("sessions[%d]: id is required", i)
		}
		where := "sessions[" + n.ID + "]."
		if !agenda.ValidID(n.ID) {
			where = fmt.Sprintf("sessions[%d].", i) // the ID is refused below
		}
		x, err := n.Session(where, loc)
		if err != nil {
			return c, err
		}
		if x.Status != agenda.StatusConfirmed {
			return c, badRequest("%sstatus: an import cannot cancel a session; leave it out of the agenda instead", where)
		}
		c.Sessions = append(c.Sessions, x)
	}
	if len(c.Sessions) == 0 {
		return c, badRequest("sessions: an import with no sessions would cancel every session; refusing")
	}
	return c, nil
}
