package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"confcal/api"
	"confcal/seeds"
)

// runImport reads an edited agenda file in the seed's format and applies
// its differences from the stored agenda as one revision: sessions moved,
// retimed, retitled, added, and cancelled when gone from the file (see
// agenda.Editor.Reconcile for how sessions are matched). With -dry-run it
// prints what would change and changes nothing.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "import [flags] FILE", stderr)
	f := addAdminFlags(fs)
	dry := fs.Bool("dry-run", false, "print what would change, change nothing")
	return runAdmin(ctx, fs, f, args, stdin, []string{"an agenda file"}, func(ctx context.Context, c *client, pos []string) error {
		name := pos[0]
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
		contents, err := seeds.Parse(name, src, seeds.FlinkForwardBerlin2019Conference())
		if err != nil {
			return err
		}
		in := api.Import{DryRun: *dry}
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
		if _, err := c.call(ctx, http.MethodPost, "/import", in, &res); err != nil {
			return err
		}
		switch {
		case len(res.Changes) == 0:
			fmt.Fprintf(stdout, "nothing to change: %s matches revision %d\n", name, res.Revision)
		case res.DryRun:
			fmt.Fprintf(stdout, "dry run, nothing changed; importing %s would make revision %d:\n", name, res.Revision)
			printSummaries(stdout, res.Summaries)
		default:
			printSummaries(stdout, res.Summaries)
		}
		for _, w := range res.Warnings {
			fmt.Fprintln(stdout, "warning:", w)
		}
		return nil
	})
}
