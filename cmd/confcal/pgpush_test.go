package main

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/api"
	"confcal/webpush"
	"confcal/webpush/pushtest"
)

// trustPushService writes the test push service's certificate to a file
// and points SSL_CERT_FILE at it, so the replicas started after (processes
// of their own) trust it as they would a real push service's.
func trustPushService(t *testing.T, ps *pushtest.Server) {
	t.Helper()
	u, err := url.Parse(ps.URL)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", u.Host, &tls.Config{InsecureSkipVerify: true}) // only to read the certificate it presents
	if err != nil {
		t.Fatal(err)
	}
	cert := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	file := filepath.Join(t.TempDir(), "push-service.pem")
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_FILE", file)
}

// pushProps returns the VAPID public key and the topic the calendar "all"
// of the default conference advertises on the server at base.
func pushProps(t *testing.T, base string) (key, topic string) {
	t.Helper()
	resp := davRequest(t, "PROPFIND", base+"/dav/public/calendars/all/", "0",
		`<propfind xmlns="DAV:" xmlns:P="https://bitfire.at/webdav-push"><prop><P:transports/><P:topic/></prop></propfind>`)
	if resp.StatusCode != http.StatusMultiStatus {
		t.Fatalf("PROPFIND: %s", resp.Status)
	}
	var ms struct {
		Propstats []struct {
			Key    string `xml:"prop>transports>web-push>vapid-public-key"`
			Topic  string `xml:"prop>topic"`
			Status string `xml:"status"`
		} `xml:"response>propstat"`
	}
	if err := xml.NewDecoder(resp.Body).Decode(&ms); err != nil {
		t.Fatal(err)
	}
	for _, p := range ms.Propstats {
		if strings.Contains(p.Status, " 200 ") {
			return p.Key, p.Topic
		}
	}
	t.Fatal("PROPFIND: no push properties")
	return "", ""
}

// davx5Register registers sub for the calendar "all" with DAVx5's
// push-register body (caldav/testdata/clients, read in place).
func davx5Register(t *testing.T, base string, sub webpush.Subscription) *http.Response {
	t.Helper()
	b, err := os.ReadFile("../../caldav/testdata/clients/davx5-push-register.xml")
	if err != nil {
		t.Fatal(err)
	}
	body := string(b)
	// Only after the comment, which names the placeholders too.
	i := strings.Index(body, "-->")
	body = body[:i] + strings.NewReplacer("$PUSH_RESOURCE", sub.Endpoint,
		"$P256DH", base64.RawURLEncoding.EncodeToString(sub.P256dh),
		"$AUTH", base64.RawURLEncoding.EncodeToString(sub.Auth),
		"$EXPIRES", time.Now().Add(72*time.Hour).UTC().Format(http.TimeFormat)).Replace(body[i:])
	return davRequest(t, http.MethodPost, base+"/dav/public/calendars/all/", "", body)
}

// patchOn changes session's fields on the server at base with the
// admin token and returns the revision it made.
func patchOn(t *testing.T, base, session string, fields map[string]any) int64 {
	t.Helper()
	body, _ := json.Marshal(fields)
	req, _ := http.NewRequest(http.MethodPatch, base+"/api/sessions/"+session, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("PATCH %s on %s: %s %s", session, base, resp.Status, b)
	}
	var rev int64
	fmt.Sscan(resp.Header.Get(api.RevisionHeader), &rev)
	return rev
}

// servedRevision is the revision the server at base serves.
func servedRevision(t *testing.T, base string) int64 {
	t.Helper()
	var list api.SessionList
	_, b, _ := fetchWith(t, base, "/api/sessions")
	if json.Unmarshal([]byte(b), &list) != nil {
		return -1
	}
	return list.Revision
}

// Two serve replicas on one PostgreSQL store, with WebDAV-Push and
// webhooks on: DAVx5 registers with replica A, an organizer moves a
// session's room on replica B, and the phone's push service gets one
// message (both replicas hear the revision; one holds the conference's
// push turn), decryptable, signed with the store's VAPID key and naming
// the calendar's topic. A webhook added on A gets every later revision,
// made on either replica, once each and in order, though both replicas
// deliver from the one outbox.
func TestReplicasPushAndWebhooks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	url, _ := replicaURL(t)
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	ps := pushtest.NewServer(t)
	trustPushService(t, ps)
	t.Setenv("CONFCAL_ADMIN_TOKEN", token)
	args := []string{"-store", url, "-base-url", stackBase, "-push-contact", "mailto:ops@confcal.example", "-push-allow-loopback"}
	a := startReplica(t, bin, "a", args...)
	b := startReplica(t, bin, "b", args...)
	for _, r := range []*replica{a, b} {
		if strings.Contains(r.log.String(), "are off") {
			t.Fatalf("replica %s: push or webhooks off:\n%s", r.name, r.log)
		}
	}

	keyA, topic := pushProps(t, a.base())
	if keyB, topicB := pushProps(t, b.base()); keyB != keyA || topicB != topic || len(keyA) != 87 {
		t.Fatalf("replicas advertise keys %q and %q, topics %q and %q: want one of each", keyA, keyB, topic, topicB)
	}
	// The push service takes only messages signed with the advertised key
	// (RFC 8292 §4), whichever replica sends them.
	sub := ps.Subscribe(t, keyA)
	if resp := davx5Register(t, a.base(), sub); resp.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("registering on replica a: %s %s", resp.Status, body)
	}

	rev := patchOn(t, b.base(), "flinks-new-batch-architecture", map[string]any{"room": "room-5", "force": true})
	eventually(t, 5*time.Second, func() string {
		if n := len(ps.Messages()); n == 0 {
			return "no push message within 5 s of the room move"
		}
		return ""
	})
	// Both replicas serve the move by now; give the other one time to
	// send, were it to.
	eventually(t, 5*time.Second, func() string {
		if ra, rb := servedRevision(t, a.base()), servedRevision(t, b.base()); ra < rev || rb < rev {
			return fmt.Sprintf("replicas serve revisions %d and %d, want %d", ra, rb, rev)
		}
		return ""
	})
	time.Sleep(time.Second)
	msgs := ps.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d push messages for one room move, want 1: %+v\nreplica a:\n%s\nreplica b:\n%s", len(msgs), msgs, a.log, b.log)
	}
	m := msgs[0]
	if m.Err != nil || m.Status != http.StatusCreated || m.Endpoint != sub.Endpoint || m.Topic != topic {
		t.Fatalf("the message: %+v, want one accepted, to the subscription, with topic %q", m, topic)
	}
	var pm struct {
		XMLName   xml.Name `xml:"https://bitfire.at/webdav-push push-message"`
		Topic     string   `xml:"topic"`
		SyncToken string   `xml:"content-update>sync-token"`
	}
	if err := xml.Unmarshal(m.Payload, &pm); err != nil || pm.Topic != topic || pm.SyncToken == "" {
		t.Errorf("the decrypted message %q: %+v, %v; want a push-message naming topic %q and a sync token", m.Payload, pm, err, topic)
	}

	// Webhooks: one receiver, deliveries from both replicas' deliverers.
	rcv := newHookReceiver(t)
	stdout, stderr, err := runCmd(t, "", "webhooks", "add", "-server", a.base(), rcv.srv.URL+"/confcal")
	if err != nil {
		t.Fatalf("webhooks add: %v\n%s", err, stderr)
	}
	sm := regexp.MustCompile(`(?m)^secret: (whsec_\S+)$`).FindStringSubmatch(stdout)
	if sm == nil {
		t.Fatalf("webhooks add printed no secret:\n%s", stdout)
	}
	rcv.secret.Store(&sm[1])
	slug := agenda.Slug(seed(t).Conference().Name)
	var want []string
	for i := range 8 {
		r := []*replica{a, b}[i%2]
		rev := patchOn(t, r.base(), "apache-flink-worst-practices", map[string]any{"title": fmt.Sprint("Worst Practices, take ", i)})
		want = append(want, fmt.Sprint(slug, ":", rev))
	}
	eventually(t, 15*time.Second, func() string {
		if _, got, _ := rcv.state(); len(got) < len(want) {
			return fmt.Sprintf("%d of %d revisions delivered", len(got), len(want))
		}
		return ""
	})
	time.Sleep(1500 * time.Millisecond) // a second sending would be in by now
	_, got, bad := rcv.state()
	if !slices.Equal(got, want) {
		t.Errorf("deliveries %q, want %q: each revision once, in order", got, want)
	}
	for _, s := range bad {
		t.Error(s)
	}
}
