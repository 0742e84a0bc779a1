package api

import (
	"net/http"
	"strings"

	"confcal/agenda"

	"github.com/go-chi/chi/v5"
)

// Room is a room as the API shows it.
type Room struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Sessions counts the sessions in the room, cancelled ones included.
	Sessions int `json:"sessions"`
	// ETag is the room's current ETag, for If-Match on PATCH.
	ETag string `json:"etag"`
}

// RoomList is the body of GET /rooms.
type RoomList struct {
	Revision int64  `json:"revision"`
	Rooms    []Room `json:"rooms"`
}

// NewRoom is the body of POST /rooms; ID may be left out and is then made
// from the name.
type NewRoom struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
}

// RoomPatch is the body of PATCH /rooms/{id}.
type RoomPatch struct {
	Name *string `json:"name"`
}

// Track is a track as the API shows it.
type Track struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Color    string `json:"color"`
	Sessions int    `json:"sessions"`
}

// TrackList is the body of GET /tracks.
type TrackList struct {
	Revision int64   `json:"revision"`
	Tracks   []Track `json:"tracks"`
}

func (a *api) room(snap *agenda.Snapshot, r agenda.Room) Room {
	return Room{ID: r.ID, Name: r.Name, Sessions: len(snap.ByRoom(r.ID)), ETag: a.tagsFor(snap).roomETag(r.ID)}
}

func (a *api) listRooms(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.current()
	if err != nil {
		return err
	}
	list := RoomList{Revision: snap.Revision(), Rooms: []Room{}}
	for _, x := range snap.Rooms() {
		list.Rooms = append(list.Rooms, a.room(snap, x))
	}
	setRevision(w, snap)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, r, http.StatusOK, list)
	return nil
}

func (a *api) listTracks(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.current()
	if err != nil {
		return err
	}
	list := TrackList{Revision: snap.Revision(), Tracks: []Track{}}
	for _, t := range snap.Tracks() {
		list.Tracks = append(list.Tracks, Track{ID: t.ID, Name: t.Name, Color: t.Color, Sessions: len(snap.ByTrack(t.ID))})
	}
	setRevision(w, snap)
	w.Header().Set("Cache-Control", "no-cache")
	writeJSON(w, r, http.StatusOK, list)
	return nil
}

func (a *api) writeRoom(w http.ResponseWriter, r *http.Request, status int, snap *agenda.Snapshot, room agenda.Room) {
	body := a.room(snap, room)
	setRevision(w, snap)
	w.Header().Set("ETag", body.ETag)
	writeJSON(w, r, status, body)
}

func (a *api) createRoom(w http.ResponseWriter, r *http.Request) error {
	var n NewRoom
	author, err := a.writeRequest(w, r, &n)
	if err != nil {
		return err
	}
	if strings.TrimSpace(n.Name) == "" {
		return errorf(http.StatusBadRequest, "name is required")
	}
	if n.ID == "" {
		if n.ID = agenda.Slug(n.Name); n.ID == "" {
			return errorf(http.StatusBadRequest, "id: the name makes no ID (no letters or digits); give one")
		}
	}
	if !agenda.ValidID(n.ID) {
		return errorf(http.StatusBadRequest, "id: %q is not a slug (1–100 of a–z, 0–9 and inner hyphens)", truncate(n.ID, 40))
	}
	next, _, err := a.svc.Change(r.Context(), author, func(e *agenda.Editor) error {
		return e.AddRoom(agenda.Room{ID: n.ID, Name: n.Name})
	})
	if err != nil {
		return err
	}
	room, _ := next.Room(n.ID)
	w.Header().Set("Location", strings.TrimRight(r.URL.Path, "/")+"/"+room.ID)
	a.writeRoom(w, r, http.StatusCreated, next, room)
	return nil
}

func (a *api) patchRoom(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	var p RoomPatch
	author, err := a.writeRequest(w, r, &p)
	if err != nil {
		return err
	}
	if p.Name == nil || strings.TrimSpace(*p.Name) == "" {
		return errorf(http.StatusBadRequest, "name is required")
	}
	next, _, err := a.svc.Change(r.Context(), author, func(e *agenda.Editor) error {
		if _, ok := e.Room(id); !ok {
			return errorf(http.StatusNotFound, "no room %q", id)
		}
		if err := checkIfMatch(r, a.tagsFor(e.Base()).roomETag(id)); err != nil {
			return err
		}
		return e.RenameRoom(id, *p.Name)
	})
	if err != nil {
		return err
	}
	room, _ := next.Room(id)
	a.writeRoom(w, r, http.StatusOK, next, room)
	return nil
}
