package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/tenantry/tenantry"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 255

// idempotent honours Idempotency-Key on a POST: the same key and body
// replays the first response and creates nothing; the same key with another
// body is refused.
func (s *Server) idempotent(h handler) handler {
	return func(w http.ResponseWriter, r *http.Request) error {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			return h(w, r)
		}
		if len(key) > MaxIdempotencyKey {
			return tenantry.FieldError(tenantry.EINVALID, "Idempotency-Key", tenantry.ReasonTooLong, "max", "255")
		}
		// A POST may have no body (consentMove); only a body must be JSON.
		var body []byte
		if r.ContentLength != 0 || r.Header.Get("Content-Type") != "" {
			var err error
			if body, err = readIdempotentBody(r); err != nil {
				return err
			}
		}
		p, _ := r.Context().Value(principalKey).(*tenantry.Principal)
		sum := sha256.Sum256(append([]byte(r.URL.Path+"?"+r.URL.RawQuery+"\n"), body...))
		hash := hex.EncodeToString(sum[:])
		prev, err := s.svc.Idempotency.ReserveIdempotencyKey(r.Context(), p.PartnerID, key, hash)
		if err != nil {
			return err
		}
		if prev != nil {
			if prev.Location != "" {
				w.Header().Set("Location", prev.Location)
			}
			w.Header().Set("Idempotent-Replayed", "true")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(prev.Status)
			_, err := w.Write(prev.Body)
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		rec := &recorder{ResponseWriter: w}
		herr := h(rec, r)
		if herr != nil {
			// Render the error through the recorder so that a replay gets it too.
			s.renderError(rec, r, herr)
		}
		// The outcome is stored even when the client has gone away.
		ctx := context.WithoutCancel(r.Context())
		if rec.status >= 500 {
			err = s.svc.Idempotency.ReleaseIdempotencyKey(ctx, p.PartnerID, key)
		} else {
			err = s.svc.Idempotency.CompleteIdempotencyKey(ctx, p.PartnerID, key, &tenantry.IdempotentResponse{Status: rec.status, Location: rec.Header().Get("Location"), Body: rec.body.Bytes()})
		}
		if err != nil {
			s.log.Error("store idempotent response", "key", key, "err", err)
		}
		return nil
	}
}

// recorder passes a response through and keeps a copy.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
