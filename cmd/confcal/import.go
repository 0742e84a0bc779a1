package main

import (
	"context"
	"fmt"
	"io"

	"confcal/formats"
)

// runImport reads an agenda — a file or URL in any format confcal reads —
// and applies its differences from the stored agenda as one revision:
// sessions moved, retimed, retitled, added, and cancelled when gone from
// the file (see agenda.Editor.Reconcile for how sessions are matched). A
// version that would cancel more than half of the sessions is refused
// unless -force. With -dry-run it prints what would change and changes
// nothing. The source is read and checked before the store is opened, so
// one that is refused leaves no store behind.
func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", "import [flags] FILE|URL", stderr)
	f := addAdminFlags(fs)
	dry := fs.Bool("dry-run", false, "print what would change, change nothing")
	force := fs.Bool("force", false, "apply a version that cancels more than half of the sessions")
	var (
		name string
		res  formats.Result
	)
	read := func(pos []string) error {
		if err := f.seed.check(); err != nil {
			return err
		}
		name = pos[0]
		src := *f.seed
		src.file = &name
		var err error
		res, err = src.read(ctx, stdin)
		return err // an importer's error names the file and where
	}
	return runAdmin(ctx, fs, f, args, stdin, []string{"an agenda file or URL"}, read, func(ctx context.Context, o organizer, _ []string) error {
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
