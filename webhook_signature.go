package tenantry

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"
	"time"
)

// Every delivery is signed, as Stripe signs its webhooks, over the time it
// was sent and its exact body:
//
//	X-Tenantry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
//
// keyed with the webhook's secret. The time inside the signed bytes lets a
// receiver refuse an old delivery replayed by whoever captured it: a
// changed t breaks the signature. Deliveries are at least once, so a
// receiver also dedupes on the event's id.

// SignatureTolerance is how old a delivery's signed time may be before a
// receiver should refuse it, as the README advises.
const SignatureTolerance = 5 * time.Minute

// Errors of VerifyWebhook.
var (
	ErrSignatureMalformed = errors.New("webhook signature: malformed header")
	ErrSignatureMismatch  = errors.New("webhook signature: no v1 signature matches the body")
	ErrSignatureTooOld    = errors.New("webhook signature: timestamp outside the tolerance")
)

// signedPayload is what the HMAC covers: the time, a dot, the body.
func webhookMAC(secret string, t int64, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(t, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// SignWebhook returns the X-Tenantry-Signature header of a delivery of body
// sent at t under the webhook's secret.
func SignWebhook(secret string, t time.Time, body []byte) string {
	ts := t.Unix()
	return "t=" + strconv.FormatInt(ts, 10) + ",v1=" + hex.EncodeToString(webhookMAC(secret, ts, body))
}

// VerifyWebhook checks a delivery as a receiver should: header is the
// X-Tenantry-Signature it came with, body its exact bytes. One of the v1
// signatures must match in constant time, and the signed time must be
// within tolerance of now (either side: clocks drift). Unknown schemes
// (v0, a later v2) are skipped, so that signatures can be added beside v1.
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts int64
	var sigs [][]byte
	seenT := false
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrSignatureMalformed
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || seenT {
				return ErrSignatureMalformed
			}
			ts, seenT = n, true
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return ErrSignatureMalformed
			}
			sigs = append(sigs, b)
		}
	}
	if !seenT || len(sigs) == 0 {
		return ErrSignatureMalformed
	}
	want := webhookMAC(secret, ts, body)
	match := false
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			match = true
		}
	}
	if !match {
		return ErrSignatureMismatch
	}
	if age := now.Sub(time.Unix(ts, 0)); age > tolerance || age < -tolerance {
		return ErrSignatureTooOld
	}
	return nil
}
