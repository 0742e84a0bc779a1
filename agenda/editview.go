package agenda

// Base returns the snapshot the edit started from.
func (e *Editor) Base() *Snapshot { return e.base }

// Session returns session id as the edit has it so far (with the changes
// collected up to now applied).
func (e *Editor) Session(id string) (Session, bool) {
	i, err := e.session(id)
	if err != nil {
		return Session{}, false
	}
	return *e.sessions[i], true
}

// Room returns room id as the edit has it so far.
func (e *Editor) Room(id string) (Room, bool) {
	for _, r := range e.rooms {
		if r.ID == id {
			return r, true
		}
	}
	return Room{}, false
}
