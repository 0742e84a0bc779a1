package conferences

import (
	"context"
	"fmt"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/formats"
	"confcal/source"
)

// Service returns the agenda service of conference slug ("" for the
// default one) and the source it follows ("" for none).
func (m *Manager) Service(slug string) (*agenda.Service, string, bool) {
	var c *Conference
	var ok bool
	if slug == "" {
		c, ok = m.Default()
	} else {
		c, ok = m.Get(slug)
	}
	if !ok {
		return nil, "", false
	}
	return c.Service, c.Follows(), true
}

// Polled is LastPoll as times and errors (for package web, which knows
// nothing of sources): the zero time when there was no poll.
func (m *Manager) Polled(slug string) (at time.Time, err error) {
	if st := m.LastPoll(slug); st != nil {
		return st.At, st.Err
	}
	return time.Time{}, nil
}

// LastPoll returns how the last poll of the source conference slug follows
// went (Conference.LastPoll); nil when the conference is not served here,
// follows no source, or was not polled yet by this process.
func (m *Manager) LastPoll(slug string) *source.Status {
	c, ok := m.Get(slug)
	if !ok {
		return nil
	}
	return c.LastPoll()
}

// Listings lists the registry's conferences, removed ones too.
func (m *Manager) Listings(ctx context.Context) ([]agenda.Listing, error) {
	return m.cfg.Registry.Conferences(ctx)
}

// Served lists the listings of the conferences served here, as they were
// when each was started (or added), without reading the registry.
func (m *Manager) Served() []agenda.Listing {
	var out []agenda.Listing
	for _, c := range m.List() {
		out = append(out, c.Listing)
	}
	return out
}

// Stored returns the stored agenda of conference slug, served or removed.
func (m *Manager) Stored(ctx context.Context, slug string) (*agenda.Snapshot, error) {
	snap, err := m.cfg.Registry.Agenda(slug).Load(ctx)
	if err != nil {
		return nil, fmt.Errorf("conference %s: %w", slug, err)
	}
	return snap, nil
}

// AddConference adds and serves the conference n describes.
func (m *Manager) AddConference(ctx context.Context, n api.NewConference) error {
	l, contents, err := Prepare(ctx, n)
	if err != nil {
		return err
	}
	_, err = m.Create(ctx, l, &contents)
	return err
}

// MaxFollow and MinFollow bound how often a source is re-read: not more
// than once a minute (sources are other people's servers), at least once
// a week.
const (
	MinFollow = time.Minute
	MaxFollow = 7 * 24 * time.Hour
)

// Prepare reads the first agenda of the conference n describes, from its
// source or its document, and returns its listing and the agenda. Every
// problem is an agenda.Error of kind ErrInvalid naming what is wrong.
func Prepare(ctx context.Context, n api.NewConference) (agenda.Listing, agenda.Contents, error) {
	l, res, err := PrepareResult(ctx, n)
	return l, res.Contents, err
}

// PrepareResult is Prepare with all the import of the schedule gave: the
// agenda and what it skipped or repaired (its Problems), for a caller that
// reports them.
func PrepareResult(ctx context.Context, n api.NewConference) (agenda.Listing, formats.Result, error) {
	invalid := func(format string, args ...any) (agenda.Listing, formats.Result, error) {
		return agenda.Listing{}, formats.Result{}, &agenda.Error{Kind: agenda.ErrInvalid, Msg: fmt.Sprintf(format, args...)}
	}
	if !agenda.ValidID(n.Slug) {
		return invalid("slug %q is not a slug: lower-case letters, digits and inner hyphens", n.Slug)
	}
	f, err := source.ParseFormat(n.Format)
	if n.Format == "" {
		f, err = "", nil
	}
	if err != nil {
		return invalid("format: %v", err)
	}
	var follow time.Duration
	if n.Follow != "" {
		if follow, err = time.ParseDuration(n.Follow); err != nil || follow < MinFollow || follow > MaxFollow {
			return invalid("follow: %q is not a period from %v to %v, like 15m", n.Follow, MinFollow, MaxFollow)
		}
		if n.Source == "" {
			return invalid("follow: only a source at a URL or in a file can be followed")
		}
	}
	if n.TimeZone != "" {
		if _, err := time.LoadLocation(n.TimeZone); err != nil {
			return invalid("time_zone: %q is not an IANA time zone", n.TimeZone)
		}
	}
	opts := formats.Options{TimeZone: n.TimeZone, UIDDomain: n.UIDDomain, NameGiven: n.Name != ""}
	var res formats.Result
	switch {
	case n.Document != "":
		opts.Name = "document"
		res, f, err = source.Parse([]byte(n.Document), f, opts)
	case n.Source != "":
		src := &source.Source{Location: n.Source, Format: f, Options: opts}
		res, f, err = src.Read(ctx)
	default:
		return invalid("a new conference needs its schedule: a source or the document itself")
	}
	if err != nil {
		return invalid("reading the schedule: %v", err)
	}
	if n.Name != "" {
		// NewSnapshot below checks it against the conference name's
		// limit, in characters, as it does a name the schedule gives.
		res.Contents.Conference.Name = n.Name
	}
	if _, err := agenda.NewSnapshot(res.Contents, 1, 1, nil); err != nil {
		return invalid("the schedule: %v", err)
	}
	l := agenda.Listing{Slug: n.Slug, Source: agenda.Source{Location: n.Source, Format: string(f), TimeZone: n.TimeZone, UIDDomain: n.UIDDomain, Follow: follow}}
	return l, res, nil
}
