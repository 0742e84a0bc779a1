package main

import (
	"context"
	"fmt"
	"io"
	"net/url"

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
// schedule.json, or as CSV for a spreadsheet. The agenda is
// currentAgenda's: an -agenda file, or a conference of the store.
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
		"public `URL` of the server, for the session links; a -conference other than the default adds /SLUG, as the server does (env CONFCAL_BASE_URL)")
	from := addReadFlags(fs, "agenda-format")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := from.check(fs); err != nil {
		return err
	}
	write, ok := exporters()[*format]
	if !ok {
		return &usageError{err: fmt.Errorf("export: -format %q: want ics, schedule-xml, schedule-json or csv", *format)}
	}
	if *format != "ics" && (!pick.Empty() || pick.Alarm != (catalog.Alarm{})) {
		return &usageError{err: fmt.Errorf("export: -track, -room, -day, -session and -alarm are for the ics export only")}
	}
	if u, err := url.Parse(*baseURL); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return &usageError{err: fmt.Errorf("export: -base-url %q is not an http(s) URL", *baseURL)}
	}
	snap, path, err := currentAgenda(ctx, from, stdin, stderr)
	if err != nil {
		return err
	}
	// The links of a conference other than the default start under its
	// slug on the server (/SLUG/sessions/ID): an export of it is what
	// the server serves as /SLUG/feeds/…, byte for byte.
	base := conferenceBase(*baseURL, path)
	// A pick naming what the agenda does not have is a mistake on the
	// command line; checked here, so that an export that fails after it
	// is not taken for one (exit 1, not 2).
	if !pick.Empty() {
		if _, err := pick.Resolve(snap); err != nil {
			return &usageError{err: fmt.Errorf("export: %w", err)}
		}
	}
	b, err := write(snap, base, pick)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if *format == "schedule-xml" {
		// Exported all the same (a feed of the agenda must not fail for
		// one session), but the file says less than the agenda: say so.
		for _, x := range frabxml.Shortened(snap) {
			fmt.Fprintf(stderr, "export: warning: session %q lasts %s, longer than schedule.xml can carry: written as lasting %s\n",
				printable(x.ID), agenda.HoursMinutes(x.Duration()), agenda.HoursMinutes(agenda.MaxSessionLength))
		}
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
