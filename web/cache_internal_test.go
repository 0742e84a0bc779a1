package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
)

// checkSize fails unless the cache's bytes are the sum of what it keeps
// and within its bound.
func checkSize(t *testing.T, c *bodyCache) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	sum := 0
	for el := c.lru.Front(); el != nil; el = el.Next() {
		sum += len(el.Value.(*cached).b)
	}
	if sum != c.size || c.size > c.max || len(c.byKey) != c.lru.Len() {
		t.Fatalf("cache of %d entries (%d by key) holds %d bytes, counts %d, bound %d", c.lru.Len(), len(c.byKey), sum, c.size, c.max)
	}
}

// The body cache keeps at most its bound in bytes, dropping the least
// recently used first; a body over the bound is served but not kept; a
// gzip copy counts like any body and unzips to the plain one; a body many
// requests want at once is made once.
func TestBodyCacheBound(t *testing.T) {
	c := newBodyCache(100)
	made := map[string]int{}
	maker := func(key string, n int) func() []byte {
		return func() []byte {
			made[key]++
			return bytes.Repeat([]byte(key[1:2]), n)
		}
	}
	keys := make([]string, 30)
	for i := range keys {
		keys[i] = fmt.Sprintf(`"%c%02d"`, 'a'+i%26, i)
		b, err := c.get(keys[i], false, maker(keys[i], 30))
		if err != nil || len(b) != 30 || b[0] != keys[i][1] {
			t.Fatalf("get(%s) = %q, %v", keys[i], b, err)
		}
		checkSize(t, c)
	}
	// The last three fit (90 bytes) and are served without being made
	// again; using the oldest of them keeps it when a new body comes, and
	// the next oldest goes instead.
	for _, k := range keys[27:] {
		if made[k] != 1 {
			t.Errorf("%s made %d times before it was asked for again", k, made[k])
		}
	}
	c.get(keys[27], false, maker(keys[27], 30))
	c.get(`"new"`, false, maker(`"new"`, 30))
	checkSize(t, c)
	c.get(keys[27], false, maker(keys[27], 30))
	c.get(keys[29], false, maker(keys[29], 30))
	if made[keys[27]] != 1 || made[keys[29]] != 1 {
		t.Errorf("%s (used last) made %d times, %s made %d times; want both kept", keys[27], made[keys[27]], keys[29], made[keys[29]])
	}
	c.get(keys[28], false, maker(keys[28], 30))
	if made[keys[28]] != 2 {
		t.Errorf("%s, the least recently used, made %d times, want twice: it should have been dropped", keys[28], made[keys[28]])
	}
	c.get(keys[0], false, maker(keys[0], 30))
	if made[keys[0]] != 2 {
		t.Errorf("%s, long dropped, made %d times, want twice", keys[0], made[keys[0]])
	}

	// Over the bound: served, never kept, nothing else dropped for it.
	c.mu.Lock()
	before := c.lru.Len()
	c.mu.Unlock()
	for range 2 {
		if b, _ := c.get(`"big"`, false, maker(`"big"`, 101)); len(b) != 101 {
			t.Fatalf("a body over the bound: %d bytes served, want 101", len(b))
		}
	}
	c.mu.Lock()
	after := c.lru.Len()
	c.mu.Unlock()
	if made[`"big"`] != 2 || after != before {
		t.Errorf("a body over the bound was made %d times and the cache went from %d to %d entries; want it made each time and nothing dropped",
			made[`"big"`], before, after)
	}
	checkSize(t, c)

	// A gzip copy is a body of its own, within the same bound.
	z, err := c.get(`"zip"`, true, maker(`"zip"`, 40))
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, bytes.Repeat([]byte("z"), 40)) {
		t.Errorf("the gzip copy unzips to %q, %v", plain, err)
	}
	checkSize(t, c)
}

func TestBodyCacheMakesOnce(t *testing.T) {
	c := newBodyCache(1 << 20)
	var made atomic.Int32
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			<-start
			for _, gz := range []bool{false, true} {
				b, err := c.get(`"once"`, gz, func() []byte {
					made.Add(1)
					return bytes.Repeat([]byte("x"), 1000)
				})
				if err != nil || len(b) == 0 {
					t.Errorf("get(gzip %v) = %d bytes, %v", gz, len(b), err)
				}
			}
		})
	}
	close(start)
	wg.Wait()
	if n := made.Load(); n != 1 {
		t.Errorf("a body wanted by 8 requests at once, plain and gzipped, was made %d times, want once", n)
	}
	checkSize(t, c)
}
