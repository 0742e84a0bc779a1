package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confcal/api"
	"confcal/sqlite"
	"confcal/web"
)

// buildBinary builds this command once per test binary run, into the
// temporary directory TestMain removes.
var buildBinary = sync.OnceValues(func() (string, error) {
	bin := filepath.Join(filepath.Dir(os.Getenv("CONFCAL_DATA")), "confcal")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// proc is a running `confcal serve`.
type proc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startBinary runs the built binary's serve on data, with the extra
// flags, and waits until it listens.
func startBinary(t *testing.T, bin, data string, extra ...string) *proc {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0", "-data", data}, extra...)...)
	cmd.Env = append(os.Environ(), "CONFCAL_ADMIN_TOKEN="+token, "CONFCAL_DATA=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, done: make(chan error, 1)}
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case p.addr = <-addrc:
	case err := <-p.done:
		t.Fatalf("serve exited before listening: %v", err)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatal("serve did not listen within 20s")
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-p.done
	})
	return p
}

// ack is a change the server confirmed with a 2xx.
type ack struct {
	session, field, value string
	revision              int64
}

// TestDurability runs the real binary, has several clients send 500
// changes at once, kills the process with SIGKILL at a random moment,
// restarts it on the same data directory and checks that every change that
// got a 2xx is there at the revision it was given, the change log has no
// gaps, and the served revision is the stored one. Each round kills at
// another moment.
func TestDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	const (
		changes = 500
		clients = 6
	)
	// The sessions the clients edit, one each, so their changes never
	// conflict; a title change raises SEQUENCE, an abstract change does not.
	sessions := []string{"flinks-new-batch-architecture", "apache-flink-worst-practices", "build-a-flink-ai-ecosystem",
		"stream-sql-with-flink-yelp", "batch-stream-ask-me-anything", "enabling-machine-learning-with-apache-flink"}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 4))
	for round := range 3 {
		// The kill comes after a random number of acknowledged changes plus
		// a random delay, so it lands anywhere in the work of the requests
		// in flight. Each change re-renders what it touched (tens of
		// milliseconds), so two rounds kill within the first 200 of the 500
		// to keep the test short, and the last one late, with a long
		// change log behind it.
		killAt := 20 + rng.IntN(180)
		if round == 2 {
			killAt = 400 + rng.IntN(90)
		}
		delay := time.Duration(rng.IntN(30_000)) * time.Microsecond
		t.Run(fmt.Sprintf("round %d kill after %d acks + %v", round, killAt, delay), func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			p := startBinary(t, bin, data)
			base := "http://" + p.addr

			var (
				mu     sync.Mutex
				acks   []ack
				sent   atomic.Int64
				killed = make(chan struct{})
				once   sync.Once
				wg     sync.WaitGroup
			)
			client := &http.Client{Timeout: 10 * time.Second}
			for c := range clients {
				wg.Go(func() {
					id := sessions[c]
					for n := 0; ; n++ {
						if sent.Add(1) > changes {
							return
						}
						field, value := "abstract", fmt.Sprintf("client %d change %d", c, n)
						if n%2 == 1 {
							field = "title"
						}
						body, _ := json.Marshal(map[string]string{field: value})
						req, _ := http.NewRequest("PATCH", base+"/api/sessions/"+id, strings.NewReader(string(body)))
						req.Header.Set("Authorization", "Bearer "+token)
						resp, err := client.Do(req)
						if err != nil {
							select {
							case <-killed:
								return // the server is gone
							default:
								t.Errorf("PATCH %s: %v", id, err)
								return
							}
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							t.Errorf("PATCH %s: %d", id, resp.StatusCode)
							return
						}
						rev, _ := strconv.ParseInt(resp.Header.Get(api.RevisionHeader), 10, 64)
						mu.Lock()
						acks = append(acks, ack{id, field, value, rev})
						n := len(acks)
						mu.Unlock()
						if n == killAt {
							go func() {
								time.Sleep(delay)
								once.Do(func() {
									close(killed)
									p.cmd.Process.Kill() // SIGKILL: no shutdown, no flush
								})
							}()
						}
					}
				})
			}
			wg.Wait()
			once.Do(func() { close(killed); p.cmd.Process.Kill() })
			<-p.done
			p.done <- nil // for the cleanup's wait

			q := startBinary(t, bin, data)
			checkRecovered(t, "http://"+q.addr, data, acks)
		})
	}
}

// checkRecovered checks a restarted server against the changes it had
// acknowledged before it was killed.
func checkRecovered(t *testing.T, base, data string, acks []ack) {
	t.Helper()
	var list api.ChangeList
	getJSON(t, base+"/api/changes", &list)

	// No gaps: revisions 2 … current, each with its changes.
	seen := map[int64]bool{}
	for _, c := range list.Changes {
		seen[c.Revision] = true
	}
	for rev := int64(2); rev <= list.Revision; rev++ {
		if !seen[rev] {
			t.Errorf("the change log has no entry for revision %d of %d", rev, list.Revision)
		}
	}
	if int64(len(seen)) != list.Revision-1 {
		t.Errorf("the change log covers %d revisions, want %d", len(seen), list.Revision-1)
	}

	// Every acknowledged change is there, at the revision it was given.
	type key struct {
		rev                   int64
		session, field, value string
	}
	logged := map[key]bool{}
	for _, c := range list.Changes {
		logged[key{c.Revision, c.Session, c.Field, c.New}] = true
	}
	for _, a := range acks {
		if !logged[key{a.revision, a.session, a.field, a.value}] {
			t.Errorf("acknowledged change lost: %+v", a)
		}
	}
	if len(acks) == 0 || list.Revision < int64(len(acks))+1 {
		t.Errorf("revision %d after %d acknowledged changes", list.Revision, len(acks))
	}

	// The state agrees with the log's last word on each field.
	last := map[string]string{}
	for _, c := range list.Changes {
		last[c.Session+" "+c.Field] = c.New
	}
	var sessions api.SessionList
	getJSON(t, base+"/api/sessions", &sessions)
	for _, s := range sessions.Sessions {
		if v, ok := last[s.ID+" title"]; ok && v != s.Title {
			t.Errorf("%s: title %q, the log's last title %q", s.ID, s.Title, v)
		}
		if v, ok := last[s.ID+" abstract"]; ok && v != s.Abstract {
			t.Errorf("%s: abstract %q, the log's last abstract %q", s.ID, s.Abstract, v)
		}
	}

	// The served revision is the stored one, in the API and in the feeds.
	var feeds web.FeedList
	getJSON(t, base+"/feeds", &feeds)
	store, err := sqlite.Open(context.Background(), data)
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	stored, err := store.Revision(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if list.Revision != stored || sessions.Revision != stored || feeds.Revision != stored {
		t.Errorf("served revisions: changes %d, sessions %d, feeds %d; stored %d", list.Revision, sessions.Revision, feeds.Revision, stored)
	}
	t.Logf("%d changes acknowledged; revision %d recovered", len(acks), stored)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}
