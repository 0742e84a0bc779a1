package conferences_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/conferences"
)

// published records what a Manager publishes, per conference.
type published struct {
	mu        sync.Mutex
	revs      map[string][]int64
	withdrawn []string
}

func (p *published) publisher(slug string) agenda.PublishFunc {
	return func(_ context.Context, snap *agenda.Snapshot) (func(), error) {
		return func() {
			p.mu.Lock()
			defer p.mu.Unlock()
			p.revs[slug] = append(p.revs[slug], snap.Revision())
		}, nil
	}
}

func (p *published) withdraw(slug string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.withdrawn = append(p.withdrawn, slug)
}

func newManager(t *testing.T, reg agenda.Registry) (*conferences.Manager, *published) {
	t.Helper()
	p := &published{revs: map[string][]int64{}}
	m := conferences.New(conferences.Config{Registry: reg, Publisher: p.publisher, Withdraw: p.withdraw})
	if err := m.Open(t.Context(), func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }); err != nil {
		t.Fatalf("Open: %v", err)
	}
	return m, p
}

// csvSchedule is a spreadsheet export of a small conference.
const csvSchedule = "id,title,start,end,room,track\n" +
	"a,First Talk,2027-05-03 10:00,2027-05-03 10:45,Main Hall,Talks\n" +
	"b,Second Talk,2027-05-04 11:00,2027-05-04 11:30,Side Room,Talks\n"

func TestManagerLifecycle(t *testing.T) {
	reg := memstore.NewRegistry()
	m, p := newManager(t, reg)
	def, ok := m.Default()
	if !ok || !def.Listing.Default || def.Listing.Slug != agenda.Slug(agendatest.Small(t).Conference().Name) {
		t.Fatalf("default conference: %+v, %v", def, ok)
	}
	n := api.NewConference{Slug: "spring-27", Name: "Spring 2027", TimeZone: "Europe/Paris", Document: csvSchedule}
	if err := m.AddConference(t.Context(), n); err != nil {
		t.Fatalf("AddConference: %v", err)
	}
	c, ok := m.Get("spring-27")
	if !ok || c.Service.Current().Conference().Name != "Spring 2027" || len(c.Service.Current().SessionIDs()) != 2 {
		t.Fatalf("the added conference: %v %+v", ok, c)
	}
	if err := m.AddConference(t.Context(), n); !errors.Is(err, agenda.ErrExists) {
		t.Errorf("adding it again: %v, want ErrExists", err)
	}

	// Another process on the same registry sees it, and its removal.
	other, op := newManager(t, reg)
	if _, ok := other.Get("spring-27"); !ok {
		t.Fatal("a second manager does not serve the conference the first added")
	}
	if err := m.RemoveConference(t.Context(), def.Listing.Slug); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("removing the default conference: %v, want ErrInvalid", err)
	}
	if err := m.RemoveConference(t.Context(), "spring-27"); err != nil {
		t.Fatal(err)
	}
	if _, ok := m.Get("spring-27"); ok || !slices.Contains(p.withdrawn, "spring-27") {
		t.Error("a removed conference is still served")
	}
	if err := other.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, ok := other.Get("spring-27"); ok || !slices.Contains(op.withdrawn, "spring-27") {
		t.Error("the other process still serves the removed conference after Refresh")
	}
	if err := m.RestoreConference(t.Context(), "spring-27"); err != nil {
		t.Fatal(err)
	}
	if err := other.Refresh(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, ok := other.Get("spring-27"); !ok {
		t.Error("the other process does not serve the restored conference after Refresh")
	}

	// Tokens belong to one conference.
	tok, err := m.NewToken(t.Context(), "spring-27")
	if err != nil || !strings.HasPrefix(tok, "cct_") {
		t.Fatalf("NewToken: %q, %v", tok, err)
	}
	if slug, err := other.TokenConference(t.Context(), tok); err != nil || slug != "spring-27" {
		t.Errorf("TokenConference: %q, %v", slug, err)
	}
	if _, err := m.TokenConference(t.Context(), "cct_guess"); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("an unknown token: %v", err)
	}

	if err := m.PurgeConference(t.Context(), "spring-27"); !errors.Is(err, agenda.ErrInvalid) {
		t.Errorf("purging a served conference: %v, want ErrInvalid", err)
	}
	if err := m.RemoveConference(t.Context(), "spring-27"); err != nil {
		t.Fatal(err)
	}
	if err := m.PurgeConference(t.Context(), "spring-27"); err != nil {
		t.Fatal(err)
	}
	list, err := m.Listings(t.Context())
	if err != nil || len(list) != 1 {
		t.Errorf("after the purge: %v, %v", list, err)
	}
	if _, err := m.TokenConference(t.Context(), tok); !errors.Is(err, agenda.ErrNoConference) {
		t.Errorf("a purged conference's token: %v", err)
	}
}

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "schedule.csv")
	if err := os.WriteFile(file, []byte(csvSchedule), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		n    api.NewConference
		err  string // "" for none
	}{
		{"document", api.NewConference{Slug: "x", TimeZone: "Europe/Paris", Document: csvSchedule}, ""},
		{"file followed", api.NewConference{Slug: "x", TimeZone: "Europe/Paris", Source: file, Follow: "15m"}, ""},
		{"bad slug", api.NewConference{Slug: "X Y", Document: csvSchedule}, "not a slug"},
		{"nothing", api.NewConference{Slug: "x"}, "needs its schedule"},
		{"unknown format", api.NewConference{Slug: "x", Format: "pdf", Document: csvSchedule}, "format"},
		{"follow too often", api.NewConference{Slug: "x", Source: file, Follow: "10s"}, "follow"},
		{"follow a document", api.NewConference{Slug: "x", Document: csvSchedule, Follow: "15m"}, "follow"},
		{"bad zone", api.NewConference{Slug: "x", TimeZone: "Nowhere/Land", Document: csvSchedule}, "time_zone"},
		{"no zone for a spreadsheet", api.NewConference{Slug: "x", Document: csvSchedule}, "reading the schedule"},
		{"missing file", api.NewConference{Slug: "x", TimeZone: "Europe/Paris", Source: filepath.Join(dir, "missing.csv")}, "missing.csv"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, c, err := conferences.Prepare(t.Context(), tc.n)
			switch {
			case tc.err == "" && err != nil:
				t.Fatalf("Prepare: %v", err)
			case tc.err != "":
				if err == nil || !strings.Contains(err.Error(), tc.err) || !errors.Is(err, agenda.ErrInvalid) {
					t.Fatalf("Prepare: %v, want an ErrInvalid saying %q", err, tc.err)
				}
				return
			}
			if l.Slug != "x" || len(c.Sessions) != 2 {
				t.Errorf("Prepare = %+v, %d sessions", l, len(c.Sessions))
			}
			if tc.n.Follow != "" && (l.Source.Location != file || l.Source.Follow.String() != "15m0s") {
				t.Errorf("source %+v", l.Source)
			}
		})
	}
}

// A registry that holds no conference but remembers the revisions of a
// purged slug (its conferences all purged by hand, the default too) gets
// its default conference from the seed after them: a calendar app that
// synced the purged one is not told that nothing changed.
func TestOpenSeedAfterPurgedSlug(t *testing.T) {
	ctx := t.Context()
	reg := memstore.NewRegistry()
	slug := agenda.DefaultSlug(agendatest.Small(t).Conference().Name)
	if err := reg.AddConference(ctx, agenda.Listing{Slug: slug}); err != nil {
		t.Fatal(err)
	}
	svc, err := agenda.Open(ctx, reg.Agenda(slug), func() (*agenda.Snapshot, error) { return agendatest.Small(t), nil }, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, title := range []string{"Once", "Twice"} {
		if _, _, err := svc.Change(ctx, "test", func(e *agenda.Editor) error {
			return e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title})
		}); err != nil {
			t.Fatal(err)
		}
	}
	if err := reg.RemoveConference(ctx, slug); err != nil {
		t.Fatal(err)
	}
	if err := reg.PurgeConference(ctx, slug); err != nil {
		t.Fatal(err)
	}
	m, p := newManager(t, reg)
	def, ok := m.Default()
	if !ok {
		t.Fatal("no default conference from the seed")
	}
	if got := def.Service.Current(); got.Revision() != 4 || got.BaseRevision() != 4 {
		t.Errorf("the seed's revision %d (log from %d), want 4 (from 4)", got.Revision(), got.BaseRevision())
	}
	if revs := p.revs[slug]; !slices.Equal(revs, []int64{4}) {
		t.Errorf("published revisions %v, want [4]", revs)
	}
}

// A default conference added again under a purged slug whose first agenda
// was not stored yet (another replica starting at the same moment, or a
// crash in between) is served from the seed after the slug's revisions,
// as when this process adds it: not left unserved because the seed's
// revision 1 is refused.
func TestOpenSeedAddedElsewhereAfterPurgedSlug(t *testing.T) {
	ctx := t.Context()
	reg := memstore.NewRegistry()
	slug := agenda.DefaultSlug(agendatest.Small(t).Conference().Name)
	if err := reg.AddConference(ctx, agenda.Listing{Slug: slug}); err != nil {
		t.Fatal(err)
	}
	if err := reg.Agenda(slug).Save(ctx, agendatest.Small(t)); err != nil {
		t.Fatal(err)
	}
	if err := reg.RemoveConference(ctx, slug); err != nil {
		t.Fatal(err)
	}
	if err := reg.PurgeConference(ctx, slug); err != nil {
		t.Fatal(err)
	}
	// Added again, its first agenda not stored.
	if err := reg.AddConference(ctx, agenda.Listing{Slug: slug}); err != nil {
		t.Fatal(err)
	}
	m, _ := newManager(t, reg)
	def, ok := m.Default()
	if !ok {
		t.Fatal("the default conference, added with no agenda after its slug was purged, is not served")
	}
	if got := def.Service.Current(); got.Revision() != 2 || got.BaseRevision() != 2 {
		t.Errorf("the seed's revision %d (log from %d), want 2 (from 2)", got.Revision(), got.BaseRevision())
	}
}
