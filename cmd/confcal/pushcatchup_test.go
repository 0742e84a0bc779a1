package main

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"confcal/agenda"
	"confcal/postgres/pgtest"
	"confcal/sqlite"
	"confcal/webpush/pushtest"
)

// stop ends the replica as an operator does, with SIGTERM, and waits.
func (r *replica) stop(t *testing.T) {
	t.Helper()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-r.done:
		if err != nil {
			t.Fatalf("%s after SIGTERM: %v\n%s", r.name, err, r.log)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("%s did not stop within 20 s of SIGTERM\n%s", r.name, r.log)
	}
	r.cmd = nil
}

// A change stored while no server runs (by the command line, on the
// store) is pushed when the server starts again: DAVx5 registers, serve
// stops, an organizer renames a session on the data directory, and at the
// next start the phone's push service gets the calendar's message with
// the new sync token. Once it has gone out, a restart pushes nothing
// again.
func TestPushAfterOfflineChange(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	ps := pushtest.NewServer(t)
	trustPushService(t, ps)
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"-data", data, "-base-url", stackBase, "-push-contact", "mailto:ops@confcal.example", "-push-allow-loopback"}

	first := startReplica(t, bin, "first", args...)
	key, topic := pushProps(t, first.base())
	sub := ps.Subscribe(t, key)
	if resp := davx5Register(t, first.base(), sub); resp.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("registering: %s %s", resp.Status, body)
	}
	first.stop(t)
	if _, stderr, err := runCmd(t, "", "rename", "-data", data, "flinks-new-batch-architecture", "Renamed While No Server Ran"); err != nil {
		t.Fatalf("rename: %v\n%s", err, stderr)
	}
	if n := len(ps.Messages()); n != 0 {
		t.Fatalf("%d push messages before the server started again", n)
	}

	second := startReplica(t, bin, "second", args...)
	eventually(t, 10*time.Second, func() string {
		if len(ps.Messages()) == 0 {
			return "no push message within 10 s of the start after the change"
		}
		return ""
	})
	msgs := ps.Messages()
	m := msgs[0]
	var pm struct {
		XMLName   xml.Name `xml:"https://bitfire.at/webdav-push push-message"`
		Topic     string   `xml:"topic"`
		SyncToken string   `xml:"content-update>sync-token"`
	}
	if err := xml.Unmarshal(m.Payload, &pm); err != nil || m.Status != http.StatusCreated || m.Endpoint != sub.Endpoint ||
		pm.Topic != topic || pm.SyncToken == "" {
		t.Fatalf("the message: %+v (%+v, %v), want one accepted, to the subscription, naming topic %q and a sync token", m, pm, err, topic)
	}
	// The revision pushed is recorded two throttle intervals after the
	// message was handed over (read from the store, as the next start
	// reads it); a start after that has nothing to push.
	served := servedRevision(t, second.base())
	st, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	slug := agenda.Slug(seed(t).Conference().Name)
	eventually(t, 30*time.Second, func() string {
		if rev, err := st.PushedRevision(context.Background(), slug); err != nil || rev < served {
			return fmt.Sprintf("pushed revision %d (%v), want %d", rev, err, served)
		}
		return ""
	})
	second.stop(t)
	third := startReplica(t, bin, "third", args...)
	pushProps(t, third.base()) // serving
	time.Sleep(2 * time.Second)
	if n := len(ps.Messages()); n != len(msgs) {
		t.Errorf("%d push messages after a restart without changes, want %d\n%s", n, len(msgs), third.log)
	}
}

// A change stored on an SQLite store while no server ran reaches the
// phones when a server starts on its PostgreSQL copy, as when one starts
// on the original: migrate copies the revision pushed up to with the
// subscriptions. The push message names the copy's new sync token.
func TestPushAfterOfflineChangeMigrated(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	url := pgtest.URL(t)
	ps := pushtest.NewServer(t)
	trustPushService(t, ps)
	data := filepath.Join(t.TempDir(), "data")
	push := []string{"-base-url", stackBase, "-push-contact", "mailto:ops@confcal.example", "-push-allow-loopback"}

	first := startReplica(t, bin, "sqlite", append([]string{"-data", data}, push...)...)
	key, _ := pushProps(t, first.base())
	sub := ps.Subscribe(t, key)
	if resp := davx5Register(t, first.base(), sub); resp.StatusCode != http.StatusCreated {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("registering: %s %s", resp.Status, body)
	}
	st, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	slug := agenda.Slug(seed(t).Conference().Name)
	eventually(t, 10*time.Second, func() string {
		if rev, err := st.PushedRevision(context.Background(), slug); err != nil || rev < 1 {
			return fmt.Sprintf("pushed revision %d (%v) on the SQLite store, want its revision recorded", rev, err)
		}
		return ""
	})
	st.Close()
	first.stop(t)
	if _, stderr, err := runCmd(t, "", "rename", "-data", data, "flinks-new-batch-architecture", "Renamed Before Moving"); err != nil {
		t.Fatalf("rename: %v\n%s", err, stderr)
	}
	out, _, err := runCmd(t, "", "migrate", "-from", data, "-to", url)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	if want := slug + " (default): revision 2 (log from 1, 1 entries), 93 sessions, 0 organizer tokens, 0 picks, 1 push subscriptions (pushed up to revision 1), "; !strings.Contains(out, want) {
		t.Errorf("migrate says\n%s\nwithout %q", out, want)
	}

	startReplica(t, bin, "postgres", append([]string{"-store", url}, push...)...)
	eventually(t, 10*time.Second, func() string {
		if len(ps.Messages()) == 0 {
			return "no push message within 10 s of the start on the copy"
		}
		return ""
	})
	var pm struct {
		SyncToken string `xml:"content-update>sync-token"`
	}
	m := ps.Messages()[0]
	if err := xml.Unmarshal(m.Payload, &pm); err != nil || m.Endpoint != sub.Endpoint || !strings.HasSuffix(pm.SyncToken, "/all/2") {
		t.Errorf("the message: %+v (%+v, %v), want one to the subscription with revision 2's sync token", m, pm, err)
	}
}
