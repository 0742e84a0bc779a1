package main

import (
	"context"
	"fmt"
	"io"

	"confcal/agenda"
	"confcal/catalog"
	"confcal/formats/frabjson"
	"confcal/formats/frabxml"
	"confcal/formats/spreadsheet"
	"confcal/ical"
	"confcal/web"
)

// runExport writes the agenda to stdout: as iCalendar (-format ics, the
// default) the whole conference, or with filters the union of what they
// name (the same document the server publishes as /feeds/custom.ics for
// that pick); or the whole conference as frab's schedule.xml or
// schedule.json, or as CSV for a spreadsheet.
func runExport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "export [flags] > agenda.ics", stderr)
	var pick web.Pick
	fs.Func("track", "include the sessions of track `ID` (repeatable, or comma-separated; ics only)", listFlag(&pick.Tracks))
	fs.Func("room", "include the sessions in room `ID` (repeatable, or comma-separated; ics only)", listFlag(&pick.Rooms))
	fs.Func("day", "include the sessions on `YYYY-MM-DD` (repeatable, or comma-separated; ics only)", listFlag(&pick.Days))
	fs.Func("session", "include the session `ID` (repeatable, or comma-separated; ics only)", listFlag(&pick.Sessions))
	fs.Func("alarm", "give every event a reminder `lead` time before it starts, e.g. 10m or 1h (ics only)", func(v string) error {
		a, err := catalog.ParseAlarm(v)
		pick.Alarm = a
		return err
	})
	format := fs.String("format", "ics", "what to write: ics, schedule-xml, schedule-json or csv")
	baseURL := fs.String("base-url", env("CONFCAL_BASE_URL", "http://localhost:8080"),
		"public `URL` of the server, for the session links (env CONFCAL_BASE_URL)")
	file := addAgendaFlagsNamed(fs, "agenda-format")
	store := addStoreFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := file.check(); err != nil {
		return err
	}
	write, ok := exporters()[*format]
	if !ok {
		return &usageError{err: fmt.Errorf("export: -format %q: want ics, schedule-xml, schedule-json or csv", *format)}
	}
	if *format != "ics" && (!pick.Empty() || pick.Alarm != (catalog.Alarm{})) {
		return &usageError{err: fmt.Errorf("export: -track, -room, -day, -session and -alarm are for the ics export only")}
	}
	snap, err := currentAgenda(ctx, file, store, stdin, stderr)
	if err != nil {
		return err
	}
	b, err := write(snap, *baseURL, pick)
	if err != nil {
		return &usageError{err: fmt.Errorf("export: %w", err)}
	}
	if _, err := stdout.Write(b); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return nil
}

// exporters are the formats export writes.
func exporters() map[string]func(snap *agenda.Snapshot, base string, pick web.Pick) ([]byte, error) {
	return map[string]func(*agenda.Snapshot, string, web.Pick) ([]byte, error){
		"ics": func(snap *agenda.Snapshot, base string, pick web.Pick) ([]byte, error) {
			rendered, err := ical.Render(snap, ical.Options{BaseURL: base}, nil)
			if err != nil {
				return nil, err
			}
			c, err := web.Export(rendered, pick)
			if err != nil {
				return nil, err
			}
			return c.Bytes(), nil
		},
		"schedule-xml": func(snap *agenda.Snapshot, base string, _ web.Pick) ([]byte, error) {
			return frabxml.Export(snap, frabxml.ExportOptions{BaseURL: base})
		},
		"schedule-json": func(snap *agenda.Snapshot, base string, _ web.Pick) ([]byte, error) {
			return frabjson.Export(snap, frabjson.ExportOptions{BaseURL: base})
		},
		"csv": func(snap *agenda.Snapshot, base string, _ web.Pick) ([]byte, error) {
			return spreadsheet.Export(snap, spreadsheet.ExportOptions{BaseURL: base})
		},
	}
}
