package api

import (
	"fmt"
	"net/http"
	"strings"

	"confcal/agenda"
)

// tagIndex knows, for one revision, the last revision that changed each
// session and room. A resource's ETag is built from that revision (and a
// session's sequence), so it changes exactly when the resource does — an
// abstract edit too, which leaves SEQUENCE alone — and stays the same, across
// revisions and restarts, for everything a change did not touch.
type tagIndex struct {
	snap    *agenda.Snapshot
	session map[string]int64
	room    map[string]int64
}

func buildTags(snap *agenda.Snapshot) *tagIndex {
	t := &tagIndex{snap: snap, session: map[string]int64{}, room: map[string]int64{}}
	for _, c := range snap.Log() {
		if c.Session != "" {
			t.session[c.Session] = c.Revision
		} else if c.Room != "" {
			t.room[c.Room] = c.Revision
		}
	}
	return t
}

// tagsFor returns the index of snap, cached for the current revision.
func (a *api) tagsFor(snap *agenda.Snapshot) *tagIndex {
	if t := a.tags.Load(); t != nil && t.snap == snap {
		return t
	}
	t := buildTags(snap)
	a.tags.Store(t)
	return t
}

func (t *tagIndex) changedAt(revs map[string]int64, id string) int64 {
	if rev, ok := revs[id]; ok {
		return rev
	}
	return t.snap.BaseRevision()
}

// sessionETag returns the strong ETag of session x.
func (t *tagIndex) sessionETag(x agenda.Session) string {
	return fmt.Sprintf(`"s%d.%d"`, t.changedAt(t.session, x.ID), x.Sequence)
}

// roomETag returns the strong ETag of room id.
func (t *tagIndex) roomETag(id string) string {
	return fmt.Sprintf(`"r%d"`, t.changedAt(t.room, id))
}

// checkIfMatch evaluates If-Match against the current ETag of an existing
// resource with the strong comparison (RFC 9110 §13.1.1): a weak tag never
// matches, "*" always does, and no header means no condition.
func checkIfMatch(r *http.Request, etag string) error {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return nil
	}
	for _, v := range values {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimSpace(tag)
			if tag == "*" || tag == etag {
				return nil
			}
		}
	}
	return fmt.Errorf("If-Match %s does not match the current ETag %s; read the resource again: %w",
		strings.Join(values, ", "), etag, errPrecondition)
}

// ifNoneMatch reports whether If-None-Match (weak comparison) matches etag.
func ifNoneMatch(r *http.Request, etag string) bool {
	for _, v := range r.Header.Values("If-None-Match") {
		for tag := range strings.SplitSeq(v, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == etag {
				return true
			}
		}
	}
	return false
}
