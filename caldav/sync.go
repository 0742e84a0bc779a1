package caldav

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// This file is the sync-collection REPORT (RFC 6578), which go-webdav
// v0.7.0 does not have at all (it answers 400 "unsupported REPORT root").
//
// A sync token names a calendar (or the home) and a revision of the agenda:
//
//	<base URL>/sync/<epoch>/<calendar>/<revision>
//
// It stands for "the calendar as it was after that revision". The token a
// calendar hands out is the revision in which its membership or one of its
// members last changed, so it (and the ctag, which is the same string) moves
// only when that calendar changed. Given an old token, the agenda's change
// log says which sessions changed since (Snapshot.ChangedSince) and what
// each looked like then (Snapshot.SessionsAt), which is enough to tell
// members that changed or joined (200) from members that left (404).
//
// DAV:limit is honoured by truncation (RFC 6578 §3.6): the answer holds at
// most that many members, then a 507 response for the calendar itself and
// a continuation token
//
//	<base URL>/sync/<epoch>/<calendar>/<revision>/<current>/<sent>
//
// meaning "the calendar after <revision>, plus the first <sent> entries of
// the changes up to revision <current>". A continuation token is refused
// once the agenda moved past <current>; the client then starts over, as
// RFC 6578 lets a server demand at any time.

// syncPoint is a parsed sync token.
type syncPoint struct {
	id      string // calendar ID or homeID
	rev     int64  // the state the client holds; 0 = nothing (initial sync)
	upTo    int64  // for continuation tokens: the revision the entries were listed at
	skip    int    // for continuation tokens: entries already sent
	partial bool
}

// parseSyncToken reads a token this view could have issued. It reports
// false for a token of another server, epoch or calendar, a malformed one,
// or one naming a revision the change log no longer (or not yet) covers.
func (v *view) parseSyncToken(tok, id string) (syncPoint, bool) {
	sp, ok := v.readSyncToken(tok, id)
	if !ok {
		return syncPoint{}, false
	}
	cur, base := v.snap.Revision(), v.snap.BaseRevision()
	if sp.partial {
		if sp.upTo != cur || sp.rev > sp.upTo {
			return syncPoint{}, false
		}
		// Only a continuation may start from nothing (an initial sync cut
		// short); a complete token always names a revision in the log.
		if sp.rev == 0 {
			return sp, true
		}
	}
	if sp.rev < base || sp.rev > cur {
		return syncPoint{}, false
	}
	return sp, true
}

// readSyncToken reads a token of calendar id in the form this server and
// epoch issue, without checking its revisions against the change log.
func (v *view) readSyncToken(tok, id string) (syncPoint, bool) {
	rest, ok := strings.CutPrefix(strings.TrimSpace(tok), v.syncBase+v.epoch+"/"+id+"/")
	if !ok {
		return syncPoint{}, false
	}
	f := strings.Split(rest, "/")
	if len(f) != 1 && len(f) != 3 {
		return syncPoint{}, false
	}
	num := func(s string) (int64, bool) {
		n, err := strconv.ParseInt(s, 10, 64)
		return n, err == nil && n >= 0 && strconv.FormatInt(n, 10) == s
	}
	sp := syncPoint{id: id}
	if sp.rev, ok = num(f[0]); !ok {
		return syncPoint{}, false
	}
	if len(f) == 3 {
		skip, ok2 := num(f[2])
		upTo, ok1 := num(f[1])
		if !ok1 || !ok2 || skip < 1 || skip > 1<<30 {
			return syncPoint{}, false
		}
		sp.upTo, sp.skip, sp.partial = upTo, int(skip), true
	}
	return sp, true
}

// awaitToken waits (Options.Await) until the rendering served reaches the
// revision tok names, when tok is a token of v's calendar id (or a
// continuation) from a revision after v's, and returns the view of that
// rendering. It reports false for any other token, and when the wait is
// over before the revision came.
func (h *Handler) awaitToken(r *http.Request, v *view, tok, id string) (*view, bool) {
	sp, ok := v.readSyncToken(tok, id)
	want := max(sp.rev, sp.upTo)
	if !ok || want <= v.snap.Revision() || h.await == nil {
		return nil, false
	}
	h.await(r.Context(), want)
	if nv, err := h.view(); err == nil && nv.snap.Revision() >= want {
		return nv, true
	}
	return nil, false
}

// continuation renders a continuation token.
func (v *view) continuation(sp syncPoint, sent int) string {
	return v.syncBase + v.epoch + "/" + sp.id + "/" + strconv.FormatInt(sp.rev, 10) + "/" +
		strconv.FormatInt(v.snap.Revision(), 10) + "/" + strconv.Itoa(sent)
}

// syncEntry is one member in a sync answer: changed or new (obj set),
// or removed (obj nil; segment names it). For the home, cal is set.
type syncEntry struct {
	segment string // last path segment, for the order
	cal     *calendar
	obj     *object
}

// calendarChanges lists the changes of calendar c since revision rev (>
// 0), sorted by path.
func (v *view) calendarChanges(c *calendar, rev int64) ([]syncEntry, error) {
	ids, err := v.snap.ChangedSince(rev)
	if err != nil {
		return nil, err
	}
	then, err := v.snap.SessionsAt(rev)
	if err != nil {
		return nil, err
	}
	var out []syncEntry
	sel := c.selection()
	for _, id := range ids {
		if c.memberSet[id] {
			o := v.objects[id]
			out = append(out, syncEntry{segment: o.segment, cal: c, obj: o})
			continue
		}
		was, ok, err := then(id)
		if err != nil {
			return nil, err
		}
		if ok && v.snap.Selects(sel, was) {
			out = append(out, syncEntry{segment: id + objectSuffix, cal: c})
		}
	}
	slices.SortFunc(out, func(a, b syncEntry) int { return strings.Compare(a.segment, b.segment) })
	return out, nil
}

// homeChanges lists the calendars that changed since revision rev (0:
// all), sorted by path. Calendars are never removed from the agenda.
func (v *view) homeChanges(rev int64) []syncEntry {
	var out []syncEntry
	for _, c := range v.cals {
		if rev == 0 || c.changed > rev {
			out = append(out, syncEntry{segment: c.id + "/", cal: c})
		}
	}
	slices.SortFunc(out, func(a, b syncEntry) int { return strings.Compare(a.segment, b.segment) })
	return out
}

// serveSync answers a sync-collection REPORT on a calendar or the home.
func (h *Handler) serveSync(w http.ResponseWriter, r *http.Request, v *view, res resource, req *davRequest) {
	if res.kind != resCalendar && res.kind != resHome {
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "supported-report"),
			"sync-collection works on calendars and the calendar home")
		return
	}
	// RFC 6578 §3.2 defines the report for Depth 0 only, but clients
	// written against earlier drafts send Depth 1, and both mean the same
	// here.
	if d := r.Header.Get("Depth"); d != "" && d != "0" && d != "1" {
		h.fail(w, r, http.StatusBadRequest, "sync-collection: Depth must be 0")
		return
	}
	// sync-level is required by RFC 6578, but old clients leave it out.
	// Calendars have no child collections, so "infinite" means "1" there;
	// the home would have to report the calendars' objects as well.
	switch lvl := strings.TrimSpace(req.SyncLevel); {
	case lvl == "" || lvl == "1":
	case lvl == "infinite" && res.kind == resCalendar:
	case lvl == "infinite":
		h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "sync-traversal-supported"),
			"sync-collection: sync-level infinite is not supported on the calendar home")
		return
	default:
		h.fail(w, r, http.StatusBadRequest, "sync-collection: sync-level must be 1 or infinite")
		return
	}
	limit := -1
	if req.Limit != nil {
		n, err := strconv.Atoi(strings.TrimSpace(req.Limit.NResults))
		if err != nil || n < 1 {
			h.fail(w, r, http.StatusBadRequest, "sync-collection: DAV:limit needs a positive DAV:nresults")
			return
		}
		limit = n
	}
	// Without DAV:prop the answer carries getetag, which is what a client
	// syncing needs.
	pq := newPropQuery(modeProp, []xml.Name{nameGetETag})
	if req.Prop != nil || req.AllProp != nil || req.PropName != nil {
		var err error
		if pq, err = req.propQuery(); err != nil {
			h.fail(w, r, http.StatusBadRequest, "sync-collection: "+err.Error())
			return
		}
	}
	id := homeID
	if res.kind == resCalendar {
		id = res.cal.id
	}
	sp := syncPoint{id: id}
	if req.SyncToken != nil && strings.TrimSpace(*req.SyncToken) != "" {
		var ok bool
		if sp, ok = v.parseSyncToken(*req.SyncToken, id); !ok {
			if nv, ok := h.awaitToken(r, v, *req.SyncToken, id); ok {
				h.serveSync(w, r, nv, nv.resolve(r.URL.Path), req)
				return
			}
			h.precondition(w, r, http.StatusForbidden, condition(nsDAV, "valid-sync-token"),
				"sync-collection: unknown or expired sync token; sync again from an empty token")
			return
		}
	}
	// What the answer lists, in path order: for an initial sync of a
	// calendar its members (straight from the calendar, not copied), else
	// the changes since the token.
	var members []*object
	var changes []syncEntry
	current := v.syncToken(id, v.homeSince)
	switch {
	case res.kind == resHome:
		changes = v.homeChanges(sp.rev)
	case sp.rev == 0:
		members = res.cal.byPath()
		current = v.syncToken(id, res.cal.changed)
	default:
		var err error
		if changes, err = v.calendarChanges(res.cal, sp.rev); err != nil {
			h.fail(w, r, http.StatusInternalServerError, err.Error())
			return
		}
		current = v.syncToken(id, res.cal.changed)
	}
	// A continuation starts after what was sent: the agenda is still at
	// the revision the first part was listed at (parseSyncToken checked),
	// so the list is the same.
	first, end := 0, len(members)+len(changes)
	if sp.partial {
		first = min(sp.skip, end)
	}
	truncated := limit >= 0 && end-first > limit
	if truncated {
		end = first + limit
		current = v.continuation(sp, end)
	}
	out := h.newMultistatus(w)
	for i := first; i < end && out.ok(); i++ {
		var e syncEntry
		if members != nil {
			e = syncEntry{segment: members[i].segment, cal: res.cal, obj: members[i]}
		} else {
			e = changes[i]
		}
		switch {
		case res.kind == resHome:
			v.writeResponse(out, resource{kind: resCalendar, cal: e.cal}, &pq, true)
		case e.obj != nil:
			v.writeResponse(out, resource{kind: resObject, cal: e.cal, obj: e.obj}, &pq, true)
		default:
			out.beginResponse(e.cal.hrefXML, escape(url.PathEscape(e.segment)))
			out.status(http.StatusNotFound)
			out.endResponse()
		}
	}
	if truncated {
		// RFC 6578 §3.6: the request-URI with 507 says "there is more".
		out.beginResponse(escape(escapePath(res.path)))
		out.status(http.StatusInsufficientStorage)
		out.raw(davErrorElem(condition(nsDAV, "number-of-matches-within-limits")))
		out.endResponse()
	}
	out.finish(current)
}
