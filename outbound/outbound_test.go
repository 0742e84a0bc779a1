package outbound_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"confcal/outbound"
)

// resolver answers from a table instead of DNS and counts the look-ups.
type resolver struct {
	names map[string][]string
	calls atomic.Int32
}

func (r *resolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.calls.Add(1)
	addrs, ok := r.names[host]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	var ips []netip.Addr
	for _, a := range addrs {
		ips = append(ips, netip.MustParseAddr(a))
	}
	return ips, nil
}

// server is an httptest TLS server on 127.0.0.1 that counts the
// connections it accepts, so a test can tell a refused request from one
// that reached the target and failed there.
type server struct {
	*httptest.Server
	conns atomic.Int32
	pool  *x509.CertPool
}

func newServer(t *testing.T, h http.Handler, tls bool) *server {
	t.Helper()
	s := &server{Server: httptest.NewUnstartedServer(h)}
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	if tls {
		s.StartTLS()
		s.pool = x509.NewCertPool()
		s.pool.AddCert(s.Certificate())
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// port is the server's port, for URLs with other hosts.
func (s *server) port() string {
	_, p, _ := net.SplitHostPort(s.Listener.Addr().String())
	return p
}

func hello() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "hello ", r.Header.Get("User-Agent"))
	})
}

func get(t *testing.T, c *outbound.Client, url string) (string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func TestCheckURL(t *testing.T) {
	tests := []struct {
		url     string
		loop    bool  // AllowLoopback
		wantErr error // nil: allowed
	}{
		{"https://push.example.com/x/y?z=1", false, nil},
		{"https://push.example.com:8443/x", false, nil},
		{"https://[2606:4700:4700::1111]/x", false, nil},
		{"https://93.184.215.14/", false, nil},
		{"http://push.example.com/x", false, outbound.ErrURL},
		{"http://127.0.0.1:8080/x", true, nil},
		{"http://localhost:8080/x", true, nil}, // the address is checked when dialling
		{"http://10.0.0.1/x", true, outbound.ErrAddress},
		{"http://93.184.215.14/x", true, outbound.ErrAddress},
		{"ftp://push.example.com/x", false, outbound.ErrURL},
		{"javascript:alert(1)", false, outbound.ErrURL},
		{"https:opaque", false, outbound.ErrURL},
		{"/relative/path", false, outbound.ErrURL},
		{"https:///no-host", false, outbound.ErrURL},
		{"https://user:secret@push.example.com/", false, outbound.ErrURL},
		{"https://user@push.example.com/", false, outbound.ErrURL},
		{"https://push.example.com:0/", false, outbound.ErrURL},
		{"https://push.example.com:65536/", false, outbound.ErrURL},
		{"https://push.example.com:/", false, outbound.ErrURL},
		{"https://push.example.com:https/", false, outbound.ErrURL},
		{"https://127.0.0.1/", false, outbound.ErrAddress},
		{"https://127.0.0.1/", true, nil},
		{"https://[::1]/", false, outbound.ErrAddress},
		{"https://10.1.2.3/", true, outbound.ErrAddress},
		{"https://169.254.169.254/latest/meta-data/", true, outbound.ErrAddress},
		{"https://[fe80::1%25eth0]/", true, outbound.ErrAddress},
		{"https://[::ffff:10.0.0.1]/", true, outbound.ErrAddress},
		{"https://100.64.1.1/", false, outbound.ErrAddress},
		{"https://[fd00::1]/", false, outbound.ErrAddress},
		{"https://0.0.0.0/", true, outbound.ErrAddress},
		{"https://[::]/", true, outbound.ErrAddress},
		{"https://224.0.0.1/", true, outbound.ErrAddress},
		{"https://%zz/", false, outbound.ErrURL},
		{"https://localhost/h", false, outbound.ErrAddress},
		{"https://LocalHost./h", false, outbound.ErrAddress},
		{"https://api.localhost/h", false, outbound.ErrAddress},
		{"https://localhost/h", true, nil},
		{"https://localhost.example.com/h", false, nil},
		{"https://0x7f000001/h", false, outbound.ErrURL},
		{"https://2130706433/h", false, outbound.ErrURL},
		{"https://127.1/h", false, outbound.ErrURL},
		{"https://0177.0.0.1/h", false, outbound.ErrURL},
		{"https://push.example.com.0x10/h", false, outbound.ErrURL},
		{"https://hooks.0xdeadbeef.example/h", false, nil},
		{"https://123.example/h", false, nil},
		{"https://example.123abc/h", false, nil},
	}
	for _, tt := range tests {
		c := outbound.New(outbound.Options{AllowLoopback: tt.loop})
		err := c.CheckURL(tt.url)
		if tt.wantErr == nil && err != nil {
			t.Errorf("CheckURL(%q), AllowLoopback=%v: %v, want nil", tt.url, tt.loop, err)
		}
		if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
			t.Errorf("CheckURL(%q), AllowLoopback=%v: %v, want %v", tt.url, tt.loop, err, tt.wantErr)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("CheckURL(%q): error %q shows the password", tt.url, err)
		}
	}
}

func TestLoopback(t *testing.T) {
	s := newServer(t, hello(), true)

	refused := outbound.New(outbound.Options{RootCAs: s.pool})
	_, err := get(t, refused, s.URL)
	if !errors.Is(err, outbound.ErrAddress) {
		t.Errorf("GET %s without AllowLoopback: %v, want ErrAddress", s.URL, err)
	}
	// A name resolving to loopback is refused when dialling, after the
	// URL check passed.
	r := &resolver{names: map[string][]string{"push.example.com": {"127.0.0.1"}}}
	refused = outbound.New(outbound.Options{RootCAs: s.pool, Resolver: r})
	u := "https://push.example.com:" + s.port() + "/"
	if err := refused.CheckURL(u); err != nil {
		t.Fatalf("CheckURL(%q) = %v, want nil (a name is checked when dialled)", u, err)
	}
	_, err = get(t, refused, u)
	if !errors.Is(err, outbound.ErrAddress) {
		t.Errorf("GET %s (127.0.0.1) without AllowLoopback: %v, want ErrAddress", u, err)
	}
	if r.calls.Load() == 0 {
		t.Error("the resolver was not asked")
	}
	if n := s.conns.Load(); n != 0 {
		t.Errorf("the server accepted %d connections from refused requests, want 0", n)
	}

	allowed := outbound.New(outbound.Options{RootCAs: s.pool, Resolver: r, AllowLoopback: true})
	for _, u := range []string{s.URL, u} {
		body, err := get(t, allowed, u)
		if err != nil || body != "hello confcal" {
			t.Errorf("GET %s with AllowLoopback = %q, %v; want %q", u, body, err, "hello confcal")
		}
	}
}

// TestRefusedNames: names that resolve to refused addresses are refused
// before any connection is tried (no traffic leaves for those addresses:
// the check comes first), even with AllowLoopback, and even when only one
// of several addresses is refused.
func TestRefusedNames(t *testing.T) {
	s := newServer(t, hello(), true)
	r := &resolver{names: map[string][]string{
		"private.example.com":    {"10.1.2.3"},
		"rfc1918.example.com":    {"192.168.178.1"},
		"linklocal.example.com":  {"169.254.169.254"},
		"linklocal6.example.com": {"fe80::1"},
		"cgnat.example.com":      {"100.64.0.7"},
		"ula.example.com":        {"fd00::1"},
		"mapped.example.com":     {"::ffff:10.0.0.1"},
		"mixed.example.com":      {"127.0.0.1", "10.0.0.1"},
		"mixed6.example.com":     {"::1", "fc00::1"},
		"multicast.example.com":  {"224.0.0.1"},
		"zero.example.com":       {"0.0.0.0"},
	}}
	c := outbound.New(outbound.Options{RootCAs: s.pool, Resolver: r, AllowLoopback: true})
	for name := range r.names {
		u := "https://" + name + ":" + s.port() + "/"
		_, err := get(t, c, u)
		if !errors.Is(err, outbound.ErrAddress) {
			t.Errorf("GET %s (%v): %v, want ErrAddress", u, r.names[name], err)
		}
	}
	if n := s.conns.Load(); n != 0 {
		t.Errorf("the server accepted %d connections, want 0 (a name with a refused address is refused whole)", n)
	}
	_, err := get(t, c, "https://unknown.example.com:"+s.port()+"/")
	var dnsErr *net.DNSError
	if !errors.As(err, &dnsErr) {
		t.Errorf("GET unknown.example.com: %v, want the resolver's error", err)
	}
}

func TestPlainHTTP(t *testing.T) {
	s := newServer(t, hello(), false)
	r := &resolver{names: map[string][]string{"localhost": {"127.0.0.1"}, "elsewhere.example.com": {"10.9.9.9"}}}
	body, err := get(t, outbound.New(outbound.Options{AllowLoopback: true, Resolver: r}), s.URL)
	if err != nil || body != "hello confcal" {
		t.Errorf("GET %s with AllowLoopback = %q, %v; want %q", s.URL, body, err, "hello confcal")
	}
	body, err = get(t, outbound.New(outbound.Options{AllowLoopback: true, Resolver: r}), "http://localhost:"+s.port()+"/")
	if err != nil || body != "hello confcal" {
		t.Errorf("GET http://localhost with AllowLoopback = %q, %v; want %q", body, err, "hello confcal")
	}
	_, err = get(t, outbound.New(outbound.Options{AllowLoopback: true, Resolver: r}), "http://elsewhere.example.com:"+s.port()+"/")
	if !errors.Is(err, outbound.ErrAddress) {
		t.Errorf("GET http://elsewhere.example.com (10.9.9.9): %v, want ErrAddress", err)
	}
	_, err = get(t, outbound.New(outbound.Options{Resolver: r}), s.URL)
	if !errors.Is(err, outbound.ErrURL) {
		t.Errorf("GET %s without AllowLoopback: %v, want ErrURL", s.URL, err)
	}
	if n := s.conns.Load(); n != 2 {
		t.Errorf("the server accepted %d connections, want 2 (from the allowed requests only)", n)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	var other atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/other", func(w http.ResponseWriter, r *http.Request) {
		other.Add(1)
		fmt.Fprint(w, "followed")
	})
	for _, code := range []int{301, 302, 303, 307, 308} {
		mux.HandleFunc(fmt.Sprintf("/%d", code), func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/other", code)
		})
	}
	s := newServer(t, mux, true)
	c := outbound.New(outbound.Options{RootCAs: s.pool, AllowLoopback: true})
	for _, code := range []int{301, 302, 303, 307, 308} {
		u := fmt.Sprintf("%s/%d", s.URL, code)
		body, err := get(t, c, u)
		if !errors.Is(err, outbound.ErrRedirect) {
			t.Errorf("GET %s = %q, %v; want ErrRedirect", u, body, err)
		}
		if err != nil && !strings.Contains(err.Error(), "/other") {
			t.Errorf("GET %s: error %q does not name the Location", u, err)
		}
	}
	if n := other.Load(); n != 0 {
		t.Errorf("the redirect target was requested %d times, want 0", n)
	}
}

func TestResponseHeaderTimeout(t *testing.T) {
	release := make(chan struct{})
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}), true)
	defer close(release)
	c := outbound.New(outbound.Options{RootCAs: s.pool, AllowLoopback: true, ResponseHeaderTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err := get(t, c, s.URL)
	assertTimeout(t, err, start, "response headers")
}

func TestWholeRequestTimeout(t *testing.T) {
	// Headers at once, then a byte now and then: only the bound on the
	// whole request stops it. The handler goes on until a write fails:
	// one that returned when the client went away would end the chunked
	// body properly, which the client could read as a whole response in
	// a race with its own timeout.
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		for range 100 {
			if _, err := w.Write([]byte("x")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(50 * time.Millisecond)
		}
	}), true)
	c := outbound.New(outbound.Options{RootCAs: s.pool, AllowLoopback: true, Timeout: time.Second})
	start := time.Now()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v, want the headers within the bound", s.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	assertTimeout(t, err, start, "whole request")
	if len(body) >= 100 {
		t.Errorf("read all %d bytes, want the timeout to cut the body", len(body))
	}
}

func TestTLSHandshakeTimeout(t *testing.T) {
	// A listener that accepts and never answers the ClientHello.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var conns []net.Conn
	var mu sync.Mutex
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
		for _, c := range conns {
			c.Close()
		}
	})
	c := outbound.New(outbound.Options{AllowLoopback: true, TLSHandshakeTimeout: 200 * time.Millisecond})
	start := time.Now()
	_, err = get(t, c, "https://"+ln.Addr().String()+"/")
	assertTimeout(t, err, start, "TLS handshake")
}

// assertTimeout checks that err is a timeout that came soon after start:
// well before the defaults (5 s and more) would have ended the request.
func assertTimeout(t *testing.T, err error, start time.Time, what string) {
	t.Helper()
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("%s: got %v, want a timeout", what, err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("%s: the timeout came after %v, want it near its bound", what, d)
	}
}

func TestMaxResponseBody(t *testing.T) {
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := 1024
		if r.URL.Path == "/big" {
			n = 100 << 10
		}
		w.Write([]byte(strings.Repeat("a", n)))
	}), true)
	c := outbound.New(outbound.Options{RootCAs: s.pool, AllowLoopback: true, MaxResponseBody: 1024})
	body, err := get(t, c, s.URL+"/exact")
	if err != nil || len(body) != 1024 {
		t.Errorf("GET /exact (1024 bytes, the limit) = %d bytes, %v; want 1024, nil", len(body), err)
	}
	body, err = get(t, c, s.URL+"/big")
	if !errors.Is(err, outbound.ErrBodyTooLarge) {
		t.Errorf("GET /big (100 KiB) = %d bytes, %v; want ErrBodyTooLarge", len(body), err)
	}
	if len(body) > 1024 {
		t.Errorf("GET /big: read %d bytes, want at most 1024", len(body))
	}
}

func TestResponseHeaderSize(t *testing.T) {
	s := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Big", strings.Repeat("b", outbound.MaxResponseHeaderBytes))
	}), true)
	c := outbound.New(outbound.Options{RootCAs: s.pool, AllowLoopback: true})
	if _, err := get(t, c, s.URL); err == nil {
		t.Errorf("GET with a header of %d bytes succeeded, want an error", outbound.MaxResponseHeaderBytes)
	}
}

func TestNoProxyFromEnvironment(t *testing.T) {
	// A proxy in the environment would receive the request (and its
	// address, not the target's, would be checked); it must not be used.
	var proxied atomic.Int32
	proxy := newServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied.Add(1)
		http.Error(w, "proxy", http.StatusBadGateway)
	}), false)
	t.Setenv("HTTPS_PROXY", proxy.URL)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "")
	s := newServer(t, hello(), true)
	c := outbound.New(outbound.Options{RootCAs: s.pool, AllowLoopback: true})
	body, err := get(t, c, s.URL)
	if err != nil || body != "hello confcal" {
		t.Errorf("GET %s = %q, %v; want %q", s.URL, body, err, "hello confcal")
	}
	if proxied.Load() != 0 {
		t.Error("the request went through the environment's proxy")
	}
}

func TestUserAgentKept(t *testing.T) {
	s := newServer(t, hello(), true)
	c := outbound.New(outbound.Options{RootCAs: s.pool, AllowLoopback: true, UserAgent: "confcal-test"})
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, s.URL, nil)
	req.Header.Set("User-Agent", "mine")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != "hello mine" {
		t.Errorf("body %q, want %q (the request's own User-Agent)", b, "hello mine")
	}
	if body, _ := get(t, c, s.URL); body != "hello confcal-test" {
		t.Errorf("body %q, want %q (Options.UserAgent)", body, "hello confcal-test")
	}
}
