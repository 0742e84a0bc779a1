package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// runChanges prints the change log in plain words, one line per revision
// and session (or room), oldest first.
func runChanges(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("changes", "changes [flags] [-since REV]", stderr)
	f := addAdminFlags(fs)
	f.store.readOnly = true
	since := fs.Int64("since", 0, "show only changes after revision `REV`")
	check := func([]string) error {
		if *since < 0 {
			return &usageError{err: fmt.Errorf("-since %d: want a revision number, 0 or more", *since)}
		}
		return nil
	}
	return runAdmin(ctx, fs, f, args, stdin, nil, check, func(ctx context.Context, o organizer, _ []string) error {
		list, err := o.Changes(ctx, *since)
		if err != nil {
			return err
		}
		if len(list.Summaries) == 0 {
			fmt.Fprintf(stdout, "no changes after revision %d (at revision %d)\n", list.Since, list.Revision)
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "REV\tTIME (UTC)\tWHO\tCHANGE")
		for _, s := range list.Summaries {
			at := s.Time
			if t, err := time.Parse(time.RFC3339, s.Time); err == nil {
				at = t.UTC().Format("2006-01-02 15:04")
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", s.Revision, printable(at), printable(s.Who), printable(s.Text))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "(at revision %d)\n", list.Revision)
		return nil
	})
}
