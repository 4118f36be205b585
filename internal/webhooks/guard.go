package webhooks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrPrivateAddress is a delivery refused because its URL resolved to an
// address inside the network (loopback, private, link-local, …) while
// WEBHOOKS_ALLOW_PRIVATE is off. It is final: the delivery fails at once.
var ErrPrivateAddress = errors.New("private address refused")

// refused are the ranges a delivery never dials unless private addresses
// are allowed. IPv4-mapped (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and
// 6to4 (2002:aabb:ccdd::/48) forms are judged by the IPv4 address they
// carry.
var refused = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8",      // "this network", 0.0.0.0 (unspecified) included
		"10.0.0.0/8",     // RFC 1918
		"100.64.0.0/10",  // CGNAT (RFC 6598)
		"127.0.0.0/8",    // loopback
		"169.254.0.0/16", // link-local, cloud metadata (169.254.169.254) included
		"172.16.0.0/12",  // RFC 1918
		"192.0.0.0/24",   // IETF protocol assignments
		"192.168.0.0/16", // RFC 1918
		"198.18.0.0/15",  // benchmarking
		"224.0.0.0/4",    // multicast
		"240.0.0.0/4",    // reserved, broadcast included
		"::/96",          // unspecified, loopback and the deprecated IPv4-compatible forms
		"fc00::/7",       // unique local (ULA)
		"fe80::/10",      // link-local
		"fec0::/10",      // site-local (deprecated)
		"ff00::/8",       // multicast
		"2001:db8::/32",  // documentation
		"2001::/32",      // Teredo (deprecated; the IPv4 it reaches is obfuscated)
		"64:ff9b:1::/48", // local-use NAT64 (RFC 8215): translates to inside addresses
		"100::/64",       // discard-only
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

var (
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

// Refused reports whether a delivery may not dial ip (private addresses not
// allowed).
func Refused(ip netip.Addr) bool {
	ip = ip.Unmap().WithZone("")
	if ip.Is6() && nat64.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[12:]))
	} else if ip.Is6() && sixTo4.Contains(ip) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte(b[2:6]))
	}
	if !ip.IsValid() {
		return true
	}
	for _, p := range refused {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// guard is the dialer's Control: it runs after name resolution, on the
// address about to be connected, so a name that resolves (or is rebound)
// to an inside address is refused whatever it resolved to before.
func guard(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: cannot judge %q", ErrPrivateAddress, address)
	}
	if Refused(ap.Addr()) {
		return ErrPrivateAddress
	}
	return nil
}

// newClient is the HTTP client deliveries are sent with: a 10 s budget per
// attempt, no proxy (a proxy would dial for us, past the guard), no
// redirects (a 3xx is an answer, not a 2xx), and, unless allowPrivate, the
// guard on every connection.
func newClient(allowPrivate bool) *http.Client {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = guard
	}
	t := &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       60 * time.Second,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: RequestTimeout,
	}
	return &http.Client{
		Transport: t,
		Timeout:   RequestTimeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}
