package tenantry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
)

// IdempotencyClaim is one request's reservation of an Idempotency-Key. The
// token tells it from a later reservation of the same key, taken once this
// one's lease ran out: only the holder of the token may answer the key.
type IdempotencyClaim struct {
	PartnerID, Key, Token string
	// Answer, when set, renders the response to the request from the
	// result of its work; a store whose method does the work calls it in
	// the work's transaction and stores the answer there (see
	// AnswerIdempotently), so that work that commits is always answered.
	// It returns nil for a result it does not render.
	Answer func(result any) (*IdempotentResponse, error)
}

// NewIdempotencyClaim is a reservation of key for a request of partnerID,
// with a token of its own.
func NewIdempotencyClaim(partnerID, key string) *IdempotencyClaim {
	var b [16]byte
	rand.Read(b[:])
	return &IdempotencyClaim{PartnerID: partnerID, Key: key, Token: hex.EncodeToString(b[:])}
}

type claimKey struct{}

// WithIdempotencyClaim tells the work done with ctx that it answers the
// claimed key.
func WithIdempotencyClaim(ctx context.Context, c *IdempotencyClaim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

// IdempotencyClaimOf returns the claim WithIdempotencyClaim gave ctx, or nil.
func IdempotencyClaimOf(ctx context.Context) *IdempotencyClaim {
	c, _ := ctx.Value(claimKey{}).(*IdempotencyClaim)
	return c
}

// AnswerIdempotently is the response a store's transaction should store
// with its work for result, or nil when ctx claims no key or its claim
// does not render result.
func AnswerIdempotently(ctx context.Context, result any) (*IdempotencyClaim, *IdempotentResponse, error) {
	c := IdempotencyClaimOf(ctx)
	if c == nil || c.Answer == nil {
		return nil, nil, nil
	}
	resp, err := c.Answer(result)
	if resp == nil || err != nil {
		return nil, nil, err
	}
	return c, resp, nil
}
