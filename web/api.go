package web

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"confcal/agenda"
	"confcal/api"
)

// The admin API (package api says what its documents are, and its status
// codes): reads are public; writes need "Authorization: Bearer <token>" and
// go through the agenda.Service, so when a write returns, every feed and
// calendar already shows it.

// adminAPI serves a conference's API routes; host runs its agenda.
type adminAPI struct {
	s    *Server
	host Host
}

// whoPrefix starts the author recorded for every change made through the
// API: "api" alone, or "api:alice" with a Confcal-Who of "alice".
const whoPrefix = "api"

// requireToken lets a write to the request's conference through with the
// admin token, or with one of that conference's organizer tokens (host
// knows them): 401 without a token or with an unknown one, 403 with a
// token of another conference.
func (s *Server) requireToken(host Host, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		given, ok := s.bearerOf(w, r, host)
		if !ok {
			return
		}
		if s.isAdmin(given) {
			next.ServeHTTP(w, r)
			return
		}
		slug, err := host.TokenConference(r.Context(), given)
		switch {
		case errors.Is(err, agenda.ErrNoConference):
			s.wrongToken(w, r, host)
		case err != nil:
			s.fail(w, r, fmt.Errorf("web: checking an organizer token: %w", err))
		case slug != slugOf(r):
			s.fail(w, r, errorf(http.StatusForbidden, "this organizer token is for conference %s; it changes nothing here", slug))
		default:
			next.ServeHTTP(w, r)
		}
	})
}

// requireAdmin lets a request through only with the admin token: 403 for
// an organizer's token, 401 for none or a wrong one.
func (s *Server) requireAdmin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.asAdmin(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// asAdmin reports whether r carries the admin token; when it does not, it
// has answered r (401, 403), counting a wrong token against the client.
func (s *Server) asAdmin(w http.ResponseWriter, r *http.Request) bool {
	given, ok := s.bearerOf(w, r, nil)
	if !ok {
		return false
	}
	if !s.isAdmin(given) {
		if strings.HasPrefix(given, OrganizerTokenPrefix) {
			s.fail(w, r, errorf(http.StatusForbidden, "conferences are managed with the admin token; an organizer's token changes one conference only"))
			return false
		}
		s.wrongToken(w, r, nil)
		return false
	}
	return true
}

// OrganizerTokenPrefix starts every organizer token, so that one is told
// from a mistyped admin token.
const OrganizerTokenPrefix = "cct_"

// bearerOf returns the request's bearer token, or answers the request
// itself: 403 when no token could ever be right (writes disabled), 401
// when it carries none.
func (s *Server) bearerOf(w http.ResponseWriter, r *http.Request, host Host) (string, bool) {
	_, one := host.(one)
	if s.cfg.Token == "" && (host == nil || one) {
		s.fail(w, r, errorf(http.StatusForbidden, "writes are disabled: %s", enableWrites))
		return "", false
	}
	if s.authBlocked(w, r) {
		return "", false
	}
	given, ok := bearer(r.Header.Get("Authorization"))
	if !ok {
		s.authFailed(r)
		w.Header().Set("WWW-Authenticate", `Bearer realm="confcal"`)
		what := "the admin token"
		if !one && host != nil {
			what = "the admin token or an organizer token of this conference"
		}
		s.fail(w, r, errorf(http.StatusUnauthorized, "this needs %s: send Authorization: Bearer <token>", what))
		return "", false
	}
	return given, true
}

// enableWrites says how writes with the admin token are enabled.
const enableWrites = "start the server with CONFCAL_ADMIN_TOKEN set or with -admin-token-file naming a file that holds the token"

// isAdmin reports whether token is the admin token, in constant time.
func (s *Server) isAdmin(token string) bool {
	if s.cfg.Token == "" {
		return false
	}
	want := sha256.Sum256([]byte(s.cfg.Token))
	sum := sha256.Sum256([]byte(token))
	return subtle.ConstantTimeCompare(sum[:], want[:]) == 1
}

// wrongToken answers a token that is nobody's (host nil: where only the
// admin token would do).
func (s *Server) wrongToken(w http.ResponseWriter, r *http.Request, host Host) {
	s.authFailed(r)
	w.Header().Set("WWW-Authenticate", `Bearer realm="confcal", error="invalid_token"`)
	_, one := host.(one)
	switch {
	case host == nil || one:
		s.fail(w, r, errorf(http.StatusUnauthorized, "wrong admin token"))
	case s.cfg.Token == "":
		s.fail(w, r, errorf(http.StatusUnauthorized, "wrong token: it is no organizer token, and writes with the admin token are disabled: %s", enableWrites))
	default:
		s.fail(w, r, errorf(http.StatusUnauthorized, "wrong token: neither the admin token nor an organizer token"))
	}
}

// bearer returns the token of an Authorization field value in the Bearer
// scheme (RFC 6750 §2.1). Auth schemes are case-insensitive (RFC 9110
// §11.1), so "bearer" and "BEARER" are the same scheme; blanks around the
// token are dropped.
func bearer(field string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(field), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// snapshot returns the revision being served and says so in the answer's
// Confcal-Revision header.
func (a *adminAPI) snapshot(w http.ResponseWriter, r *http.Request) (*agenda.Snapshot, error) {
	st, err := a.s.site(r)
	if err != nil {
		return nil, err
	}
	w.Header().Set(api.RevisionHeader, strconv.FormatInt(st.snap.Revision(), 10))
	return st.snap, nil
}

// answer writes a read's JSON answer, which clients must revalidate.
func (a *adminAPI) answer(w http.ResponseWriter, r *http.Request, status int, v any) error {
	w.Header().Set("Cache-Control", "no-cache")
	a.s.writeJSON(w, r, status, v)
	return nil
}

func (a *adminAPI) listSessions(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.snapshot(w, r)
	if err != nil {
		return err
	}
	return a.answer(w, r, http.StatusOK, api.SessionsOf(snap))
}

func (a *adminAPI) getSession(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.snapshot(w, r)
	if err != nil {
		return err
	}
	return a.writeSession(w, r, http.StatusOK, snap, r.PathValue("id"))
}

// writeSession answers with session id of snap (404 when there is none).
func (a *adminAPI) writeSession(w http.ResponseWriter, r *http.Request, status int, snap *agenda.Snapshot, id string) error {
	x, ok := snap.Session(id)
	if !ok {
		return errorf(http.StatusNotFound, "no session %q", id)
	}
	body := api.FromSession(snap, x)
	return a.writeTagged(w, r, status, snap, body.ETag, body)
}

// writeTagged answers with body, a session or room of snap whose ETag is
// etag (the one PATCH's If-Match takes), or 304 when a GET's If-None-Match
// already has it.
func (a *adminAPI) writeTagged(w http.ResponseWriter, r *http.Request, status int, snap *agenda.Snapshot, etag string, body any) error {
	w.Header().Set(api.RevisionHeader, strconv.FormatInt(snap.Revision(), 10))
	w.Header().Set("ETag", etag)
	if notModified(r, etag, time.Time{}) {
		w.Header().Set("Cache-Control", "no-cache")
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return a.answer(w, r, status, body)
}

func (a *adminAPI) listRooms(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.snapshot(w, r)
	if err != nil {
		return err
	}
	return a.answer(w, r, http.StatusOK, api.RoomsOf(snap))
}

func (a *adminAPI) listTracks(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.snapshot(w, r)
	if err != nil {
		return err
	}
	list := api.TrackList{Revision: snap.Revision(), Tracks: []api.Track{}}
	for _, t := range snap.Tracks() {
		list.Tracks = append(list.Tracks, api.Track{ID: t.ID, Name: t.Name, Color: t.Color, Sessions: snap.NumByTrack(t.ID)})
	}
	return a.answer(w, r, http.StatusOK, list)
}

func (a *adminAPI) listSpeakers(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.snapshot(w, r)
	if err != nil {
		return err
	}
	return a.answer(w, r, http.StatusOK, api.SpeakersOf(snap))
}

func (a *adminAPI) listChanges(w http.ResponseWriter, r *http.Request) error {
	q, err := queryOf(r)
	if err != nil {
		return err
	}
	var since int64
	if v := q.Get("since"); v != "" {
		if since, err = strconv.ParseInt(v, 10, 64); err != nil || since < 0 {
			return errorf(http.StatusBadRequest, "since: %q is not a revision number", v)
		}
	}
	st, err := a.s.awaitRevision(r, since)
	if err != nil {
		return err
	}
	snap := st.snap
	w.Header().Set(api.RevisionHeader, strconv.FormatInt(snap.Revision(), 10))
	list, err := api.ChangesSince(snap, since)
	if err != nil {
		return err
	}
	return a.answer(w, r, http.StatusOK, list)
}

// queryOf returns the request's query parameters: 400 for a query that
// does not parse, as URL.Query drops the pairs it cannot read and the
// request would be answered as if they had not been sent.
func queryOf(r *http.Request) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "malformed query: %v", err)
	}
	return q, nil
}

// write decodes a write's JSON body into body and names the change's
// author: the steps every write starts with.
func (a *adminAPI) write(r *http.Request, body any) (*agenda.Service, string, error) {
	svc, _, ok := a.host.Service(slugOf(r))
	if !ok || svc == nil {
		return nil, "", errorf(http.StatusServiceUnavailable, "this server takes no changes")
	}
	if svc.Current() == nil {
		// The service is not loaded yet: there is no agenda to change,
		// and the changes read times in its time zone.
		return nil, "", errorf(http.StatusServiceUnavailable, "%s", errNotLoaded)
	}
	if err := decodeJSON(r, body); err != nil {
		return nil, "", err
	}
	v := strings.TrimSpace(r.Header.Get(api.WhoHeader))
	if v == "" {
		return svc, whoPrefix, nil
	}
	if !api.ValidWho(v) {
		return nil, "", errorf(http.StatusBadRequest, "%s: want up to %d printable characters", api.WhoHeader, api.MaxWho)
	}
	return svc, whoPrefix + ":" + v, nil
}

// editSessions is write for a change of the sessions, which api.RefuseFollowed
// refuses while the agenda follows a source.
func (a *adminAPI) editSessions(r *http.Request, body any) (*agenda.Service, string, error) {
	svc, author, err := a.write(r, body)
	if err != nil {
		return nil, "", err
	}
	_, src, _ := a.host.Service(slugOf(r))
	if err := api.RefuseFollowed(src); err != nil {
		return nil, "", err
	}
	return svc, author, nil
}

func (a *adminAPI) patchSession(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p api.SessionPatch
	svc, author, err := a.editSessions(r, &p)
	if err != nil {
		return err
	}
	next, _, err := api.PatchSession(r.Context(), svc, author, id, p, r.Header.Values("If-Match"))
	if err != nil {
		return err
	}
	return a.writeSession(w, r, http.StatusOK, next, id)
}

func (a *adminAPI) createSession(w http.ResponseWriter, r *http.Request) error {
	var n api.NewSession
	svc, author, err := a.editSessions(r, &n)
	if err != nil {
		return err
	}
	next, id, err := api.CreateSession(r.Context(), svc, author, n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimRight(r.URL.Path, "/")+"/"+id)
	return a.writeSession(w, r, http.StatusCreated, next, id)
}

func (a *adminAPI) getRoom(w http.ResponseWriter, r *http.Request) error {
	snap, err := a.snapshot(w, r)
	if err != nil {
		return err
	}
	return a.writeRoom(w, r, http.StatusOK, snap, r.PathValue("id"))
}

// writeRoom answers with room id of snap (404 when there is none).
func (a *adminAPI) writeRoom(w http.ResponseWriter, r *http.Request, status int, snap *agenda.Snapshot, id string) error {
	room, ok := snap.Room(id)
	if !ok {
		return errorf(http.StatusNotFound, "no room %q", id)
	}
	body := api.FromRoom(snap, room)
	return a.writeTagged(w, r, status, snap, body.ETag, body)
}

func (a *adminAPI) createRoom(w http.ResponseWriter, r *http.Request) error {
	var n api.NewRoom
	svc, author, err := a.write(r, &n)
	if err != nil {
		return err
	}
	next, id, err := api.AddRoom(r.Context(), svc, author, n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", strings.TrimRight(r.URL.Path, "/")+"/"+id)
	return a.writeRoom(w, r, http.StatusCreated, next, id)
}

func (a *adminAPI) patchRoom(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	var p api.RoomPatch
	svc, author, err := a.write(r, &p)
	if err != nil {
		return err
	}
	next, err := api.RenameRoom(r.Context(), svc, author, id, p, r.Header.Values("If-Match"))
	if err != nil {
		return err
	}
	return a.writeRoom(w, r, http.StatusOK, next, id)
}

func (a *adminAPI) importAgenda(w http.ResponseWriter, r *http.Request) error {
	var in api.Import
	svc, author, err := a.editSessions(r, &in)
	if err != nil {
		return err
	}
	snap, err := a.snapshot(w, r)
	if err != nil {
		return err
	}
	c, err := in.Contents(snap.Conference(), snap.Location())
	if err != nil {
		return err
	}
	res, err := api.ImportContents(r.Context(), svc, author, c, in.DryRun, in.Force)
	if err != nil {
		return err
	}
	w.Header().Set(api.RevisionHeader, strconv.FormatInt(res.Revision, 10))
	a.s.writeJSON(w, r, http.StatusOK, res)
	return nil
}

// decodeJSON reads a JSON object (the body is capped by limitBodyAndSetHeaders: 413 above
// MaxBody) into v, refusing unknown fields, trailing data and bodies that
// are not JSON or not an object (encoding/json takes null for an object
// and leaves v as it is: a PATCH of null would be answered as a change of
// nothing), and what checkMembers refuses.
func decodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return errorf(http.StatusUnsupportedMediaType, "the body must be JSON (Content-Type: application/json), not %q", ct)
		}
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return decodeError(err)
	}
	if raw[0] != '{' {
		return errorf(http.StatusBadRequest, "want a JSON object, got %s", kindOf(raw))
	}
	obj := json.NewDecoder(bytes.NewReader(raw))
	obj.DisallowUnknownFields()
	if err := obj.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return decodeError(err)
		}
		return errorf(http.StatusBadRequest, "malformed JSON: data after the object")
	}
	return checkMembers(raw, r.Method == http.MethodPatch)
}

// checkMembers refuses what decoding the object raw passed over without a
// word: bytes that are not UTF-8 (turned into U+FFFD), a member named
// twice in any object of it, nested ones too (the last one won; names
// match fields whatever their case, so "Title" and "title" are one), and,
// in a patch, a null member (it left the field as it was, where the
// client may mean to clear it; elsewhere null is the field's zero value,
// as encoders write an empty list). raw has been decoded into a struct
// refusing unknown fields, and every object of a request is a struct's
// (none a map's, whose keys differ by case), so its members are known and
// few.
func checkMembers(raw json.RawMessage, patch bool) error {
	if !utf8.Valid(raw) {
		return errorf(http.StatusBadRequest, "malformed JSON: the body is not UTF-8")
	}
	return checkValue(raw, "", patch)
}

// checkValue is checkMembers for the value raw, at path in the body
// ("sessions[2].speakers[0]"; "" for the body itself). A member's path is
// made only where it is needed: for an error, or to look inside it.
func checkValue(raw json.RawMessage, path string, patch bool) error {
	object := raw[0] == '{'
	if !object && raw[0] != '[' {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // the "{" or "["
		return decodeError(err)
	}
	var names []string
	for i := 0; dec.More(); i++ {
		var name string
		if object {
			tok, err := dec.Token()
			if err != nil {
				return decodeError(err)
			}
			name, _ = tok.(string)
		}
		member := func() string {
			switch {
			case !object:
				return fmt.Sprintf("%s[%d]", path, i)
			case path == "":
				return name
			}
			return path + "." + name
		}
		if object {
			for _, n := range names {
				if strings.EqualFold(n, name) {
					return errorf(http.StatusBadRequest, "field %q is given twice", member())
				}
			}
			names = append(names, name)
		}
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return decodeError(err)
		}
		if patch && string(val) == "null" {
			return errorf(http.StatusBadRequest, "field %q is null: leave it out, or send a value (\"\" or [] clears it)", member())
		}
		if val[0] == '{' || val[0] == '[' {
			if err := checkValue(val, member(), false); err != nil {
				return err
			}
		}
	}
	return nil
}

// kindOf names the kind of the JSON value raw (never empty: the decoder
// gives a value or an error).
func kindOf(raw json.RawMessage) string {
	switch raw[0] {
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 'n':
		return "null"
	case 't', 'f':
		return "a boolean"
	}
	return "a number"
}

func decodeError(err error) error {
	var (
		tooBig *http.MaxBytesError
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &tooBig):
		return errorf(http.StatusRequestEntityTooLarge, "the body is larger than %d bytes", tooBig.Limit)
	case errors.Is(err, io.EOF):
		return errorf(http.StatusBadRequest, "malformed JSON: the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return errorf(http.StatusBadRequest, "malformed JSON: the body ends too early")
	case errors.As(err, &syntax):
		return errorf(http.StatusBadRequest, "malformed JSON at byte %d: %v", syntax.Offset, syntax)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return errorf(http.StatusBadRequest, "field %q: want a JSON %s, got %s", typ.Field, typ.Type, typ.Value)
		}
		return errorf(http.StatusBadRequest, "want a JSON object, got %s", typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return errorf(http.StatusBadRequest, "unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return errorf(http.StatusBadRequest, "malformed JSON: %v", err)
}
