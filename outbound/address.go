package outbound

import (
	"fmt"
	"net/netip"
)

// refused lists the address ranges no request may reach, with the reason
// an error gives. Ranges are matched after an IPv4-mapped IPv6 address
// (::ffff:a.b.c.d) is unmapped, so the mapped forms are refused as their
// IPv4 addresses are.
var refused = []struct {
	prefix netip.Prefix
	reason string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (this network)"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared carrier-grade NAT space (RFC 6598)"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	// 192.0.0.0/24 holds protocol assignments such as DS-Lite's B4
	// element and NAT64 discovery: never a web server's.
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignment"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	// Benchmarking space is routed inside labs and data centres.
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (RFC 2544)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (and broadcast)"},

	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	// The deprecated IPv4-compatible form ::a.b.c.d: no public server
	// has such an address, and some stacks route it to the IPv4 address.
	{netip.MustParsePrefix("::/96"), "IPv4-compatible (deprecated)"},
	// The local-use NAT64 prefix (RFC 8215) leads to whatever IPv4
	// network the operator translates into.
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64 (RFC 8215)"},
	{netip.MustParsePrefix("fc00::/7"), "unique local (private)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
}

// nat64 is the well-known NAT64 prefix (RFC 6052): its addresses carry an
// IPv4 address in their last 32 bits, which a NAT64 gateway reaches, so
// they are judged by that address.
var nat64 = netip.MustParsePrefix("64:ff9b::/96")

// CheckAddr reports why a request may not connect to ip, nil when it may.
// Loopback addresses (127.0.0.0/8, ::1, and their IPv4-mapped forms) are
// allowed when allowLoopback is set; nothing else ever is. The error wraps
// ErrAddress.
func CheckAddr(ip netip.Addr, allowLoopback bool) error {
	reason := refusal(ip, allowLoopback)
	if reason == "" {
		return nil
	}
	return fmt.Errorf("%w: %s is %s", ErrAddress, ip, reason)
}

// refusal returns why ip is refused, "" when it is not.
func refusal(ip netip.Addr, allowLoopback bool) string {
	if !ip.IsValid() {
		return "not an IP address"
	}
	if ip.Zone() != "" {
		// Only link-local and multicast addresses take zones.
		return "scoped to an interface"
	}
	ip = ip.Unmap()
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		// Through a gateway the embedded loopback address is not this
		// machine, so it is refused even where loopback is allowed.
		return refusal(netip.AddrFrom4([4]byte(b[12:])), false)
	}
	if allowLoopback && ip.IsLoopback() {
		return ""
	}
	for _, r := range refused {
		if r.prefix.Contains(ip) {
			return r.reason
		}
	}
	return ""
}
