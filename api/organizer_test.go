package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/web"
)

const token = "s3cret-token"

// organizer is what the command line does with an agenda, through
// api.Local on a local store or api.Client through a server.
type organizer interface {
	Session(ctx context.Context, id string) (api.Session, error)
	PatchSession(ctx context.Context, id string, p api.SessionPatch, ifMatch string) (api.Session, []api.Summary, error)
	Rooms(ctx context.Context) (api.RoomList, error)
	AddRoom(ctx context.Context, n api.NewRoom) ([]api.Summary, error)
	RenameRoom(ctx context.Context, id string, p api.RoomPatch, ifMatch string) (api.Room, []api.Summary, error)
	Changes(ctx context.Context, since int64) (api.ChangeList, error)
	Import(ctx context.Context, c agenda.Contents, dryRun, force bool) (api.ImportResult, error)
}

// newService returns a Service over agendatest.Small on a memstore,
// publishing with publish, whose clock moves a minute per change.
func newService(t *testing.T, publish agenda.PublishFunc) (*agenda.Service, *memstore.Store) {
	t.Helper()
	store := memstore.New()
	svc, err := agenda.Open(t.Context(), store, func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }, publish)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2019, 10, 2, 8, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	svc.SetClock(func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		clock = clock.Add(time.Minute)
		return clock
	})
	return svc, store
}

// newLocal returns api.Local on its own service, recording changes as
// the server records those of alice.
func newLocal(t *testing.T) (organizer, *agenda.Service) {
	t.Helper()
	svc, _ := newService(t, nil)
	return api.Local{Svc: svc, Who: "api:alice"}, svc
}

// startServer runs the real route table (web.New, srv.Handler) on a
// service over agendatest.Small, on a listener.
func startServer(t *testing.T, tok string) (*httptest.Server, *agenda.Service) {
	t.Helper()
	ts := httptest.NewUnstartedServer(nil)
	srv, err := web.New(web.Config{BaseURL: "http://" + ts.Listener.Addr().String(), Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := newService(t, srv.Publish)
	ts.Config.Handler = srv.Handler(svc, nil)
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, svc
}

// newRemote returns an api.Client of alice's on a server of its own.
func newRemote(t *testing.T) (organizer, *agenda.Service) {
	t.Helper()
	ts, svc := startServer(t, token)
	return &api.Client{Base: ts.URL, Token: token, Who: "alice", HTTP: ts.Client()}, svc
}

// step is one thing an organizer does, and what it gives back.
type step struct {
	name string
	do   func(ctx context.Context, o organizer) (any, error)
}

// TestLocalAndClient runs the same organizer's work through api.Local and
// through api.Client against the real server: each step gives back the
// same documents either way, and fails the same way (an If-Match that is
// no longer current is a precondition failure, a slot taken is an
// overlap), leaving the agenda as it was.
func TestLocalAndClient(t *testing.T) {
	ctx := t.Context()
	local, localSvc := newLocal(t)
	remote, remoteSvc := newRemote(t)
	var stale string // late-talk's ETag before the first patch
	steps := []step{
		{"read a session", func(ctx context.Context, o organizer) (any, error) {
			s, err := o.Session(ctx, "late-talk")
			stale = s.ETag
			return s, err
		}},
		{"patch with If-Match", func(ctx context.Context, o organizer) (any, error) {
			s, sums, err := o.PatchSession(ctx, "late-talk", api.SessionPatch{Title: strp("Later Talk")}, stale)
			return []any{s, sums}, err
		}},
		{"patch with a stale If-Match", func(ctx context.Context, o organizer) (any, error) {
			s, sums, err := o.PatchSession(ctx, "late-talk", api.SessionPatch{Title: strp("Latest Talk")}, stale)
			return []any{s, sums}, err
		}},
		{"overlap", func(ctx context.Context, o organizer) (any, error) {
			s, sums, err := o.PatchSession(ctx, "state-of-state", api.SessionPatch{Room: strp("room-1")}, "")
			return []any{s, sums}, err
		}},
		{"forced overlap", func(ctx context.Context, o organizer) (any, error) {
			s, sums, err := o.PatchSession(ctx, "state-of-state", api.SessionPatch{Room: strp("room-1"), Force: true}, "")
			return []any{s, sums}, err
		}},
		{"patch that changes nothing", func(ctx context.Context, o organizer) (any, error) {
			cur, err := o.Session(ctx, "late-talk")
			if err != nil {
				return nil, err
			}
			s, sums, err := o.PatchSession(ctx, "late-talk", api.SessionPatch{}, cur.ETag)
			if len(sums) == 0 {
				sums = nil // none, whether as nil (Client) or empty (Local)
			}
			return []any{s, sums}, err
		}},
		{"unknown session", func(ctx context.Context, o organizer) (any, error) {
			s, sums, err := o.PatchSession(ctx, "nope", api.SessionPatch{Title: strp("X")}, "")
			return []any{s, sums}, err
		}},
		{"add a room", func(ctx context.Context, o organizer) (any, error) {
			return o.AddRoom(ctx, api.NewRoom{Name: "Room 3"})
		}},
		{"rename a room", func(ctx context.Context, o organizer) (any, error) {
			rooms, err := o.Rooms(ctx)
			if err != nil {
				return nil, err
			}
			r, sums, err := o.RenameRoom(ctx, "room-2", api.RoomPatch{Name: strp("Kesselhaus")}, rooms.Rooms[1].ETag)
			return []any{rooms, r, sums}, err
		}},
		{"rename a room with a stale If-Match", func(ctx context.Context, o organizer) (any, error) {
			r, sums, err := o.RenameRoom(ctx, "room-2", api.RoomPatch{Name: strp("Again")}, `"r1"`)
			return []any{r, sums}, err
		}},
		{"import", func(ctx context.Context, o organizer) (any, error) {
			c := agendatest.SmallContents()
			c.Sessions = c.Sessions[1:] // opening-keynote is gone
			return o.Import(ctx, c, false, false)
		}},
		{"the change log", func(ctx context.Context, o organizer) (any, error) { return o.Changes(ctx, 1) }},
	}
	type outcome struct {
		value        any
		err          error
		precondition bool
		overlap      bool
		revision     int64 // after the step
	}
	run := func(o organizer, svc *agenda.Service, s step) outcome {
		before := svc.Current().Revision()
		v, err := s.do(ctx, o)
		after := svc.Current().Revision()
		if err != nil && after != before {
			t.Errorf("%s failed (%v) but moved the revision from %d to %d", s.name, err, before, after)
		}
		return outcome{v, err, api.Precondition(err), api.Overlap(err), after}
	}
	for _, s := range steps {
		l, r := run(local, localSvc, s), run(remote, remoteSvc, s)
		if (l.err == nil) != (r.err == nil) || l.precondition != r.precondition || l.overlap != r.overlap || l.revision != r.revision {
			t.Fatalf("%s: Local %v (precondition %v, overlap %v, revision %d), Client %v (precondition %v, overlap %v, revision %d)",
				s.name, l.err, l.precondition, l.overlap, l.revision, r.err, r.precondition, r.overlap, r.revision)
		}
		if l.err == nil && !reflect.DeepEqual(l.value, r.value) {
			t.Errorf("%s: Local gives\n%+v\nClient gives\n%+v", s.name, l.value, r.value)
		}
		switch s.name {
		case "patch with If-Match":
			v := l.value.([]any)
			if got := v[0].(api.Session); got.Title != "Later Talk" || got.ETag == stale {
				t.Errorf("%s: %+v", s.name, got)
			}
			if sums := v[1].([]api.Summary); len(sums) != 1 || sums[0].Text != "Late Talk renamed to Later Talk" || sums[0].Who != "api:alice" {
				t.Errorf("%s: summaries %+v", s.name, sums)
			}
		case "patch with a stale If-Match", "rename a room with a stale If-Match":
			if !l.precondition || l.overlap || !errors.Is(l.err, api.ErrPrecondition) {
				t.Errorf("%s: %v, precondition %v, overlap %v; want a precondition failure", s.name, l.err, l.precondition, l.overlap)
			}
			var re *api.RemoteError
			if !errors.As(r.err, &re) || re.Status != http.StatusPreconditionFailed || re.Msg != l.err.Error() {
				t.Errorf("%s: Client %#v, want a 412 saying %q", s.name, r.err, l.err)
			}
		case "overlap":
			if !l.overlap || l.precondition || !errors.Is(l.err, agenda.ErrOverlap) {
				t.Errorf("%s: %v, overlap %v, precondition %v; want an overlap", s.name, l.err, l.overlap, l.precondition)
			}
			var re *api.RemoteError
			if !errors.As(r.err, &re) || re.Status != http.StatusConflict || re.Msg != l.err.Error()+api.OverlapHint {
				t.Errorf("%s: Client %#v, want a 409 saying %q", s.name, r.err, l.err.Error()+api.OverlapHint)
			}
		case "patch that changes nothing":
			if sums := l.value.([]any)[1].([]api.Summary); sums != nil || l.revision != 3 {
				t.Errorf("%s: summaries %+v at revision %d, want none at 3", s.name, sums, l.revision)
			}
		case "unknown session":
			var re *api.RemoteError
			if !errors.Is(l.err, agenda.ErrNotFound) || !errors.As(r.err, &re) || re.Status != http.StatusNotFound ||
				!strings.Contains(l.err.Error(), `"nope"`) || re.Msg != l.err.Error() {
				t.Errorf("%s: Local %v, Client %#v; want both to say there is no session \"nope\"", s.name, l.err, r.err)
			}
		case "import":
			// Small again, without the opening keynote: the earlier
			// edits of sessions are undone, the keynote cancelled, all
			// in one revision.
			res := l.value.(api.ImportResult)
			var texts []string
			for _, sum := range res.Summaries {
				texts = append(texts, sum.Text)
			}
			want := []string{"State of State moved from Room 1 to Kesselhaus", "Later Talk renamed to Late Talk", "Opening Keynote cancelled (Oct 8 09:00–10:00, Room 1)"}
			if res.Revision != 6 || res.DryRun || !reflect.DeepEqual(texts, want) {
				t.Errorf("%s: revision %d, %q; want revision 6, %q", s.name, res.Revision, texts, want)
			}
		case "the change log":
			// Every revision since the first, each by alice.
			list := l.value.(api.ChangeList)
			revs := map[int64]bool{}
			for _, c := range list.Summaries {
				revs[c.Revision] = true
				if c.Who != "api:alice" {
					t.Errorf("%s: %+v not by alice", s.name, c)
				}
			}
			if list.Revision != 6 || list.Since != 1 || len(revs) != 5 || !revs[2] || !revs[6] {
				t.Errorf("%s: %+v, want revisions 2 to 6", s.name, list)
			}
		}
	}
}

// A dry-run import through either says what it would do and changes
// nothing.
func TestDryRunImport(t *testing.T) {
	local, localSvc := newLocal(t)
	remote, remoteSvc := newRemote(t)
	c := agendatest.SmallContents()
	c.Sessions[4].Title = "Later Talk" // late-talk
	for name, o := range map[string]organizer{"Local": local, "Client": remote} {
		res, err := o.Import(t.Context(), c, true, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !res.DryRun || res.Revision != 2 || len(res.Summaries) != 1 || res.Summaries[0].Text != "Late Talk renamed to Later Talk" {
			t.Errorf("%s: dry run = %+v", name, res)
		}
	}
	if localSvc.Current().Revision() != 1 || remoteSvc.Current().Revision() != 1 {
		t.Errorf("a dry run changed the agenda: revisions %d and %d", localSvc.Current().Revision(), remoteSvc.Current().Revision())
	}
}

// The Client says what the server refused, with its status: without a
// token it says how to give one; against a server without writes it
// passes the server's word on.
func TestClientRefused(t *testing.T) {
	ts, svc := startServer(t, token)
	anon := &api.Client{Base: ts.URL, HTTP: ts.Client()}
	_, _, err := anon.PatchSession(t.Context(), "late-talk", api.SessionPatch{Title: strp("X")}, "")
	var re *api.RemoteError
	if !errors.As(err, &re) || re.Status != http.StatusUnauthorized || !strings.Contains(re.Msg, "CONFCAL_ADMIN_TOKEN") {
		t.Errorf("without a token: %#v, want a 401 that says how to give one", err)
	}
	wrong := &api.Client{Base: ts.URL + "/", Token: "guess", HTTP: ts.Client()} // a trailing slash is fine
	if _, err := wrong.AddRoom(t.Context(), api.NewRoom{Name: "Room 3"}); !errors.As(err, &re) || re.Status != http.StatusUnauthorized || re.Msg != "wrong admin token" {
		t.Errorf("with a wrong token: %#v, want a 401 saying so", err)
	}
	if s, err := anon.Session(t.Context(), "late-talk"); err != nil || s.Title != "Late Talk" {
		t.Errorf("a read without a token = %+v, %v", s, err)
	}
	if svc.Current().Revision() != 1 {
		t.Errorf("refused writes changed the agenda")
	}

	closed, _ := startServer(t, "")
	c := &api.Client{Base: closed.URL, Token: token, HTTP: closed.Client()}
	if _, err := c.AddRoom(t.Context(), api.NewRoom{Name: "Room 3"}); !errors.As(err, &re) || re.Status != http.StatusForbidden || !strings.Contains(re.Msg, "writes are disabled") {
		t.Errorf("against a server without writes: %#v, want a 403 saying writes are disabled", err)
	}

	gone := &api.Client{Base: "http://127.0.0.1:1", Token: token}
	if _, err := gone.Session(t.Context(), "late-talk"); err == nil {
		t.Error("a server that is not there: no error")
	}
}
