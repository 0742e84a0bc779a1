package api

import (
	"fmt"
	"net/http"
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
	Sessions []NewSession  `json:"sessions"` // every session needs its ID
	DryRun   bool          `json:"dry_run,omitempty"`
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

// contents turns the import into agenda contents of the conference conf.
func (in Import) contents(conf agenda.Conference, loc *time.Location) (agenda.Contents, error) {
	c := agenda.Contents{Conference: conf}
	for _, t := range in.Tracks {
		c.Tracks = append(c.Tracks, agenda.Track{ID: t.ID, Name: t.Name, Color: t.Color})
	}
	for _, r := range in.Rooms {
		c.Rooms = append(c.Rooms, agenda.Room{ID: r.ID, Name: r.Name})
	}
	for i, n := range in.Sessions {
		if strings.TrimSpace(n.ID) == "" {
			return c, errorf(http.StatusBadRequest, "sessions[%d]: id is required", i)
		}
		where := "sessions[" + n.ID + "]."
		if !agenda.ValidID(n.ID) {
			where = fmt.Sprintf("sessions[%d].", i) // the ID is refused below
		}
		x, err := n.session(where, loc)
		if err != nil {
			return c, err
		}
		if x.Status != agenda.StatusConfirmed {
			return c, errorf(http.StatusBadRequest, "%sstatus: an import cannot cancel a session; leave it out of the agenda instead", where)
		}
		c.Sessions = append(c.Sessions, x)
	}
	if len(c.Sessions) == 0 {
		return c, errorf(http.StatusBadRequest, "sessions: an import with no sessions would cancel every session; refusing")
	}
	return c, nil
}

func (a *api) importAgenda(w http.ResponseWriter, r *http.Request) error {
	var in Import
	author, err := a.writeRequest(w, r, &in)
	if err != nil {
		return err
	}
	snap, err := a.current()
	if err != nil {
		return err
	}
	c, err := in.contents(snap.Conference(), snap.Location())
	if err != nil {
		return err
	}
	var (
		warnings []string
		changes  []agenda.Change
		next     *agenda.Snapshot
	)
	if in.DryRun {
		e := snap.Edit(author, time.Now())
		if warnings, err = e.Reconcile(c); err != nil {
			return err
		}
		if next, err = e.Commit(); err != nil {
			return err
		}
		changes = e.Changes()
	} else {
		next, changes, err = a.svc.Change(r.Context(), author, func(e *agenda.Editor) error {
			var err error
			warnings, err = e.Reconcile(c)
			return err
		})
		if err != nil {
			return err
		}
	}
	res := ImportResult{
		Revision: next.Revision(), DryRun: in.DryRun,
		Changes: Changes(changes), Summaries: Summaries(next.Describe(changes)), Warnings: warnings,
	}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	setRevision(w, next)
	writeJSON(w, r, http.StatusOK, res)
	return nil
}
