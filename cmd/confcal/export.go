package main

import (
	"context"
	"fmt"
	"io"

	"confcal/ical"
	"confcal/web"
)

// runExport writes an iCalendar file to stdout: the whole conference, or
// with filters the union of what they name (the same document the server
// publishes as /feeds/custom.ics for that pick).
func runExport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "export [flags] > agenda.ics", stderr)
	var pick web.Pick
	fs.Func("track", "include the sessions of track `ID` (repeatable, or comma-separated)", listFlag(&pick.Tracks))
	fs.Func("room", "include the sessions in room `ID` (repeatable, or comma-separated)", listFlag(&pick.Rooms))
	fs.Func("day", "include the sessions on `YYYY-MM-DD` (repeatable, or comma-separated)", listFlag(&pick.Days))
	fs.Func("session", "include the session `ID` (repeatable, or comma-separated)", listFlag(&pick.Sessions))
	baseURL := fs.String("base-url", env("CONFCAL_BASE_URL", "http://localhost:8080"),
		"public `URL` of the server, for the session links in events (env CONFCAL_BASE_URL)")
	file := addAgendaFlags(fs)
	data := dataFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := file.check(); err != nil {
		return err
	}
	snap, err := currentAgenda(ctx, file, *data, stdin)
	if err != nil {
		return err
	}
	ed, err := ical.Render(snap, ical.Options{BaseURL: *baseURL}, nil)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	c, err := web.Export(ed, pick)
	if err != nil {
		return &usageError{err: fmt.Errorf("export: %w", err)}
	}
	if _, err := stdout.Write(c.Bytes()); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}
