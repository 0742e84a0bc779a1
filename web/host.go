package web

import (
	"context"
	"net/http"
	"time"

	"confcal/agenda"
	"confcal/api"
)

// Host runs the agendas of the conferences a Server serves: the API's
// writes change them through it.
type Host interface {
	// Service returns the agenda service of conference slug ("" or its
	// slug for the default one) and the source it follows ("" when it
	// follows none, so the API may edit its sessions); false when the
	// conference is not run here.
	Service(slug string) (svc *agenda.Service, follows string, ok bool)
	// TokenConference returns the conference an organizer token belongs
	// to, agenda.ErrNoConference for a token that is nobody's.
	TokenConference(ctx context.Context, token string) (string, error)
}

// ConferenceAdmin manages a server's conferences, for the admin's routes
// under /api/conferences. Its errors are the agenda's: agenda.ErrExists
// for a slug in use, agenda.ErrNoConference for an unknown one,
// agenda.ErrInvalid for a request its rules refuse.
type ConferenceAdmin interface {
	// AddConference adds conference n, reading its first agenda from its
	// source or document, and serves it at once.
	AddConference(ctx context.Context, n api.NewConference) error
	// RemoveConference stops serving a conference, keeping its data;
	// RestoreConference serves it again; PurgeConference deletes a
	// removed one and all it holds.
	RemoveConference(ctx context.Context, slug string) error
	RestoreConference(ctx context.Context, slug string) error
	PurgeConference(ctx context.Context, slug string) error
	// NewToken makes an organizer token of a conference.
	NewToken(ctx context.Context, slug string) (string, error)
	// Listings lists the conferences, removed ones too.
	Listings(ctx context.Context) ([]agenda.Listing, error)
	// Served lists the conferences served here, from memory: what
	// GET /api/conferences answers while the store cannot be reached.
	Served() []agenda.Listing
	// Stored returns the stored agenda of a conference, served or
	// removed.
	Stored(ctx context.Context, slug string) (*agenda.Snapshot, error)
	// Polled says when the last poll of the source a served conference
	// follows was and why it failed (nil when it went well); a zero time
	// when it was not polled (here).
	Polled(slug string) (at time.Time, err error)
}

// one is the Host of a server of one agenda: one service, no organizer
// tokens (the admin token is the one that writes).
type one struct {
	svc     *agenda.Service
	follows string
	slug    string
}

func (o one) Service(slug string) (*agenda.Service, string, bool) {
	if slug != o.slug && slug != "" {
		return nil, "", false
	}
	return o.svc, o.follows, true
}

func (one) TokenConference(context.Context, string) (string, error) {
	return "", agenda.ErrNoConference
}

// slugOf is the slug of r's conference: "" for the default conference of
// a server of one agenda.
func slugOf(r *http.Request) string {
	if c := confOf(r); c != nil {
		return c.slug
	}
	return ""
}
