package main

import (
	"context"
	"io"

	"confcal/agenda"
	"confcal/api"
)

// runCancel cancels a session: it stays in the feeds, marked cancelled.
func runCancel(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return setStatus(ctx, "cancel", agenda.StatusCancelled, args, stdin, stdout, stderr)
}

// runRestore brings a cancelled session back.
func runRestore(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	return setStatus(ctx, "restore", agenda.StatusConfirmed, args, stdin, stdout, stderr)
}

func setStatus(ctx context.Context, name string, status agenda.Status, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet(name, name+" [flags] ID", stderr)
	f := addAdminFlags(fs)
	force := new(bool) // cancelling frees a slot: nothing to force
	if status == agenda.StatusConfirmed {
		force = fs.Bool("force", false, "restore even if the slot now overlaps another session in the room")
	}
	return runAdmin(ctx, fs, f, args, stdin, []string{"a session ID"}, nil, func(ctx context.Context, o organizer, pos []string) error {
		s := string(status)
		return patchSession(ctx, o, stdout, pos[0], api.SessionPatch{Status: &s, Force: *force})
	})
}
