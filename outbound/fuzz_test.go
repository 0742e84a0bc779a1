package outbound_test

import (
	"errors"
	"net/netip"
	"net/url"
	"testing"

	"confcal/outbound"
)

// FuzzCheckURL: CheckURL never panics, refuses with ErrURL or ErrAddress
// only, and what it lets through is an https URL with a host, no
// userinfo, a port in range, and no refused literal address.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{
		"https://push.example.com/x?y=z",       // allowed
		"https://[::ffff:10.0.0.1]:443/",       // mapped private
		"https://user:pw@example.com/",         // userinfo
		"http://example.com/",                  // plain http
		"https://example.com:99999/",           // port out of range
		"https://[fe80::1%25en0]/",             // zone
		"https://0x7f.1/",                      // not an address to netip: a name
		"HTTPS://EXAMPLE.COM/",                 // scheme case
		"https://example.com:/",                // empty port
		"https://%31%32%37.0.0.1/",             // escaped host
		"https://[64:ff9b::a00:1]/",            // NAT64 of 10.0.0.1
		"https://example.com\\@127.0.0.1/",     // backslash trick
		"https://127.0.0.1#@push.example.com/", // fragment trick
	} {
		f.Add(s)
	}
	c := outbound.New(outbound.Options{})
	f.Fuzz(func(t *testing.T, raw string) {
		err := c.CheckURL(raw)
		if err != nil {
			if !errors.Is(err, outbound.ErrURL) && !errors.Is(err, outbound.ErrAddress) {
				t.Fatalf("CheckURL(%q) = %v, want ErrURL or ErrAddress", raw, err)
			}
			return
		}
		u, perr := url.Parse(raw)
		if perr != nil {
			t.Fatalf("CheckURL(%q) allowed a URL url.Parse refuses: %v", raw, perr)
		}
		if u.Scheme != "https" || u.User != nil || u.Hostname() == "" || u.Opaque != "" {
			t.Fatalf("CheckURL(%q) allowed scheme %q, user %v, host %q, opaque %q", raw, u.Scheme, u.User, u.Hostname(), u.Opaque)
		}
		if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
			if err := outbound.CheckAddr(ip, false); err != nil {
				t.Fatalf("CheckURL(%q) allowed a refused address: %v", raw, err)
			}
		}
	})
}
