package api

import (
	"context"

	"confcal/agenda"
)

// Local makes the changes of the API's documents on an agenda.Service in
// this process, as the server's routes do: what the command line does on a
// local store. Client does the same through a server.
type Local struct {
	Svc *agenda.Service
	// Who names the author of every change.
	Who string
	// Follows names the source the agenda follows, if any: its sessions
	// are then changed there, and edits of them (and imports) are refused
	// here, as the server refuses them (rooms may still be renamed).
	Follows string
}

// Session returns session id as the API shows it.
func (l Local) Session(_ context.Context, id string) (Session, error) {
	snap := l.Svc.Current()
	x, ok := snap.Session(id)
	if !ok {
		return Session{}, notFound("session", id)
	}
	return FromSession(snap, x), nil
}

// PatchSession changes session id as p says when ifMatch ("" for none) is
// still its ETag, and returns it and what the change did, in words.
func (l Local) PatchSession(ctx context.Context, id string, p SessionPatch, ifMatch string) (Session, []Summary, error) {
	if err := RefuseFollowed(l.Follows); err != nil {
		return Session{}, nil, err
	}
	next, changes, err := PatchSession(ctx, l.Svc, l.Who, id, p, values(ifMatch))
	if err != nil {
		return Session{}, nil, err
	}
	x, _ := next.Session(id)
	return FromSession(next, x), Summaries(next.Describe(changes)), nil
}

// Sessions lists the sessions, cancelled ones too.
func (l Local) Sessions(context.Context) (SessionList, error) {
	return SessionsOf(l.Svc.Current()), nil
}

// Speakers lists the speakers.
func (l Local) Speakers(context.Context) (SpeakerList, error) {
	return SpeakersOf(l.Svc.Current()), nil
}

// Rooms lists the rooms.
func (l Local) Rooms(context.Context) (RoomList, error) {
	return RoomsOf(l.Svc.Current()), nil
}

// AddRoom adds the room n describes and says so in words.
func (l Local) AddRoom(ctx context.Context, n NewRoom) ([]Summary, error) {
	next, _, err := AddRoom(ctx, l.Svc, l.Who, n)
	if err != nil {
		return nil, err
	}
	return summariesOf(next)
}

// RenameRoom renames room id when ifMatch ("" for none) is still its
// ETag, and returns it and what the change did, in words.
func (l Local) RenameRoom(ctx context.Context, id string, p RoomPatch, ifMatch string) (Room, []Summary, error) {
	before := l.Svc.Current()
	next, err := RenameRoom(ctx, l.Svc, l.Who, id, p, values(ifMatch))
	if err != nil {
		return Room{}, nil, err
	}
	r, _ := next.Room(id)
	var sums []Summary
	if next != before { // else nothing changed and no revision was made
		sums, err = summariesOf(next)
	}
	return FromRoom(next, r), sums, err
}

// Changes lists the change log after revision since.
func (l Local) Changes(_ context.Context, since int64) (ChangeList, error) {
	return ChangesSince(l.Svc.Current(), since)
}

// Import reconciles the agenda with c (see ImportContents).
func (l Local) Import(ctx context.Context, c agenda.Contents, dryRun, force bool) (ImportResult, error) {
	if err := RefuseFollowed(l.Follows); err != nil {
		return ImportResult{}, err
	}
	return ImportContents(ctx, l.Svc, l.Who, c, dryRun, force)
}

// summariesOf returns what snap's revision did, in words.
func summariesOf(snap *agenda.Snapshot) ([]Summary, error) {
	sums, err := snap.SummariesSince(snap.Revision() - 1)
	if err != nil {
		return nil, err
	}
	return Summaries(sums), nil
}

func values(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}
