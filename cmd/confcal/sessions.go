package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"confcal/agenda"
)

// runSessions prints the agenda (currentAgenda's: an -agenda file, or a
// conference of the store) as a table, one session a row, in agenda order:
// ID, day, start–end, room, track and title (each cell printable).
func runSessions(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("sessions", "sessions [flags]", stderr)
	from := addReadFlags(fs, "format")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := from.check(fs); err != nil {
		return err
	}
	snap, _, err := currentAgenda(ctx, from, stdin, stderr)
	if err != nil {
		return err
	}
	return writeSessions(stdout, snap)
}

func writeSessions(w io.Writer, snap *agenda.Snapshot) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDAY\tTIME\tROOM\tTRACK\tTITLE")
	for _, x := range snap.Sessions() {
		room, _ := snap.Room(x.Room)
		track, _ := snap.Track(x.Track)
		title := x.Title
		if x.Status == agenda.StatusCancelled {
			title += " (cancelled)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s–%s\t%s\t%s\t%s\n",
			printable(x.ID), snap.Day(x), agenda.Clock(x.Start), agenda.Clock(x.End), printable(room.Name), printable(track.Name), printable(title))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("sessions: %w", err)
	}
	return nil
}
