package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"
)

// maxAddrs bounds how many of a name's addresses are tried in turn.
const maxAddrs = 8

// dialer connects to a host's addresses after checking every one of them.
type dialer struct {
	resolver Resolver
	timeout  time.Duration
	check    func(netip.Addr) error
	net      net.Dialer
}

func newDialer(r Resolver, timeout time.Duration, check func(netip.Addr) error) *dialer {
	d := &dialer{resolver: r, timeout: timeout, check: check}
	d.net.ControlContext = func(_ context.Context, network, address string, _ syscall.RawConn) error {
		// The last word: whatever address the dialer connects to, by
		// whatever path it got there, is checked just before connect.
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: cannot read %s address %q", ErrAddress, network, address)
		}
		return check(ap.Addr())
	}
	return d
}

// dialContext resolves addr's host (unless it is an address), refuses the
// connection if any of its addresses is refused, and connects to them in
// turn until one answers, all within the dial timeout.
func (d *dialer) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	host, portText, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrURL, addr, err)
	}
	port, err := strconv.ParseUint(portText, 10, 16)
	if err != nil || port == 0 {
		return nil, fmt.Errorf("%w: %q: port out of range", ErrURL, addr)
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else {
		ips, err = d.resolver.LookupNetIP(ctx, "ip", host)
		if err != nil {
			return nil, fmt.Errorf("outbound: resolve %s: %w", host, err)
		}
		if len(ips) == 0 {
			return nil, fmt.Errorf("outbound: resolve %s: no addresses", host)
		}
	}
	// Every address is checked before any is tried: a name that mixes a
	// public address with an internal one is somebody's trick, not a
	// server to be reached through whichever address works.
	for _, ip := range ips {
		if err := d.check(ip); err != nil {
			if ip.String() != host {
				err = fmt.Errorf("%w (%s resolves to it)", err, host)
			}
			return nil, err
		}
	}
	if len(ips) > maxAddrs {
		ips = ips[:maxAddrs]
	}
	var errs []error
	for _, ip := range ips {
		conn, err := d.net.DialContext(ctx, network, netip.AddrPortFrom(ip.Unmap(), uint16(port)).String())
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}
