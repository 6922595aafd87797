package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// userListPageSize is how many users the list shows at once.
const userListPageSize = 25

// userListPage is a customer's users: a search, a status filter and a page
// of users.
type userListPage struct {
	Query    string
	Status   string
	Statuses []tenantry.SubscriberStatus
	Users    []*tenantry.Subscriber
	Total    int
	// More is the count bound when Total is past it (the page's end with
	// a search): the list then says "more than More" rather than a total
	// it did not count.
	More     int
	From, To int
	Prev     string // URL of the previous page, "" on the first
	Next     string
}

// userList is the Users tab of a customer.
func (s *Server) userList(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	c, err := s.svc.Customers.Customer(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	p := userListPage{Query: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Statuses: tenantry.SubscriberStatuses}
	offset, _ := strconv.Atoi(q.Get("offset"))
	offset = max(offset, 0)
	f := tenantry.SubscriberFilter{CustomerID: c.ID, Search: p.Query, Page: tenantry.Page{Offset: offset, Max: userListPageSize}}
	if p.Status != "" {
		if !slices.Contains(tenantry.SubscriberStatuses, tenantry.SubscriberStatus(p.Status)) {
			p.Status = ""
		} else {
			f.Statuses = []tenantry.SubscriberStatus{tenantry.SubscriberStatus(p.Status)}
		}
	}
	if p.Users, p.Total, err = s.svc.Subscribers.Subscribers(r.Context(), a, f); err != nil {
		return err
	}
	if len(p.Users) > 0 {
		p.From, p.To = offset+1, offset+len(p.Users)
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
		return "/customers/" + url.PathEscape(c.ID) + "/users?" + v.Encode()
	}
	if offset > 0 {
		p.Prev = pageURL(max(min(offset, p.Total)-userListPageSize, 0))
	}
	if offset+userListPageSize < p.Total {
		p.Next = pageURL(offset + userListPageSize)
		// The total is exact only when no next page exists.
		switch {
		case p.Query != "":
			p.More = p.To // a search is not counted past its page
		case p.Total > tenantry.SubscriberCountBound:
			p.More = tenantry.SubscriberCountBound
		}
	}
	v := s.view(r, "hub.users.title")
	v.Nav, v.Tab, v.Customer = "customers", "users", c
	v.Page = p
	s.consumeFlash(w, r)
	return s.render(w, r, "users", v)
}

// UserStatus is a user's status in the page's language.
func (v *view) UserStatus(st tenantry.SubscriberStatus) string {
	return v.T("hub.users.status." + string(st))
}
