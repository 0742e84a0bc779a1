//go:build !race

package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
)

// TestCrossOriginPollInBrowser: a page of another site polls the public
// feed from headless Chromium as a script would, sending the ETag it got
// back as If-None-Match, a header that makes the browser ask with a CORS
// preflight (OPTIONS) first: both fetches are answered, the second with a
// 304 the page sees. A cross-origin write to the API is not let through
// its preflight.
func TestCrossOriginPollInBrowser(t *testing.T) {
	chromium, driver := needBrowser(t)
	ts, _, _ := hostedSeed(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>another site</title><p>polls a feed")
	}))
	defer other.Close()
	wd := startBrowser(t, chromium, driver)
	wd.navigate(other.URL + "/")
	wd.script(`window.polled = null; (async () => {
		const out = {};
		try {
			const u = ` + strconv.Quote(ts.URL+"/feeds/all.ics") + `;
			const first = await fetch(u);
			out.first = first.status;
			out.etag = first.headers.get("ETag");
			out.vevent = (await first.text()).includes("BEGIN:VEVENT");
			const again = await fetch(u, {headers: {"If-None-Match": out.etag}});
			out.again = again.status;
		} catch (e) { out.pollError = String(e); }
		try {
			await fetch(` + strconv.Quote(ts.URL+"/api/sessions") + `, {method: "POST", headers: {"Content-Type": "application/json"}, body: "{}"});
			out.write = "let through";
		} catch (e) { out.write = "refused"; }
		window.polled = out;
	})(); return true`)
	var got map[string]any
	wd.waitFor(func() bool {
		got, _ = wd.script("return window.polled").(map[string]any)
		return got != nil
	})
	if got["pollError"] != nil || got["first"] != float64(200) || got["vevent"] != true || got["etag"] == nil || got["again"] != float64(304) {
		t.Errorf("another site's page polling /feeds/all.ics got %v; want 200 with events and an ETag, then 304 for If-None-Match", got)
	}
	if got["write"] != "refused" {
		t.Errorf("another site's page posting to /api/sessions: %v, want its preflight refused", got["write"])
	}
}
