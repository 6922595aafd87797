package api

import (
	"net/http"

	"github.com/tenantry/tenantry"
)

// collect merges the errors of the parts of one request (the partner it
// acts for, its query parameters, its body) into one answer, so that a
// client fixes every problem in one go: bad-input errors are joined into one
// list of problems. Any other error (authentication, a suspended
// sub-partner, an unsupported body, an outage) is answered first and alone,
// in the order given.
func collect(errs ...error) error {
	var ps []tenantry.Problem
	var first error
	for _, err := range errs {
		if err == nil {
			continue
		}
		e := tenantry.AsError(err)
		if e.Code != tenantry.EINVALID {
			return err
		}
		if first == nil {
			first = err
		}
		if len(e.Problems) == 0 {
			// A whole-request problem (malformed JSON) has no field: the
			// body cannot be read further, so it stands for the body.
			ps = append(ps, tenantry.Problem{Reason: e.Reason, Params: e.Params})
			continue
		}
		ps = append(ps, e.Problems...)
	}
	if len(ps) == 1 {
		return first
	}
	return tenantry.Invalid(ps)
}

// customerRequestOf reads a customer request for mode: the actor from the
// query and the body. When the actor is refused, the body is still checked
// against the domain's rules that need nothing else, so that a bad
// onBehalfOfSubPartnerOrgId does not hide the body's problems.
func (s *Server) customerRequestOf(r *http.Request, mode tenantry.Mode) (*tenantry.Actor, *tenantry.CustomerInput, error) {
	a, aerr := s.actor(r)
	var q customerRequest
	derr := decode(r, &q, false)
	in := q.input()
	if err := withRules(aerr, derr, func() []tenantry.Problem { return in.Validate(mode) }); err != nil {
		return nil, nil, err
	}
	return a, in, nil
}

// withRules collects the actor's and the body's errors; when only the actor
// was refused, it adds the problems rules finds in the decoded body (the
// domain's checks that need no database), which the service would otherwise
// have reported after the actor was fixed.
func withRules(aerr, derr error, rules func() []tenantry.Problem) error {
	if aerr != nil && derr == nil {
		derr = tenantry.Invalid(rules())
	}
	return collect(aerr, derr)
}

// warnings renders the problems a request was accepted with (entries it
// ignored), in the caller's language, in the shape of the wholesale errors.
// They are sent whatever the client asked: a request the service changed
// before accepting it must say so (the public examples themselves send
// quantities for packages they do not order). The public schemas have no
// warnings, so a strict generated client refuses such an answer; one that
// sends only what it orders never gets any. Each names its field only with
// Tenantry's fields, as errors do.
func (s *Server) warnings(r *http.Request, ps []tenantry.Problem) []errorEntry {
	if len(ps) == 0 {
		return nil
	}
	lang, ext := s.tr.Match(r.Header.Get("Accept-Language")), extensions(r)
	out := make([]errorEntry, len(ps))
	for i, p := range ps {
		out[i] = s.entry(lang, p, ext)
	}
	return out
}
