package api

import (
	"bytes"
	"cmp"
	"context"
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

	"confcal/agenda"
)

// Client speaks the admin API to a server: what Local does in this
// process, the command line does with -server through a Client.
type Client struct {
	// Base is the server's URL, e.g. "https://confcal.example.org".
	Base string
	// Token is the admin token; Who names the author of changes (sent as
	// WhoHeader).
	Token, Who string
	// HTTP makes the requests; nil means a client with a 30 s timeout.
	HTTP *http.Client
	// Conference is the slug of the conference the client changes, whose
	// API is at "/{slug}/api"; "" is the default conference's, at "/api".
	Conference string
}

// RemoteError is a server's refusal: its status and message.
type RemoteError struct {
	Status int
	Msg    string
}

// Error returns the server's message.
func (e *RemoteError) Error() string { return e.Msg }

// Session returns session id.
func (c *Client) Session(ctx context.Context, id string) (Session, error) {
	return callFor[Session](ctx, c, http.MethodGet, "/sessions/"+url.PathEscape(id), nil)
}

// PatchSession changes session id as p says when ifMatch ("" for none) is
// still its ETag, and returns it and what the change did, in words.
func (c *Client) PatchSession(ctx context.Context, id string, p SessionPatch, ifMatch string) (Session, []Summary, error) {
	var after Session
	resp, err := c.call(ctx, http.MethodPatch, "/sessions/"+url.PathEscape(id), p, &after, "If-Match", ifMatch)
	if err != nil {
		return Session{}, nil, err
	}
	sums, err := c.summariesOf(ctx, resp, after.ETag != ifMatch)
	return after, sums, err
}

// Sessions lists the sessions, cancelled ones too.
func (c *Client) Sessions(ctx context.Context) (SessionList, error) {
	return callFor[SessionList](ctx, c, http.MethodGet, "/sessions", nil)
}

// Speakers lists the speakers.
func (c *Client) Speakers(ctx context.Context) (SpeakerList, error) {
	return callFor[SpeakerList](ctx, c, http.MethodGet, "/speakers", nil)
}

// Rooms lists the rooms.
func (c *Client) Rooms(ctx context.Context) (RoomList, error) {
	return callFor[RoomList](ctx, c, http.MethodGet, "/rooms", nil)
}

// AddRoom adds the room n describes and says so in words.
func (c *Client) AddRoom(ctx context.Context, n NewRoom) ([]Summary, error) {
	resp, err := c.call(ctx, http.MethodPost, "/rooms", n, nil)
	if err != nil {
		return nil, err
	}
	return c.summariesOf(ctx, resp, true)
}

// RenameRoom renames room id when ifMatch ("" for none) is still its
// ETag, and returns it and what the change did, in words.
func (c *Client) RenameRoom(ctx context.Context, id string, p RoomPatch, ifMatch string) (Room, []Summary, error) {
	var after Room
	resp, err := c.call(ctx, http.MethodPatch, "/rooms/"+url.PathEscape(id), p, &after, "If-Match", ifMatch)
	if err != nil {
		return Room{}, nil, err
	}
	sums, err := c.summariesOf(ctx, resp, after.ETag != ifMatch)
	return after, sums, err
}

// Changes lists the change log after revision since.
func (c *Client) Changes(ctx context.Context, since int64) (ChangeList, error) {
	return callFor[ChangeList](ctx, c, http.MethodGet, "/changes?since="+strconv.FormatInt(since, 10), nil)
}

// Import sends c to the server's POST /import.
func (c *Client) Import(ctx context.Context, contents agenda.Contents, dryRun, force bool) (ImportResult, error) {
	in := ImportOf(contents)
	in.DryRun, in.Force = dryRun, force
	return callFor[ImportResult](ctx, c, http.MethodPost, "/import", in)
}

// summariesOf returns what the revision resp was made from did, in words;
// none when changed is false (the request changed nothing).
func (c *Client) summariesOf(ctx context.Context, resp *http.Response, changed bool) ([]Summary, error) {
	if !changed {
		return nil, nil
	}
	rev, _ := strconv.ParseInt(resp.Header.Get(RevisionHeader), 10, 64)
	list, err := c.Changes(ctx, rev-1)
	if err != nil {
		return nil, err
	}
	var out []Summary
	for _, s := range list.Summaries {
		if s.Revision == rev {
			out = append(out, s)
		}
	}
	return out, nil
}

// callFor is call for a request answered with a T: it returns the answer.
func callFor[T any](ctx context.Context, c *Client, method, path string, body any) (T, error) {
	var out T
	_, err := c.call(ctx, method, path, body, &out)
	return out, err
}

// call sends a request with body (JSON-encoded, or none when nil) and
// decodes a 2xx answer into out. headers come in name, value pairs; an
// empty value sends no header.
func (c *Client) call(ctx context.Context, method, path string, body, out any, headers ...string) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding the request: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	base := strings.TrimRight(c.Base, "/")
	if c.Conference != "" && !strings.HasPrefix(path, "/conferences") {
		// The conferences themselves are the server's, not one's.
		base += "/" + c.Conference
	}
	u := base + "/api" + path
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if c.Who != "" {
		req.Header.Set(WhoHeader, c.Who)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, u, err)
	}
	// confcal's API answers JSON, its errors too; anything else is
	// another server (a web server at that address, a proxy's error
	// page), which is what the user needs to hear rather than the body.
	ct := resp.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(ct)
	notConfcal := func() string {
		return fmt.Sprintf("%s answered %s with %s, not JSON: is %s a confcal server?", u, resp.Status, cmp.Or(ct, "no Content-Type"), c.Base)
	}
	if resp.StatusCode/100 != 2 {
		var e struct{ Error string }
		if json.Unmarshal(data, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(data))
			if len(e.Error) > 200 {
				e.Error = e.Error[:200] + "…"
			}
			if mt != "application/json" {
				e.Error = notConfcal()
			}
		}
		if resp.StatusCode == http.StatusUnauthorized && c.Token == "" {
			e.Error += " (set CONFCAL_ADMIN_TOKEN or -admin-token-file)"
		}
		return resp, &RemoteError{Status: resp.StatusCode, Msg: e.Error}
	}
	if out != nil {
		if mt != "application/json" {
			return resp, errors.New(notConfcal())
		}
		if err := json.Unmarshal(data, out); err != nil {
			return resp, fmt.Errorf("%s %s: reading the answer: %w", method, u, err)
		}
	}
	return resp, nil
}

// Precondition reports whether err says a change lost a race: the
// resource changed after it was read (412 from a server, or
// ErrPrecondition here).
func Precondition(err error) bool {
	var re *RemoteError
	return errors.Is(err, ErrPrecondition) || errors.As(err, &re) && re.Status == http.StatusPreconditionFailed
}

// MassCancel reports whether err refuses an import that would cancel more
// than half of the sessions (409 with MassCancelHint from a server, or
// agenda.ErrMassCancel here).
func MassCancel(err error) bool {
	var re *RemoteError
	return errors.Is(err, agenda.ErrMassCancel) || errors.As(err, &re) && re.Status == http.StatusConflict && strings.HasSuffix(re.Msg, MassCancelHint)
}

// Overlap reports whether err refuses a slot that overlaps another
// session (409 for an overlap from a server, or agenda.ErrOverlap here).
func Overlap(err error) bool {
	var re *RemoteError
	return errors.Is(err, agenda.ErrOverlap) || errors.As(err, &re) && re.Status == http.StatusConflict && strings.HasSuffix(re.Msg, OverlapHint)
}
