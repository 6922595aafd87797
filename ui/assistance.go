package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// assistancePageSize is how many requests a list shows at once.
const assistancePageSize = 25

// assistanceForm is the setup-assistance form as typed: kept on errors.
type assistanceForm struct {
	ContactName, ContactEmail, ContactPhone string
	Topics                                  map[string]bool
	Details                                 string
	PreferredDate, PreferredWindow          string
}

// assistancePage is a customer's assistance tab: the form and the
// customer's requests so far.
type assistancePage struct {
	Form       assistanceForm
	Topics     []tenantry.AssistanceTopic
	Windows    []tenantry.AssistanceWindow
	HasAddress bool // the partner has an operations address
	List       assistanceListPage
	// WindowOptions are the times of day, in the page's language.
	WindowOptions []option
}

// assistanceListPage is a page of requests, of every customer or of one.
type assistanceListPage struct {
	Requests   []*tenantry.AssistanceRequest
	Total      int
	From, To   int
	Prev, Next string
	Customer   string // set on a customer's tab: the customer column is left out
}

// assistanceTable is what the "assistancetable" partial shows.
type assistanceTable struct {
	V *view
	L assistanceListPage
}

// AssistanceTable pairs a page of requests with the view for the partial.
func (v *view) AssistanceTable(l assistanceListPage) assistanceTable {
	return assistanceTable{V: v, L: l}
}

// assistanceRequestPage is one request.
type assistanceRequestPage struct {
	Request    *tenantry.AssistanceRequest
	HasAddress bool
}

// assistanceFields maps the domain's field paths to the form's fields,
// which have the same names.
var assistanceFields = map[string]string{
	"contactName": "contactName", "contactEmail": "contactEmail", "contactPhone": "contactPhone", "topics": "topics",
	"details": "details", "preferredDate": "preferredDate", "preferredWindow": "preferredWindow",
}

var assistanceLabels = map[string]string{
	"contactName": "hub.assist.contact_name", "contactEmail": "hub.assist.contact_email", "contactPhone": "hub.assist.contact_phone",
	"topics": "hub.assist.help", "details": "hub.assist.details", "preferredDate": "hub.assist.preferred_date",
	"preferredWindow": "hub.assist.preferred_window",
}

// listAssistance reads a page of requests (of one customer when customerID
// is set) for base, the list's URL.
func (s *Server) listAssistance(r *http.Request, base, customerID string) (assistanceListPage, error) {
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	p := assistanceListPage{Customer: customerID}
	var err error
	p.Requests, p.Total, err = s.svc.Assistance.AssistanceRequests(r.Context(), state(r).actor,
		tenantry.AssistanceFilter{CustomerID: customerID, Page: tenantry.Page{Offset: offset, Max: assistancePageSize}})
	if err != nil {
		return p, err
	}
	if len(p.Requests) > 0 {
		p.From, p.To = offset+1, offset+len(p.Requests)
	}
	at := func(off int) string {
		if off == 0 {
			return base
		}
		return base + "?offset=" + strconv.Itoa(off)
	}
	if offset > 0 {
		p.Prev = at(max(offset-assistancePageSize, 0))
	}
	if offset+assistancePageSize < p.Total {
		p.Next = at(offset + assistancePageSize)
	}
	return p, nil
}

// hasOperationsAddress reports whether the actor's organization has an
// operations address to mail requests to.
func (s *Server) hasOperationsAddress(r *http.Request) (bool, error) {
	ps, err := s.svc.Assistance.PartnerSettings(r.Context(), state(r).actor)
	if err != nil {
		return false, err
	}
	return ps.OperationsEmail != "", nil
}

// assistanceList is the hub's list of every request, newest first.
func (s *Server) assistanceList(w http.ResponseWriter, r *http.Request) error {
	p, err := s.listAssistance(r, "/assistance", "")
	if err != nil {
		return err
	}
	v := s.view(r, "hub.assist.title")
	v.Nav = "assistance"
	v.Page = p
	return s.render(w, r, "assistance_list", v)
}

// assistanceRequest is one request's page.
func (s *Server) assistanceRequest(w http.ResponseWriter, r *http.Request) error {
	req, err := s.svc.Assistance.AssistanceRequest(r.Context(), state(r).actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	has, err := s.hasOperationsAddress(r)
	if err != nil {
		return err
	}
	v := s.view(r, "hub.assist.request_title")
	v.Nav = "assistance"
	v.Page = assistanceRequestPage{Request: req, HasAddress: has}
	return s.render(w, r, "assistance_request", v)
}

// assistancePage is the customer's assistance tab.
func (s *Server) assistancePage(w http.ResponseWriter, r *http.Request) error {
	c, err := s.svc.Customers.Customer(r.Context(), state(r).actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.renderAssistance(w, r, http.StatusOK, c, assistanceForm{ContactEmail: c.PrimaryEmail}, nil)
}

func (s *Server) renderAssistance(w http.ResponseWriter, r *http.Request, status int, c *tenantry.Customer, f assistanceForm, formErr error) error {
	base := "/customers/" + url.PathEscape(c.ID) + "/assistance"
	list, err := s.listAssistance(r, base, c.ID)
	if err != nil {
		return err
	}
	has, err := s.hasOperationsAddress(r)
	if err != nil {
		return err
	}
	v := s.view(r, "hub.assist.form_title")
	v.Nav, v.Tab, v.Customer = "customers", "assistance", c
	if formErr != nil && !s.formProblems(v, formErr, assistanceFields, assistanceLabels) {
		return formErr
	}
	p := assistancePage{Form: f, Topics: tenantry.AssistanceTopics, Windows: tenantry.AssistanceWindows, HasAddress: has, List: list}
	for _, w := range tenantry.AssistanceWindows {
		p.WindowOptions = append(p.WindowOptions, option{Value: string(w), Label: v.T("hub.assist.window." + string(w))})
	}
	v.Page = p
	return s.renderStatus(w, r, status, "assistance", v)
}

// requestAssistance stores a request through the same service the domain
// validates in; problems go back next to their fields with the input kept.
func (s *Server) requestAssistance(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonInvalidRequest)
	}
	f := assistanceForm{
		ContactName: r.PostFormValue("contactName"), ContactEmail: strings.TrimSpace(r.PostFormValue("contactEmail")),
		ContactPhone: strings.TrimSpace(r.PostFormValue("contactPhone")), Topics: map[string]bool{}, Details: r.PostFormValue("details"),
		PreferredDate: strings.TrimSpace(r.PostFormValue("preferredDate")), PreferredWindow: r.PostFormValue("preferredWindow"),
	}
	in := &tenantry.AssistanceInput{
		CustomerID: c.ID, ContactName: f.ContactName, ContactEmail: f.ContactEmail, ContactPhone: f.ContactPhone, Details: f.Details,
		PreferredDate: f.PreferredDate, PreferredWindow: tenantry.AssistanceWindow(f.PreferredWindow), Language: state(r).lang,
	}
	for _, t := range r.PostForm["topic"] {
		if !f.Topics[t] {
			f.Topics[t] = true
			in.Topics = append(in.Topics, tenantry.AssistanceTopic(t))
		}
	}
	req, err := s.svc.Assistance.RequestAssistance(r.Context(), a, in)
	if err != nil {
		if tenantry.ErrorCode(err) == tenantry.EINVALID {
			return s.renderAssistance(w, r, http.StatusBadRequest, c, f, err)
		}
		return err
	}
	if req.State() == tenantry.AssistanceUnsent {
		s.flash(w, "hub.assist.flash.unsent")
	} else {
		s.flash(w, "hub.assist.flash.sent")
	}
	return redirect(w, r, "/assistance/"+url.PathEscape(req.ID))
}

// TopicChecked reports whether the form had a topic ticked.
func (f assistanceForm) TopicChecked(t tenantry.AssistanceTopic) bool { return f.Topics[string(t)] }

// Short is the start of a request's details, for a list's cell.
func (assistanceListPage) Short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return s
}
