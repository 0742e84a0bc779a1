package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"confcal/agenda"
)

// The changes the API's documents ask for, made on an agenda.Service: the
// server's routes (package web) and the command line on a local store
// (Local) make them the same way, with the same rules and messages.

// ErrPrecondition: an If-Match ETag is not the current one.
var ErrPrecondition = errors.New("precondition failed; read it again")

// OverlapHint ends the message of a refused overlap at the API.
const OverlapHint = ` (send "force": true to allow it)`

// MassCancelHint ends the message of an import refused at the API for
// cancelling more than half of the sessions (agenda.ErrMassCancel).
const MassCancelHint = `; if that is meant, send "force": true`

// checkIfMatch reports whether the ETags of an If-Match field (one value or
// several, comma-separated; none means no condition) allow a change of a
// resource whose ETag is etag, by the strong comparison (RFC 9110
// §13.1.1): a weak tag never matches, "*" always does.
func checkIfMatch(ifMatch []string, etag string) error {
	if len(ifMatch) == 0 {
		return nil
	}
	for _, v := range ifMatch {
		for tag := range strings.SplitSeq(v, ",") {
			if tag = strings.TrimSpace(tag); tag == "*" || tag == etag {
				return nil
			}
		}
	}
	return fmt.Errorf("If-Match %s does not match the current ETag %s: %w", strings.Join(ifMatch, ", "), etag, ErrPrecondition)
}

// changeFresh is svc.Change for a change under If-Match. An If-Match that
// matches nothing may name an ETag another process (a replica on the same
// store) made and this one has not loaded yet: then the stored revision is
// loaded and the change tried once more, on it, so a client that read from
// one replica may write through another.
func changeFresh(ctx context.Context, svc *agenda.Service, who string, ifMatch []string, fn func(*agenda.Editor) error) (*agenda.Snapshot, []agenda.Change, error) {
	next, changes, err := svc.Change(ctx, who, fn)
	if len(ifMatch) == 0 || !errors.Is(err, ErrPrecondition) {
		return next, changes, err
	}
	if fresh, rerr := svc.Refresh(ctx); rerr != nil || !fresh {
		return next, changes, err
	}
	return svc.Change(ctx, who, fn)
}

// RefuseFollowed refuses an edit of the sessions (or an import) of an agenda
// that follows the source src, with 409; nil when src is "" (it follows
// none). The source is the sessions' truth: a later poll would undo the
// edit.
func RefuseFollowed(src string) error {
	if src == "" {
		return nil
	}
	return &Error{status: http.StatusConflict, msg: fmt.Sprintf("this agenda follows %s: change its sessions there (rooms may be renamed here)", src)}
}

// notFound is a session or room the agenda does not have.
func notFound(what, id string) error {
	return &agenda.Error{Kind: agenda.ErrNotFound, Msg: fmt.Sprintf("no %s %q", what, truncate(id, 60))}
}

// PatchSession changes session id as p says, made by who, unless ifMatch
// (the If-Match values; none for no condition) no longer matches its ETag.
// It returns the revision the change made, or the current one when p
// changed nothing.
func PatchSession(ctx context.Context, svc *agenda.Service, who, id string, p SessionPatch, ifMatch []string) (*agenda.Snapshot, []agenda.Change, error) {
	u, err := p.Update(svc.Current().Location())
	if err != nil {
		return nil, nil, err
	}
	return changeFresh(ctx, svc, who, ifMatch, func(e *agenda.Editor) error {
		x, ok := e.Session(id)
		if !ok {
			return notFound("session", id)
		}
		// The check runs inside the change, where changes are serialized:
		// of two writers holding the same ETag, only the first gets through.
		if err := checkIfMatch(ifMatch, SessionETag(e.Base(), x)); err != nil {
			return err
		}
		u := u
		if u.Start != nil && u.End == nil {
			end := u.Start.Add(x.Duration())
			u.End = &end
		}
		return e.UpdateSession(id, u)
	})
}

// CreateSession adds the session n describes, made by who, and returns the
// revision it made and the session's ID (made from its title when n has
// none).
func CreateSession(ctx context.Context, svc *agenda.Service, who string, n NewSession) (*agenda.Snapshot, string, error) {
	x, err := n.Session("", svc.Current().Location())
	if err != nil {
		return nil, "", err
	}
	if x.ID == "" && agenda.Slug(x.Title) == "" {
		return nil, "", badRequest("id: the title makes no ID (no letters or digits); give one")
	}
	next, _, err := svc.Change(ctx, who, func(e *agenda.Editor) error {
		x := x
		if x.ID == "" {
			x.ID = FreeID(e, agenda.Slug(x.Title))
		}
		n.ID = x.ID
		return e.AddSession(x, n.Force)
	})
	return next, n.ID, err
}

// AddRoom adds the room n describes, made by who, and returns the revision
// it made and the room's ID (made from its name when n has none).
func AddRoom(ctx context.Context, svc *agenda.Service, who string, n NewRoom) (*agenda.Snapshot, string, error) {
	if strings.TrimSpace(n.Name) == "" {
		return nil, "", badRequest("name is required")
	}
	if n.ID == "" {
		if n.ID = agenda.Slug(n.Name); n.ID == "" {
			return nil, "", badRequest("id: the name makes no ID (no letters or digits); give one")
		}
	}
	if !agenda.ValidID(n.ID) {
		return nil, "", badRequest("id: %q is not a slug (1–100 of a–z, 0–9 and inner hyphens)", truncate(n.ID, 40))
	}
	next, _, err := svc.Change(ctx, who, func(e *agenda.Editor) error {
		return e.AddRoom(agenda.Room{ID: n.ID, Name: n.Name})
	})
	return next, n.ID, err
}

// RenameRoom renames room id as p says, made by who, unless ifMatch no
// longer matches its ETag.
func RenameRoom(ctx context.Context, svc *agenda.Service, who, id string, p RoomPatch, ifMatch []string) (*agenda.Snapshot, error) {
	if p.Name == nil || strings.TrimSpace(*p.Name) == "" {
		return nil, badRequest("name is required")
	}
	next, _, err := changeFresh(ctx, svc, who, ifMatch, func(e *agenda.Editor) error {
		if _, ok := e.Room(id); !ok {
			return notFound("room", id)
		}
		if err := checkIfMatch(ifMatch, RoomETag(e.Base(), id)); err != nil {
			return err
		}
		return e.RenameRoom(id, *p.Name)
	})
	return next, err
}

// ImportContents reconciles the agenda in svc with c as one revision made
// by who (agenda.Editor.Import: a version cancelling more than half of the
// sessions is refused unless force), or for a dry run only works that
// revision out, and reports it.
func ImportContents(ctx context.Context, svc *agenda.Service, who string, c agenda.Contents, dryRun, force bool) (ImportResult, error) {
	var (
		warnings []string
		changes  []agenda.Change
		next     *agenda.Snapshot
		err      error
	)
	if dryRun {
		e := svc.Current().Edit(who, time.Now())
		if warnings, err = e.Import(c, force); err != nil {
			return ImportResult{}, err
		}
		if next, err = e.Commit(); err != nil {
			return ImportResult{}, err
		}
		changes = e.Changes()
	} else {
		next, changes, err = svc.Change(ctx, who, func(e *agenda.Editor) error {
			var err error
			warnings, err = e.Import(c, force)
			return err
		})
		if err != nil {
			return ImportResult{}, err
		}
	}
	res := ImportResult{Revision: next.Revision(), DryRun: dryRun,
		Changes: Changes(changes), Summaries: Summaries(next.Describe(changes)), Warnings: warnings}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	return res, nil
}

// ChangesSince lists the change log of snap after revision since (0: all
// of it), raw and in words.
func ChangesSince(snap *agenda.Snapshot, since int64) (ChangeList, error) {
	if since == 0 {
		since = snap.BaseRevision()
	}
	log, err := snap.ChangesSince(since)
	var sums []agenda.Summary
	if err == nil {
		// Described once per revision and shared: a request only slices.
		sums, err = snap.SummariesSince(since)
	}
	switch {
	case errors.Is(err, agenda.ErrUnknownRevision) && since < snap.BaseRevision():
		return ChangeList{}, &Error{status: 410, msg: fmt.Sprintf("since: the change log starts at revision %d", snap.BaseRevision())}
	case errors.Is(err, agenda.ErrUnknownRevision):
		return ChangeList{}, badRequest("since: revision %d is newer than the current revision %d", since, snap.Revision())
	case err != nil:
		return ChangeList{}, err
	}
	return ChangeList{Revision: snap.Revision(), Since: since, Changes: Changes(log), Summaries: Summaries(sums)}, nil
}

// ChangesAt lists what revision rev alone did, raw and in words: the
// answer ChangesSince(snap, rev-1) gave while rev was the current
// revision. A revision outside snap's change log (at or before
// BaseRevision, after Revision) is an error wrapping
// agenda.ErrUnknownRevision.
func ChangesAt(snap *agenda.Snapshot, rev int64) (ChangeList, error) {
	if rev <= snap.BaseRevision() || rev > snap.Revision() {
		return ChangeList{}, fmt.Errorf("api: revision %d is not in the change log, which covers revisions %d to %d: %w",
			rev, snap.BaseRevision()+1, snap.Revision(), agenda.ErrUnknownRevision)
	}
	log, err := snap.ChangesSince(rev - 1)
	if err != nil {
		return ChangeList{}, err
	}
	sums, err := snap.SummariesSince(rev - 1)
	if err != nil {
		return ChangeList{}, err
	}
	// Both are in revision order: what rev did is where they start.
	n := 0
	for n < len(log) && log[n].Revision == rev {
		n++
	}
	m := 0
	for m < len(sums) && sums[m].Revision == rev {
		m++
	}
	return ChangeList{Revision: rev, Since: rev - 1, Changes: Changes(log[:n]), Summaries: Summaries(sums[:m])}, nil
}
