package web_test

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"confcal/web"
)

// allocatedPerByte is the memory the server allocates to answer a GET of
// target, per byte of the page it sends.
func allocatedPerByte(t *testing.T, h http.Handler, target string) float64 {
	t.Helper()
	const runs = 3
	var size int
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for range runs {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", target, rec.Code)
		}
		size = rec.Body.Len()
	}
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc-before.TotalAlloc) / runs / float64(size)
}

// The agenda page of a conference four times as big is about four times
// the bytes, and costs about four times as much to make: nothing a
// session's card shows is made from the whole agenda (its star, when it
// was a link spelling out the new pick, once made a page cost the square
// of its sessions).
func TestPageCostGrowsWithItsSize(t *testing.T) {
	for _, pick := range []string{"", "?pick=s-3,s-150,s-399"} {
		var per []float64
		for _, n := range []int{400, 1600} {
			_, h := serve(t, web.Config{}, agendaOf(t, n))
			per = append(per, allocatedPerByte(t, h, "/"+pick))
		}
		if per[1] > 1.5*per[0] {
			t.Errorf("GET /%s: %.1f bytes allocated per byte of the page at 400 sessions, %.1f at 1600", pick, per[0], per[1])
		}
	}
}
