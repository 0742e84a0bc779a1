// Package pushtest is a push service for tests (RFC 8030), what a
// browser's push service or a UnifiedPush distributor is to a real
// server: an httptest TLS server whose subscriptions have their own P-256
// key pair and auth secret, and which decrypts every message it receives
// (RFC 8291, written here apart from the library that encrypts), verifies
// its VAPID authorization (RFC 8292), and records it with its Topic,
// Urgency and TTL. It can be told to answer what a real push service
// answers when things go wrong: 404, 410, 429 with Retry-After, 500.
//
// It also has a Clock that moves only when told, for the webpush Sender's
// waits and Throttle's intervals.
package pushtest

import (
	"crypto/ecdh"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"confcal/outbound"
	"confcal/webpush"
)

// MaxBody is the largest message body the server takes; RFC 8030 §7.2
// lets a push service refuse more than 4096 bytes with 413.
const MaxBody = 4096

// Message is one request the server received, and what it made of it.
type Message struct {
	// Endpoint is the push resource it was posted to.
	Endpoint string
	// Payload is the decrypted plaintext (nil when Err is set).
	Payload []byte
	// BodySize is the length of the encrypted body.
	BodySize int
	// Topic, Urgency and TTL are the headers as sent ("" and -1 when
	// absent).
	Topic   string
	Urgency string
	TTL     int
	// VAPID is what the Authorization header said.
	VAPID VAPID
	// Status is what the server answered.
	Status int
	// Err is why the server refused the request, nil when it found
	// nothing wrong (a scripted Reply may still have refused it).
	Err error
}

// Reply is an answer the server gives instead of 201 Created.
type Reply struct {
	Status int
	// RetryAfter is sent as the Retry-After header when not empty.
	RetryAfter string
}

// Server is a push service for tests. Its methods are safe for concurrent
// use.
type Server struct {
	// URL is the server's base URL, https://127.0.0.1:port.
	URL string

	srv  *httptest.Server
	pool *x509.CertPool

	mu      sync.Mutex
	subs    map[string]*subscription
	replies []Reply
	msgs    []Message
}

type subscription struct {
	priv   *ecdh.PrivateKey
	auth   []byte
	appKey string // the VAPID key messages must carry ("" any)
	gone   bool
}

// NewServer starts a Server, closed when the test ends.
func NewServer(tb testing.TB) *Server {
	tb.Helper()
	s := &Server{subs: map[string]*subscription{}}
	s.srv = httptest.NewTLSServer(http.HandlerFunc(s.serve))
	tb.Cleanup(s.srv.Close)
	s.URL = s.srv.URL
	s.pool = x509.NewCertPool()
	s.pool.AddCert(s.srv.Certificate())
	return s
}

// Client returns an outbound.Client that reaches the server: loopback
// allowed, its certificate trusted, the other options as given.
func (s *Server) Client(opts outbound.Options) *outbound.Client {
	opts.AllowLoopback = true
	opts.RootCAs = s.pool
	return outbound.New(opts)
}

// Subscribe creates a subscription, as a user agent does, and returns it
// as the application server gets it. With applicationServerKey (a
// webpush.Keys' PublicKey) it is restricted (RFC 8292 §4): messages must
// carry that VAPID key, or are refused with 403.
func (s *Server) Subscribe(tb testing.TB, applicationServerKey string) webpush.Subscription {
	tb.Helper()
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	id := make([]byte, 12)
	rand.Read(id)
	endpoint := s.URL + "/push/" + base64.RawURLEncoding.EncodeToString(id)
	s.mu.Lock()
	s.subs[endpoint] = &subscription{priv: priv, auth: auth, appKey: applicationServerKey}
	s.mu.Unlock()
	return webpush.Subscription{Endpoint: endpoint, P256dh: priv.PublicKey().Bytes(), Auth: auth}
}

// Expire ends a subscription, as a user agent that unsubscribes does:
// messages to it are answered 410 Gone from then on.
func (s *Server) Expire(sub webpush.Subscription) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if x, ok := s.subs[sub.Endpoint]; ok {
		x.gone = true
	}
}

// Reply makes the server answer the next len(replies) valid messages with
// these replies, in order, instead of 201 Created.
func (s *Server) Reply(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, replies...)
}

// Messages returns every request received so far, in order.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Accepted returns the messages answered 201 Created, in order.
func (s *Server) Accepted() []Message {
	var ok []Message
	for _, m := range s.Messages() {
		if m.Status == http.StatusCreated {
			ok = append(ok, m)
		}
	}
	return ok
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	endpoint := s.URL + r.URL.Path
	m := Message{Endpoint: endpoint, TTL: -1}
	status, err := s.receive(r, &m)
	m.Err = err
	s.mu.Lock()
	if err == nil && len(s.replies) > 0 {
		reply := s.replies[0]
		s.replies = s.replies[1:]
		status = reply.Status
		if reply.RetryAfter != "" {
			w.Header().Set("Retry-After", reply.RetryAfter)
		}
	}
	m.Status = status
	n := len(s.msgs)
	s.msgs = append(s.msgs, m)
	s.mu.Unlock()

	switch {
	case err != nil:
		http.Error(w, err.Error(), status)
	case status == http.StatusCreated:
		// RFC 8030 §5: the message's URL, and the TTL the service
		// keeps it for.
		w.Header().Set("Location", fmt.Sprintf("%s/message/%d", s.URL, n))
		w.Header().Set("TTL", strconv.Itoa(m.TTL))
		w.WriteHeader(status)
	default:
		http.Error(w, http.StatusText(status), status)
	}
}

// receive checks a request as a push service does and decrypts it into m,
// returning the status to answer and, if it is refused, why.
func (s *Server) receive(r *http.Request, m *Message) (int, error) {
	if r.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, fmt.Errorf("method %s, want POST", r.Method)
	}
	s.mu.Lock()
	sub, ok := s.subs[m.Endpoint]
	var gone bool
	if ok {
		gone = sub.gone
	}
	s.mu.Unlock()
	if !ok {
		return http.StatusNotFound, errors.New("no such subscription")
	}
	if gone {
		return http.StatusGone, errors.New("subscription expired")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return http.StatusBadRequest, fmt.Errorf("reading the body: %w", err)
	}
	m.BodySize = len(body)
	if len(body) > MaxBody {
		return http.StatusRequestEntityTooLarge, fmt.Errorf("body of more than %d bytes", MaxBody)
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return http.StatusUnsupportedMediaType, fmt.Errorf("header Content-Encoding %q, want aes128gcm", ce)
	}

	// RFC 8030 §5.2: TTL is required, seconds as a non-negative integer.
	ttl := r.Header.Get("TTL")
	n, err := strconv.ParseUint(ttl, 10, 31)
	if err != nil {
		return http.StatusBadRequest, fmt.Errorf("header TTL %q, want seconds", ttl)
	}
	m.TTL = int(n)
	m.Urgency = r.Header.Get("Urgency")
	switch m.Urgency {
	case "", "very-low", "low", "normal", "high":
	default:
		return http.StatusBadRequest, fmt.Errorf("header Urgency %q", m.Urgency)
	}
	m.Topic = r.Header.Get("Topic")
	if _, has := r.Header["Topic"]; has && !validTopic(m.Topic) {
		return http.StatusBadRequest, fmt.Errorf("header Topic %q: want 1 to 32 characters of base64url (RFC 8030 §5.4)", m.Topic)
	}

	auth := r.Header.Get("Authorization")
	if auth == "" {
		return http.StatusUnauthorized, errors.New("no VAPID authorization")
	}
	m.VAPID, err = VerifyVAPID(auth, m.Endpoint, time.Now())
	if err != nil {
		return http.StatusForbidden, err
	}
	if sub.appKey != "" && m.VAPID.Key != sub.appKey {
		return http.StatusForbidden, fmt.Errorf("VAPID key %s, but the subscription was made for %s", m.VAPID.Key, sub.appKey)
	}

	m.Payload, err = Decrypt(body, sub.priv, sub.auth)
	if err != nil {
		return http.StatusBadRequest, err
	}
	return http.StatusCreated, nil
}

func validTopic(t string) bool {
	if t == "" || len(t) > 32 {
		return false
	}
	return strings.Trim(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == ""
}
