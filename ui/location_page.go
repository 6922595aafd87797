package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// A location's page: its settings and its number inventory (filtered by
// state, paged), with forms to add numbers and ranges, remove a free
// number, choose the main number and delete the location. Every change
// goes through the location service the API uses; a refusal is shown on
// the page with its reason.

// numbersPerPage is how many numbers the inventory shows at once.
const numbersPerPage = 50

// locationPage is the data of a location's page.
type locationPage struct {
	Customer   *tenantry.Customer
	Location   *tenantry.Location
	Numbers    []*tenantry.PhoneNumber
	Total      int // numbers matching the filter
	State      string
	States     []tenantry.NumberState
	From, To   int
	Prev, Next string
	Accepts    bool // the customer may get numbers now
	// The add-numbers form: its values and each refused number's problem.
	NumbersText, RangeStart, RangeEnd string
	NumberErrors                      []string
}

// locationPageData reads a location and one page of its numbers.
func (s *Server) locationPageData(r *http.Request) (*locationPage, error) {
	a := state(r).actor
	c, err := s.importCustomer(r)
	if err != nil {
		return nil, err
	}
	l, err := s.svc.Locations.Location(r.Context(), a, c.ID, r.PathValue("locationId"))
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	p := &locationPage{Customer: c, Location: l, States: tenantry.NumberStates, Accepts: c.Status.AcceptsLocations()}
	if st := q.Get("state"); slices.Contains(tenantry.NumberStates, tenantry.NumberState(st)) {
		p.State = st
	}
	off, _ := strconv.Atoi(q.Get("offset"))
	off = max(off, 0)
	ns, total, err := s.svc.Locations.Numbers(r.Context(), a, c.ID, l.ID, tenantry.NumberFilter{State: tenantry.NumberState(p.State), Page: tenantry.Page{Offset: off, Max: numbersPerPage}})
	if err != nil {
		return nil, err
	}
	p.Numbers, p.Total = ns, total
	if len(ns) > 0 {
		p.From, p.To = off+1, off+len(ns)
	}
	pageURL := func(o int) string {
		v := url.Values{}
		if p.State != "" {
			v.Set("state", p.State)
		}
		if o > 0 {
			v.Set("offset", strconv.Itoa(o))
		}
		if len(v) == 0 {
			return locationPath(c.ID, l.ID)
		}
		return locationPath(c.ID, l.ID) + "?" + v.Encode()
	}
	if off > 0 {
		p.Prev = pageURL(max(off-numbersPerPage, 0))
	}
	if off+len(ns) < total {
		p.Next = pageURL(off + numbersPerPage)
	}
	return p, nil
}

// FilterURL is the inventory filtered by a state ("" for all).
func (p *locationPage) FilterURL(st string) string {
	u := locationPath(p.Customer.ID, p.Location.ID)
	if st != "" {
		u += "?state=" + url.QueryEscape(st)
	}
	return u + "#numbers"
}

// locationView is a location's page.
func (s *Server) locationView(w http.ResponseWriter, r *http.Request) error {
	p, err := s.locationPageData(r)
	if err != nil {
		return err
	}
	return s.renderLocation(w, r, http.StatusOK, p)
}

func (s *Server) renderLocation(w http.ResponseWriter, r *http.Request, status int, p *locationPage) error {
	v := s.view(r, "hub.locations.location_title")
	v.Nav, v.Tab, v.Customer = "customers", "locations", p.Customer
	return s.renderLocationView(w, r, status, v, p)
}

func (s *Server) renderLocationView(w http.ResponseWriter, r *http.Request, status int, v *view, p *locationPage) error {
	v.Page = p
	return s.renderStatus(w, r, status, "location_page", v)
}

// numberLines splits the numbers typed in a text area: one a line, or
// separated by commas, written with the separators people use.
func numberLines(text string) []string {
	var out []string
	for _, line := range strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == ';' }) {
		if n := strings.TrimSpace(line); n != "" {
			out = append(out, tenantry.NormalizePhoneNumber(n))
		}
	}
	return out
}

// addNumbers adds the numbers and the range of the form, all or nothing;
// each refused number is named next to the field it came from.
func (s *Server) addNumbers(w http.ResponseWriter, r *http.Request) error {
	p, err := s.locationPageData(r)
	if err != nil {
		return err
	}
	p.NumbersText, p.RangeStart, p.RangeEnd = r.FormValue("numbers"), strings.TrimSpace(r.FormValue("rangeStart")), strings.TrimSpace(r.FormValue("rangeEnd"))
	in := &tenantry.NumbersInput{PhoneNumbers: numberLines(p.NumbersText)}
	if p.RangeStart != "" || p.RangeEnd != "" {
		in.Ranges = []tenantry.NumberRange{{Start: tenantry.NormalizePhoneNumber(p.RangeStart), End: tenantry.NormalizePhoneNumber(p.RangeEnd)}}
	}
	_, err = s.svc.Locations.AddNumbers(r.Context(), state(r).actor, p.Customer.ID, p.Location.ID, in)
	if err == nil {
		s.flash(w, "hub.locations.numbers_added")
		return redirect(w, r, locationPath(p.Customer.ID, p.Location.ID)+"?state=available#numbers")
	}
	e := tenantry.AsError(err)
	if e.Code != tenantry.EINVALID && e.Code != tenantry.ECONFLICT {
		return err
	}
	v := s.view(r, "hub.locations.location_title")
	v.Nav, v.Tab, v.Customer = "customers", "locations", p.Customer
	problems := e.Problems
	if len(problems) == 0 {
		problems = []tenantry.Problem{{Field: "", Reason: e.Reason, Params: e.Params}}
	}
	for _, pr := range problems {
		field, label := "", ""
		switch {
		case strings.HasPrefix(pr.Field, tenantry.FieldPhoneNumbers+"["):
			field = "numbers"
			i, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(pr.Field, tenantry.FieldPhoneNumbers+"["), "]"))
			label = v.T("hub.locations.number_item", "n", i+1)
		case pr.Field == tenantry.FieldPhoneNumbers:
			field, label = "numbers", v.T("hub.locations.numbers")
		case strings.HasSuffix(pr.Field, ".start"):
			field, label = "rangeStart", v.T("hub.locations.range_start")
		case strings.HasPrefix(pr.Field, tenantry.FieldRanges):
			field, label = "rangeEnd", v.T("hub.locations.range_end")
			if !strings.HasSuffix(pr.Field, ".end") {
				label = v.T("hub.locations.range")
			}
		}
		params := withFieldParam(pr.Params, label)
		if c, ok := params["country"]; ok {
			params["country"] = v.Country(c)
		}
		msg := s.message(v.Lang, pr.Reason, params)
		if field == "numbers" {
			p.NumberErrors = append(p.NumberErrors, msg)
			v.Errors.List = append(v.Errors.List, formError{ID: "f-numbers", Message: msg})
			continue
		}
		v.Errors.add(field, msg)
	}
	return s.renderLocationView(w, r, http.StatusBadRequest, v, p)
}

// locationRefused shows a refused change (a number assigned to a user, a
// location still in use) on the location's page, with its reason.
func (s *Server) locationRefused(w http.ResponseWriter, r *http.Request, p *locationPage, err error) error {
	e := tenantry.AsError(err)
	status := http.StatusBadRequest
	switch e.Code {
	case tenantry.ECONFLICT:
		status = http.StatusConflict
	case tenantry.EINVALID:
	default:
		return err
	}
	v := s.view(r, "hub.locations.location_title")
	v.Nav, v.Tab, v.Customer = "customers", "locations", p.Customer
	msg := s.message(v.Lang, e.Reason, withFieldParam(e.Params, v.T("hub.locations.number")))
	if len(e.Problems) > 0 {
		pr := e.Problems[0]
		msg = s.message(v.Lang, pr.Reason, withFieldParam(pr.Params, v.T("hub.locations.number")))
	}
	v.Errors.add("", msg)
	return s.renderLocationView(w, r, status, v, p)
}

// removeNumber removes a free number from the location.
func (s *Server) removeNumber(w http.ResponseWriter, r *http.Request) error {
	p, err := s.locationPageData(r)
	if err != nil {
		return err
	}
	n := r.FormValue("number")
	if err := s.svc.Locations.RemoveNumber(r.Context(), state(r).actor, p.Customer.ID, p.Location.ID, n); err != nil {
		if tenantry.ErrorCode(err) == tenantry.ENOTFOUND && n != "" {
			// The number is not (or no longer) the location's: say so on its page.
			err = tenantry.FieldError(tenantry.EINVALID, tenantry.FieldPhoneNumber, tenantry.ReasonPhoneNumberElsewhere, "value", n)
		}
		return s.locationRefused(w, r, p, err)
	}
	s.flash(w, "hub.locations.number_removed")
	return redirect(w, r, locationPath(p.Customer.ID, p.Location.ID)+"#numbers")
}

// setMainNumber makes one of the location's numbers its main number.
func (s *Server) setMainNumber(w http.ResponseWriter, r *http.Request) error {
	p, err := s.locationPageData(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.Locations.SetMainNumber(r.Context(), state(r).actor, p.Customer.ID, p.Location.ID, r.FormValue("number")); err != nil {
		return s.locationRefused(w, r, p, err)
	}
	s.flash(w, "hub.locations.main_set")
	return redirect(w, r, locationPath(p.Customer.ID, p.Location.ID))
}

// deleteLocation deletes the location; one with users or numbers, or the
// headquarters, is refused with the reason.
func (s *Server) deleteLocation(w http.ResponseWriter, r *http.Request) error {
	p, err := s.locationPageData(r)
	if err != nil {
		return err
	}
	if err := s.svc.Locations.DeleteLocation(r.Context(), state(r).actor, p.Customer.ID, p.Location.ID); err != nil {
		return s.locationRefused(w, r, p, err)
	}
	s.flash(w, "hub.locations.deleted")
	return redirect(w, r, locationsPath(p.Customer.ID))
}
