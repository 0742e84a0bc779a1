package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"confcal/agenda"
	"confcal/api"
)

// runMove moves a session to another room or time. A new start without an
// end keeps the session's duration.
func runMove(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("move", "move [flags] ID -room R -start 2019-10-08T14:00 [-end 2019-10-08T14:40]", stderr)
	f := addAdminFlags(fs)
	room := fs.String("room", "", "new room `ID`")
	start := fs.String("start", "", "new start, `2019-10-08T14:00` in conference time (or RFC 3339); the end follows, keeping the duration")
	end := fs.String("end", "", "new `end`, when the duration changes too")
	force := fs.Bool("force", false, "allow the new slot to overlap another session in the room")
	// A malformed value is the command line's mistake, found before the
	// store is opened; whether the room exists and the slot is free is
	// the agenda's to say.
	check := func([]string) error {
		if *room == "" && *start == "" && *end == "" {
			return &usageError{err: errors.New("say where to: -room, -start or -end")}
		}
		if *room != "" && !agenda.ValidID(*room) {
			return &usageError{err: fmt.Errorf("-room %q is not a room ID (see confcal rooms)", *room)}
		}
		for _, t := range [...]struct{ flag, v string }{{"-start", *start}, {"-end", *end}} {
			if t.v == "" {
				continue
			}
			// The form is all that is checked here: the zone does not
			// change it, the server reads the time in the conference's.
			if _, err := api.ParseTime(t.v, time.UTC); err != nil {
				return &usageError{err: fmt.Errorf("%s %w", t.flag, err)}
			}
		}
		return nil
	}
	return runAdmin(ctx, fs, f, args, stdin, []string{"a session ID"}, check, func(ctx context.Context, o organizer, pos []string) error {
		p := api.SessionPatch{Force: *force}
		if *room != "" {
			p.Room = room
		}
		if *start != "" {
			p.Start = start
		}
		if *end != "" {
			p.End = end
		}
		return patchSession(ctx, o, stdout, pos[0], p)
	})
}
