package main

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"confcal/sqlite"
)

// davRequest sends a WebDAV request to the server at addr.
func davRequest(t *testing.T, method, u, depth, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/xml; charset=utf-8")
	}
	if depth != "" {
		req.Header.Set("Depth", depth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// vapidKey returns the VAPID public key the calendar "all" of the default
// conference advertises, "" when it advertises no push transport.
func vapidKey(t *testing.T, addr string) string {
	t.Helper()
	resp := davRequest(t, "PROPFIND", "http://"+addr+"/dav/public/calendars/all/", "0",
		`<propfind xmlns="DAV:" xmlns:P="https://bitfire.at/webdav-push"><prop><P:transports/><P:topic/></prop></propfind>`)
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("PROPFIND: %s", resp.Status)
	}
	var ms struct {
		Propstats []struct {
			Key    string `xml:"prop>transports>web-push>vapid-public-key"`
			Status string `xml:"status"`
		} `xml:"response>propstat"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&ms); err != nil {
		t.Fatal(err)
	}
	for _, ps := range ms.Propstats {
		if strings.Contains(ps.Status, " 200 ") {
			return ps.Key
		}
	}
	return ""
}

// pushRegister registers a subscription of endpoint for the calendar
// "all", with keys of a fresh P-256 key pair, and returns the answer.
func pushRegister(t *testing.T, addr, endpoint string) *http.Response {
	t.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	body := `<?xml version="1.0" encoding="utf-8"?><push-register xmlns="https://bitfire.at/webdav-push"><subscription><web-push-subscription>` +
		`<push-resource>` + endpoint + `</push-resource>` +
		`<subscription-public-key type="p256dh">` + base64.RawURLEncoding.EncodeToString(priv.PublicKey().Bytes()) + `</subscription-public-key>` +
		`<auth-secret>` + base64.RawURLEncoding.EncodeToString(auth) + `</auth-secret></web-push-subscription></subscription></push-register>`
	return davRequest(t, http.MethodPost, "http://"+addr+"/dav/public/calendars/all/", "", body)
}

// WebDAV-Push through serve: the VAPID key is made on the first start and
// kept in the store (never logged), registrations survive a restart, and
// without -push-allow-loopback a loopback push resource is refused.
func TestServePush(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"-addr", "127.0.0.1:0", "-data", data, "-push-contact", "mailto:ops@confcal.example"}
	addr, log, cancel, done := startServe(t, args...)
	key := vapidKey(t, addr)
	if len(key) != 87 {
		t.Fatalf("VAPID key %q: want an uncompressed P-256 point in base64url", key)
	}
	resp := pushRegister(t, addr, "https://push.example.org/up/abc")
	if resp.StatusCode != http.StatusCreated {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("registering: %s %s", resp.Status, b)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !loc.IsAbs() {
		t.Fatalf("Location %q", resp.Header.Get("Location"))
	}
	if resp := pushRegister(t, addr, "https://127.0.0.1:9/push"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a loopback push resource without -push-allow-loopback: %s, want 403", resp.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	addr, log2, cancel, done := startServe(t, args...)
	if again := vapidKey(t, addr); again != key {
		t.Errorf("VAPID key after a restart %q, want the stored %q", again, key)
	}
	if resp := davRequest(t, http.MethodDelete, "http://"+addr+loc.Path, "", ""); resp.StatusCode != http.StatusNoContent {
		t.Errorf("DELETE of the registration after a restart: %s, want 204 (it was stored)", resp.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	private, err := st.PushKey(context.Background(), "unused")
	if err != nil || private == "unused" {
		t.Fatalf("stored VAPID key: %q, %v", private, err)
	}
	if logs := log.String() + log2.String(); strings.Contains(logs, private) {
		t.Error("the VAPID private key is in the log")
	}

	// Without a contact (and an http base URL) push is off, and says so.
	addr, log, _, _ = startServe(t, "-addr", "127.0.0.1:0", "-data", data)
	if key := vapidKey(t, addr); key != "" {
		t.Errorf("push without a contact: VAPID key %q advertised", key)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(log.String(), "WebDAV-Push is off") {
		if time.Now().After(deadline) {
			t.Fatalf("no word that push is off in the log:\n%s", log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
