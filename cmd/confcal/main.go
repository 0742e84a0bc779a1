// Command confcal publishes a conference agenda as calendars: .ics feeds
// for the whole conference, each track, room, day and session, and
// personal picks, served over HTTP.
//
// Usage:
//
//	confcal serve [-addr :8080] [-base-url URL] [-agenda FILE]
//	confcal sessions [-agenda FILE | -conference SLUG [-data DIR | -store URL]]
//	confcal export [-agenda FILE | -conference SLUG [-data DIR | -store URL]] [-base-url URL] [-track T] [-room R] [-day YYYY-MM-DD] [-session ID] …
//	confcal move|cancel|restore|rename|rooms|changes|import … [-conference SLUG] [-data DIR | -store URL | -server URL]
//	confcal conferences list|add|remove|restore|purge|token … [-data DIR | -store URL | -server URL]
//	confcal migrate -from DIR_OR_URL -to URL [-force]
//
// Without -agenda, confcal uses the Flink Forward Berlin 2019 agenda built
// into it. Flags have environment equivalents (CONFCAL_ADDR,
// CONFCAL_BASE_URL, CONFCAL_AGENDA); a flag wins over its variable.
//
// The exit status is 0 on success, 2 for a mistake on the command line
// (an unknown flag, a malformed flag value, a filter naming nothing) and 1
// for any other failure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"confcal/agenda"
	"confcal/formats"
	"confcal/seeds"
	"confcal/source"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	var uerr *usageError
	if err != nil && !errors.Is(err, flag.ErrHelp) && !(errors.As(err, &uerr) && uerr.reported) {
		// A message may quote an answer from a server, or text from an
		// agenda file: printed safely, as the commands print their output.
		fmt.Fprintln(os.Stderr, "confcal:", printableLines(err.Error()))
	}
	os.Exit(exitCode(err))
}

// exitCode maps run's error to the process's exit status.
func exitCode(err error) int {
	var uerr *usageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &uerr):
		return 2
	default:
		return 1
	}
}

// usageError is a mistake on the command line (exit status 2). reported
// says the flag package has already printed it with the usage.
type usageError struct {
	err      error
	reported bool
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

const usage = `confcal publishes a conference agenda as calendar feeds.

Usage:

	confcal serve [flags]     serve the feeds over HTTP until interrupted
	confcal sessions [flags]  list the agenda's sessions
	confcal export [flags]    write an .ics of the agenda or a pick of it to stdout
	confcal gen [flags]       write a synthetic agenda (for load tests) to stdout

Organizer commands (on the store in -data or -store URL, or on a running server with
-server URL; on the default conference, or the one -conference SLUG names):

	confcal move ID -room R -start 2019-10-08T14:00 [-end …]   move or retime a session
	confcal cancel ID / confcal restore ID                      cancel a session, bring it back
	confcal rename ID "New title"                               retitle a session
	confcal rooms [rename ID "Name" | add ID "Name"]            list, rename or add rooms
	confcal changes [-since REV]                                what changed, in plain words
	confcal import FILE [-dry-run]                              apply an edited agenda file
	confcal webhooks [list | add URL | remove ID]               POST every revision, signed, to URLs

Conferences (the admin's; same -data, -store or -server):

	confcal conferences [list]                                  list the conferences
	confcal conferences add SLUG FILE|URL [-follow 15m]         add one from its schedule
	confcal conferences remove|restore|purge SLUG               remove (keeping its data), restore, delete
	confcal conferences token SLUG                              make an organizer token of one

Stores:

	confcal migrate -from DIR_OR_URL -to URL [-force]           copy a store into PostgreSQL

Run "confcal COMMAND -h" for a command's flags.
`

// run runs the command line args (without the program name). It returns
// when the command is done or, for serve, when ctx is cancelled and the
// server has shut down.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return &usageError{err: errors.New("no command given"), reported: true}
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(ctx, rest, stdin, stderr)
	case "sessions":
		return runSessions(ctx, rest, stdin, stdout, stderr)
	case "export":
		return runExport(ctx, rest, stdin, stdout, stderr)
	case "gen":
		return runGen(rest, stdout, stderr)
	case "move":
		return runMove(ctx, rest, stdin, stdout, stderr)
	case "cancel":
		return runCancel(ctx, rest, stdin, stdout, stderr)
	case "restore":
		return runRestore(ctx, rest, stdin, stdout, stderr)
	case "rename":
		return runRename(ctx, rest, stdin, stdout, stderr)
	case "rooms":
		return runRooms(ctx, rest, stdin, stdout, stderr)
	case "changes":
		return runChanges(ctx, rest, stdin, stdout, stderr)
	case "import":
		return runImport(ctx, rest, stdin, stdout, stderr)
	case "conferences":
		return runConferences(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "webhooks":
		return runWebhooks(ctx, rest, stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return &usageError{err: fmt.Errorf("unknown command %q", cmd)}
	}
}

// newFlagSet returns a flag set for a subcommand that reports its errors
// and usage (synopsis, then the flags) on stderr.
func newFlagSet(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: confcal %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// subcommand splits the subcommand of command cmd off args: the first
// argument when it is one of subs, subs[0] when args are empty or start
// with a flag, a usage error otherwise. It returns the subcommand's flag
// set, whose usage prints the command's usage text and the flags.
func subcommand(cmd string, args, subs []string, usage string, stderr io.Writer) (string, []string, *flag.FlagSet, error) {
	sub := subs[0]
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
		if !slices.Contains(subs, sub) {
			fmt.Fprint(stderr, usage)
			return "", nil, nil, &usageError{err: fmt.Errorf("%s: unknown subcommand %q: want %s", cmd, sub, strings.Join(subs, ", "))}
		}
	}
	fs := newFlagSet(cmd+" "+sub, cmd+" "+sub+" [flags]", stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage, "\nFlags:\n")
		fs.PrintDefaults()
	}
	return sub, args, fs, nil
}

// parseFlags parses args into fs; the subcommands take no other arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{err: err, reported: true}
	}
	if fs.NArg() > 0 {
		return &usageError{err: fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	return nil
}

// env returns the environment variable key, or def when it is unset or empty.
func env(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

// envBool reports whether the environment variable key is set to a true
// value as strconv.ParseBool reads it ("1", "true", …).
func envBool(key string) bool {
	v, err := strconv.ParseBool(os.Getenv(key))
	return err == nil && v
}

// agendaFlags name where an agenda comes from: -agenda FILE|URL in any
// format confcal imports (detected from the content, or -format), with
// -time-zone for formats that name none. No -agenda means the built-in
// Flink Forward Berlin 2019.
type agendaFlags struct {
	file, format, timeZone, uidDomain *string
	formatFlag                        string // the name of the format flag
}

func addAgendaFlags(fs *flag.FlagSet) *agendaFlags {
	return addAgendaFlagsNamed(fs, "format")
}

// addAgendaFlagsNamed is addAgendaFlags with the format flag called
// formatFlag (export's -format names what it writes).
func addAgendaFlagsNamed(fs *flag.FlagSet, formatFlag string) *agendaFlags {
	var names []string
	for _, f := range source.Formats() {
		names = append(names, string(f))
	}
	return &agendaFlags{
		formatFlag: formatFlag,
		file: fs.String("agenda", env("CONFCAL_AGENDA", ""),
			"agenda `FILE or URL` (\"-\" for stdin) in any format confcal reads, instead of the built-in Flink Forward Berlin 2019 (env CONFCAL_AGENDA)"),
		format: fs.String(formatFlag, env("CONFCAL_FORMAT", ""),
			"the agenda's `format`: "+strings.Join(names, ", ")+"; detected from the content when empty (env CONFCAL_FORMAT)"),
		timeZone: fs.String("time-zone", env("CONFCAL_TIME_ZONE", ""),
			"the conference's IANA time `zone` (e.g. Europe/Brussels), needed by formats that name none (Pentabarf XML, Sessionize, CSV) (env CONFCAL_TIME_ZONE)"),
		uidDomain: fs.String("uid-domain", env("CONFCAL_UID_DOMAIN", ""),
			"`domain` after \"@\" in calendar UIDs, for an agenda whose source gives none (env CONFCAL_UID_DOMAIN)"),
	}
}

// check reports a -format the command line got wrong.
func (a *agendaFlags) check() error {
	if *a.format == "" {
		return nil
	}
	if _, err := source.ParseFormat(*a.format); err != nil {
		return &usageError{err: fmt.Errorf("-%s: %w", a.formatFlag, err)}
	}
	return nil
}

// source returns the -agenda source, nil for the built-in agenda.
func (a *agendaFlags) source() *source.Source {
	if *a.file == "" {
		return nil
	}
	return &source.Source{Location: *a.file, Format: source.Format(*a.format),
		Options: formats.Options{TimeZone: *a.timeZone, UIDDomain: *a.uidDomain}}
}

// read imports the -agenda source (stdin for "-"), or the built-in agenda.
// What the import repaired or skipped is in the result's Problems.
func (a *agendaFlags) read(ctx context.Context, stdin io.Reader) (formats.Result, error) {
	if a.source() == nil {
		snap, err := seeds.Default()
		if err != nil {
			return formats.Result{}, err
		}
		return formats.Result{Contents: snap.Contents()}, nil
	}
	data, opts, err := a.document(ctx, stdin)
	if err != nil {
		return formats.Result{}, err
	}
	res, _, err := source.Parse(data, source.Format(*a.format), opts)
	return res, err
}

// document reads the bytes of the -agenda source (stdin for "-"), which
// must be given, and returns them with the options to import them with.
func (a *agendaFlags) document(ctx context.Context, stdin io.Reader) ([]byte, formats.Options, error) {
	src := a.source()
	opts := src.Options
	if src.Location == "-" {
		opts.Name = "stdin"
		data, err := io.ReadAll(stdin)
		if err != nil {
			return nil, opts, fmt.Errorf("reading the agenda from stdin: %w", err)
		}
		return data, opts, nil
	}
	opts.Name = src.Location
	data, err := src.Fetch(ctx)
	return data, opts, err
}

// snapshot returns revision 1 of the agenda the flags name. What its
// import skipped or repaired is printed to warn, when not nil, a line each.
func (a *agendaFlags) snapshot(ctx context.Context, stdin io.Reader, warn io.Writer) (*agenda.Snapshot, error) {
	res, err := a.read(ctx, stdin)
	if err != nil {
		return nil, err
	}
	if warn != nil {
		for _, p := range res.Problems {
			fmt.Fprintln(warn, "skipped or repaired:", printable(p.String()))
		}
	}
	snap, err := agenda.NewSnapshot(res.Contents, 1, 1, nil)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", *a.file, err)
	}
	return snap, nil
}

// listFlag collects a repeatable flag whose values may also be
// comma-separated lists.
func listFlag(dst *[]string) func(string) error {
	return func(v string) error {
		for item := range strings.SplitSeq(v, ",") {
			if item = strings.TrimSpace(item); item != "" {
				*dst = append(*dst, item)
			}
		}
		return nil
	}
}
