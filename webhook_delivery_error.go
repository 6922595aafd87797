package tenantry

import (
	"errors"
	"strconv"
)

// What the deliveries list says of a failed attempt: a closed set of
// short texts, so that nothing of the network the server sits in (which
// address refused, which resolver failed, Go's error text) reaches the
// partner. The server logs the detail.
const (
	DeliveryErrorConnection  = "connection failed"
	DeliveryErrorTimeout     = "timed out"
	DeliveryErrorDestination = "destination not allowed"
	DeliveryErrorTLS         = "TLS handshake failed"
	// DeliveryErrorInterrupted is an attempt whose process died, or was
	// stopped, before its outcome was written.
	DeliveryErrorInterrupted = "interrupted"
)

// DeliveryStatusError is what the deliveries list says of an attempt the
// receiver answered with a status other than 2xx: "HTTP 500".
func DeliveryStatusError(status int) string { return "HTTP " + strconv.Itoa(status) }

// DeliveryError is why an attempt got no response. Public is one of the
// DeliveryError* texts; Err, the detail, is for the server's log only.
type DeliveryError struct {
	Public string
	Err    error
}

func (e *DeliveryError) Error() string {
	if e.Err == nil {
		return e.Public
	}
	return e.Public + ": " + e.Err.Error()
}

func (e *DeliveryError) Unwrap() error { return e.Err }

// PublicDeliveryError is what the partner may see of a sender's error:
// the Public text of the DeliveryError in it, else DeliveryErrorConnection,
// never the error's own text.
func PublicDeliveryError(err error) string {
	if de, ok := errors.AsType[*DeliveryError](err); ok && de.Public != "" {
		return de.Public
	}
	if errors.Is(err, ErrWebhookDestination) {
		return DeliveryErrorDestination
	}
	return DeliveryErrorConnection
}
