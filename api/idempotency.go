package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/tenantry/tenantry"
)

// MaxIdempotencyKey is the longest Idempotency-Key accepted.
const MaxIdempotencyKey = 255

// idempotent honours Idempotency-Key on a POST: the same key and body
// (and, on a public operation, the same preference for Tenantry's fields)
// replays the first response and creates nothing; the same key with another
// body is refused. A key is answered or free after any failure: a handler
// whose work answers in its own transaction (answerWith: every POST that
// changes something) has its answer stored with the work; others (the
// validations, and every refusal) have theirs stored once they return. A
// request that fails with a 5xx frees its key unless its work committed
// (the retry then gets the original answer).
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
		req := r.URL.Path + "?" + r.URL.RawQuery + "\n"
		if extended(r) {
			// The stored answer holds Tenantry's fields: a client that
			// did not ask for them must not be replayed it (it would
			// refuse it), so the preference is part of the request.
			req = "Prefer: " + PreferExtensions + "\n" + req
		}
		sum := sha256.Sum256(append([]byte(req), body...))
		hash := hex.EncodeToString(sum[:])
		claim := tenantry.NewIdempotencyClaim(p.PartnerID, key)
		prev, err := s.svc.Idempotency.ReserveIdempotencyKey(r.Context(), claim, hash)
		if err != nil {
			if tenantry.ErrorCode(err) == tenantry.EINTERNAL {
				// The reservation may have committed with its answer lost.
				s.releaseKey(r, claim)
			}
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
		herr := h(rec, r.WithContext(tenantry.WithIdempotencyClaim(r.Context(), claim)))
		if herr != nil {
			// Render the error through the recorder so that a replay gets it too.
			s.renderError(rec, r, herr)
		}
		if rec.status >= 500 {
			s.releaseKey(r, claim)
			return nil
		}
		// The outcome is stored even when the client has gone away; a
		// handler whose work stored it already changes nothing here.
		ctx := context.WithoutCancel(r.Context())
		err = s.svc.Idempotency.CompleteIdempotencyKey(ctx, claim, &tenantry.IdempotentResponse{Status: rec.status, Location: rec.Header().Get("Location"), Body: rec.body.Bytes()})
		if err != nil {
			s.log.Error("store idempotent response", "key", key, "err", err)
		}
		return nil
	}
}

// releaseKey frees the key of a request that failed, unless its work
// answered it. The database may be what failed (a dropped connection):
// the release is tried a few times, and a key it cannot free is free once
// its lease runs out.
func (s *Server) releaseKey(r *http.Request, claim *tenantry.IdempotencyClaim) {
	ctx := context.WithoutCancel(r.Context())
	var err error
	for i, wait := range []time.Duration{0, 50 * time.Millisecond, 250 * time.Millisecond} {
		time.Sleep(wait)
		if err = s.svc.Idempotency.ReleaseIdempotencyKey(ctx, claim); err == nil {
			return
		}
		s.log.Warn("release idempotency key", "key", claim.Key, "try", i+1, "err", err)
	}
	s.log.Error("idempotency key left to its lease", "key", claim.Key, "err", err)
}

// answerWith returns r with its Idempotency-Key claim (if any) told how
// its answer is rendered from the result of its work, a T: the store then
// stores that answer in the transaction of the work, so that work that
// commits is always answered, even when the process dies or the database
// connection drops before the handler could answer. The handler must then
// answer exactly what render gives (writeAnswer).
func answerWith[T any](r *http.Request, render func(T) answer) {
	claim := tenantry.IdempotencyClaimOf(r.Context())
	if claim == nil {
		return
	}
	claim.Answer = func(result any) (*tenantry.IdempotentResponse, error) {
		v, ok := result.(T)
		if !ok {
			return nil, nil
		}
		a := render(v)
		body := a.body
		if a.stored != nil {
			body = a.stored
		}
		if body == nil {
			return &tenantry.IdempotentResponse{Status: a.status, Location: a.location, Body: []byte{}}, nil
		}
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		return &tenantry.IdempotentResponse{Status: a.status, Location: a.location, Body: append(b, '\n')}, nil
	}
}

// answer is a response rendered from the result of a request's work.
type answer struct {
	status   int
	location string
	body     any // nil: no body (a 204)
	// stored, when set, is what a replay answers instead of body: body
	// without the secret it shows once (writeSecretOnce).
	stored any
}

// write writes the answer, byte for byte as answerWith stores it (but for
// a secret shown once).
func (a answer) write(w http.ResponseWriter) error {
	if a.location != "" {
		w.Header().Set("Location", a.location)
	}
	switch {
	case a.body == nil:
		w.WriteHeader(a.status)
		return nil
	case a.stored != nil:
		return writeSecretOnce(w, a.status, a.body, a.stored)
	}
	return writeJSON(w, a.status, a.body)
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
