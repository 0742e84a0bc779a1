// Package page is the attendee's web page: the agenda by day with filters,
// session details, subscribe blocks for every feed (webcal, Google,
// Outlook.com, copyable link, QR code, one-time download), a personal
// agenda of starred sessions that lives in the page URL, and set-up help
// for calendar apps.
//
// Everything is rendered on the server with html/template and works
// without JavaScript; a small script served from /static/ only remembers
// the starred sessions in local storage and adds copy buttons. The page
// loads nothing from other hosts. The pages are rendered here; package web
// serves them, and the feeds they link to.
package page

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"confcal/agenda"
	"confcal/catalog"
)

//go:embed templates/*.html static/*
var files embed.FS

// Renderer renders the attendee's pages. It is safe for concurrent use.
type Renderer struct {
	pages  map[string]*template.Template
	static map[string]Asset
	qr     *qrCache

	mu sync.Mutex
	// css holds the stylesheet agendaCSS made last for each conference
	// (by name and UID domain), with the snapshot it was made from: a
	// server of many conferences links each one's on every page.
	css map[string]stylesheet
}

// stylesheet is agenda.css as made from one snapshot.
type stylesheet struct {
	snap  *agenda.Snapshot
	asset Asset
}

// Asset is a static file held in memory.
type Asset struct {
	Body []byte
	Type string // Content-Type
	ETag string // strong, quoted
}

// Query is what a page request says beyond the agenda: its URL's query
// (filters and the attendee's pick), the absolute base of its links, the
// time (for "changed in the last 24 hours") and where stored picks are.
type Query struct {
	Values url.Values
	// Base is the absolute URL of the conference's page, without the
	// trailing slash; Prefix is its path, which every local link starts
	// with: "" while its page is the server's root, "/{slug}" otherwise
	// (even for a page served at the root, once "/" lists conferences).
	Base   string
	Prefix string
	Now    time.Time
	Picks  PickStore
	// PickKey is the name under which the page's script remembers the
	// attendee's pick in the browser: the conference's, whatever URL its
	// page is served at, so that a pick made while the conference was
	// the server's root survives "/" becoming the list of conferences.
	// PickKeyBefore is where an earlier version kept it (under the
	// page's prefix, "" at the root), read once when PickKey holds
	// nothing; "" for none. An empty PickKey lets the script use the
	// prefix, as before.
	PickKey, PickKeyBefore string
}

// links is where the query's page links point.
func (q Query) links() links { return links{abs: q.Base, prefix: q.Prefix} }

// Error is a request the page cannot answer (an unknown session, a
// malformed day, a full pick store): its message is for the attendee,
// Status the HTTP status it answers with.
type Error struct {
	status int
	msg    string
	cause  error // what made it, if anything (a pick store's error)
}

// Error returns the message for the attendee.
func (e *Error) Error() string { return e.msg }

// Status returns the HTTP status the error answers with.
func (e *Error) Status() int { return e.status }

// Unwrap returns the error's cause, if any: a pick store's, so that
// errors.Is tells a full store (ErrPicksFull) from a busy one.
func (e *Error) Unwrap() error { return e.cause }

func pageError(status int, format string, args ...any) error {
	return &Error{status: status, msg: fmt.Sprintf(format, args...)}
}

// CSP is the Content-Security-Policy of every page: nothing from other
// hosts, no inline script or style.
const CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// New parses the embedded templates and static files.
func New() (*Renderer, error) {
	h := &Renderer{pages: map[string]*template.Template{}, static: map[string]Asset{}, qr: newQRCache(512)}
	for _, name := range []string{"page.css", "my.js"} {
		b, err := fs.ReadFile(files, "static/"+name)
		if err != nil {
			return nil, fmt.Errorf("page: %w", err)
		}
		ctype := "text/css; charset=utf-8"
		if strings.HasSuffix(name, ".js") {
			ctype = "text/javascript; charset=utf-8"
		}
		h.static[name] = newAsset(b, ctype)
	}
	base, err := template.New("").Funcs(template.FuncMap{
		"static": func(name string) string {
			return "/static/" + name + "?v=" + strings.Trim(h.static[name].ETag, `"`)[:12]
		},
		"sessions": SessionCount,
	}).ParseFS(files, "templates/layout.html", "templates/parts.html")
	if err != nil {
		return nil, fmt.Errorf("page: templates: %w", err)
	}
	for _, name := range []string{"index", "session", "help", "error", "conferences"} {
		t, err := template.Must(base.Clone()).ParseFS(files, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("page: template %s: %w", name, err)
		}
		h.pages[name] = t
	}
	return h, nil
}

// SessionCount says n sessions in words: "1 session", "0 sessions", "12 sessions".
func SessionCount(n int) string {
	if n == 1 {
		return "1 session"
	}
	return strconv.Itoa(n) + " sessions"
}

func newAsset(body []byte, ctype string) Asset {
	sum := sha256.Sum256(body)
	return Asset{Body: body, Type: ctype, ETag: `"` + hex.EncodeToString(sum[:16]) + `"`}
}

// render executes the named page into w; the page is made whole in a
// buffer first, so a failed render writes nothing.
func (h *Renderer) render(w io.Writer, name string, data any) error {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		return fmt.Errorf("page: render %s: %w", name, err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// errorData is the data of the error page.
type errorData struct {
	common
	Status  int
	Message string
}

// Error renders the error page of status with msg.
// prefix is the conference's path prefix ("" at the root), as in Query.
func (h *Renderer) Error(w io.Writer, snap *agenda.Snapshot, prefix string, status int, title, msg string) error {
	return h.render(w, "error", errorData{common: h.common(snap, state{prefix: prefix}, title), Status: status, Message: msg})
}

// Listed is one conference on the list of a server's conferences: the
// revision it serves, and the absolute URL and path prefix of its page.
type Listed struct {
	Slug   string
	Snap   *agenda.Snapshot
	Base   string // e.g. "https://host/pycon-2027"
	Prefix string // e.g. "/pycon-2027"
}

// listData is the data of the conference list.
type listData struct {
	Title          string
	Upcoming, Past []listEntry
}

type listEntry struct {
	Slug, Name, Dates, TimeZone string
	Page, Help, CalDAV          string
	Sessions                    int
	Sub                         sub
}

// Conferences renders the list of a server's conferences, in the order
// given, split into those not over by today and those past, each with the
// subscribe block of its whole-conference feed.
func (h *Renderer) Conferences(w io.Writer, title string, list []Listed, today agenda.Date) error {
	d := listData{Title: title}
	for _, c := range list {
		conf := c.Snap.Conference()
		at := links{abs: c.Base, prefix: c.Prefix}
		e := listEntry{Slug: c.Slug, Name: conf.Name, Dates: dateRange(conf.First, conf.Last), TimeZone: conf.TimeZone,
			Page: c.Prefix + "/", Help: c.Prefix + "/help", CalDAV: at.dav(), Sessions: c.Snap.Len(),
			Sub: newSub(at, "sub-"+c.Slug, conf.Name, catalog.Whole(c.Snap))}
		if conf.Last.Before(today) {
			d.Past = append(d.Past, e)
		} else {
			d.Upcoming = append(d.Upcoming, e)
		}
	}
	return h.render(w, "conferences", d)
}

// stateParams are the query parameters parseState reads.
var stateParams = []string{"day", "track", "room", "my", "pick", catalog.AlarmParam}

// AgendaQuery reports whether v names any of what the agenda page reads
// from its URL: a filter, a pick, a stored pick's code, a reminder or a
// star (Toggle). Such a query asks for one conference's agenda, not for a
// server's list of conferences.
func AgendaQuery(v url.Values) bool {
	if ToggleQuery(v) {
		return true
	}
	for _, k := range stateParams {
		if v.Has(k) {
			return true
		}
	}
	return false
}

// ToggleQuery reports whether v is a star's request, which Toggle
// answers.
func ToggleQuery(v url.Values) bool { return v.Has(toggleParam) || v.Has(unstarParam) }

// parseState reads the filters and the pick from q (stateParams).
func parseState(ctx context.Context, snap *agenda.Snapshot, q Query) (state, []string, error) {
	v := q.Values
	s := state{prefix: q.Prefix, pickKey: q.PickKey, pickKeyBefore: q.PickKeyBefore}
	var notices []string
	if d := v.Get("day"); d != "" {
		day, err := agenda.ParseDate(d)
		if err != nil {
			return s, nil, pageError(400, "The day %q is not a date (want YYYY-MM-DD).", truncate(d, 20))
		}
		if snap.NumByDay(day) == 0 && !containsDay(snap.Days(), day) {
			return s, nil, pageError(404, "%s is not a day of the conference.", day)
		}
		s.day = day.String()
	}
	if t := v.Get("track"); t != "" {
		if _, ok := snap.Track(t); !ok {
			return s, nil, pageError(404, "There is no track %q.", truncate(t, 40))
		}
		s.track = t
	}
	if r := v.Get("room"); r != "" {
		if _, ok := snap.Room(r); !ok {
			return s, nil, pageError(404, "There is no room %q.", truncate(r, 40))
		}
		s.room = r
	}
	var ids []string
	switch code := v.Get("my"); {
	case code != "":
		if !ValidCode(code) {
			return s, nil, pageError(404, "This personal agenda link is not valid.")
		}
		stored, err := q.Picks.Load(ctx, code)
		if errors.Is(err, ErrUnknownPick) {
			return s, nil, pageError(404, "This personal agenda link is unknown or has expired.")
		}
		if err != nil {
			return s, nil, fmt.Errorf("page: load pick: %w", err)
		}
		ids, s.code, s.pickSet = stored, code, true
	case v.Has("pick"):
		s.pickSet = true
		if p := v.Get("pick"); p != "" {
			ids = strings.Split(p, ",")
		}
		if len(ids) > MaxPick {
			return s, nil, pageError(400, "A personal agenda holds at most %d sessions.", MaxPick)
		}
	}
	if v, ok := v[catalog.AlarmParam]; ok {
		a, err := catalog.ParseAlarm(v[0])
		if err != nil || len(v) > 1 {
			return s, nil, pageError(400, "The reminder %q is not one this page offers: choose one under “My agenda” (want e.g. alarm=10m or alarm=1h, at most 24h).", truncate(v[0], 20))
		}
		s.alarm = a
	}
	known, unknown := canonicalPick(snap, ids)
	if len(unknown) > 0 {
		var names []string
		for _, u := range unknown[:min(len(unknown), 5)] {
			names = append(names, fmt.Sprintf("%q", truncate(u, 40)))
		}
		notices = append(notices, fmt.Sprintf("Your starred sessions named %d that this agenda does not have (%s); they were left out.", len(unknown), strings.Join(names, ", ")))
		s.code = "" // the stored pick is no longer what the page shows
	}
	s.pick = known
	return s, notices, nil
}

func containsDay(days []agenda.Date, d agenda.Date) bool {
	for _, x := range days {
		if x == d {
			return true
		}
	}
	return false
}
