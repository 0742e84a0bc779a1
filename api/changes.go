package api

import (
	"time"

	"confcal/agenda"
)

// Change is one entry of the change log: one field of one session, room or
// track at one revision.
type Change struct {
	Revision int64  `json:"revision"`
	Time     string `json:"time"` // RFC 3339, UTC
	Who      string `json:"who"`
	Session  string `json:"session,omitempty"`
	Room     string `json:"room,omitempty"`
	Track    string `json:"track,omitempty"`
	Field    string `json:"field"`
	Old      string `json:"old"`
	New      string `json:"new"`
}

// Summary says in plain words what one revision did to one session, room
// or track.
type Summary struct {
	Revision int64  `json:"revision"`
	Time     string `json:"time"`
	Who      string `json:"who"`
	Session  string `json:"session,omitempty"`
	Room     string `json:"room,omitempty"`
	Track    string `json:"track,omitempty"`
	Text     string `json:"text"`
}

// ChangeList is the body of GET /changes: what happened after revision
// Since up to Revision.
type ChangeList struct {
	Revision  int64     `json:"revision"`
	Since     int64     `json:"since"`
	Changes   []Change  `json:"changes"`
	Summaries []Summary `json:"summaries"`
}

// Changes converts change log entries to their API form.
func Changes(log []agenda.Change) []Change {
	out := make([]Change, len(log))
	for i, c := range log {
		out[i] = Change{Revision: c.Revision, Time: c.Time.UTC().Format(time.RFC3339), Who: c.Who,
			Session: c.Session, Room: c.Room, Track: c.Track, Field: string(c.Field), Old: c.Old, New: c.New}
	}
	return out
}

// Summaries converts summaries to their API form.
func Summaries(sums []agenda.Summary) []Summary {
	out := make([]Summary, len(sums))
	for i, s := range sums {
		out[i] = Summary{Revision: s.Revision, Time: s.Time.UTC().Format(time.RFC3339), Who: s.Who,
			Session: s.Session, Room: s.Room, Track: s.Track, Text: s.Text}
	}
	return out
}
