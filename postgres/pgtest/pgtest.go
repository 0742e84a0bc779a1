// Package pgtest gives tests a PostgreSQL store of their own: a fresh schema
// in the database CONFCAL_TEST_POSTGRES names, dropped when the test ends,
// so tests may run in parallel on one server.
//
// Without CONFCAL_TEST_POSTGRES a test that needs PostgreSQL skips, saying
// how to run it; in CI (CI=true) it fails instead, so a broken set-up
// cannot pass unnoticed.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Env is the environment variable naming the server tests may use.
const Env = "CONFCAL_TEST_POSTGRES"

// Server returns CONFCAL_TEST_POSTGRES; without it the test skips (fails
// in CI).
func Server(t testing.TB) string {
	t.Helper()
	u := os.Getenv(Env)
	if u != "" {
		return u
	}
	const how = Env + " is not set: set it to a postgres:// URL of a server the tests may create schemas in " +
		"(e.g. postgres://postgres@/postgres?host=/tmp/pg&port=5432); .ci/run starts a throwaway cluster and sets it"
	if os.Getenv("CI") == "true" {
		t.Fatal(how)
	}
	t.Skip(how)
	return ""
}

// URL returns the URL of a new, empty schema on the test server, dropped
// with everything in it when the test ends.
func URL(t testing.TB) string {
	t.Helper()
	return URLOn(t, Server(t))
}

// URLOn is URL on the server at server (a URL or keyword/value string).
func URLOn(t testing.TB, server string) string {
	t.Helper()
	return named(t, server, "confcal_test_"+strings.ToLower(rand.Text()))
}

// Named is URL with the schema's name given: any name PostgreSQL takes,
// quoted as it needs (upper case, spaces), for tests of what depends on
// the name.
func Named(t testing.TB, schema string) string {
	t.Helper()
	return named(t, Server(t), schema)
}

// named creates schema on server, drops it when the test ends and returns
// the URL of it.
func named(t testing.TB, server, schema string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	quoted := pgx.Identifier{schema}.Sanitize()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+quoted); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, server)
		if err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", quoted, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+quoted+" CASCADE"); err != nil {
			t.Errorf("pgtest: dropping schema %s: %v", quoted, err)
		}
	})
	u, err := WithSchema(server, quoted)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// WithSchema returns the connection string server with its search path set
// to schema: a URL gains the query parameter search_path, a keyword/value
// string the keyword.
func WithSchema(server, schema string) (string, error) {
	if !strings.HasPrefix(server, "postgres://") && !strings.HasPrefix(server, "postgresql://") {
		return server + " search_path='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(schema) + "'", nil
	}
	u, err := neturl.Parse(server)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL (%T)", Env, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	// pgx reads a '+' in the query as itself, not as a space.
	u.RawQuery = strings.ReplaceAll(q.Encode(), "+", "%20")
	return u.String(), nil
}

// Proxy stands between tests and the test server, so that a test can take
// the server away from a store and give it back: Cut closes every
// connection through it and refuses new ones, as a server that went down
// does; Restore accepts them again. It is closed when the test ends.
type Proxy struct {
	target  string // the server's socket: "unix" or "tcp" address
	network string
	addr    string // where the proxy listens, host:port

	mu    sync.Mutex
	ln    net.Listener // nil while cut
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

// NewProxy starts a proxy in front of the server of url (as URL returns
// it) and returns it with the URL of the same database and schema through
// the proxy.
func NewProxy(t testing.TB, url string) (*Proxy, string) {
	t.Helper()
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	p := &Proxy{network: "tcp", target: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), conns: map[net.Conn]bool{}}
	if strings.HasPrefix(cfg.Host, "/") {
		p.network, p.target = "unix", filepath.Join(cfg.Host, fmt.Sprintf(".s.PGSQL.%d", cfg.Port))
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(func() {
		p.Cut()
		p.wg.Wait()
	})
	host, port, _ := net.SplitHostPort(p.addr)
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return p, url + " host=" + host + " port=" + port + " sslmode=disable"
	}
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatalf("pgtest: proxy: %v", err)
	}
	q := u.Query()
	q.Del("host")
	q.Del("port")
	q.Set("sslmode", "disable")
	u.Host, u.RawQuery = p.addr, q.Encode()
	return p, u.String()
}

// serve accepts connections on ln and pipes each to the server.
func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Go(func() { p.pipe(ln, c) })
		}
	})
}

// pipe joins c, accepted on ln, to a connection to the server.
func (p *Proxy) pipe(ln net.Listener, c net.Conn) {
	s, err := net.Dial(p.network, p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	if p.ln != ln { // cut meanwhile
		p.mu.Unlock()
		c.Close()
		s.Close()
		return
	}
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	go func() { io.Copy(s, c); done <- struct{}{} }()
	go func() { io.Copy(c, s); done <- struct{}{} }()
	<-done
	c.Close()
	s.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, s)
	p.mu.Unlock()
}

// Cut closes every connection through the proxy and refuses new ones
// until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
}

// Restore accepts connections again after Cut, at the same address.
func (p *Proxy) Restore(t testing.TB) {
	t.Helper()
	p.mu.Lock()
	cut := p.ln == nil
	p.mu.Unlock()
	if !cut {
		return
	}
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("pgtest: proxy: listening again: %v", err)
	}
	p.serve(ln)
}
