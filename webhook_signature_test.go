package tenantry_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
)

// readmeVerify is a receiver's check written from the README alone, with
// nothing of package tenantry: split the header on commas into t and v1,
// recompute HMAC-SHA256 over "<t>.<body>" with the secret, compare in
// constant time, refuse a t more than five minutes away from now.
func readmeVerify(secret, header string, body []byte, now time.Time) bool {
	var t string
	var sigs []string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(part, "=")
		switch k {
		case "t":
			if t != "" {
				return false // exactly one t
			}
			t = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	ts, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		return false
	}
	if d := now.Sub(time.Unix(ts, 0)); d > 5*time.Minute || d < -5*time.Minute {
		return false
	}
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t + "." + string(body)))
	want := hex.EncodeToString(m.Sum(nil))
	for _, s := range sigs {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func TestSignWebhook(t *testing.T) {
	body := []byte(`{"id":"EVENT-1","type":"customer.provisioned"}`)
	at := time.Date(2026, 3, 1, 12, 0, 0, 999_000_000, time.UTC)
	// Computed independently: the header's format is fixed.
	m := hmac.New(sha256.New, []byte("whsec_test"))
	m.Write([]byte("1772366400." + string(body)))
	want := "t=1772366400,v1=" + hex.EncodeToString(m.Sum(nil))
	got := tenantry.SignWebhook("whsec_test", at, body)
	if got != want {
		t.Fatalf("SignWebhook = %s, want %s", got, want)
	}
	// The README shows this very example.
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "X-Tenantry-Signature: "+got) {
		t.Errorf("the README's example signature is not %s", got)
	}
	if !readmeVerify("whsec_test", got, body, at.Add(time.Minute)) {
		t.Error("the README's check refuses the signature")
	}
	if err := tenantry.VerifyWebhook("whsec_test", got, body, at, tenantry.SignatureTolerance); err != nil {
		t.Errorf("VerifyWebhook = %v", err)
	}
	// Stripe-style headers may carry several signatures (a rotated secret)
	// and other schemes; one matching v1 is enough.
	other := "t=1772366400,v0=abc,v1=" + strings.Repeat("00", 32) + "," + strings.TrimPrefix(got, "t=1772366400,")
	if err := tenantry.VerifyWebhook("whsec_test", other, body, at, tenantry.SignatureTolerance); err != nil || !readmeVerify("whsec_test", other, body, at) {
		t.Errorf("a header with an extra signature: %v", err)
	}

	sig := strings.TrimPrefix(got, "t=1772366400,v1=")
	for name, tt := range map[string]struct {
		secret, header string
		body           []byte
		now            time.Time
		want           error
	}{
		"other secret":       {"whsec_other", got, body, at, tenantry.ErrSignatureMismatch},
		"changed body":       {"whsec_test", got, append([]byte(" "), body...), at, tenantry.ErrSignatureMismatch},
		"changed timestamp":  {"whsec_test", "t=1772366700,v1=" + sig, body, at.Add(5 * time.Minute), tenantry.ErrSignatureMismatch},
		"replayed later":     {"whsec_test", got, body, at.Add(5*time.Minute + time.Second), tenantry.ErrSignatureTooOld},
		"from the future":    {"whsec_test", got, body, at.Add(-5*time.Minute - time.Second), tenantry.ErrSignatureTooOld},
		"no timestamp":       {"whsec_test", "v1=" + sig, body, at, tenantry.ErrSignatureMalformed},
		"two timestamps":     {"whsec_test", "t=1,t=1772366400,v1=" + sig, body, at, tenantry.ErrSignatureMalformed},
		"no signature":       {"whsec_test", "t=1772366400", body, at, tenantry.ErrSignatureMalformed},
		"upper-case hex":     {"whsec_test", "t=1772366400,v1=" + strings.ToUpper(sig), body, at, nil},
		"old format":         {"whsec_test", "sha256=" + sig, body, at, tenantry.ErrSignatureMalformed},
		"empty":              {"whsec_test", "", body, at, tenantry.ErrSignatureMalformed},
		"short signature":    {"whsec_test", "t=1772366400,v1=abcd", body, at, tenantry.ErrSignatureMalformed},
		"signature not hex":  {"whsec_test", "t=1772366400,v1=" + strings.Repeat("zz", 32), body, at, tenantry.ErrSignatureMalformed},
		"timestamp not a nr": {"whsec_test", "t=soon,v1=" + sig, body, at, tenantry.ErrSignatureMalformed},
	} {
		err := tenantry.VerifyWebhook(tt.secret, tt.header, tt.body, tt.now, tenantry.SignatureTolerance)
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: VerifyWebhook = %v, want %v", name, err, tt.want)
		}
		// The README's receiver agrees, but for upper-case hex: it compares
		// the hex text.
		if name != "upper-case hex" && readmeVerify(tt.secret, tt.header, tt.body, tt.now) {
			t.Errorf("%s: the README's check accepts it", name)
		}
	}
}

func TestPublicDeliveryError(t *testing.T) {
	detail := errors.New("dial tcp 10.0.0.5:8080: connect: connection refused")
	for _, tt := range []struct {
		err  error
		want string
	}{
		{&tenantry.DeliveryError{Public: tenantry.DeliveryErrorTimeout, Err: detail}, "timed out"},
		{&tenantry.DeliveryError{Public: tenantry.DeliveryErrorConnection, Err: detail}, "connection failed"},
		{detail, "connection failed"},
		{tenantry.ErrWebhookDestination, "destination not allowed"},
	} {
		if got := tenantry.PublicDeliveryError(tt.err); got != tt.want {
			t.Errorf("PublicDeliveryError(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
	if got := tenantry.DeliveryStatusError(500); got != "HTTP 500" {
		t.Errorf("DeliveryStatusError(500) = %q", got)
	}
}
