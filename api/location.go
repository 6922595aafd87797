package api

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/tenantry/tenantry"
)

// locationRoutes lists the routes of locations and phone numbers.
func (s *Server) locationRoutes() []route {
	const (
		cr   = tenantry.ScopeCustomersRead
		cw   = tenantry.ScopeCustomersWrite
		locs = "/v1/wholesale/customers/{customerId}/locations"
		loc  = locs + "/{locationId}"
	)
	return []route{
		{"GET", locs, cr, s.listLocations},
		{"POST", locs, cw, s.createLocation},
		{"GET", loc, cr, s.getLocation},
		{"PUT", loc, cw, s.updateLocation},
		{"DELETE", loc, cw, s.deleteLocation},
		{"GET", loc + "/numbers", cr, s.listNumbers},
		{"POST", loc + "/numbers", cw, s.addNumbers},
		{"DELETE", loc + "/numbers/{phoneNumber}", cw, s.removeNumber},
		{"PUT", loc + "/mainNumber", cw, s.setMainNumber},
	}
}

// locationJSON is a location on the wire: the reference document's calling
// location with its id, whether it is the headquarters, and its main number.
type locationJSON struct {
	ID                          string           `json:"id"`
	Name                        string           `json:"name"`
	Address                     tenantry.Address `json:"address"`
	TimeZone                    string           `json:"timezone"`
	Language                    string           `json:"language"`
	EmergencyLocationIdentifier string           `json:"emergencyLocationIdentifier,omitempty"`
	Headquarters                bool             `json:"headquarters"`
	MainNumber                  string           `json:"mainNumber,omitempty"`
}

func toLocationJSON(l *tenantry.Location) locationJSON {
	return locationJSON{
		ID: l.ID, Name: l.Name, Address: l.Address, TimeZone: l.TimeZone, Language: l.Language,
		EmergencyLocationIdentifier: l.EmergencyLocationID, Headquarters: l.Headquarters, MainNumber: l.MainNumber,
	}
}

// locationRequest is the writable part of a location (closed: unknown and
// read-only fields are refused).
type locationRequest struct {
	Name                        string           `json:"name"`
	Address                     tenantry.Address `json:"address"`
	TimeZone                    string           `json:"timezone"`
	Language                    string           `json:"language"`
	EmergencyLocationIdentifier string           `json:"emergencyLocationIdentifier"`
}

func (q *locationRequest) input() *tenantry.LocationInput {
	return &tenantry.LocationInput{Name: q.Name, Address: q.Address, TimeZone: q.TimeZone, Language: q.Language, EmergencyLocationID: q.EmergencyLocationIdentifier}
}

func locationsURL(r *http.Request, customerID string) string {
	return baseURL(r) + "/v1/wholesale/customers/" + url.PathEscape(customerID) + "/locations"
}

func (s *Server) listLocations(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	p, err := page(r.URL.Query())
	if err := collect(aerr, err); err != nil {
		return err
	}
	ls, total, err := s.svc.Locations.Locations(r.Context(), a, r.PathValue("customerId"), p)
	if err != nil {
		return err
	}
	return writePage(w, r, p, total, ls, toLocationJSON)
}

func (s *Server) createLocation(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q locationRequest
	if err := collect(aerr, decode(r, &q, true)); err != nil {
		return err
	}
	render := func(l *tenantry.Location) answer {
		return answer{status: http.StatusCreated, location: locationsURL(r, l.CustomerID) + "/" + url.PathEscape(l.ID), body: toLocationJSON(l)}
	}
	answerWith(r, render)
	l, err := s.svc.Locations.CreateLocation(r.Context(), a, r.PathValue("customerId"), q.input())
	if err != nil {
		return err
	}
	return render(l).write(w)
}

func (s *Server) getLocation(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	l, err := s.svc.Locations.Location(r.Context(), a, r.PathValue("customerId"), r.PathValue("locationId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toLocationJSON(l))
}

func (s *Server) updateLocation(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q locationRequest
	if err := collect(aerr, decode(r, &q, true)); err != nil {
		return err
	}
	l, err := s.svc.Locations.UpdateLocation(r.Context(), a, r.PathValue("customerId"), r.PathValue("locationId"), q.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toLocationJSON(l))
}

func (s *Server) deleteLocation(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.Locations.DeleteLocation(r.Context(), a, r.PathValue("customerId"), r.PathValue("locationId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// numberJSON is one number of a location's inventory.
type numberJSON struct {
	PhoneNumber  string `json:"phoneNumber"`
	State        string `json:"state"`
	SubscriberID string `json:"subscriberId,omitempty"`
	MainNumber   bool   `json:"mainNumber"`
}

func toNumbersJSON(ns []*tenantry.PhoneNumber) []numberJSON {
	out := make([]numberJSON, len(ns))
	for i, n := range ns {
		out[i] = numberJSON{PhoneNumber: n.Number, State: string(n.State), SubscriberID: n.SubscriberID, MainNumber: n.MainNumber}
	}
	return out
}

// numbersRequest adds single numbers, ranges, or both.
type numbersRequest struct {
	PhoneNumbers []string `json:"phoneNumbers"`
	Ranges       []struct {
		Start string `json:"start"`
		End   string `json:"end"`
	} `json:"ranges"`
}

func (s *Server) listNumbers(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	q := r.URL.Query()
	p, err := page(q)
	if err := collect(aerr, err); err != nil {
		return err
	}
	f := tenantry.NumberFilter{State: tenantry.NumberState(q.Get("state")), Page: p}
	if f.State != "" && !slices.Contains(tenantry.NumberStates, f.State) {
		return tenantry.FieldError(tenantry.EINVALID, "state", tenantry.ReasonInvalidEnum, "value", string(f.State), "allowed", numberStateList())
	}
	ns, total, err := s.svc.Locations.Numbers(r.Context(), a, r.PathValue("customerId"), r.PathValue("locationId"), f)
	if err != nil {
		return err
	}
	setLinks(w, r, p, total)
	return writeJSON(w, http.StatusOK, map[string]any{"items": toNumbersJSON(ns)})
}

func numberStateList() string {
	names := make([]string, len(tenantry.NumberStates))
	for i, st := range tenantry.NumberStates {
		names[i] = string(st)
	}
	return strings.Join(names, ", ")
}

func (s *Server) addNumbers(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q numbersRequest
	if err := collect(aerr, decode(r, &q, true)); err != nil {
		return err
	}
	in := &tenantry.NumbersInput{PhoneNumbers: q.PhoneNumbers}
	for _, rg := range q.Ranges {
		in.Ranges = append(in.Ranges, tenantry.NumberRange{Start: rg.Start, End: rg.End})
	}
	customerID, locationID := r.PathValue("customerId"), r.PathValue("locationId")
	render := func(ns []*tenantry.PhoneNumber) answer {
		return answer{status: http.StatusCreated, location: locationsURL(r, customerID) + "/" + url.PathEscape(locationID) + "/numbers",
			body: map[string]any{"items": toNumbersJSON(ns)}}
	}
	answerWith(r, render)
	ns, err := s.svc.Locations.AddNumbers(r.Context(), a, customerID, locationID, in)
	if err != nil {
		return err
	}
	return render(ns).write(w)
}

func (s *Server) removeNumber(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	err = s.svc.Locations.RemoveNumber(r.Context(), a, r.PathValue("customerId"), r.PathValue("locationId"), r.PathValue("phoneNumber"))
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) setMainNumber(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	var q struct {
		PhoneNumber string `json:"phoneNumber"`
	}
	if err := decode(r, &q, true); err != nil {
		return err
	}
	l, err := s.svc.Locations.SetMainNumber(r.Context(), a, r.PathValue("customerId"), r.PathValue("locationId"), q.PhoneNumber)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toLocationJSON(l))
}
