package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/sqlite"
)

// The organizer commands (move, cancel, restore, rename, rooms, changes)
// speak the admin API: to a running server with -server, or else to the
// API's handler run inside this process over the local store. One code
// path, so the same rules, messages and status codes either way. import
// speaks the API to a server only: on the local store it hands the parsed
// file to the agenda service itself, since a large agenda exceeds what the
// API takes in one request body (api.MaxBody). The agenda's rules are the
// same either way; they live in package agenda.

// defaultDataDir is where the store lives when neither -data nor
// CONFCAL_DATA says otherwise.
const defaultDataDir = "./confcal-data"

// dataFlag defines -data, shared by serve and the organizer commands.
func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", env("CONFCAL_DATA", defaultDataDir),
		"data `directory` holding the agenda store, created if missing (env CONFCAL_DATA)")
}

// tokenFileFlag defines -admin-token-file, shared by serve and the organizer
// commands.
func tokenFileFlag(fs *flag.FlagSet) *string {
	return fs.String("admin-token-file", env("CONFCAL_ADMIN_TOKEN_FILE", ""),
		"`file` holding the admin API token (else env CONFCAL_ADMIN_TOKEN)")
}

// adminToken returns the admin token: the file's content (trimmed) when
// file is set, else CONFCAL_ADMIN_TOKEN; "" when neither is set.
func adminToken(file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(os.Getenv("CONFCAL_ADMIN_TOKEN")), nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("admin token: %s is empty", file)
	}
	return tok, nil
}

// adminFlags are the flags every organizer command takes.
type adminFlags struct {
	data, server, tokenFile, who, agendaFile *string
}

func addAdminFlags(fs *flag.FlagSet) *adminFlags {
	user := env("USER", "")
	return &adminFlags{
		data:      dataFlag(fs),
		server:    fs.String("server", env("CONFCAL_SERVER", ""), "`URL` of a running confcal server to change through its API, instead of the local store (env CONFCAL_SERVER)"),
		tokenFile: tokenFileFlag(fs),
		who:       fs.String("who", user, "`name` recorded in the change log as the change's author (default $USER)"),
		agendaFile: fs.String("agenda", env("CONFCAL_AGENDA", ""),
			"agenda `file` imported when the local store is still empty, instead of the built-in one (env CONFCAL_AGENDA)"),
	}
}

// parseArgs parses args into fs, flags and positional arguments in any
// order ("move ID -room R" as well as "move -room R ID"; after "--" all are
// positional), and checks that there are exactly len(names) positional
// arguments, named in names for the error message.
func parseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, &usageError{err: err, reported: true}
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	if len(pos) != len(names) {
		want := "no arguments"
		if len(names) > 0 {
			want = strings.Join(names, " and ")
		}
		fs.Usage()
		return nil, &usageError{err: fmt.Errorf("%s: want %s, got %d argument(s)", fs.Name(), want, len(pos)), reported: false}
	}
	return pos, nil
}

// client talks to the admin API.
type client struct {
	base  string // the API's root URL, without a trailing slash
	http  *http.Client
	token string
	who   string
	// svc is the agenda service over the local store that the in-process
	// API runs on, nil with -server; a command may call it directly.
	svc   *agenda.Service
	close func() error
}

// localWho starts the author of every change made on the local store, as
// api.Config.WhoPrefix: "cli", or "cli:alice" with -who alice.
const localWho = "cli"

// author names the author of a change made through svc, as the
// in-process API names it.
func (c *client) author() string {
	if who := strings.TrimSpace(c.who); who != "" {
		return localWho + ":" + who
	}
	return localWho
}

// dial connects to the API: the server's when -server is set, else an
// in-process one over the store in the data directory (importing the
// built-in agenda, or -agenda, if the store is new).
func dial(ctx context.Context, f *adminFlags, stdin io.Reader) (*client, error) {
	if *f.server != "" {
		u, err := url.Parse(*f.server)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, &usageError{err: fmt.Errorf("-server %q is not an http(s) URL", *f.server)}
		}
		tok, err := adminToken(*f.tokenFile)
		if err != nil {
			return nil, err
		}
		return &client{
			base: strings.TrimRight(*f.server, "/") + "/api", token: tok, who: *f.who,
			http:  &http.Client{Timeout: 30 * time.Second},
			close: func() error { return nil },
		}, nil
	}
	store, err := sqlite.Open(ctx, *f.data)
	if err != nil {
		return nil, err
	}
	file := *f.agendaFile
	svc, err := agenda.Open(ctx, store, func() (*agenda.Snapshot, error) { return loadAgenda(file, stdin) }, nil)
	if err != nil {
		store.Close()
		return nil, err
	}
	// The in-process API needs a token like any other; this one never
	// leaves the process.
	tok := rand.Text()
	h := api.New(api.Config{Service: svc, Token: tok, BaseURL: "http://localhost", WhoPrefix: localWho})
	return &client{
		base: "http://confcal.local", token: tok, who: *f.who, svc: svc,
		http:  &http.Client{Transport: handlerTransport{h}},
		close: store.Close,
	}, nil
}

// handlerTransport answers requests by calling a handler in this process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	w := &memResponse{header: http.Header{}, status: http.StatusOK}
	t.h.ServeHTTP(w, req)
	if req.Body != nil {
		req.Body.Close()
	}
	return &http.Response{
		Status: fmt.Sprintf("%d %s", w.status, http.StatusText(w.status)), StatusCode: w.status,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: w.header, Body: io.NopCloser(&w.body), ContentLength: int64(w.body.Len()), Request: req,
	}, nil
}

// memResponse is an http.ResponseWriter that keeps the response in memory.
type memResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (w *memResponse) Header() http.Header { return w.header }

func (w *memResponse) WriteHeader(status int) {
	if !w.wrote {
		w.status, w.wrote = status, true
	}
}

func (w *memResponse) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return w.body.Write(b)
}

// apiError is a refusal from the API: its status and message.
type apiError struct {
	status int
	msg    string
}

func (e *apiError) Error() string {
	msg := e.msg
	if m, ok := strings.CutSuffix(msg, api.OverlapHint); ok {
		msg = m + " (run again with -force to allow it)"
	}
	return fmt.Sprintf("%s (%d %s)", msg, e.status, http.StatusText(e.status))
}

// call sends a request with body (JSON-encoded, or none when nil) and
// decodes a 2xx answer into out. headers come in name, value pairs.
func (c *client) call(ctx context.Context, method, path string, body, out any, headers ...string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, c.base+path, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.who != "" {
		req.Header.Set(api.WhoHeader, c.who)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, req.URL, err)
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Error string }
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
			if len(e.Error) > 200 {
				e.Error = e.Error[:200] + "…"
			}
		}
		if resp.StatusCode == http.StatusUnauthorized && c.token == "" {
			e.Error += " (set CONFCAL_ADMIN_TOKEN or -admin-token-file)"
		}
		return resp, &apiError{status: resp.StatusCode, msg: e.Error}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return resp, fmt.Errorf("%s %s: reading the answer: %w", method, req.URL, err)
		}
	}
	return resp, nil
}

// revisionOf returns the revision a response was made from.
func revisionOf(resp *http.Response) int64 {
	rev, _ := strconv.ParseInt(resp.Header.Get(api.RevisionHeader), 10, 64)
	return rev
}

// summariesOf returns the plain-words summaries of revision rev.
func (c *client) summariesOf(ctx context.Context, rev int64) ([]api.Summary, error) {
	var list api.ChangeList
	if _, err := c.call(ctx, http.MethodGet, "/changes?since="+strconv.FormatInt(rev-1, 10), nil, &list); err != nil {
		return nil, err
	}
	var out []api.Summary
	for _, s := range list.Summaries {
		if s.Revision == rev {
			out = append(out, s)
		}
	}
	return out, nil
}

// printSummaries writes one line per summary.
func printSummaries(w io.Writer, sums []api.Summary) {
	for _, s := range sums {
		fmt.Fprintf(w, "revision %d: %s\n", s.Revision, printable(s.Text))
	}
}

// patchSession changes session id as p says, guarded by the ETag it reads
// first (no update between the read and the write is lost), and prints
// what changed.
func patchSession(ctx context.Context, c *client, stdout io.Writer, id string, p api.SessionPatch) error {
	var before api.Session
	if _, err := c.call(ctx, http.MethodGet, "/sessions/"+url.PathEscape(id), nil, &before); err != nil {
		return err
	}
	var after api.Session
	resp, err := c.call(ctx, http.MethodPatch, "/sessions/"+url.PathEscape(id), p, &after, "If-Match", before.ETag)
	var aerr *apiError
	if errors.As(err, &aerr) && aerr.status == http.StatusPreconditionFailed {
		return fmt.Errorf("session %q changed while this command ran; look at it again and repeat: %w", id, err)
	}
	if err != nil {
		return err
	}
	if after.ETag == before.ETag {
		fmt.Fprintf(stdout, "nothing changed: %s is already like that\n", printable(id))
		return nil
	}
	sums, err := c.summariesOf(ctx, revisionOf(resp))
	if err != nil {
		return err
	}
	printSummaries(stdout, sums)
	return nil
}

// runAdmin runs an organizer command: parse the flags and positional
// arguments, check them (unless check is nil), connect, and call do.
// check runs before anything is opened, so a mistake it finds (a
// *usageError for one on the command line) leaves no store behind.
func runAdmin(ctx context.Context, fs *flag.FlagSet, f *adminFlags, args []string, stdin io.Reader, names []string,
	check func(pos []string) error, do func(ctx context.Context, c *client, pos []string) error) error {
	pos, err := parseArgs(fs, args, names...)
	if err != nil {
		return err
	}
	if !api.ValidWho(strings.TrimSpace(*f.who)) {
		return &usageError{err: fmt.Errorf("%s: -who %q: want up to %d printable characters", fs.Name(), *f.who, api.MaxWho)}
	}
	if check != nil {
		if err := check(pos); err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
	}
	c, err := dial(ctx, f, stdin)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	err = do(ctx, c, pos)
	if cerr := c.close(); cerr != nil && err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return nil
}
