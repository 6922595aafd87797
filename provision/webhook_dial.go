package provision

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"

	"github.com/tenantry/tenantry"
)

// Deliveries connect only where the installation's WebhookPolicy allows.
// The URL was checked when the webhook was registered, but its name may
// resolve anywhere later (a DNS record changed to 10.0.0.5, or a name that
// answers 127.0.0.1 to the second lookup), so the dialer resolves the name
// itself, keeps the allowed addresses only and connects to those by
// address; the socket's Control checks the address once more, whatever
// led to it. Redirects are not followed and no proxy from the environment
// is used: either would reach a place nothing checked.

// lookupFunc resolves a host name to its addresses. Tests give one that
// answers what a hostile DNS would.
type lookupFunc func(ctx context.Context, host string) ([]netip.Addr, error)

func systemLookup(ctx context.Context, host string) ([]netip.Addr, error) {
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// destinationDialer dials deliveries under one policy.
type destinationDialer struct {
	policy  tenantry.WebhookPolicy
	lookup  lookupFunc
	timeout time.Duration
}

func refused(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{tenantry.ErrWebhookDestination}, args...)...)
}

// DialContext connects to addr ("host:port") through the first allowed
// address the host resolves to.
func (d *destinationDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.ParseUint(p, 10, 16)
	if err != nil || port == 0 {
		return nil, refused("port %q", p)
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else if !d.policy.AllowsHost(host) {
		return nil, refused("host %s", host)
	} else if ips, err = d.lookup(ctx, host); err != nil {
		return nil, err
	}
	var allowed []netip.Addr
	for _, ip := range ips {
		if d.policy.AllowsAddr(ip) {
			allowed = append(allowed, ip.Unmap())
		}
	}
	if len(allowed) == 0 {
		return nil, refused("%s resolves to %v", host, ips)
	}
	nd := &net.Dialer{Timeout: d.timeout, Control: d.control}
	var first error
	for _, ip := range allowed {
		c, err := nd.DialContext(ctx, network, netip.AddrPortFrom(ip, uint16(port)).String())
		if err == nil {
			return c, nil
		}
		if first == nil {
			first = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return nil, first
}

// control refuses a socket about to connect to an address the policy does
// not allow.
func (d *destinationDialer) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !d.policy.AllowsAddr(ap.Addr()) {
		return refused("connect to %s", address)
	}
	return nil
}

// webhookClient is the HTTP client of deliveries under policy. It follows
// no redirect: a 3xx is the receiver's answer, and a failed attempt, so
// that a delivery never lands (signed) on a URL nothing checked.
func webhookClient(policy tenantry.WebhookPolicy, lookup lookupFunc) *http.Client {
	d := &destinationDialer{policy: policy, lookup: lookup, timeout: WebhookTimeout}
	return &http.Client{
		Timeout: WebhookTimeout,
		Transport: &http.Transport{
			Proxy:                 nil,
			DialContext:           d.DialContext,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          100,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			TLSHandshakeTimeout:   WebhookTimeout,
			ExpectContinueTimeout: time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// deliveryError sorts a failed request's error into the closed set the
// partner sees, keeping the detail (without the URL, which the webhook
// shows already) for the server's log.
func deliveryError(ctx context.Context, err error) *tenantry.DeliveryError {
	public := tenantry.DeliveryErrorConnection
	var ne net.Error
	switch {
	case errors.Is(err, tenantry.ErrWebhookDestination):
		public = tenantry.DeliveryErrorDestination
	case errors.Is(ctx.Err(), context.Canceled):
		public = tenantry.DeliveryErrorInterrupted // the worker is stopping
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		public = tenantry.DeliveryErrorTimeout
	case isTLSError(err):
		public = tenantry.DeliveryErrorTLS
	}
	var uerr *url.Error
	if errors.As(err, &uerr) {
		err = uerr.Err
	}
	return &tenantry.DeliveryError{Public: public, Err: err}
}

func isTLSError(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		record    tls.RecordHeaderError
		alert     tls.AlertError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
	)
	return errors.As(err, &verify) || errors.As(err, &record) || errors.As(err, &alert) ||
		errors.As(err, &authority) || errors.As(err, &hostname) || errors.As(err, &invalid)
}
