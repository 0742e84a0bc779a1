package agenda

import "errors"

// ErrExists: a session, room or track with the new one's ID already exists.
// Errors wrapping it wrap ErrInvalid too, so callers that only know
// ErrInvalid keep treating a taken ID as a broken rule.
var ErrExists = errors.New("already exists")
