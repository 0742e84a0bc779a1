package api

import (
	"errors"
	"net/http"
	"strconv"
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

func (a *api) listChanges(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.current()
	if err != nil {
		return err
	}
	since := snap.BaseRevision()
	if v := r.URL.Query().Get("since"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return errorf(http.StatusBadRequest, "since: %q is not a revision number", v)
		}
		if n > 0 {
			since = n
		}
	}
	log, err := snap.ChangesSince(since)
	var sums []agenda.Summary
	if err == nil {
		// Described once per revision and shared: a request only slices.
		sums, err = snap.SummariesSince(since)
	}
	switch {
	case errors.Is(err, agenda.ErrUnknownRevision) && since < snap.BaseRevision():
		return errorf(http.StatusGone, "since: the change log starts at revision %d", snap.BaseRevision())
	case errors.Is(err, agenda.ErrUnknownRevision):
		return errorf(http.StatusBadRequest, "since: revision %d is newer than the current revision %d", since, snap.Revision())
	case err != nil:
		return err
	}
	setRevision(w, snap)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, r, http.StatusOK, ChangeList{
		Revision: snap.Revision(), Since: since,
		Changes: Changes(log), Summaries: Summaries(sums),
	})
	return nil
}
