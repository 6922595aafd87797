package ui

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// userListPageSize is how many users the list shows at once.
const userListPageSize = 25

// userListPage is a customer's users: a search, a status filter and a page
// of users.
type userListPage struct {
	Query  string
	Status string
	// StatusOptionsHTML are the status filter's choices, translated
	// (rows.go).
	StatusOptionsHTML template.HTML
	Users             []*tenantry.Subscriber
	RowsHTML          template.HTML // the table's rows, written in Go (rows.go)
	CountText         string        // "1–25 of 1,000" (view.countText)
	Total             int
	// More is the count bound when Total is past it (the page's end with
	// a search, or past the bound): the list then says "more than More"
	// rather than a total it did not count.
	More     int
	From, To int
	Prev     string // URL of the previous page, "" on the first
	Next     string
}

// userListCountBound is the most users the list counts: past it the list
// says "more than" it (the API counts to tenantry.SubscriberCountBound).
const userListCountBound = 1000

// userList is the Users tab of a customer. It pages by key: Next and
// Previous carry the (created, id) of the page's last or first user, so
// that a page deep in the list costs what the first one does (an offset
// read every row before the page), and "at" carries the page's place for
// the count text only.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	// The customer is read beside its users: a list of one customer's
	// users checks the partner on the customer's row itself, so the list
	// is only shown once the customer is found.
	type customerRead struct {
		c   *tenantry.Customer
		err error
	}
	customer := make(chan customerRead, 1)
	go func() {
		c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
		customer <- customerRead{c, err}
	}()
	q := r.URL.Query()
	p := userListPage{Query: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}
	// One user more than the page tells whether the list goes on that way.
	f := tenantry.SubscriberFilter{CustomerID: r.PathValue("id"), Search: p.Query, CountBound: userListCountBound, Page: tenantry.Page{Max: userListPageSize + 1}}
	if p.Status != "" {
		if !slices.Contains(tenantry.SubscriberStatuses, tenantry.SubscriberStatus(p.Status)) {
			p.Status = ""
		} else {
			f.Statuses = []tenantry.SubscriberStatus{tenantry.SubscriberStatus(p.Status)}
		}
	}
	at, _ := strconv.Atoi(q.Get("at"))
	if f.Key = parseUserKey(q.Get("after")); f.Key == nil {
		f.Key = parseUserKey(q.Get("before"))
		f.Backward = f.Key != nil
	}
	if f.Key == nil {
		at = 0
	}
	at = max(at, 0)
	var err error
	p.Users, p.Total, err = s.svc.Subscribers.Subscribers(r.Context(), a, f)
	cr := <-customer
	if cr.err != nil {
		return cr.err
	}
	if err != nil {
		return err
	}
	c := cr.c
	if f.Backward && len(p.Users) <= userListPageSize {
		// Back at the list's start: the plain first page.
		f.Key, f.Backward, at = nil, false, 0
		if p.Users, p.Total, err = s.svc.Subscribers.Subscribers(r.Context(), a, f); err != nil {
			return err
		}
	}
	more := len(p.Users) > userListPageSize
	if more && f.Backward {
		p.Users = p.Users[1:]
	} else if more {
		p.Users = p.Users[:userListPageSize]
	}
	hasPrev, hasNext := f.Key != nil, more || f.Backward
	counted := p.Query == "" && p.Total <= userListCountBound
	switch {
	case counted && hasNext:
		at = min(at, max(p.Total-len(p.Users)-1, 0))
	case counted:
		at = max(p.Total-len(p.Users), 0)
	}
	if len(p.Users) > 0 {
		p.From, p.To = at+1, at+len(p.Users)
	}
	switch {
	case !hasNext:
		p.Total = p.To // the list ends here
	case p.Query != "":
		p.More = p.To // a search is not counted
	case p.Total > userListCountBound:
		p.More = max(userListCountBound, p.To)
	}
	pageURL := func(dir string, u *tenantry.Subscriber, at int) string {
		v := url.Values{}
		if p.Query != "" {
			v.Set("q", p.Query)
		}
		if p.Status != "" {
			v.Set("status", p.Status)
		}
		v.Set(dir, strconv.FormatInt(u.Created.UnixMicro(), 10)+":"+u.ID)
		v.Set("at", strconv.Itoa(at))
		return "/customers/" + url.PathEscape(c.ID) + "/users?" + v.Encode()
	}
	if n := len(p.Users); n > 0 {
		if hasPrev {
			p.Prev = pageURL("before", p.Users[0], max(at-userListPageSize, 0))
		}
		if hasNext {
			p.Next = pageURL("after", p.Users[n-1], at+n)
		}
	}
	v := s.view(r, "hub.users.title")
	v.Nav, v.Tab, v.Customer = "customers", "users", c
	p.translate(v, c.ID)
	v.Page = p
	return s.render(w, r, "users", v)
}

// translate builds the table's rows and the status filter's choices in the
// page's language.
func (p *userListPage) translate(v *view, customerID string) {
	rows := make([]userRow, len(p.Users))
	for i, u := range p.Users {
		rows[i] = newUserRow(v, customerID, u)
	}
	opts := make([]option, len(tenantry.SubscriberStatuses))
	for i, st := range tenantry.SubscriberStatuses {
		opts[i] = option{Value: string(st), Label: v.UserStatus(st), Selected: string(st) == p.Status}
	}
	p.StatusOptionsHTML = optionsHTML(opts)
	p.RowsHTML = userRowsHTML(rows)
	p.CountText = v.countText("hub.users", p.From, p.To, p.Total, p.More)
}

// userRow is a user as the list's table shows it, its texts translated
// once in Go: a method called from the template per cell is looked up by
// reflection each time, which was most of the page's rendering.
type userRow struct {
	URL                                          template.URL // the user's page
	Name, Email, Status, StatusName, PackageName string
	PrimaryPhoneNumber, ExtText                  string
	AddOnNames                                   []string
}

func newUserRow(v *view, customerID string, u *tenantry.Subscriber) userRow {
	row := userRow{URL: template.URL("/customers/" + url.PathEscape(customerID) + "/users/" + url.PathEscape(u.ID)),
		Name: v.T("hub.users.unnamed"), Email: u.Email, Status: string(u.Status), StatusName: v.UserStatus(u.Status),
		PackageName: v.Package(u.Package), PrimaryPhoneNumber: u.PrimaryPhoneNumber}
	if u.FirstName != "" || u.LastName != "" {
		row.Name = u.FirstName + " " + u.LastName
	}
	if u.Extension != "" {
		row.ExtText = v.T("hub.users.ext", "ext", u.Extension)
	}
	for _, a := range u.AddOns {
		row.AddOnNames = append(row.AddOnNames, v.Package(a))
	}
	return row
}

// parseUserKey reads a user's place in the list, "created:id" (created in
// microseconds), as the list's links write it; nil when there is none.
func parseUserKey(s string) *tenantry.SubscriberKey {
	micros, id, ok := strings.Cut(s, ":")
	n, err := strconv.ParseInt(micros, 10, 64)
	if !ok || err != nil || id == "" {
		return nil
	}
	return &tenantry.SubscriberKey{Created: time.UnixMicro(n), ID: id}
}

// UserStatus is a user's status in the page's language.
func (v *view) UserStatus(st tenantry.SubscriberStatus) string {
	return v.T("hub.users.status." + string(st))
}
