package tenantry

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Where webhooks may deliver. A webhook URL is the partner's, but the
// request leaves from inside the operator's network: without limits a
// partner could make the server POST to its own admin ports, to a cloud
// metadata service or to any host of the private network, and read what
// answered in the deliveries list. So a destination must be a public
// address, checked twice: when the webhook is registered (the URL as
// written) and when a delivery connects (every address its name resolves
// to, so that a name pointed inside later is refused too).

// WebhookPolicy is the operator's rule on webhook destinations.
type WebhookPolicy struct {
	// AllowPrivate lets webhooks reach loopback, private (RFC 1918,
	// fc00::/7), shared (100.64.0.0/10) and link-local addresses and
	// internal names such as localhost or *.internal: for receivers on the
	// operator's own network, and for tests. Unspecified, multicast,
	// broadcast and reserved addresses, numbers written other than as a
	// dotted quad, and invalid ports stay refused.
	AllowPrivate bool
}

// ErrWebhookDestination is the cause of a delivery refused because its
// destination is not allowed.
var ErrWebhookDestination = errors.New("destination not allowed")

// addrClass sorts addresses for the policy.
type addrClass int

const (
	addrPublic    addrClass = iota
	addrPrivate             // inside the operator's network: allowed by AllowPrivate
	addrForbidden           // never a receiver
)

func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

var (
	// forbiddenNets are never a host to deliver to: "this network" (0.0.0.0
	// connects to the server itself on Linux), multicast, reserved and
	// broadcast.
	forbiddenNets = mustPrefixes("0.0.0.0/8", "224.0.0.0/4", "240.0.0.0/4", "::/128", "ff00::/8")
	// privateNets are the operator's own network, beside what netip's
	// IsLoopback, IsPrivate and IsLinkLocalUnicast cover: shared address
	// space (carrier-grade NAT), IETF protocol assignments, benchmarking,
	// deprecated site-local, Teredo (its client address is obscured), the
	// discard prefix and local-use NAT64.
	privateNets = mustPrefixes("100.64.0.0/10", "192.0.0.0/24", "198.18.0.0/15", "fec0::/10", "2001::/32", "100::/64", "64:ff9b:1::/48")
	nat64       = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
	v4Compat    = netip.MustParsePrefix("::/96")
)

// classifyAddr says where ip lies. IPv6 forms that carry an IPv4 address
// (mapped, compatible, NAT64, 6to4) are judged by that address.
func classifyAddr(ip netip.Addr) addrClass {
	if ip.Zone() != "" {
		return addrPrivate // a zone is a link's: link-local
	}
	ip = ip.Unmap()
	if ip.Is6() {
		b := ip.As16()
		switch {
		case ip.IsUnspecified() || ip.IsLoopback():
		case nat64.Contains(ip) || v4Compat.Contains(ip):
			return classifyAddr(netip.AddrFrom4([4]byte(b[12:16])))
		case sixToFour.Contains(ip):
			return classifyAddr(netip.AddrFrom4([4]byte(b[2:6])))
		}
	}
	for _, p := range forbiddenNets {
		if p.Contains(ip) {
			return addrForbidden
		}
	}
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() {
		return addrPrivate
	}
	for _, p := range privateNets {
		if p.Contains(ip) {
			return addrPrivate
		}
	}
	return addrPublic
}

// AllowsAddr reports whether a delivery may connect to ip.
func (p WebhookPolicy) AllowsAddr(ip netip.Addr) bool {
	switch classifyAddr(ip) {
	case addrPublic:
		return true
	case addrPrivate:
		return p.AllowPrivate
	}
	return false
}

// internalSuffixes are names that resolve only inside a network: the
// special-use localhost and home.arpa, and the names RFC 6762 lists as
// used privately (local, internal, intranet, …), which clouds use for
// their metadata services (metadata.google.internal).
var internalSuffixes = []string{"localhost", "localdomain", "local", "internal", "intranet", "private", "corp", "home", "lan", "home.arpa"}

// numericLabel reports whether a host name's label is a number as an IPv4
// parser reads one: decimal, octal (leading 0) or hexadecimal (0x).
func numericLabel(l string) bool {
	if h, ok := strings.CutPrefix(l, "0x"); ok {
		l = h
		if l == "" {
			return true
		}
		_, err := strconv.ParseUint(l, 16, 64)
		return err == nil || errors.Is(err, strconv.ErrRange)
	}
	return l != "" && strings.Trim(l, "0123456789") == ""
}

// AllowsHost reports whether a delivery may go to host (a URL's host name,
// without brackets or port). An IP address is judged by AllowsAddr. A name
// whose last label is a number is an IPv4 address in a form the system's
// resolver may accept (2130706433, 0x7f.1, 127.1, 0177.0.0.1) and is
// refused whatever the policy: a receiver is written by name or as a
// dotted quad. Internal names (single labels, which resolve through the
// server's search domains, and internalSuffixes) are private destinations.
func (p WebhookPolicy) AllowsHost(host string) bool {
	if ip, err := netip.ParseAddr(host); err == nil {
		return p.AllowsAddr(ip)
	}
	name := strings.TrimSuffix(strings.ToLower(host), ".")
	if name == "" || strings.HasSuffix(name, ".") {
		return false
	}
	labels := strings.Split(name, ".")
	if numericLabel(labels[len(labels)-1]) {
		return false
	}
	if p.AllowPrivate {
		return true
	}
	if len(labels) == 1 {
		return false
	}
	for _, s := range internalSuffixes {
		if name == s || strings.HasSuffix(name, "."+s) {
			return false
		}
	}
	return true
}

// ValidPort reports whether a URL's port (as url.URL.Port gives it, "" when
// none) is one a connection can use: empty (the scheme's) or 1 to 65535.
func ValidPort(port string) bool {
	if port == "" {
		return true
	}
	if strings.Trim(port, "0123456789") != "" {
		return false
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// checkWebhookDestination adds the problems of the destination of u under p.
func (p WebhookPolicy) checkWebhookDestination(ps *problems, u *url.URL) {
	if !ValidPort(u.Port()) {
		ps.add(FieldWebhookURL, ReasonWebhookURLPort, "value", u.Port())
		return
	}
	if !p.AllowsHost(u.Hostname()) {
		ps.add(FieldWebhookURL, ReasonWebhookURLDestination)
	}
}

// CheckWebhookURL returns why a delivery to raw is not allowed under p, as
// an error wrapping ErrWebhookDestination, or nil. Senders check the URL
// again before each delivery: the policy may have changed since the
// webhook was registered.
func (p WebhookPolicy) CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ErrWebhookDestination
	}
	var ps problems
	p.checkWebhookDestination(&ps, u)
	if len(ps) > 0 {
		return ErrWebhookDestination
	}
	return nil
}
