package ical

import (
	"crypto/sha256"
	"sync"
)

// A feed's ETag is the first half of the SHA-256 of its exact bytes, in
// hex, quoted: the tag every release has given those bytes, so that a
// subscriber's validator survives an upgrade and a restart. Hashing a
// feed's bytes costs its size, though, and a personal pick is put
// together for every request. So a feed is first named by its digest, a
// hash of its head's and its events' own hashes (each made once, when
// the head or event was rendered: 16 bytes an event), and the ETag of the
// bytes a digest names is remembered: a feed whose events did not change
// since it was last asked for, in this revision or an earlier one, is not
// hashed again.

// digest names the bytes of a calendar: it is the same for two calendars
// exactly when their heads and lists of events are.
type digest [sumSize]byte

// etagMemo remembers the ETags of the bodies it was asked about, by their
// digest. It is bounded: when the current generation is full it becomes
// the old one, the one before is dropped, and a digest found only in the
// old generation is carried over; so the digests asked for since the last
// turn stay. One memo is shared by a conference's renderings (Render
// hands it on), since what a digest names does not depend on the revision.
type etagMemo struct {
	// mu is read-locked to look up the current generation, the common
	// case, which polls from every core make at once.
	mu       sync.RWMutex
	cur, old map[digest]string
}

// maxETags is how many digests a generation holds: with the one before,
// about 2 MB at the most.
const maxETags = 1 << 13

func newETagMemo() *etagMemo { return &etagMemo{cur: map[digest]string{}} }

// get returns the ETag of the bytes d names, computed by hash on the
// first request for them since they were last dropped.
func (m *etagMemo) get(d digest, hash func() string) string {
	m.mu.RLock()
	tag, ok := m.cur[d]
	m.mu.RUnlock()
	if ok {
		return tag
	}
	m.mu.Lock()
	if tag, ok = m.cur[d]; !ok {
		if tag, ok = m.old[d]; ok {
			m.put(d, tag)
		}
	}
	m.mu.Unlock()
	if ok {
		return tag
	}
	// Hashed outside the lock: two first requests for one body may both
	// hash it, and agree.
	tag = hash()
	m.mu.Lock()
	m.put(d, tag)
	m.mu.Unlock()
	return tag
}

// put records tag under d; m.mu is held.
func (m *etagMemo) put(d digest, tag string) {
	if len(m.cur) >= maxETags {
		m.old, m.cur = m.cur, make(map[digest]string, maxETags)
	}
	m.cur[d] = tag
}

// bodyETag returns the ETag of the calendar of head and events: the hash
// of its exact bytes, computed over the pieces as they are listed.
func bodyETag(head []byte, events []*event) string {
	h := sha256.New()
	h.Write(head)
	for _, ev := range events {
		h.Write(ev.body)
	}
	h.Write([]byte(calendarEnd))
	var sum [sha256.Size]byte
	return quoteHex(h.Sum(sum[:0])[:sumSize])
}
