package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confcal/api"
	"confcal/postgres/pgtest"
)

// The PostgreSQL cluster the replicas test may restart: CONFCAL_TEST_PGCTL
// is the command that controls it, up to the action (e.g. "pg_ctl -D DIR
// -l LOG"), CONFCAL_TEST_PGCTL_POSTGRES the URL of a server on it. .ci/run
// starts one of its own for this, apart from the cluster every other test
// shares, which a restart would fail.
const (
	pgctlEnv    = "CONFCAL_TEST_PGCTL"
	pgctlURLEnv = "CONFCAL_TEST_PGCTL_POSTGRES"
)

// replica is a `confcal serve` of the built binary, as a process of its
// own, so that it can be killed as a machine dies.
type replica struct {
	name string
	args []string
	cmd  *exec.Cmd
	addr string
	done chan error
	log  *lockedBuffer
}

// lockedBuffer is a process's stderr, read while it is written.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startReplica runs the binary's serve with args and waits until it
// listens; it is killed when the test ends.
func startReplica(t *testing.T, bin, name string, args ...string) *replica {
	t.Helper()
	r := &replica{name: name, args: args}
	r.start(t, bin)
	t.Cleanup(r.kill)
	return r
}

func (r *replica) start(t *testing.T, bin string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "-addr", "127.0.0.1:0"}, r.args...)...)
	cmd.Env = append(os.Environ(), "CONFCAL_ADMIN_TOKEN="+token, "CONFCAL_DATA=", "CONFCAL_STORE=")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.cmd, r.done, r.log = cmd, make(chan error, 1), &lockedBuffer{}
	addrc := make(chan string, 1)
	log := r.log
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			fmt.Fprintln(log, sc.Text())
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
		io.Copy(log, stderr)
	}()
	done := r.done
	go func() { done <- cmd.Wait() }()
	select {
	case r.addr = <-addrc:
	case err := <-done:
		t.Fatalf("replica %s exited before listening: %v\n%s", r.name, err, log)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("replica %s did not listen within 20s\n%s", r.name, log)
	}
}

// kill ends the replica with SIGKILL, as a machine that dies: no shutdown,
// no goodbye to the database.
func (r *replica) kill() {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Kill()
	<-r.done
	r.cmd = nil
}

func (r *replica) base() string { return "http://" + r.addr }

// replicaURL returns the schema of the store the replicas share and, when
// the cluster may be restarted, the command restarting it.
func replicaURL(t *testing.T) (url string, restart func(t *testing.T)) {
	ctl, server := os.Getenv(pgctlEnv), os.Getenv(pgctlURLEnv)
	if ctl == "" || server == "" {
		return pgtest.URL(t), nil
	}
	return pgtest.URLOn(t, server), func(t *testing.T) {
		t.Helper()
		cmd := exec.Command("sh", "-c", ctl+" -m fast -w -t 60 restart")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.WaitDelay = time.Second
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s restart: %v\n%s", pgctlEnv, err, &out)
		}
	}
}

// change is a change a replica acknowledged with a 2xx.
type change struct {
	session, field, value string
	revision              int64
	replica               int
	at                    time.Time // when the acknowledgement arrived
}

// cluster is three replicas and what was done to them.
type cluster struct {
	t        *testing.T
	bin      string
	replicas []*replica
	client   *http.Client

	amu sync.RWMutex // held to change replicas

	mu   sync.Mutex
	acks []change
}

// baseOf is replica i's base URL.
func (c *cluster) baseOf(i int) string {
	c.amu.RLock()
	defer c.amu.RUnlock()
	return c.replicas[i].base()
}

// restart starts replica i again after it was killed, at a new address.
func (c *cluster) restart(i int) {
	c.t.Helper()
	c.amu.RLock()
	old := c.replicas[i]
	c.amu.RUnlock()
	r := startReplica(c.t, c.bin, old.name, old.args...)
	c.amu.Lock()
	c.replicas[i] = r
	c.amu.Unlock()
}

func (c *cluster) ack(ch change) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.acks = append(c.acks, ch)
}

// write sends one PATCH of session's field to replica i and returns the
// status (0 when no answer came) and the revision it made.
func (c *cluster) write(i int, session, field, value string, header ...string) (int, int64, http.Header) {
	body, _ := json.Marshal(map[string]string{field: value})
	req, _ := http.NewRequest(http.MethodPatch, c.baseOf(i)+"/api/sessions/"+session, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	for j := 0; j+1 < len(header); j += 2 {
		req.Header.Set(header[j], header[j+1])
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, 0, nil
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	rev, _ := strconv.ParseInt(resp.Header.Get(api.RevisionHeader), 10, 64)
	if resp.StatusCode == http.StatusOK {
		c.ack(change{session, field, value, rev, i, time.Now()})
	}
	return resp.StatusCode, rev, resp.Header
}

// get fetches path from replica i: the status, the body and the ETag.
func (c *cluster) get(i int, path string) (int, []byte, string, error) {
	resp, err := c.client.Get(c.baseOf(i) + path)
	if err != nil {
		return 0, nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header.Get("ETag"), err
}

// revision returns the revision replica i serves.
func (c *cluster) revision(i int) int64 {
	var list api.SessionList
	_, b, _, err := c.get(i, "/api/sessions")
	if err != nil || json.Unmarshal(b, &list) != nil {
		return -1
	}
	return list.Revision
}

// converge waits until every replica serves the same revision, at least
// min, and returns it.
func (c *cluster) converge(min int64, within time.Duration) int64 {
	c.t.Helper()
	deadline := time.Now().Add(within)
	for {
		revs := make([]int64, len(c.replicas))
		for i := range c.replicas {
			revs[i] = c.revision(i)
		}
		if revs[0] >= min && slices.Min(revs) == slices.Max(revs) {
			return revs[0]
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the replicas serve revisions %v after %v, want one, at least %d", revs, within, min)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// The sessions the writers edit, one each, so that their changes do not
// conflict: a conflict is tested on its own.
var replicaSessions = []string{"flinks-new-batch-architecture", "apache-flink-worst-practices", "build-a-flink-ai-ecosystem",
	"stream-sql-with-flink-yelp"}

// streamWatch follows a replica's change stream and notes when each
// revision's event arrived: when the replica served it.
type streamWatch struct {
	mu   sync.Mutex
	seen map[int64]time.Time
}

func watchStream(ctx context.Context, t *testing.T, base string) *streamWatch {
	t.Helper()
	w := &streamWatch{seen: map[int64]time.Time{}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/changes/stream", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/api/changes/stream: %d", base, resp.StatusCode)
	}
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if id, ok := strings.CutPrefix(sc.Text(), "id: "); ok {
				rev, err := strconv.ParseInt(id, 10, 64)
				if err != nil {
					continue
				}
				w.mu.Lock()
				if _, dup := w.seen[rev]; !dup {
					w.seen[rev] = time.Now()
				}
				w.mu.Unlock()
			}
		}
	}()
	return w
}

func (w *streamWatch) at(rev int64) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.seen[rev]
	return t, ok
}

// percentile returns the p-th percentile (0–100) of sorted ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(float64(len(ds)-1) * p / 100)
	return ds[i]
}

// TestReplicas runs three `confcal serve` processes on one PostgreSQL
// database and does to them what happens to replicas behind a load
// balancer: clients write to random replicas and read from the others
// (every acknowledged change on every replica within a second); two write
// the same session at once, with If-Match and without; a replica is
// killed with SIGKILL in the middle of writes and started again; the
// database restarts during reads and writes (when the test may restart
// it: CONFCAL_TEST_PGCTL); the replica polling a followed source is
// killed and another takes over. Through all of it no acknowledged change
// is lost, the change log has no gap, and the replicas end serving the
// same bytes for the same revision.
func TestReplicas(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary; skipped with -short")
	}
	url, restartDB := replicaURL(t)
	bin, err := buildBinary()
	if err != nil {
		t.Fatal(err)
	}
	c := &cluster{t: t, bin: bin, client: &http.Client{Timeout: 10 * time.Second}}
	// All three start at once on the new, empty store: one of them
	// stores the built-in agenda, the others find it.
	c.replicas = make([]*replica, 3)
	var wg sync.WaitGroup
	for i := range c.replicas {
		wg.Go(func() {
			c.replicas[i] = startReplica(t, bin, fmt.Sprintf("r%d", i), "-store", url, "-base-url", stackBase)
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	c.converge(1, 5*time.Second)

	t.Run("propagation", func(t *testing.T) { testPropagation(t, c) })
	t.Run("if-match", func(t *testing.T) { testConflicts(t, c) })
	t.Run("sigkill", func(t *testing.T) { testKillReplica(t, c) })
	if restartDB != nil {
		t.Run("database restart", func(t *testing.T) { testDatabaseRestart(t, c, restartDB) })
	} else {
		t.Logf("the database restart is not tested: set %s and %s (.ci/run does)", pgctlEnv, pgctlURLEnv)
	}
	t.Run("same bytes", func(t *testing.T) { checkSame(t, c) })
	t.Run("follow takeover", func(t *testing.T) { testFollowTakeover(t, bin) })
}

// testPropagation: four clients each write 60 changes to random replicas;
// after each acknowledgement the client reads the change from another
// replica until it shows. Every replica's change stream says when it
// served each revision: within a second of the acknowledgement.
func testPropagation(t *testing.T, c *cluster) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	watches := make([]*streamWatch, len(c.replicas))
	for i, r := range c.replicas {
		watches[i] = watchStream(ctx, t, r.base())
	}
	const perClient = 60
	var (
		mu     sync.Mutex
		reads  []time.Duration // ack → read elsewhere shows it
		mine   []change
		failed atomic.Bool
	)
	var wg sync.WaitGroup
	for k, session := range replicaSessions {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(k)))
			for n := range perClient {
				i := rng.IntN(len(c.replicas))
				value := fmt.Sprintf("propagation %d.%d", k, n)
				code, rev, _ := c.write(i, session, "abstract", value)
				if code != http.StatusOK {
					t.Errorf("PATCH on replica %d: %d", i, code)
					failed.Store(true)
					return
				}
				ack := time.Now()
				mu.Lock()
				mine = append(mine, change{session: session, value: value, revision: rev, replica: i, at: ack})
				mu.Unlock()
				j := (i + 1 + rng.IntN(len(c.replicas)-1)) % len(c.replicas)
				for {
					var x api.Session
					_, b, _, err := c.get(j, "/api/sessions/"+session)
					if err == nil && json.Unmarshal(b, &x) == nil && x.Abstract == value {
						break
					}
					if time.Since(ack) > 5*time.Second {
						t.Errorf("revision %d, acknowledged by replica %d, not on replica %d after 5s", rev, i, j)
						failed.Store(true)
						return
					}
					time.Sleep(2 * time.Millisecond)
				}
				mu.Lock()
				reads = append(reads, time.Since(ack))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if failed.Load() {
		return
	}
	last := c.converge(1, 5*time.Second)
	// Every replica's stream has every revision; how long after its
	// acknowledgement each other replica served it.
	var visible []time.Duration
	for _, ch := range mine {
		var worst time.Duration
		for i, w := range watches {
			if i == ch.replica {
				continue
			}
			at, ok := w.at(ch.revision)
			if !ok {
				t.Errorf("replica %d's change stream never had revision %d (serving %d)", i, ch.revision, last)
				continue
			}
			worst = max(worst, at.Sub(ch.at))
		}
		visible = append(visible, worst)
	}
	slices.Sort(visible)
	slices.Sort(reads)
	t.Logf("%d changes on 3 replicas, 4 clients: on every other replica (change stream) after the acknowledgement p50 %v, p99 %v, max %v; "+
		"read back from another replica p50 %v, p99 %v, max %v",
		len(mine), percentile(visible, 50), percentile(visible, 99), visible[len(visible)-1],
		percentile(reads, 50), percentile(reads, 99), reads[len(reads)-1])
	if len(mine) < 200 {
		t.Errorf("%d changes, want at least 200", len(mine))
	}
	if m := visible[len(visible)-1]; m > time.Second {
		t.Errorf("a change reached every replica %v after it was acknowledged, want within 1s", m)
	}
	if m := reads[len(reads)-1]; m > time.Second {
		t.Errorf("a change was read back from another replica %v after it was acknowledged, want within 1s", m)
	}
}

// testConflicts: two replicas write one session at once. With the same
// If-Match, one wins and the other gets 412; without, both are applied,
// at consecutive revisions.
func testConflicts(t *testing.T, c *cluster) {
	const session = "stream-sql-with-flink-yelp"
	for round := range 10 {
		rev := c.converge(1, 5*time.Second)
		var x api.Session
		_, b, _, err := c.get(0, "/api/sessions/"+session)
		if err != nil || json.Unmarshal(b, &x) != nil {
			t.Fatalf("GET the session: %v", err)
		}
		codes := make([]int, 2)
		revs := make([]int64, 2)
		var wg sync.WaitGroup
		for k := range 2 {
			wg.Go(func() {
				codes[k], revs[k], _ = c.write(1+k, session, "title", fmt.Sprintf("Conflict %d on %d", round, 1+k), "If-Match", x.ETag)
			})
		}
		wg.Wait()
		slices.Sort(codes)
		if codes[0] != http.StatusOK || codes[1] != http.StatusPreconditionFailed {
			t.Errorf("round %d: two writes with If-Match %s on two replicas at revision %d: %v, want one 200 and one 412", round, x.ETag, rev, codes)
		}
		for k := range 2 {
			wg.Go(func() {
				codes[k], revs[k], _ = c.write(1+k, session, "abstract", fmt.Sprintf("Both %d on %d", round, 1+k))
			})
		}
		wg.Wait()
		slices.Sort(revs)
		if codes[0] != http.StatusOK || codes[1] != http.StatusOK || revs[1] != revs[0]+1 {
			t.Errorf("round %d: two writes without If-Match: %v at revisions %v, want both 200 at consecutive revisions", round, codes, revs)
		}
	}
}

// testKillReplica: three clients write to random replicas; one replica is
// killed with SIGKILL in the middle and started again while they go on.
func testKillReplica(t *testing.T, c *cluster) {
	const perClient = 40
	victim := 1
	var (
		acked  atomic.Int64
		killed = make(chan struct{})
		wg     sync.WaitGroup
		down   atomic.Bool
	)
	for k, session := range replicaSessions[:3] {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(k)+10))
			for n := 0; n < perClient; {
				i := rng.IntN(len(c.replicas))
				if i == victim && down.Load() {
					continue
				}
				code, _, _ := c.write(i, session, "title", fmt.Sprintf("Kill %d.%d", k, n))
				switch {
				case code == http.StatusOK:
					n++
					if acked.Add(1) == 20 {
						close(killed)
					}
				case i == victim && (code == 0 || down.Load()):
					// Killed under this request: not acknowledged.
				default:
					t.Errorf("PATCH on replica %d: %d", i, code)
					return
				}
			}
		})
	}
	<-killed
	time.Sleep(time.Duration(rand.IntN(20)) * time.Millisecond)
	down.Store(true)
	c.amu.RLock()
	c.replicas[victim].kill()
	c.amu.RUnlock()
	time.Sleep(300 * time.Millisecond) // writes go on without it
	c.restart(victim)
	down.Store(false)
	wg.Wait()
	c.converge(1, 5*time.Second)
}

// testDatabaseRestart: PostgreSQL restarts while two clients read every
// replica and two write. No read fails; writes fail with 503 while it is
// down and succeed after; the replicas converge by themselves.
func testDatabaseRestart(t *testing.T, c *cluster, restart func(*testing.T)) {
	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg                  sync.WaitGroup
		reads, refused, oks atomic.Int64
		restarted           atomic.Bool
		afterRestart        atomic.Int64
	)
	for k := range 2 {
		wg.Go(func() {
			for ctx.Err() == nil {
				for i := range c.replicas {
					code, body, _, err := c.get(i, "/feeds/all.ics")
					if err != nil || code != http.StatusOK || !bytes.HasPrefix(body, []byte("BEGIN:VCALENDAR")) {
						t.Errorf("reader %d: GET all.ics on replica %d during the restart: %d, %v", k, i, code, err)
						return
					}
					reads.Add(1)
				}
			}
		})
	}
	for k, session := range replicaSessions[:2] {
		wg.Go(func() {
			for n := 0; ctx.Err() == nil; n++ {
				i := n % len(c.replicas)
				code, _, h := c.write(i, session, "abstract", fmt.Sprintf("restart %d.%d", k, n))
				switch code {
				case http.StatusOK:
					oks.Add(1)
					if restarted.Load() {
						afterRestart.Add(1)
					}
				case http.StatusServiceUnavailable:
					refused.Add(1)
					if h.Get("Retry-After") == "" {
						t.Errorf("a 503 without Retry-After")
					}
					time.Sleep(20 * time.Millisecond)
				default:
					t.Errorf("writer %d: PATCH on replica %d during the restart: %d", k, i, code)
					return
				}
			}
		})
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	restart(t)
	restarted.Store(true)
	t.Logf("the database restarted in %v", time.Since(start).Round(time.Millisecond))
	deadline := time.Now().Add(10 * time.Second)
	for afterRestart.Load() < 10 && time.Now().Before(deadline) && !t.Failed() {
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	t.Logf("during and after the restart: %d reads, all answered; %d writes acknowledged (%d after it), %d refused with 503",
		reads.Load(), oks.Load(), afterRestart.Load(), refused.Load())
	if refused.Load() == 0 {
		t.Error("no write was refused while the database restarted")
	}
	if afterRestart.Load() < 10 {
		t.Errorf("%d writes acknowledged within 10s after the restart, want 10", afterRestart.Load())
	}
	c.converge(1, 5*time.Second)
}

// checkSame: the replicas serve the same revision, with the same bytes
// and ETags, a change log without gaps, and every change any of them
// acknowledged at the revision it was given, no revision given twice.
func checkSame(t *testing.T, c *cluster) {
	rev := c.converge(1, 5*time.Second)
	var feed []byte
	var etag string
	for i := range c.replicas {
		for _, path := range []string{"/feeds/all.ics", "/api/changes"} {
			code, b, tag, err := c.get(i, path)
			if err != nil || code != http.StatusOK {
				t.Fatalf("GET %s on replica %d: %d, %v", path, i, code, err)
			}
			if path != "/feeds/all.ics" {
				continue
			}
			if i == 0 {
				feed, etag = b, tag
			} else if !bytes.Equal(b, feed) || tag != etag {
				t.Errorf("replica %d serves other all.ics bytes (ETag %s) than replica 0 (ETag %s) at revision %d", i, tag, etag, rev)
			}
		}
		var list api.ChangeList
		_, b, _, _ := c.get(i, "/api/changes")
		if err := json.Unmarshal(b, &list); err != nil {
			t.Fatal(err)
		}
		seen := map[int64]bool{}
		type key struct {
			rev                   int64
			session, field, value string
		}
		logged := map[key]bool{}
		// The revision each value was first written at: a write the
		// victim stored but was killed before acknowledging is sent
		// again to another replica, which finds nothing to change and
		// acknowledges it at the revision it is at.
		first := map[key]int64{}
		for _, ch := range list.Changes {
			seen[ch.Revision] = true
			logged[key{ch.Revision, ch.Session, ch.Field, ch.New}] = true
			if k := (key{0, ch.Session, ch.Field, ch.New}); first[k] == 0 {
				first[k] = ch.Revision
			}
		}
		for r := int64(2); r <= list.Revision; r++ {
			if !seen[r] {
				t.Errorf("replica %d: the change log has no revision %d (of %d)", i, r, list.Revision)
			}
		}
		c.mu.Lock()
		given := map[int64]change{}
		for _, a := range c.acks {
			if !logged[key{a.revision, a.session, a.field, a.value}] {
				if r := first[key{0, a.session, a.field, a.value}]; r == 0 || r > a.revision {
					t.Errorf("replica %d: acknowledged change lost: %+v", i, a)
				} else if i == 0 {
					t.Logf("%+v: acknowledged at revision %d as nothing to change, written at revision %d (a retry of a write the killed replica stored)", a, a.revision, r)
				}
				continue
			}
			if prev, dup := given[a.revision]; dup {
				t.Errorf("revision %d acknowledged twice: %+v and %+v", a.revision, prev, a)
			}
			given[a.revision] = a
		}
		n := len(c.acks)
		c.mu.Unlock()
		if i == 0 {
			t.Logf("revision %d: %d changes acknowledged, all in every replica's change log; all.ics %d bytes, ETag %s on all three",
				list.Revision, n, len(feed), etag)
		}
	}
}

// testFollowTakeover: three replicas follow one schedule.xml every 300 ms;
// one at a time polls it. When that one is killed another takes over
// within a period (plus the time to notice), and a new version of the
// schedule reaches the two left.
func testFollowTakeover(t *testing.T, bin string) {
	const period = 300 * time.Millisecond
	url, _ := replicaURL(t)
	src := startScheduleSource(t, scheduleXML(followA()))
	rs := make([]*replica, 3)
	for i := range rs {
		rs[i] = startReplica(t, bin, fmt.Sprintf("f%d", i), "-store", url, "-base-url", stackBase, "-agenda", src.url(), "-follow", period.String())
	}
	const polls = "following the source: this process polls it now"
	pollers := func() []int {
		var out []int
		for i, r := range rs {
			if r.cmd != nil && strings.Contains(r.log.String(), polls) {
				out = append(out, i)
			}
		}
		return out
	}
	inm0, _ := src.validators()
	time.Sleep(6 * period)
	inm1, _ := src.validators()
	p := pollers()
	if len(p) != 1 {
		t.Fatalf("replicas %v say they poll the source, want one", p)
	}
	// Polls carry the validators of the version read before: three
	// replicas polling would ask about three times as often.
	if n := inm1 - inm0; n < 3 || n > 9 {
		t.Errorf("%d polls in %v at a period of %v: not one replica polling", n, 6*period, period)
	}
	holder := p[0]
	src.set(scheduleXML(followB()), 0)
	rs[holder].kill()
	killed := time.Now()
	var taker int
	eventually(t, 10*time.Second, func() string {
		p := pollers()
		if len(p) != 1 {
			return fmt.Sprintf("replicas %v say they poll the source after replica %d was killed", p, holder)
		}
		taker = p[0]
		return ""
	})
	took := time.Since(killed)
	// Version B retitles a session: both replicas left serve it.
	for i, r := range rs {
		if i == holder {
			continue
		}
		eventually(t, 5*time.Second, func() string {
			var x api.Session
			_, body, _ := fetchWith(t, r.base(), "/api/sessions/"+fOperator)
			if err := json.Unmarshal([]byte(body), &x); err != nil {
				return err.Error()
			}
			if x.Title == "Kubernetes Operators 101" {
				return fmt.Sprintf("replica %d still serves version A", i)
			}
			return ""
		})
	}
	t.Logf("replica %d polled the source; killed, replica %d took over after %v (period %v)", holder, taker, took.Round(time.Millisecond), period)
	if took > 2*period+time.Second {
		t.Errorf("replica %d took over %v after the poller was killed, at a period of %v", taker, took, period)
	}
}
