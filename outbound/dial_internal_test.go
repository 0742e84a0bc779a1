package outbound

import (
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
)

// TestControlRefuses dials past the resolver check, straight through the
// net.Dialer: its Control hook alone must refuse the connection.
func TestControlRefuses(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if conn, err := ln.Accept(); err == nil {
			accepted <- struct{}{}
			conn.Close()
		}
	}()
	d := newDialer(nil, time.Second, func(ip netip.Addr) error { return CheckAddr(ip, false) })
	conn, err := d.net.DialContext(t.Context(), "tcp", ln.Addr().String())
	if err == nil {
		conn.Close()
		t.Fatal("the dialer connected to loopback, want the Control hook to refuse")
	}
	if !errors.Is(err, ErrAddress) {
		t.Errorf("dial %s: %v, want ErrAddress", ln.Addr(), err)
	}
	select {
	case <-accepted:
		t.Error("the listener accepted a connection")
	case <-time.After(100 * time.Millisecond):
	}
}

func TestCheckPlain(t *testing.T) {
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1", true},
		{"127.1.2.3", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true},
		// Public addresses, fine for https, never for plain http.
		{"93.184.215.14", false},
		{"2606:4700:4700::1111", false},
		{"10.0.0.1", false},
	} {
		err := checkPlain(netip.MustParseAddr(tt.addr))
		if (err == nil) != tt.ok {
			t.Errorf("checkPlain(%s) = %v, want ok=%v", tt.addr, err, tt.ok)
		}
	}
}
