// Package outbound is an HTTP client for URLs that strangers choose: the
// push resources of WebDAV-Push and Web Push subscriptions, webhook
// targets. Whoever subscribes picks where the server sends requests, so
// without care the server becomes a cannon aimed at its own network: its
// loopback services, the cloud metadata endpoint at 169.254.169.254, the
// router, the database on 10.0.0.5.
//
// A Client therefore
//   - takes https URLs only, with a host, without userinfo, with a valid
//     port, and not "localhost" or a host that is a number in one of the
//     forms C resolvers read as an address ("2130706433") (CheckURL),
//     before anything is sent;
//   - checks the address at connect time, not only the URL: a name is
//     resolved once, when dialling, every address it resolves to is
//     checked (the request fails if any is refused), and the connection
//     goes to those checked addresses, so a name cannot resolve to a
//     public address when checked and to 10.0.0.5 when connected (DNS
//     rebinding); the dialer's Control hook checks the address once more
//     just before connect. Refused are loopback, private (RFC 1918,
//     fc00::/7), link-local, unspecified, multicast, carrier-grade NAT
//     (100.64.0.0/10), a few reserved ranges, and the IPv4-mapped and
//     NAT64 forms of those (CheckAddr);
//   - never uses a proxy from the environment, whose address would be
//     checked instead of the target's;
//   - does not follow redirects: a 3xx answer is an error (ErrRedirect),
//     since a redirect would be a second, unchecked choice of target;
//   - bounds the time to connect, to finish the TLS handshake, to get the
//     response headers, and for the whole request including the body, and
//     the size of the response headers and body (ErrBodyTooLarge).
//
// Options.AllowLoopback exists for tests only: it admits loopback
// addresses, and plain http to loopback addresses; nothing else.
package outbound

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Errors a Client's requests fail with, wrapped with what was refused.
var (
	// ErrURL: the URL is not one a request may go to (scheme, host,
	// userinfo, port).
	ErrURL = errors.New("outbound: URL refused")
	// ErrAddress: the host is, or resolves to, an address no request may
	// connect to.
	ErrAddress = errors.New("outbound: address refused")
	// ErrRedirect: the target answered with a redirect (3xx), which is
	// not followed.
	ErrRedirect = errors.New("outbound: redirect not followed")
	// ErrBodyTooLarge: the response body is longer than
	// Options.MaxResponseBody; returned by the body's Read.
	ErrBodyTooLarge = errors.New("outbound: response body too large")
)

// Resolver looks up the addresses of a host name. *net.Resolver is one;
// tests give their own, so that a name can resolve to any address without
// DNS or /etc/hosts.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Defaults for the zero fields of Options.
const (
	DefaultDialTimeout           = 5 * time.Second
	DefaultTLSHandshakeTimeout   = 5 * time.Second
	DefaultResponseHeaderTimeout = 10 * time.Second
	DefaultTimeout               = 30 * time.Second
	DefaultMaxResponseBody       = 64 << 10
	DefaultUserAgent             = "confcal"
)

// MaxResponseHeaderBytes bounds the size of a response's header section.
const MaxResponseHeaderBytes = 16 << 10

// Options configure a Client. The zero value is a safe client for
// production: every field has a default.
type Options struct {
	// DialTimeout bounds resolving the host and connecting to it.
	DialTimeout time.Duration
	// TLSHandshakeTimeout bounds the TLS handshake.
	TLSHandshakeTimeout time.Duration
	// ResponseHeaderTimeout bounds the wait for the response headers
	// once the request is written.
	ResponseHeaderTimeout time.Duration
	// Timeout bounds the whole request: connecting, sending, and
	// reading the response body.
	Timeout time.Duration
	// MaxResponseBody is how many bytes of a response body can be read;
	// reading more fails with ErrBodyTooLarge.
	MaxResponseBody int64
	// UserAgent is sent on requests that have none.
	UserAgent string
	// Resolver looks up host names; nil means net.DefaultResolver.
	Resolver Resolver
	// RootCAs are the certificate authorities trusted; nil means the
	// system's. Tests set it to trust an httptest server.
	RootCAs *x509.CertPool
	// AllowLoopback admits loopback addresses, and plain http to them.
	// For tests only: it must never be set in production, where a
	// loopback target is the server's own internal services.
	AllowLoopback bool
}

// Client sends requests under the rules of the package doc. It is safe for
// concurrent use; keep one and reuse it, so connections are reused.
type Client struct {
	opts    Options
	secure  *http.Client // https
	plain   *http.Client // http, to loopback only; nil unless AllowLoopback
	maxBody int64
}

// New returns a Client with opts, zero fields set to their defaults.
func New(opts Options) *Client {
	if opts.DialTimeout <= 0 {
		opts.DialTimeout = DefaultDialTimeout
	}
	if opts.TLSHandshakeTimeout <= 0 {
		opts.TLSHandshakeTimeout = DefaultTLSHandshakeTimeout
	}
	if opts.ResponseHeaderTimeout <= 0 {
		opts.ResponseHeaderTimeout = DefaultResponseHeaderTimeout
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxResponseBody <= 0 {
		opts.MaxResponseBody = DefaultMaxResponseBody
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	if opts.Resolver == nil {
		opts.Resolver = net.DefaultResolver
	}
	c := &Client{opts: opts, maxBody: opts.MaxResponseBody}
	c.secure = c.httpClient(func(ip netip.Addr) error { return CheckAddr(ip, opts.AllowLoopback) })
	if opts.AllowLoopback {
		// Plain http goes through its own transport whose dialer admits
		// loopback addresses only, so that no name, however it
		// resolves, sends plain text off the machine.
		c.plain = c.httpClient(checkPlain)
	}
	return c
}

// checkPlain is the address rule for plain http: loopback only.
func checkPlain(ip netip.Addr) error {
	if ip.Zone() == "" && ip.Unmap().IsLoopback() {
		return nil
	}
	return fmt.Errorf("%w: %s is not loopback, and plain http goes to loopback only", ErrAddress, ip)
}

// httpClient returns an http.Client whose connections go only to
// addresses that check allows.
func (c *Client) httpClient(check func(netip.Addr) error) *http.Client {
	d := newDialer(c.opts.Resolver, c.opts.DialTimeout, check)
	t := &http.Transport{
		Proxy:                  nil, // never from the environment: see the package doc
		DialContext:            d.dialContext,
		TLSClientConfig:        &tls.Config{RootCAs: c.opts.RootCAs, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    c.opts.TLSHandshakeTimeout,
		ResponseHeaderTimeout:  c.opts.ResponseHeaderTimeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: MaxResponseHeaderBytes,
		// A body is read through the size bound; transparent gzip
		// would only add a decompression nobody asked for.
		DisableCompression:  true,
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        64,
		MaxIdleConnsPerHost: 4,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{
		Transport: t,
		Timeout:   c.opts.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// CheckURL reports why a request may not go to raw, nil when it may as far
// as the URL shows; the address is checked again when connecting. The
// error wraps ErrURL, or ErrAddress for a literal address that is refused.
func (c *Client) CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrURL, err)
	}
	return c.checkURL(u)
}

func (c *Client) checkURL(u *url.URL) error {
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && c.opts.AllowLoopback:
	case u.Scheme == "http":
		return fmt.Errorf("%w: %s: plain http, want https", ErrURL, redact(u))
	default:
		return fmt.Errorf("%w: %s: scheme %q, want https", ErrURL, redact(u), u.Scheme)
	}
	if u.Opaque != "" {
		return fmt.Errorf("%w: %s: not a hierarchical URL", ErrURL, redact(u))
	}
	if u.User != nil {
		return fmt.Errorf("%w: %s: credentials in the URL", ErrURL, redact(u))
	}
	host := u.Hostname()
	if host == "" {
		return fmt.Errorf("%w: %s: no host", ErrURL, redact(u))
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("%w: %s: port %q out of range", ErrURL, redact(u), p)
		}
	} else if u.Host != host && u.Host != "["+host+"]" {
		// "host:" with an empty port.
		return fmt.Errorf("%w: %s: empty port", ErrURL, redact(u))
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return c.checkName(u, host)
	}
	check := func(ip netip.Addr) error { return CheckAddr(ip, c.opts.AllowLoopback) }
	if u.Scheme == "http" {
		check = checkPlain
	}
	if err := check(ip); err != nil {
		return fmt.Errorf("%w (in %s)", err, redact(u))
	}
	return nil
}

// checkName refuses, before anything is sent, the host names whose
// address is known without asking DNS, so that whoever registers the URL
// hears of it at once rather than at the first delivery: "localhost" and
// names under it, which resolvers answer with loopback (RFC 6761 §6.3),
// and a name whose last label is a number ("2130706433", "0x7f000001",
// "127.1"), which no top-level domain is (RFC 3696 §2) and which the
// inet_aton of C resolvers reads as an IPv4 address. The dialler checks
// every address a name resolves to in any case (CheckAddr).
func (c *Client) checkName(u *url.URL, host string) error {
	name := strings.ToLower(strings.TrimSuffix(host, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") {
		if c.opts.AllowLoopback {
			return nil
		}
		return fmt.Errorf("%w: %s: a loopback name (RFC 6761)", ErrAddress, redact(u))
	}
	last := name[strings.LastIndexByte(name, '.')+1:]
	hex := strings.HasPrefix(last, "0x") && len(last) > 2 && strings.Trim(last[2:], "0123456789abcdef") == ""
	if hex || last != "" && strings.Trim(last, "0123456789") == "" {
		return fmt.Errorf("%w: %s: a numeric host that is not an IP address in standard form", ErrURL, redact(u))
	}
	return nil
}

// redact returns u without userinfo, query and fragment, for errors:
// a push resource's query may be a secret, and userinfo certainly is.
func redact(u *url.URL) string {
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	return r.String()
}

// Do sends req under the rules of the package doc. The response's body
// reads at most Options.MaxResponseBody bytes; the caller closes it. A 3xx
// response is closed and returned as an error wrapping ErrRedirect.
func (c *Client) Do(req *http.Request) (*http.Response, error) {
	if req.URL == nil {
		return nil, fmt.Errorf("%w: request without a URL", ErrURL)
	}
	if err := c.checkURL(req.URL); err != nil {
		return nil, err
	}
	hc := c.secure
	if req.URL.Scheme == "http" {
		hc = c.plain
	}
	if req.Header.Get("User-Agent") == "" {
		req = req.Clone(req.Context())
		req.Header.Set("User-Agent", c.opts.UserAgent)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		resp.Body.Close()
		return nil, fmt.Errorf("%w: %s answered %s (Location %q)", ErrRedirect, redact(req.URL), resp.Status, resp.Header.Get("Location"))
	}
	resp.Body = &limitedBody{r: resp.Body, left: c.maxBody}
	return resp, nil
}

// CloseIdleConnections closes the connections kept for reuse.
func (c *Client) CloseIdleConnections() {
	c.secure.CloseIdleConnections()
	if c.plain != nil {
		c.plain.CloseIdleConnections()
	}
}

// limitedBody reads at most left bytes of r, and fails with
// ErrBodyTooLarge, instead of ending, when r has more.
type limitedBody struct {
	r    io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	if int64(n) > b.left {
		n = int(b.left)
		b.left = 0
		return n, ErrBodyTooLarge
	}
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.r.Close() }
