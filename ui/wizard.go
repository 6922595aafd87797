package ui

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/tenantry/tenantry"
)

// A wizard's state lives on the server, in a draft row keyed by the
// session and the wizard, so that Back, a validation error and a reload
// lose nothing. Each step's form carries only its own fields.

// loadDraft reads a wizard's draft into d; ok is false when there is none.
func (s *Server) loadDraft(r *http.Request, kind string, d any) (bool, error) {
	data, err := s.svc.Hub.Draft(r.Context(), state(r).session.Hash, kind)
	if err != nil || data == "" {
		return false, err
	}
	if err := json.Unmarshal([]byte(data), d); err != nil {
		return false, nil // an unreadable draft (an older shape) starts over
	}
	return true, nil
}

// saveDraft stores a wizard's draft; nil deletes it.
func (s *Server) saveDraft(r *http.Request, kind string, d any) error {
	if d == nil {
		return s.svc.Hub.SaveDraft(r.Context(), state(r).session.Hash, kind, "")
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return s.svc.Hub.SaveDraft(r.Context(), state(r).session.Hash, kind, string(b))
}

// stepLink is one step in a wizard's progress list.
type stepLink struct {
	Name, Label, URL string
	Current, Done    bool
}

// wizardSteps builds the progress list; steps up to reached link back.
func wizardSteps(v *view, base string, steps []string, current string, reached int) []stepLink {
	cur := slices.Index(steps, current)
	out := make([]stepLink, len(steps))
	for i, st := range steps {
		out[i] = stepLink{Name: st, Label: v.T("hub.step." + st), Current: i == cur, Done: i < cur}
		if i <= reached && i != cur {
			out[i].URL = base + st
		}
	}
	return out
}

// stepOf returns the index of step in steps, or an ENOTFOUND error.
func stepOf(steps []string, step string) (int, error) {
	i := slices.Index(steps, step)
	if i < 0 {
		return 0, tenantry.Errorf(tenantry.ENOTFOUND, tenantry.ReasonNotFound, "resource", "page")
	}
	return i, nil
}

// onStep keeps the problems of an error whose form field belongs to step.
func onStep(err error, fields map[string]string, stepOfField func(string) string, step string) error {
	e := tenantry.AsError(err)
	if e.Code == tenantry.EINTERNAL {
		return err
	}
	var keep []tenantry.Problem
	for _, p := range e.Problems {
		// A problem of no form field (a suspended sub-partner's write:
		// onbehalf.go) is shown at the top of whatever step is shown.
		if f := formField(fields, p.Field); f == "" || stepOfField(f) == step {
			keep = append(keep, p)
		}
	}
	if len(keep) == 0 {
		return nil
	}
	return &tenantry.Error{Code: e.Code, Reason: e.Reason, Params: e.Params, Problems: keep}
}

// formField maps a domain field path to a form field: exactly, or by a
// prefix ending in ".".
func formField(fields map[string]string, path string) string {
	if f, ok := fields[path]; ok {
		return f
	}
	for k, f := range fields {
		if len(k) == 0 || len(path) <= len(k) || path[:len(k)] != k {
			continue
		}
		switch k[len(k)-1] {
		case '.': // a map's key names the field: "limits.webex_calling"
			return f + path[len(k):]
		case '[': // a list's index does not: "packages[2]"
			return f
		}
	}
	return ""
}

// firstInvalidStep returns the first of steps that a problem of err names a
// form field of, with the problems onStep keeps for it; "" when no problem
// names a field of any of them.
func firstInvalidStep(err error, fields map[string]string, stepOfField func(string) string, steps []string) (string, error) {
	if err == nil {
		return "", nil
	}
	e := tenantry.AsError(err)
	for _, st := range steps {
		for _, p := range e.Problems {
			if f := formField(fields, p.Field); f != "" && stepOfField(f) == st {
				return st, onStep(err, fields, stepOfField, st)
			}
		}
	}
	return "", nil
}
