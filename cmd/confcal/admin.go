package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"confcal/agenda"
	"confcal/agenda/memstore"
	"confcal/api"
)

// The organizer commands (move, cancel, restore, rename, rooms, changes,
// import) change the agenda of one conference (-conference, the default
// one when omitted) through an organizer: on the local store, api.Local
// makes the changes on an agenda.Service in this process; with -server,
// api.Client asks the server's API to. Both take and give the API's
// documents and make changes by the same rules (package api), so a command
// reads and prints the same either way.

// organizer is what the organizer commands do with an agenda.
type organizer interface {
	Session(ctx context.Context, id string) (api.Session, error)
	Sessions(ctx context.Context) (api.SessionList, error)
	Speakers(ctx context.Context) (api.SpeakerList, error)
	PatchSession(ctx context.Context, id string, p api.SessionPatch, ifMatch string) (api.Session, []api.Summary, error)
	Rooms(ctx context.Context) (api.RoomList, error)
	AddRoom(ctx context.Context, n api.NewRoom) ([]api.Summary, error)
	RenameRoom(ctx context.Context, id string, p api.RoomPatch, ifMatch string) (api.Room, []api.Summary, error)
	Changes(ctx context.Context, since int64) (api.ChangeList, error)
	Import(ctx context.Context, c agenda.Contents, dryRun, force bool) (api.ImportResult, error)
}

var (
	_ organizer = api.Local{}
	_ organizer = (*api.Client)(nil)
)

// defaultDataDir is where the store lives when neither -data nor
// CONFCAL_DATA says otherwise.
const defaultDataDir = "./confcal-data"

// dataFlag defines -data, shared by serve, the organizer commands,
// sessions and export.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", env("CONFCAL_DATA", defaultDataDir),
		"data `directory` holding the agenda store (env CONFCAL_DATA); serve and the commands that change the agenda make it when missing")
}

// tokenFileFlag defines -admin-token-file, shared by serve and the commands
// that change a server; what names the token the file holds.
func tokenFileFlag(fs *flag.FlagSet, what string) *string {
	return fs.String("admin-token-file", env("CONFCAL_ADMIN_TOKEN_FILE", ""),
		"`file` holding "+what+" (env CONFCAL_ADMIN_TOKEN_FILE; else the token itself in env CONFCAL_ADMIN_TOKEN)")
}

// serverFlag defines -server, shared by the commands that change a server.
func serverFlag(fs *flag.FlagSet) *string {
	return fs.String("server", env("CONFCAL_SERVER", ""), "`URL` of a running confcal server to change through its API, instead of the local store (env CONFCAL_SERVER)")
}

// localOrServer decides between the local store and -server after fs is
// parsed: a -data or -store on the command line beats a server named only
// by CONFCAL_SERVER (the variable is a default, the flag what this command
// was told), and both on the command line are a mistake.
func localOrServer(fs *flag.FlagSet, server *string) error {
	local := given(fs, "data", "store")
	switch {
	case local && given(fs, "server"):
		return &usageError{err: fmt.Errorf("%s: -server and -data (or -store) name two places to change; give one", fs.Name())}
	case local:
		*server = ""
	}
	return nil
}

// checkServer reports a -server that is no http(s) URL.
func checkServer(server string) error {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return &usageError{err: fmt.Errorf("-server %q is not an http(s) URL", server)}
	}
	return nil
}

// adminToken returns the admin token: the file's content (trimmed) when
// file is set, else CONFCAL_ADMIN_TOKEN; "" when neither is set.
func adminToken(file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv("CONFCAL_ADMIN_TOKEN")), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("admin token: %s is empty", file)
	}
	return tok, nil
}

// adminFlags are the flags every organizer command takes.
type adminFlags struct {
	store                  *storeFlags
	server, tokenFile, who *string
	// conference is the slug of the conference to change, "" for the
	// default one.
	conference *string
	// seed is the agenda a new local store starts from.
	seed *agendaFlags
	// dryRun says the command changes nothing (import -dry-run): where
	// no store is, it makes none.
	dryRun bool
}

func addAdminFlags(fs *flag.FlagSet) *adminFlags {
	user := env("USER", "")
	return &adminFlags{
		store:     addStoreFlags(fs),
		server:    serverFlag(fs),
		tokenFile: tokenFileFlag(fs, "the admin API token, or with -server an organizer token of the conference (confcal conferences token)"),
		who:       fs.String("who", user, "`name` recorded in the change log as the change's author (default $USER)"),
		conference: fs.String("conference", env("CONFCAL_CONFERENCE", ""),
			"`slug` of the conference to change (see confcal conferences list); the default conference when empty (env CONFCAL_CONFERENCE)"),
		seed: addAgendaFlags(fs),
	}
}

// parseArgs parses args into fs, flags and positional arguments in any
// order ("move ID -room R" as well as "move -room R ID"; after "--" all are
// positional), and checks that there are exactly len(names) positional
// arguments, named in names for the error message.
func parseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err: err, reported: true}
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) != len(names) {
		want := "no arguments"
		if len(names) > 0 {
			want = strings.Join(names, " and ")
		}
		fs.Usage()
		return nil, &usageError{err: fmt.Errorf("%s: want %s, got %d argument(s)", fs.Name(), want, len(pos)), reported: false}
	}
	return pos, nil
}

// localWho starts the author of every change made on the local store: "cli",
// or "cli:alice" with -who alice.
const localWho = "cli"

// dial returns the organizer the flags name: the server's API when -server
// is set, else the agenda service over the store (-store, or the one in
// the data directory), and the function that closes it. Without
// -conference it is the default conference's (a new store starts with the
// built-in agenda, or -agenda); with it, that of a conference the store
// holds and serves.
func dial(ctx context.Context, f *adminFlags, stdin io.Reader) (organizer, func() error, error) {
	if *f.server != "" {
		if err := checkServer(*f.server); err != nil {
			return nil, nil, err
		}
		tok, err := adminToken(*f.tokenFile)
		if err != nil {
			return nil, nil, err
		}
		return &api.Client{Base: *f.server, Token: tok, Who: *f.who, Conference: *f.conference}, func() error { return nil }, nil
	}
	var (
		store registry
		where string
		agd   agenda.Store
		seed  func() (*agenda.Snapshot, error)
		err   error
		// follows is the source the conference follows: its truth,
		// which the server's poll would restore over an edit here.
		follows string
	)
	if slug := *f.conference; slug == "" {
		exists, err := f.store.exists()
		if err != nil {
			return nil, nil, err
		}
		var list []agenda.Listing
		if exists {
			if store, _, err = f.store.open(ctx); err != nil {
				return nil, nil, err
			}
			// The default conference follows a source when it was
			// added with -follow as the store's first, or serve
			// -follow recorded it (a new store has none).
			if list, err = store.Conferences(ctx); err != nil {
				store.Close()
				return nil, nil, err
			}
		}
		if len(list) == 0 && f.dryRun {
			// A dry run changes nothing, a new store included: on a
			// store that holds no conference yet (none there, or an
			// empty database) it is made against the agenda a new
			// store would start from, held in memory, so a mistyped
			// -data leaves nothing behind.
			if store != nil {
				store.Close()
			}
			svc, err := agenda.Open(ctx, memstore.New(), func() (*agenda.Snapshot, error) { return f.seed.snapshot(ctx, stdin, nil) }, nil)
			if err != nil {
				return nil, nil, err
			}
			return api.Local{Svc: svc, Who: localWho}, func() error { return nil }, nil
		}
		if store == nil {
			if store, _, err = f.store.open(ctx); err != nil {
				return nil, nil, err
			}
		}
		if i := slices.IndexFunc(list, func(l agenda.Listing) bool { return l.Default }); i >= 0 && list[i].Source.Follow > 0 {
			follows = list[i].Source.Location
		}
		agd, seed = store, func() (*agenda.Snapshot, error) { return f.seed.snapshot(ctx, stdin, nil) }
	} else {
		if store, where, err = openExisting(ctx, f.store); err != nil {
			return nil, nil, fmt.Errorf("no conference %q: %w", slug, err)
		}
		l, err := servedConference(ctx, store, where, slug)
		if err != nil {
			store.Close()
			return nil, nil, err
		}
		if l.Source.Follow > 0 {
			follows = l.Source.Location
		}
		agd = store.Agenda(slug)
	}
	svc, err := agenda.Open(ctx, agd, seed, nil)
	if errors.Is(err, agenda.ErrEmpty) {
		err = fmt.Errorf("conference %q has no agenda yet (its first one was never stored): remove and purge it, then add it again", *f.conference)
	}
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	who := localWho
	if w := strings.TrimSpace(*f.who); w != "" {
		who += ":" + w
	}
	return api.Local{Svc: svc, Who: who, Follows: follows}, store.Close, nil
}

// openExisting opens the store the flags name, which must hold one
// already: a command that only reads or changes conferences makes none.
func openExisting(ctx context.Context, f *storeFlags) (registry, string, error) {
	ok, err := f.exists()
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", fmt.Errorf("%s holds no store (no confcal store file there): give the data directory with -data, the store with -store, or a server with -server", *f.data)
	}
	return f.open(ctx)
}

// servedConference checks that the store in dir holds conference slug and
// serves it (has not removed it).
func servedConference(ctx context.Context, reg agenda.Registry, dir, slug string) (agenda.Listing, error) {
	l, err := findListing(ctx, reg, dir, slug)
	if err != nil {
		return l, err
	}
	if !l.Removed.IsZero() {
		return l, fmt.Errorf("conference %s is removed: confcal conferences restore %s serves it again", slug, slug)
	}
	return l, nil
}

// findListing returns the listing of conference slug in the store in dir.
func findListing(ctx context.Context, reg agenda.Registry, dir, slug string) (agenda.Listing, error) {
	list, err := reg.Conferences(ctx)
	if err != nil {
		return agenda.Listing{}, err
	}
	if i := slices.IndexFunc(list, func(l agenda.Listing) bool { return l.Slug == slug }); i >= 0 {
		return list[i], nil
	}
	return agenda.Listing{}, fmt.Errorf("no conference %q in the store in %s (see confcal conferences list)", slug, dir)
}

// explain says what a refused change means for the command line: an
// overlap or an import that cancels most sessions can be forced with
// -force, a lost race repeated.
func explain(err error, id string) error {
	switch {
	case api.MassCancel(err):
		msg := strings.TrimSuffix(err.Error(), api.MassCancelHint)
		return errors.New(msg + "; if that is meant, import it with -force")
	case api.Overlap(err):
		msg := strings.TrimSuffix(err.Error(), api.OverlapHint)
		return errors.New(msg + " (run again with -force to allow it)")
	case api.Precondition(err):
		return fmt.Errorf("%s changed while this command ran; look at it again and repeat: %w", id, err)
	}
	return err
}

// printSummaries writes one line per summary.
func printSummaries(w io.Writer, sums []api.Summary) {
	for _, s := range sums {
		fmt.Fprintf(w, "revision %d: %s\n", s.Revision, printable(s.Text))
	}
}

// patchSession changes session id as p says, guarded by the ETag it reads
// first (no change between the read and the write is lost), and prints
// what changed.
func patchSession(ctx context.Context, o organizer, stdout io.Writer, id string, p api.SessionPatch) error {
	before, err := o.Session(ctx, id)
	if err != nil {
		return err
	}
	after, sums, err := o.PatchSession(ctx, id, p, before.ETag)
	if err != nil {
		return explain(err, "session "+strconv.Quote(id))
	}
	if after.ETag == before.ETag {
		fmt.Fprintf(stdout, "nothing changed: %s is already like that\n", printable(id))
		return nil
	}
	printSummaries(stdout, sums)
	return nil
}

// runAdmin runs an organizer command: parse the flags and positional
// arguments, check them (unless check is nil), connect, and call do.
// check runs before anything is opened, so a mistake it finds (a
// *usageError for one on the command line) leaves no store behind.
func runAdmin(ctx context.Context, fs *flag.FlagSet, f *adminFlags, args []string, stdin io.Reader, names []string,
	check func(pos []string) error, do func(ctx context.Context, o organizer, pos []string) error) error {
	pos, err := parseArgs(fs, args, names...)
	if err != nil {
		return err
	}
	if err := localOrServer(fs, f.server); err != nil {
		return err
	}
	if !api.ValidWho(strings.TrimSpace(*f.who)) {
		return &usageError{err: fmt.Errorf("%s: -who %q: want up to %d printable characters", fs.Name(), *f.who, api.MaxWho)}
	}
	if err := f.store.check(); err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	if c := *f.conference; c != "" && !agenda.ValidID(c) {
		return &usageError{err: fmt.Errorf("%s: -conference %q is not a conference's slug (see confcal conferences list)", fs.Name(), c)}
	}
	if check != nil {
		if err := check(pos); err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
	}
	o, closeStore, err := dial(ctx, f, stdin)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	err = do(ctx, o, pos)
	if cerr := closeStore(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return nil
}
