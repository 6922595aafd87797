package ui

import (
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// customerListPageSize is how many customers the list shows at once.
const customerListPageSize = 25

// customerListCountBound is the most customers the list counts: past it the
// list says "more than" it.
const customerListCountBound = tenantry.CustomerSearchCountBound

// customerListPage is the customer list: a search, a status filter and a
// page of customers.
type customerListPage struct {
	Query  string
	Status string
	// StatusOptionsHTML are the status filter's choices, translated
	// (rows.go).
	StatusOptionsHTML template.HTML
	Customers         []*tenantry.Customer
	// RowsHTML is the table's rows, written in Go (rows.go): a template
	// action costs a microsecond, and a page has 25 rows of a dozen.
	RowsHTML  template.HTML
	CountText string // "1–25 of 1,000" (view.countText)
	Total     int
	// More is the count bound when Total is past it: the list then says
	// "more than More" rather than a total it did not count.
	More     int
	From, To int
	Prev     string // URL of the previous page, "" on the first
	Next     string
	Selected string
	// PanelView renders the selected customer's panel beside the list.
	PanelView *view
}

// customerRow is one customer in the list's table.
type customerRow struct {
	ID, Name, ExternalID, Email string
	Status, StatusLabel         string
	Busy, Selected              bool
	URL                         template.URL // the list with this customer's panel open
}

// translate builds the table's rows and the status filter's choices in the
// page's language.
func (p *customerListPage) translate(v *view) {
	rows := make([]customerRow, len(p.Customers))
	pre, post := p.selectURLParts()
	for i, c := range p.Customers {
		rows[i] = customerRow{ID: c.ID, Name: c.Name, ExternalID: c.ExternalID, Email: c.PrimaryEmail,
			Status: string(c.Status), StatusLabel: v.Status(c.Status), Busy: busy(c.Status), Selected: c.ID == p.Selected,
			URL: template.URL(pre + url.QueryEscape(c.ID) + post)}
	}
	opts := make([]option, len(tenantry.CustomerStatuses))
	for i, st := range tenantry.CustomerStatuses {
		opts[i] = option{Value: string(st), Label: v.Status(st), Selected: string(st) == p.Status}
	}
	p.StatusOptionsHTML = optionsHTML(opts)
	p.RowsHTML = customerRowsHTML(rows)
	p.CountText = v.countText("hub.customers", p.From, p.To, p.Total, p.More)
}

// selectURLParts are what the list's URL with a customer's panel open has
// before and after the customer's id, written as url.Values encodes the
// parameters (by name: q, selected, status), so that the table's rows
// encode the search once rather than 25 times.
func (p customerListPage) selectURLParts() (pre, post string) {
	pre = "/customers?"
	if p.Query != "" {
		pre += "q=" + url.QueryEscape(p.Query) + "&"
	}
	pre += "selected="
	if p.Status != "" {
		post = "&status=" + url.QueryEscape(p.Status)
	}
	return pre, post
}

func (s *Server) customerList(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p := customerListPage{Query: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	// The page counts to customerListCountBound only: counting is most of
	// what a page of 25 costs the database (10,000 provisioned customers
	// took longer to count than the rest of the page to read and render).
	f := tenantry.CustomerFilter{Search: p.Query, CountBound: customerListCountBound, Brief: true, Page: tenantry.Page{Offset: offset, Max: customerListPageSize}}
	if p.Status != "" {
		if !slices.Contains(tenantry.CustomerStatuses, tenantry.CustomerStatus(p.Status)) {
			p.Status = ""
		} else {
			f.Statuses = []tenantry.CustomerStatus{tenantry.CustomerStatus(p.Status)}
		}
	}
	var err error
	p.Customers, p.Total, err = s.svc.Customers.Customers(r.Context(), state(r).actor, f)
	if err != nil {
		return err
	}
	if len(p.Customers) > 0 {
		p.From, p.To = offset+1, offset+len(p.Customers)
	}
	if p.Total > customerListCountBound {
		p.More = customerListCountBound
	}
	pageURL := func(off int) string {
		v := url.Values{}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		if p.Status != "" {
			v.Set("status", p.Status)
		}
		if off > 0 {
			v.Set("offset", strconv.Itoa(off))
		}
		return "/customers?" + v.Encode()
	}
	if len(p.Customers) == 0 && offset > 0 {
		// Past the list's end (an old link, a list that shrank): its first
		// page, with the search and status kept.
		return redirect(w, r, pageURL(0))
	}
	if offset > 0 {
		p.Prev = pageURL(max(offset-customerListPageSize, 0))
	}
	if offset+customerListPageSize < p.Total {
		p.Next = pageURL(offset + customerListPageSize)
	}
	v := s.view(r, "hub.customers.title")
	v.Nav = "customers"
	if p.Selected = q.Get("selected"); p.Selected != "" {
		panel, err := s.loadPanel(r, p.Selected)
		if err != nil {
			return err
		}
		pv := *v
		pv.Page = panel
		p.PanelView = &pv
	}
	p.translate(v)
	v.Page = p
	for _, c := range p.Customers {
		if busy(c.Status) {
			v.Refresh = 5
		}
	}
	return s.render(w, r, "customer_list", v)
}

// customerStatus answers the live status script: the status of each
// customer asked for (?id=…&id=…), translated, with whether it is still
// changing. A customer of another partner is simply absent.
func (s *Server) customerStatus(w http.ResponseWriter, r *http.Request) error {
	ids := r.URL.Query()["id"]
	if len(ids) > customerListPageSize {
		ids = ids[:customerListPageSize]
	}
	v := s.view(r, "")
	type status struct {
		Status string `json:"status"`
		Label  string `json:"label"`
		Busy   bool   `json:"busy"`
	}
	out := map[string]status{}
	for _, id := range ids {
		c, err := s.svc.Customers.Customer(r.Context(), state(r).actor, id)
		if err != nil {
			if tenantry.ErrorCode(err) == tenantry.ENOTFOUND {
				continue
			}
			return err
		}
		out[id] = status{Status: string(c.Status), Label: v.Status(c.Status), Busy: busy(c.Status)}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(out)
}
