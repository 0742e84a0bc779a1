package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"confcal/formats"
	"confcal/source"
)

// runImport reads an agenda — a file or URL in any format confcal reads —
// and applies its differences from the stored agenda as one revision:
// sessions moved, retimed, retitled, added, and cancelled when gone from
// the file (see agenda.Editor.Reconcile for how sessions are matched). A
// version that would cancel more than half of the sessions is refused
// unless -force. With -dry-run it prints what would change and changes
// nothing. The source is read and checked before the store is opened, so
// one that is refused leaves no store behind; it is then read again as a
// version of the stored agenda (see stored), as a followed source is.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "import [flags] FILE|URL", stderr)
	f := addAdminFlags(fs)
	dry := fs.Bool("dry-run", false, "print what would change, change nothing")
	force := fs.Bool("force", false, "apply a version that cancels more than half of the sessions")
	var (
		name   string
		data   []byte
		opts   formats.Options
		format source.Format
	)
	read := func(pos []string) error {
		if err := f.seed.check(); err != nil {
			return err
		}
		name = pos[0]
		f.dryRun = *dry
		src := *f.seed
		src.file = &name
		var err error
		if data, opts, err = src.document(ctx, stdin); err != nil {
			return err
		}
		_, format, err = source.Parse(data, source.Format(*f.seed.format), opts)
		return err // an importer's error names the file and where
	}
	return runAdmin(ctx, fs, f, args, stdin, []string{"an agenda file or URL"}, read, func(ctx context.Context, o organizer, _ []string) error {
		if err := stored(ctx, o, &opts); err != nil {
			return err
		}
		res, _, err := source.Parse(data, format, opts)
		if err != nil {
			return err
		}
		for _, p := range res.Problems {
			fmt.Fprintln(stdout, "skipped or repaired:", printable(p.String()))
		}
		out, err := o.Import(ctx, res.Contents, *dry, *force)
		if err != nil {
			return fmt.Errorf("%s: %w", printable(name), explain(err, name))
		}
		switch {
		case len(out.Changes) == 0:
			fmt.Fprintf(stdout, "nothing to change: %s matches revision %d\n", printable(name), out.Revision)
		case out.DryRun:
			fmt.Fprintf(stdout, "dry run, nothing changed; importing %s would make revision %d:\n", printable(name), out.Revision)
			printSummaries(stdout, out.Summaries)
		default:
			printSummaries(stdout, out.Summaries)
		}
		for _, w := range out.Warnings {
			fmt.Fprintln(stdout, "warning:", printable(w))
		}
		return nil
	})
}

// stored sets in opts what an import into the agenda o changes knows of
// it: its UID domain, unless -uid-domain gave one, and the IDs of its
// sessions, rooms and speakers (formats.Options.Known). So a document is
// read as a new version of the stored agenda, as a followed source is
// (conferences.Manager): an .ics calendar's UIDs give the IDs they gave
// when the agenda was first imported, and confcal's own schedule.xml or
// schedule.json, edited and imported again, gives back the IDs its guids
// were made from — else slugs come back as guids, a moved session reads
// as one cancelled and another added, a renamed room as a new room.
func stored(ctx context.Context, o organizer, opts *formats.Options) error {
	sessions, err := o.Sessions(ctx)
	if err != nil {
		return fmt.Errorf("reading the stored sessions: %w", err)
	}
	if len(sessions.Sessions) == 0 {
		return nil // nothing to keep the IDs of
	}
	rooms, err := o.Rooms(ctx)
	if err != nil {
		return fmt.Errorf("reading the stored rooms: %w", err)
	}
	speakers, err := o.Speakers(ctx)
	if err != nil {
		return fmt.Errorf("reading the stored speakers: %w", err)
	}
	var k formats.Known
	for _, x := range sessions.Sessions {
		k.Sessions = append(k.Sessions, x.ID)
	}
	for _, r := range rooms.Rooms {
		k.Rooms = append(k.Rooms, r.ID)
	}
	for _, p := range speakers.Speakers {
		k.Speakers = append(k.Speakers, p.ID)
	}
	x := sessions.Sessions[0]
	k.UIDDomain = strings.TrimPrefix(x.UID, x.ID+"@")
	if opts.UIDDomain == "" {
		opts.UIDDomain = k.UIDDomain
	}
	opts.Known = k
	return nil
}
