package ui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/tenantry/tenantry"
	"github.com/tenantry/tenantry/locale"
)

// BenchmarkRenderCustomerList renders a page of the customer list, without
// a database or HTTP: what the template and the view cost a page.
var rowsN = customerListPageSize

func BenchmarkRenderCustomerList(b *testing.B) {
	for _, lang := range []string{"en", "ar"} {
		b.Run(lang, func(b *testing.B) {
			s := renderServer(b)
			p := customerListPage{Total: 1001, More: 1000, From: 1, To: customerListPageSize, Next: "/customers?offset=25"}
			for i := range rowsN {
				p.Customers = append(p.Customers, &tenantry.Customer{ID: fmt.Sprintf("c-%03d", i), Name: fmt.Sprintf("Blue River Telecom %d", i),
					Status: tenantry.StatusProvisioned, ExternalID: fmt.Sprintf("EXT-%07d", i), PrimaryEmail: fmt.Sprintf("admin%d@example.com", i), Created: time.Now()})
			}
			st := &reqState{lang: lang, session: &tenantry.Session{Admin: &tenantry.PartnerAdmin{ID: "a", DisplayName: "Ada", Email: "ada@example.com", Role: tenantry.RoleFullAdmin}}}
			r := httptest.NewRequest("GET", "/customers", nil)
			r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
			b.ReportAllocs()
			for b.Loop() {
				v := s.view(r, "hub.customers.title")
				p.translate(v)
				v.Nav, v.Page = "customers", p
				w := httptest.NewRecorder()
				if err := s.render(w, r, "customer_list", v); err != nil || w.Code != 200 {
					b.Fatal(err, w.Code)
				}
			}
		})
	}
}

// BenchmarkRenderUserList renders a page of a customer's users, without a
// database or HTTP.
func BenchmarkRenderUserList(b *testing.B) {
	s := renderServer(b)
	c := &tenantry.Customer{ID: "c-1", Name: "Blue River Telecom", Status: tenantry.StatusProvisioned}
	p := userListPage{Total: 1001, More: 1000, From: 1, To: userListPageSize, Next: "/customers/c-1/users?after=1:x&at=25"}
	for i := range userListPageSize {
		u := &tenantry.Subscriber{ID: fmt.Sprintf("u-%03d", i), FirstName: "Ada", LastName: fmt.Sprintf("Lovelace %d", i), Email: fmt.Sprintf("ada%d@example.com", i),
			Package: "webex_calling", Status: tenantry.SubscriberProvisioned, PrimaryPhoneNumber: "+14155550100", Extension: "1234", AddOns: []tenantry.Package{"cx_essentials"}}
		p.Users = append(p.Users, u)
	}
	st := &reqState{lang: "en", session: &tenantry.Session{Admin: &tenantry.PartnerAdmin{ID: "a", DisplayName: "Ada", Email: "ada@example.com", Role: tenantry.RoleFullAdmin}}}
	r := httptest.NewRequest("GET", "/customers/c-1/users", nil)
	r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, st))
	b.ReportAllocs()
	for b.Loop() {
		v := s.view(r, "hub.users.title")
		v.Nav, v.Tab, v.Customer = "customers", "users", c
		p.translate(v, c.ID)
		v.Page = p
		w := httptest.NewRecorder()
		if err := s.render(w, r, "users", v); err != nil || w.Code != 200 {
			b.Fatal(err, w.Code)
		}
	}
}

// renderServer is a hub with no services, for rendering pages alone.
func renderServer(b testing.TB) *Server {
	tr, err := locale.New()
	if err != nil {
		b.Fatal(err)
	}
	s, err := New(Services{}, tr, Options{})
	if err != nil {
		b.Fatal(err)
	}
	return s
}
