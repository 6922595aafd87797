package tenantry

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes: a small closed set. Every adapter maps these and only these to
// its own vocabulary (HTTP status, form errors, exit codes).
const (
	EINVALID       = "invalid"       // bad input; the Problems say which field
	EUNAUTHORIZED  = "unauthorized"  // no or unknown credentials
	EFORBIDDEN     = "forbidden"     // credentials lack the scope or role
	ENOTFOUND      = "not_found"     // missing, or owned by another partner
	ECONFLICT      = "conflict"      // a uniqueness or state conflict
	ETOOLARGE      = "too_large"     // request body over the limit
	EUNSUPPORTED   = "unsupported"   // wrong media type
	EUNPROCESSABLE = "unprocessable" // well-formed but refused (idempotency key reuse)
	EINTERNAL      = "internal"      // a bug or an outage; logged, never detailed to callers
	EUNAVAILABLE   = "unavailable"   // shutting down or overloaded; retry later
	ETOOMANY       = "too_many"      // too many attempts from one client; retry later
)

// Problem is one thing wrong with a request. Reason is a message id that the
// edges translate (see package locale); Params fill its placeholders.
type Problem struct {
	Field  string
	Reason string
	Params map[string]string
}

// Error is the domain error. Reason (and Params) describe the error as a
// whole; Problems list each field at fault, so a caller can fix all of them
// in one go.
type Error struct {
	Code     string
	Reason   string
	Params   map[string]string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Code)
	if e.Reason != "" {
		b.WriteString(": " + e.Reason)
	}
	for _, p := range e.Problems {
		fmt.Fprintf(&b, "; %s: %s", p.Field, p.Reason)
	}
	return b.String()
}

// Errorf builds an error with a code and a reason (a message id).
func Errorf(code, reason string, params ...string) *Error {
	return &Error{Code: code, Reason: reason, Params: pairs(params)}
}

// Invalid builds an EINVALID error from problems, or returns nil when there
// are none.
func Invalid(problems []Problem) error {
	if len(problems) == 0 {
		return nil
	}
	return &Error{Code: EINVALID, Reason: ReasonInvalidRequest, Problems: problems}
}

// FieldError builds an error with one problem on one field.
func FieldError(code, field, reason string, params ...string) *Error {
	return &Error{Code: code, Reason: reason, Params: pairs(params), Problems: []Problem{{Field: field, Reason: reason, Params: pairs(params)}}}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not ours
// and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	}
	return EINTERNAL
}

// AsError returns err as an *Error, wrapping foreign errors as EINTERNAL.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EINTERNAL, Reason: ReasonInternal}
}

func pairs(kv []string) map[string]string {
	if len(kv) == 0 {
		return nil
	}
	m := make(map[string]string, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// problems collects Problems while a validator walks an input.
type problems []Problem

func (ps *problems) add(field, reason string, params ...string) {
	*ps = append(*ps, Problem{Field: field, Reason: reason, Params: pairs(params)})
}
