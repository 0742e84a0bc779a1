package main

import (
	"context"
	"errors"
	"io"

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
	return runAdmin(ctx, fs, f, args, stdin, []string{"a session ID"}, func(ctx context.Context, c *client, pos []string) error {
		var p api.SessionPatch
		if *room != "" {
			p.Room = room
		}
		if *start != "" {
			p.Start = start
		}
		if *end != "" {
			p.End = end
		}
		if p.Room == nil && p.Start == nil && p.End == nil {
			return &usageError{err: errors.New("say where to: -room, -start or -end")}
		}
		p.Force = *force
		return patchSession(ctx, c, stdout, pos[0], p)
	})
}
