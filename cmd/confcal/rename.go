package main

import (
	"context"
	"io"

	"confcal/api"
)

// runRename gives a session a new title; its ID and calendar UID stay.
func runRename(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("rename", `rename [flags] ID "New title"`, stderr)
	f := addAdminFlags(fs)
	return runAdmin(ctx, fs, f, args, stdin, []string{"a session ID", "a title"}, nil, func(ctx context.Context, o organizer, pos []string) error {
		return patchSession(ctx, o, stdout, pos[0], api.SessionPatch{Title: &pos[1]})
	})
}
