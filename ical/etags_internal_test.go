package ical

import (
	"encoding/binary"
	"fmt"
	"testing"
)

// The memo answers what hash gave, asks hash once per digest while it
// keeps the digest, stays within two generations, and keeps a digest
// asked for since the last turn.
func TestETagMemo(t *testing.T) {
	m := newETagMemo()
	key := func(i int) digest {
		var d digest
		binary.BigEndian.PutUint64(d[:], uint64(i))
		return d
	}
	calls := 0
	get := func(i int) string {
		return m.get(key(i), func() string { calls++; return fmt.Sprintf(`"%d"`, i) })
	}
	for _, tt := range []struct {
		name  string
		ask   func()
		calls int // hash calls the step makes
	}{
		{"first ask", func() { get(1) }, 1},
		{"again", func() { get(1) }, 0},
		{"a generation and a half", func() {
			for i := 2; i < maxETags*3/2; i++ {
				get(i)
			}
		}, maxETags*3/2 - 2},
		{"the old generation, carried over", func() { get(5) }, 0},
		{"two more generations", func() {
			for i := maxETags * 3 / 2; i < maxETags*7/2; i++ {
				get(i)
			}
		}, maxETags * 2},
		{"dropped, hashed again", func() { get(7) }, 1},
	} {
		calls = 0
		tt.ask()
		if calls != tt.calls {
			t.Errorf("%s: %d hashes, want %d", tt.name, calls, tt.calls)
		}
		if n := len(m.cur) + len(m.old); n > 2*maxETags {
			t.Errorf("%s: %d digests kept, more than two generations", tt.name, n)
		}
	}
	if got := get(3*maxETags + 1); got != fmt.Sprintf(`"%d"`, 3*maxETags+1) {
		t.Errorf("get = %s, not what hash gave", got)
	}
}
