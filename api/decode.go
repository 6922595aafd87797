package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 1 << 20

// readBody reads a JSON request body, refusing other media types (415)
// and bodies over MaxBody (413).
func readBody(r *http.Request) ([]byte, error) {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
		return nil, tenantry.Errorf(tenantry.EUNSUPPORTED, tenantry.ReasonUnsupportedMedia, "type", ct)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return nil, tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonMalformedJSON, "detail", "unreadable body")
	}
	if len(b) > MaxBody {
		return nil, tenantry.Errorf(tenantry.ETOOLARGE, tenantry.ReasonBodyTooLarge, "max", strconv.Itoa(MaxBody))
	}
	return b, nil
}

// decode reads a JSON body into v. closed refuses fields the schema does not
// have. Every failure is a 4xx naming what is wrong.
func decode(r *http.Request, v any, closed bool) error {
	b, err := readBody(r)
	if err != nil {
		return err
	}
	return decodeBytes(b, v, closed)
}

// decodeBytes is decode on a body already read.
func decodeBytes(b []byte, v any, closed bool) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if closed {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonMalformedJSON, "detail", "data after the JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonMalformedJSON, "detail", "empty body")
	case errors.As(err, &syn):
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonMalformedJSON, "detail", fmt.Sprintf("syntax error at byte %d", syn.Offset))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(body)"
		}
		return tenantry.FieldError(tenantry.EINVALID, field, tenantry.ReasonWrongType, "type", jsonType(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return tenantry.FieldError(tenantry.EINVALID, f, tenantry.ReasonUnknownField)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonMalformedJSON, "detail", "unexpected end of input")
	}
	return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonMalformedJSON, "detail", "invalid JSON")
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "map", "struct", "ptr":
		return "object"
	}
	return "integer"
}

// maxOffset bounds offset, so that offset+max never overflows.
const maxOffset = 1 << 40

// page reads offset and max. A max above the limit is served as the limit,
// as the wholesale subscriber list does: one behaviour for every list.
func page(q url.Values) (tenantry.Page, error) {
	return pageOf(q, tenantry.DefaultPageMax, tenantry.MaxPageMax, true)
}

// pageOf reads offset and max, with def the page size when max is absent.
// A max above limit is refused, or, with clamp, served as limit: the
// wholesale subscriber list says "up to 100 per page" and answers a larger
// max with full pages rather than an error.
func pageOf(q url.Values, def, limit int, clamp bool) (tenantry.Page, error) {
	p := tenantry.Page{Max: def}
	var ps []tenantry.Problem
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxOffset {
			ps = append(ps, tenantry.Problem{Field: "offset", Reason: tenantry.ReasonInvalidNumber, Params: map[string]string{"value": v}})
		}
		p.Offset = n
	}
	if v := q.Get("max"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil || n < 1 || (n > limit && !clamp):
			ps = append(ps, tenantry.Problem{Field: "max", Reason: tenantry.ReasonInvalidNumber, Params: map[string]string{"value": v}})
		case n > limit:
			n = limit
		}
		p.Max = n
	}
	return p, tenantry.Invalid(ps)
}

// setLinks writes the RFC 5988 Link header of a page of total items.
func setLinks(w http.ResponseWriter, r *http.Request, p tenantry.Page, total int) {
	link := func(offset int, rel string) string {
		q := r.URL.Query()
		q.Set("offset", strconv.Itoa(offset))
		q.Set("max", strconv.Itoa(p.Max))
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		return fmt.Sprintf(`<%s>; rel="%s"`, baseURL(r)+u.String(), rel)
	}
	var links []string
	links = append(links, link(0, "first"))
	if p.Offset+p.Max < total {
		links = append(links, link(p.Offset+p.Max, "next"))
	}
	if p.Offset > 0 {
		links = append(links, link(max(0, p.Offset-p.Max), "prev"))
	}
	w.Header().Set("Link", strings.Join(links, ", "))
}

// baseURL is the scheme and host the client reached us on.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// writePage writes one page of a list as {items: [...]}, each item
// converted for the wire, with the Link header of the page.
func writePage[T, J any](w http.ResponseWriter, r *http.Request, p tenantry.Page, total int, items []T, conv func(T) J) error {
	out := make([]J, len(items))
	for i, it := range items {
		out[i] = conv(it)
	}
	setLinks(w, r, p, total)
	return writeJSON(w, http.StatusOK, map[string]any{"items": out})
}
