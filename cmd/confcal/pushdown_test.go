package main

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"confcal/postgres/pgtest"
)

// While PostgreSQL cannot be reached, a phone registering for WebDAV-Push
// (or unsubscribing) is told to come back, as a write through the API is:
// 503 with Retry-After, not a 500, and never the store's error, which
// names the database, its user and its address, to an anonymous client.
// Once the database is back, both work.
func TestServePushStoreUnreachable(t *testing.T) {
	direct := pgtest.URL(t)
	proxy, through := pgtest.NewProxy(t, direct)
	addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-store", through, "-base-url", stackBase,
		"-push-contact", "mailto:ops@confcal.example")
	resp := pushRegister(t, addr, "https://push.example.org/up/before")
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("registering with the database up: %s %s", resp.Status, b)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}

	proxy.Cut()
	for _, c := range []struct {
		what string
		resp func() *http.Response
	}{
		{"registering", func() *http.Response { return pushRegister(t, addr, "https://push.example.org/up/during") }},
		{"unsubscribing", func() *http.Response { return davRequest(t, http.MethodDelete, "http://"+addr+loc.Path, "", "") }},
	} {
		resp := c.resp()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Errorf("%s with the database down: %s, Retry-After %q; want 503 and a Retry-After", c.what, resp.Status, resp.Header.Get("Retry-After"))
		}
		if strings.Contains(string(b), "postgres") || strings.Contains(string(b), "127.0.0.1") {
			t.Errorf("%s with the database down tells the client about the store: %q", c.what, b)
		}
	}

	proxy.Restore(t)
	if resp := davRequest(t, http.MethodDelete, "http://"+addr+loc.Path, "", ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("unsubscribing with the database back: %s, want 204", resp.Status)
	}
	if resp := pushRegister(t, addr, "https://push.example.org/up/after"); resp.StatusCode != http.StatusCreated {
		t.Errorf("registering with the database back: %s, want 201", resp.Status)
	}
}
