package ui

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/tenantry/tenantry"
)

// The locations tab of a customer: its locations, and a form to add one
// through the same location service as the API.

// locationsTab is the data of the locations tab.
type locationsTab struct {
	Customer    *tenantry.Customer
	Locations   []*tenantry.Location
	Total       int
	Form        locationForm
	Accepts     bool     // the customer may get locations now
	TimeZones   []string // offered for the customer's country; nil: type one
	Languages   []option
	NeedsState  bool
	NeedsPostal bool
}

// locationForm is what the add-location form holds.
type locationForm struct {
	Name, Line1, Line2, City, State, Postal, Country, TimeZone, Language, Emergency string
}

func (f *locationForm) input() *tenantry.LocationInput {
	tr := strings.TrimSpace
	return &tenantry.LocationInput{
		Name: tr(f.Name), TimeZone: tr(f.TimeZone), Language: f.Language, EmergencyLocationID: tr(f.Emergency),
		Address: tenantry.Address{Line1: tr(f.Line1), Line2: tr(f.Line2), City: tr(f.City), State: tr(f.State), PostalCode: tr(f.Postal), Country: f.Country},
	}
}

// locationFields maps the domain's field paths of a location to the form.
var locationFields = map[string]string{
	tenantry.FieldLocationName: "name", tenantry.FieldLocationAddress: "line1",
	"address.addressLine1": "line1", "address.addressLine2": "line2", "address.city": "city",
	"address.stateOrProvince": "state", "address.zipOrPostalCode": "postal", tenantry.FieldLocationCountry: "country",
	tenantry.FieldLocationTimeZone: "timeZone", tenantry.FieldLocationLanguage: "language", tenantry.FieldLocationEmergency: "emergency",
}

var locationLabels = map[string]string{
	"name": "hub.locations.name", "line1": "hub.address.line1", "line2": "hub.address.line2", "city": "hub.address.city",
	"state": "hub.address.state", "postal": "hub.address.postal", "country": "hub.wizard.country", "timeZone": "hub.wizard.time_zone",
	"language": "hub.customer.language", "emergency": "hub.locations.emergency",
}

// maxLocationsShown is how many locations the tab lists.
const maxLocationsShown = tenantry.MaxPageMax

func locationsPath(customerID string) string {
	return "/customers/" + url.PathEscape(customerID) + "/locations"
}

func locationPath(customerID, locationID string) string {
	return locationsPath(customerID) + "/" + url.PathEscape(locationID)
}

// customerLocations is the locations tab.
func (s *Server) customerLocations(w http.ResponseWriter, r *http.Request) error {
	c, err := s.importCustomer(r)
	if err != nil {
		return err
	}
	f := locationForm{Country: c.Address.Country, Language: c.Language}
	return s.renderLocations(w, r, http.StatusOK, c, f, nil)
}

func (s *Server) renderLocations(w http.ResponseWriter, r *http.Request, status int, c *tenantry.Customer, f locationForm, formErr error) error {
	v := s.view(r, "hub.locations.title")
	v.Nav, v.Tab, v.Customer = "customers", "locations", c
	ls, total, err := s.svc.Locations.Locations(r.Context(), state(r).actor, c.ID, tenantry.Page{Max: maxLocationsShown})
	if err != nil {
		return err
	}
	p := locationsTab{Customer: c, Locations: ls, Total: total, Form: f, Accepts: c.Status.AcceptsLocations(),
		TimeZones: zonesOf(f.Country), NeedsState: tenantry.RequiresState(f.Country), NeedsPostal: tenantry.RequiresPostalCode(f.Country)}
	for _, l := range customerLanguages {
		p.Languages = append(p.Languages, option{Value: l, Label: v.LangName(l)})
	}
	if formErr != nil && !s.formProblems(v, formErr, locationFields, locationLabels) {
		return formErr
	}
	v.Page = p
	return s.renderStatus(w, r, status, "locations", v)
}

// createLocation adds a location to the customer and opens its page.
func (s *Server) createLocation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.importCustomer(r)
	if err != nil {
		return err
	}
	f := locationForm{Name: r.FormValue("name"), Line1: r.FormValue("line1"), Line2: r.FormValue("line2"), City: r.FormValue("city"),
		State: r.FormValue("state"), Postal: r.FormValue("postal"), Country: c.Address.Country, TimeZone: r.FormValue("timeZone"),
		Language: r.FormValue("language"), Emergency: r.FormValue("emergency")}
	l, err := s.svc.Locations.CreateLocation(r.Context(), state(r).actor, c.ID, f.input())
	if err != nil {
		if code := tenantry.ErrorCode(err); code == tenantry.EINVALID || code == tenantry.ECONFLICT {
			return s.renderLocations(w, r, http.StatusBadRequest, c, f, err)
		}
		return err
	}
	s.flash(w, "hub.locations.created")
	return redirect(w, r, locationPath(c.ID, l.ID))
}
