package web

import (
	"net/http"
	"testing"
)

// A field set through fields is its own: adding a value to one, or
// setting more fields than the capacity, leaves the others as they were.
func TestFieldsOwnSlices(t *testing.T) {
	h := http.Header{}
	f := make(fields, 0, 2)
	f.set(h, "Etag", `"a"`)
	f.set(h, "Cache-Control", "no-cache")
	f.set(h, "Vary", "Accept-Encoding") // past the capacity
	h.Add("ETag", `"b"`)
	h.Add("Cache-Control", "private")
	for key, want := range map[string][]string{
		"Etag":          {`"a"`, `"b"`},
		"Cache-Control": {"no-cache", "private"},
		"Vary":          {"Accept-Encoding"},
	} {
		got := h.Values(key)
		if len(got) != len(want) {
			t.Errorf("%s = %q, want %q", key, got, want)
			continue
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("%s = %q, want %q", key, got, want)
			}
		}
	}
}
