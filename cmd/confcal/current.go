package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"confcal/agenda"
)

// readFlags name the agenda that sessions and export show: an -agenda
// file, or a conference of the store (-data, -store), -conference for one
// other than the default.
type readFlags struct {
	cmd    string // the command's name, for messages
	agenda *agendaFlags
	store  *storeFlags
	// conference is the slug of the conference to show, "" for the
	// default one.
	conference *string
}

// addReadFlags defines the flags of readFlags; formatFlag names the flag of
// the -agenda file's format (export's -format names what it writes).
func addReadFlags(fs *flag.FlagSet, formatFlag string) *readFlags {
	st := addStoreFlags(fs)
	st.readOnly = true // sessions and export only read
	return &readFlags{
		cmd:    fs.Name(),
		agenda: addAgendaFlagsNamed(fs, formatFlag),
		store:  st,
		// The organizer commands' flag and variable: a shell that set
		// CONFCAL_CONFERENCE to change a conference shows that one too.
		conference: fs.String("conference", env("CONFCAL_CONFERENCE", ""),
			"`slug` of the store's conference to show (see confcal conferences list); the default conference when empty (env CONFCAL_CONFERENCE)"),
	}
}

// check reports what the command line got wrong, before anything is read:
// a bad -format or slug, and -conference with -agenda, which would name
// two agendas (the file is the agenda then, and showing either one
// silently would show the wrong one). A bad -store is reported when the
// store is opened, as it always was: with -agenda it is not read.
func (r *readFlags) check(fs *flag.FlagSet) error {
	if err := r.agenda.check(); err != nil {
		return err
	}
	c := *r.conference
	if c == "" {
		return nil
	}
	if !agenda.ValidID(c) {
		return &usageError{err: fmt.Errorf("%s: -conference %q is not a conference's slug (see confcal conferences list)", fs.Name(), c)}
	}
	if *r.agenda.file != "" {
		return &usageError{err: fmt.Errorf("%s: -conference %s%s and -agenda %s%s: the file is the agenda then; give one of them",
			fs.Name(), c, fromEnv(fs, "conference", "CONFCAL_CONFERENCE"), *r.agenda.file, fromEnv(fs, "agenda", "CONFCAL_AGENDA"))}
	}
	return nil
}

// fromEnv says, for a message, that flag name took its value from the
// environment variable key: a value the command line does not show is
// otherwise hard to find.
func fromEnv(fs *flag.FlagSet, name, key string) string {
	if given(fs, name) {
		return ""
	}
	return " (from " + key + ")"
}

// given reports whether any of the flags names was on the command line
// (a flag's value may come from an environment variable instead).
func given(fs *flag.FlagSet, names ...string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || slices.Contains(names, f.Name) })
	return set
}

// currentAgenda returns the agenda that sessions and export show, and the
// path its conference is served under ("" at the root, "/SLUG" for a
// conference other than the default), which its links start with. Without
// -conference it is the file named by -agenda when given; else the stored
// agenda of the default conference when the store (-store, or the data
// directory) holds one (so they show the organizers' changes, as the
// server does); else the built-in one. With -conference it is the stored
// agenda of that conference, which the store must hold and serve. It
// never creates an SQLite store. What the import of a file skipped or
// repaired goes to stderr, so that output stays the agenda's alone.
func currentAgenda(ctx context.Context, r *readFlags, stdin io.Reader, stderr io.Writer) (*agenda.Snapshot, string, error) {
	if slug := *r.conference; slug != "" {
		snap, path, err := storedConference(ctx, r.store, slug)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", r.cmd, err)
		}
		return snap, path, nil
	}
	a, st := r.agenda, r.store
	if *a.file != "" {
		snap, err := a.snapshot(ctx, stdin, stderr)
		return snap, "", err
	}
	ok, err := st.exists()
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", r.cmd, err)
	}
	if !ok {
		snap, err := a.snapshot(ctx, stdin, stderr)
		return snap, "", err
	}
	store, where, err := st.open(ctx)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", r.cmd, err)
	}
	defer store.Close()
	snap, err := store.Load(ctx)
	if errors.Is(err, agenda.ErrEmpty) {
		snap, err := a.snapshot(ctx, stdin, stderr)
		return snap, "", err
	}
	if err != nil {
		return nil, "", fmt.Errorf("%s: reading the store in %s: %w", r.cmd, where, err)
	}
	return snap, "", nil
}

// storedConference reads the stored agenda of conference slug, served by
// the store st names, and the path the server serves it under: the
// default conference keeps the root's, any other lives under "/slug" (as
// web.Server.newConf places them), so an export links where the server
// does.
func storedConference(ctx context.Context, st *storeFlags, slug string) (*agenda.Snapshot, string, error) {
	ok, err := st.exists()
	if err != nil {
		return nil, "", err
	}
	if !ok {
		// Not openExisting's message: these commands take no -server.
		return nil, "", fmt.Errorf("no conference %q: %s holds no store (no confcal store file there): give the data directory with -data or the store with -store", slug, *st.data)
	}
	store, where, err := st.open(ctx)
	if err != nil {
		return nil, "", err
	}
	defer store.Close()
	l, err := servedConference(ctx, store, where, slug)
	if err != nil {
		return nil, "", err
	}
	snap, err := store.Agenda(slug).Load(ctx)
	if errors.Is(err, agenda.ErrEmpty) {
		return nil, "", fmt.Errorf("conference %q has no agenda yet (its first one was never stored): remove and purge it, then add it again", slug)
	}
	if err != nil {
		return nil, "", fmt.Errorf("reading conference %s in the store in %s: %w", slug, where, err)
	}
	if l.Default {
		return snap, "", nil
	}
	return snap, "/" + slug, nil
}

// conferenceBase returns the URL the links of a conference served under
// path start with, on a server at base: as the server trims the slash
// base may end with before it adds the path.
func conferenceBase(base, path string) string {
	if path == "" {
		return base
	}
	return strings.TrimRight(base, "/") + path
}
