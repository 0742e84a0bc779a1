package outbound_test

import (
	"errors"
	"net/netip"
	"testing"

	"confcal/outbound"
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr          string
		allowed       bool // without AllowLoopback
		allowedIfLoop bool // with AllowLoopback
	}{
		// Public addresses: allowed either way. Only checked, never
		// connected to.
		{"93.184.215.14", true, true},
		{"1.1.1.1", true, true},
		{"2606:4700:4700::1111", true, true},
		{"::ffff:93.184.215.14", true, true},
		{"64:ff9b::5db8:d70e", true, true}, // NAT64 of 93.184.215.14

		// Loopback: only with AllowLoopback.
		{"127.0.0.1", false, true},
		{"127.255.0.9", false, true},
		{"::1", false, true},
		{"::ffff:127.0.0.1", false, true},
		// NAT64 of 127.0.0.1 is the gateway's loopback, never ours.
		{"64:ff9b::7f00:1", false, false},

		// Never allowed.
		{"10.0.0.1", false, false},
		{"10.255.255.255", false, false},
		{"172.16.0.1", false, false},
		{"172.31.255.254", false, false},
		{"192.168.1.1", false, false},
		{"100.64.0.1", false, false},
		{"100.127.255.254", false, false},
		{"169.254.169.254", false, false},
		{"0.0.0.0", false, false},
		{"0.1.2.3", false, false},
		{"224.0.0.251", false, false},
		{"239.255.255.250", false, false},
		{"255.255.255.255", false, false},
		{"240.0.0.1", false, false},
		{"198.18.0.1", false, false},
		{"192.0.0.170", false, false},
		{"::", false, false},
		{"fc00::1", false, false},
		{"fd12:3456::1", false, false},
		{"fe80::1", false, false},
		{"fe80::1%eth0", false, false},
		{"fec0::1", false, false},
		{"ff02::1", false, false},
		{"::10.0.0.1", false, false},
		{"64:ff9b:1::a00:1", false, false},
		// IPv4-mapped forms of refused addresses.
		{"::ffff:10.0.0.1", false, false},
		{"::ffff:192.168.0.1", false, false},
		{"::ffff:169.254.169.254", false, false},
		{"::ffff:100.64.0.1", false, false},
		{"::ffff:0.0.0.0", false, false},
		{"::ffff:224.0.0.1", false, false},
		{"64:ff9b::a9fe:a9fe", false, false}, // NAT64 of 169.254.169.254

		// Edges of the ranges.
		{"100.63.255.255", true, true},
		{"100.128.0.0", true, true},
		{"172.15.255.255", true, true},
		{"172.32.0.0", true, true},
		{"11.0.0.0", true, true},
		{"223.255.255.255", true, true},
		{"fbff:ffff::1", true, true},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.addr)
		for _, loop := range []bool{false, true} {
			want := tt.allowed
			if loop {
				want = tt.allowedIfLoop
			}
			err := outbound.CheckAddr(ip, loop)
			if (err == nil) != want {
				t.Errorf("CheckAddr(%s, allowLoopback=%v) = %v, want allowed=%v", tt.addr, loop, err, want)
			}
			if err != nil && !errors.Is(err, outbound.ErrAddress) {
				t.Errorf("CheckAddr(%s, %v) = %v, want it to wrap ErrAddress", tt.addr, loop, err)
			}
		}
	}
	if err := outbound.CheckAddr(netip.Addr{}, true); err == nil {
		t.Error("CheckAddr(zero Addr) = nil, want an error")
	}
}
