package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/seeds"
)

// runImport reads an edited agenda file in the seed's format and applies
// its differences from the stored agenda as one revision: sessions moved,
// retimed, retitled, added, and cancelled when gone from the file (see
// agenda.Editor.Reconcile for how sessions are matched). With -dry-run it
// prints what would change and changes nothing. The file is read and
// checked before the store is opened, so a file that is refused leaves no
// store behind.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "import [flags] FILE", stderr)
	f := addAdminFlags(fs)
	dry := fs.Bool("dry-run", false, "print what would change, change nothing")
	var (
		name     string
		contents agenda.Contents
	)
	read := func(pos []string) error {
		name = pos[0]
		var src []byte
		var err error
		if name == "-" {
			name = "stdin"
			src, err = io.ReadAll(stdin)
		} else {
			src, err = os.ReadFile(name)
		}
		if err != nil {
			return err
		}
		contents, err = seeds.Parse(name, src, seeds.FlinkForwardBerlin2019Conference())
		return err // a *seeds.Error names the file and line
	}
	return runAdmin(ctx, fs, f, args, stdin, []string{"an agenda file"}, read, func(ctx context.Context, c *client, _ []string) error {
		var res api.ImportResult
		var err error
		if c.svc != nil {
			res, err = importLocal(ctx, c.svc, c.author(), contents, *dry)
		} else {
			res, err = importRemote(ctx, c, contents, *dry)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		switch {
		case len(res.Changes) == 0:
			fmt.Fprintf(stdout, "nothing to change: %s matches revision %d\n", printable(name), res.Revision)
		case res.DryRun:
			fmt.Fprintf(stdout, "dry run, nothing changed; importing %s would make revision %d:\n", printable(name), res.Revision)
			printSummaries(stdout, res.Summaries)
		default:
			printSummaries(stdout, res.Summaries)
		}
		for _, w := range res.Warnings {
			fmt.Fprintln(stdout, "warning:", printable(w))
		}
		return nil
	})
}

// importLocal reconciles the agenda in svc with c as one revision made by
// who (for a dry run, only works that revision out) and reports it as
// POST /api/import would.
func importLocal(ctx context.Context, svc *agenda.Service, who string, c agenda.Contents, dry bool) (api.ImportResult, error) {
	var (
		next     *agenda.Snapshot
		changes  []agenda.Change
		warnings []string
		err      error
	)
	if dry {
		e := svc.Current().Edit(who, time.Now())
		if warnings, err = e.Reconcile(c); err != nil {
			return api.ImportResult{}, err
		}
		if next, err = e.Commit(); err != nil {
			return api.ImportResult{}, err
		}
		changes = e.Changes()
	} else {
		next, changes, err = svc.Change(ctx, who, func(e *agenda.Editor) error {
			var err error
			warnings, err = e.Reconcile(c)
			return err
		})
		if err != nil {
			return api.ImportResult{}, err
		}
	}
	return api.ImportResult{
		Revision: next.Revision(), DryRun: dry, Warnings: warnings,
		Changes: api.Changes(changes), Summaries: api.Summaries(next.Describe(changes)),
	}, nil
}

// importRemote sends c to the server's POST /api/import.
func importRemote(ctx context.Context, c *client, contents agenda.Contents, dry bool) (api.ImportResult, error) {
	in := api.Import{DryRun: dry}
	for _, t := range contents.Tracks {
		in.Tracks = append(in.Tracks, api.ImportTrack{ID: t.ID, Name: t.Name, Color: t.Color})
	}
	for _, r := range contents.Rooms {
		in.Rooms = append(in.Rooms, api.ImportRoom{ID: r.ID, Name: r.Name})
	}
	for _, x := range contents.Sessions {
		in.Sessions = append(in.Sessions, api.NewSession{ID: x.ID, Title: x.Title, Start: x.Start.Format(time.RFC3339),
			End: x.End.Format(time.RFC3339), Room: x.Room, Track: x.Track, Abstract: x.Abstract})
	}
	var res api.ImportResult
	_, err := c.call(ctx, http.MethodPost, "/import", in, &res)
	return res, err
}
