package api

import "confcal/agenda"

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

// RoomsOf is the body of GET /rooms for snap.
func RoomsOf(snap *agenda.Snapshot) RoomList {
	list := RoomList{Revision: snap.Revision(), Rooms: []Room{}}
	for _, r := range snap.Rooms() {
		list.Rooms = append(list.Rooms, FromRoom(snap, r))
	}
	return list
}

// FromRoom writes room r of snap as the API shows it.
func FromRoom(snap *agenda.Snapshot, r agenda.Room) Room {
	return Room{ID: r.ID, Name: r.Name, Sessions: snap.NumByRoom(r.ID), ETag: RoomETag(snap, r.ID)}
}
