package api

import (
	"encoding/json"
	"hash/fnv"
	"net/http"
	"slices"
	"strconv"

	"github.com/tenantry/tenantry"
)

// statusOf maps the domain's error codes to HTTP status: the one table.
var statusOf = map[string]int{
	tenantry.EINVALID:       http.StatusBadRequest,
	tenantry.EUNAUTHORIZED:  http.StatusUnauthorized,
	tenantry.EFORBIDDEN:     http.StatusForbidden,
	tenantry.ENOTFOUND:      http.StatusNotFound,
	errMethod:               http.StatusMethodNotAllowed,
	tenantry.ECONFLICT:      http.StatusConflict,
	tenantry.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	tenantry.EUNSUPPORTED:   http.StatusUnsupportedMediaType,
	tenantry.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	tenantry.EINTERNAL:      http.StatusInternalServerError,
	tenantry.EUNAVAILABLE:   http.StatusServiceUnavailable,
	tenantry.ETOOMANY:       http.StatusTooManyRequests,
}

// ErrorCodeOf is the numeric errorCode a reason has on the wire: 10000 plus
// the reason id's FNV-1a hash modulo 90000. It depends on the id alone, so
// codes never shift when reasons are added, in whatever file or order; a
// test checks that no two reasons share a code. A reason that words one
// case of an older one more precisely has the older one's code
// (tenantry.CodeReason).
func ErrorCodeOf(reason string) int {
	if !slices.Contains(tenantry.AllReasons, reason) {
		reason = tenantry.ReasonInternal
	}
	reason = tenantry.CodeReason(reason)
	h := fnv.New32a()
	h.Write([]byte(reason))
	return 10000 + int(h.Sum32()%90000)
}

// errorBody is the wholesale API's error body.
type errorBody struct {
	Message    string       `json:"message"`
	Errors     []errorEntry `json:"errors"`
	TrackingID string       `json:"trackingId"`
}

// errorEntry is one problem: the wholesale Error, and the request field
// at fault, which is Tenantry's (extensions).
type errorEntry struct {
	ErrorCode   int    `json:"errorCode"`
	Description string `json:"description"`
	Field       string `json:"field,omitempty"`
}

// renderError writes err as the wholesale error body, in the caller's
// language. Internal errors are logged and never detailed.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	e := tenantry.AsError(err)
	status, ok := statusOf[e.Code]
	if !ok {
		status = http.StatusInternalServerError
	}
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "trackingId", trackingID(r), "err", err)
		if e.Code == tenantry.EINTERNAL {
			e = &tenantry.Error{Code: tenantry.EINTERNAL, Reason: tenantry.ReasonInternal}
		}
	}
	lang := s.tr.Match(r.Header.Get("Accept-Language"))
	field := ""
	if len(e.Problems) == 1 {
		field = e.Problems[0].Field
	}
	body := errorBody{Message: s.tr.Message(lang, e.Reason, withField(e.Params, field)), TrackingID: trackingID(r)}
	ext := extensions(r)
	for i, p := range e.Problems {
		if i == tenantry.MaxProblems {
			// The rest are counted, not listed: the answer stays small
			// whatever the request held.
			more := strconv.Itoa(len(e.Problems) - i)
			body.Errors = append(body.Errors, errorEntry{ErrorCode: ErrorCodeOf(tenantry.ReasonMoreErrors), Description: s.tr.Message(lang, tenantry.ReasonMoreErrors, map[string]string{"count": more})})
			break
		}
		body.Errors = append(body.Errors, s.entry(lang, p, ext))
	}
	if len(body.Errors) == 0 {
		body.Errors = []errorEntry{{ErrorCode: ErrorCodeOf(e.Reason), Description: body.Message}}
	}
	w.Header().Set("Content-Language", lang)
	writeJSON(w, status, body)
}

func withField(params map[string]string, field string) map[string]string {
	out := make(map[string]string, len(params)+1)
	for k, v := range params {
		out[k] = v
	}
	if field != "" {
		out["field"] = field
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return writeBytes(w, status, append(b, '\n'))
}

// writeBytes answers b, a JSON body.
func writeBytes(w http.ResponseWriter, status int, b []byte) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, err := w.Write(b)
	return err
}

// entry is problem p as an entry of the wholesale errors (or warnings), in
// language lang; ext names its field, which is Tenantry's.
func (s *Server) entry(lang string, p tenantry.Problem, ext bool) errorEntry {
	e := errorEntry{ErrorCode: ErrorCodeOf(p.Reason), Description: s.tr.Message(lang, p.Reason, withField(p.Params, p.Field))}
	if ext {
		e.Field = p.Field
	}
	return e
}
