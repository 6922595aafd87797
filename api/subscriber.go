package api

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tenantry/tenantry"
)

// subscriberRoutes lists the routes of subscribers: the wholesale
// subscriber API, on the wholesale subscriber scopes.
func (s *Server) subscriberRoutes() []route {
	const (
		sr = tenantry.ScopeSubscribersRead
		sw = tenantry.ScopeSubscribersWrite
	)
	return []route{
		{"GET", "/v1/wholesale/subscribers", sr, s.listSubscribers},
		{"POST", "/v1/wholesale/subscribers", sw, s.createSubscriber},
		{"POST", "/v1/wholesale/subscribers/validate", sw, s.precheckSubscriber},
		{"GET", "/v1/wholesale/subscribers/{subscriberId}", sr, s.getSubscriber},
		{"PUT", "/v1/wholesale/subscribers/{subscriberId}", sw, s.updateSubscriber},
		{"DELETE", "/v1/wholesale/subscribers/{subscriberId}", sw, s.deleteSubscriber},
		{"POST", "/v1/subscribers/{subscriberId}/emails/consentMove", sw, s.resendConsent},
	}
}

// subscriberRequest is the wholesale subscriber request: the body of create,
// update and precheck, as the reference document spells it.
type subscriberRequest struct {
	CustomerID             string            `json:"customerId"`
	Email                  string            `json:"email"`
	Package                string            `json:"package"`
	Packages               []string          `json:"packages"`
	ProvisioningParameters *subscriberParams `json:"provisioningParameters"`
	ProvisioningID         string            `json:"provisioningId"`
	CustomerInfo           *struct {
		PrimaryEmail string `json:"primaryEmail"`
	} `json:"customerInfo"`
}

type subscriberParams struct {
	FirstName          string `json:"firstName,omitempty"`
	LastName           string `json:"lastName,omitempty"`
	PrimaryPhoneNumber string `json:"primaryPhoneNumber,omitempty"`
	Extension          string `json:"extension,omitempty"`
	LocationID         string `json:"locationId,omitempty"`
}

func (q *subscriberRequest) input() *tenantry.SubscriberInput {
	in := &tenantry.SubscriberInput{
		CustomerID: q.CustomerID, Email: q.Email, Package: q.Package, Packages: absentList(q.Packages), ProvisioningID: q.ProvisioningID,
	}
	if p := q.ProvisioningParameters; p != nil {
		in.FirstName, in.LastName, in.Extension, in.LocationID = p.FirstName, p.LastName, p.Extension, p.LocationID
		// The reference's own update example writes "+1-240-555-1212".
		in.PrimaryPhoneNumber = tenantry.NormalizePhoneNumber(p.PrimaryPhoneNumber)
	}
	if q.CustomerInfo != nil {
		in.CustomerPrimaryEmail = q.CustomerInfo.PrimaryEmail
	}
	return in
}

// subscriberJSON is the wholesale Subscriber, with Tenantry's additions
// (provisioningParameters as the request gives them, updated), which are
// set only when the client asked for them.
type subscriberJSON struct {
	ID                     string              `json:"id"`
	PersonID               string              `json:"personId,omitempty"`
	Email                  string              `json:"email"`
	CustomerID             string              `json:"customerId"`
	ExternalCustomerID     string              `json:"externalCustomerId"`
	Package                string              `json:"package,omitempty"`
	Packages               []string            `json:"packages"`
	Status                 string              `json:"status"`
	ProvisioningParameters *subscriberParams   `json:"provisioningParameters,omitempty"`
	Created                tenantry.Timestamp  `json:"created"`
	Updated                *tenantry.Timestamp `json:"updated,omitempty"`
	LastStatusChange       tenantry.Timestamp  `json:"lastStatusChange"`
}

// legacyPackageField are the packages the deprecated `package` field of a
// Subscriber can name; a user with another package has only `packages`.
var legacyPackageField = []tenantry.Package{
	tenantry.WebexCalling, tenantry.WebexMeetings, tenantry.WebexSuite, tenantry.WebexVoice,
	tenantry.CXEssentials, tenantry.WebexCallingStandard,
}

// toSubscriberJSON renders sub; ext adds Tenantry's fields.
func toSubscriberJSON(sub *tenantry.Subscriber, ext bool) subscriberJSON {
	out := subscriberJSON{
		ID: sub.ID, PersonID: sub.PersonID, Email: sub.Email, CustomerID: sub.CustomerID, ExternalCustomerID: sub.ExternalCustomerID,
		Status: string(sub.Status), Created: tenantry.Timestamp(sub.Created), LastStatusChange: tenantry.Timestamp(sub.LastStatusChange),
	}
	if ext {
		updated := tenantry.Timestamp(sub.Updated)
		out.Updated = &updated
		out.ProvisioningParameters = &subscriberParams{
			FirstName: sub.FirstName, LastName: sub.LastName, PrimaryPhoneNumber: sub.PrimaryPhoneNumber,
			Extension: sub.Extension, LocationID: sub.LocationID,
		}
	}
	if slices.Contains(legacyPackageField, sub.Package) {
		out.Package = string(sub.Package)
	}
	for _, p := range sub.Packages() {
		out.Packages = append(out.Packages, string(p))
	}
	return out
}

func (s *Server) subscriberURL(r *http.Request, id string) string {
	return baseURL(r) + "/v1/wholesale/subscribers/" + url.PathEscape(id)
}

// createSubscriber answers 200 with the provisioned subscriber, or 202 when
// the address belongs to a free account elsewhere and the user waits for
// its owner's consent (pending_user_migration), as the reference does.
func (s *Server) createSubscriber(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q subscriberRequest
	derr := decode(r, &q, false)
	if err := withRules(aerr, derr, func() []tenantry.Problem { return q.input().Validate(tenantry.ModeCreate) }); err != nil {
		return err
	}
	render := func(sub *tenantry.Subscriber) answer {
		status := http.StatusOK
		if sub.Status == tenantry.SubscriberPendingUserMigration {
			status = http.StatusAccepted
		}
		return answer{status: status, location: s.subscriberURL(r, sub.ID), body: toSubscriberJSON(sub, extensions(r))}
	}
	answerWith(r, render)
	sub, err := s.svc.Subscribers.CreateSubscriber(r.Context(), a, q.input())
	if err != nil {
		return err
	}
	return render(sub).write(w)
}

func (s *Server) getSubscriber(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	sub, err := s.svc.Subscribers.Subscriber(r.Context(), a, r.PathValue("subscriberId"))
	if err != nil {
		return err
	}
	// The reference answers a read and an update with the Location too.
	w.Header().Set("Location", s.subscriberURL(r, sub.ID))
	return writeJSON(w, http.StatusOK, toSubscriberJSON(sub, extensions(r)))
}

func (s *Server) updateSubscriber(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q subscriberRequest
	derr := decode(r, &q, false)
	if err := withRules(aerr, derr, func() []tenantry.Problem { return q.input().Validate(tenantry.ModeUpdate) }); err != nil {
		return err
	}
	sub, err := s.svc.Subscribers.UpdateSubscriber(r.Context(), a, r.PathValue("subscriberId"), q.input())
	if err != nil {
		return err
	}
	w.Header().Set("Location", s.subscriberURL(r, sub.ID))
	return writeJSON(w, http.StatusOK, toSubscriberJSON(sub, extensions(r)))
}

func (s *Server) deleteSubscriber(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.Subscribers.DeleteSubscriber(r.Context(), a, r.PathValue("subscriberId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) precheckSubscriber(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var q subscriberRequest
	derr := decode(r, &q, false)
	if err := withRules(aerr, derr, func() []tenantry.Problem { return q.input().Validate(tenantry.ModePrecheck) }); err != nil {
		return err
	}
	if err := s.svc.Subscribers.PrecheckSubscriber(r.Context(), a, q.input()); err != nil {
		return err
	}
	return s.precheckOK(w, r)
}

// resendConsent sends the consent email of a pending user again. It takes
// no body.
func (s *Server) resendConsent(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	ans := answer{status: http.StatusNoContent}
	answerWith(r, func(*tenantry.Subscriber) answer { return ans })
	if err := s.svc.Subscribers.ResendConsent(r.Context(), a, r.PathValue("subscriberId")); err != nil {
		return err
	}
	return ans.write(w)
}

// Pages of the subscriber list, as the reference document has them: 50
// users unless max says otherwise, and up to 100 per page (a larger max is
// served as 100, and the Link header says so).
const (
	SubscriberPageDefault = 50
	SubscriberPageLimit   = 100
)

func (s *Server) listSubscribers(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	q := r.URL.Query()
	p, perr := pageOf(q, SubscriberPageDefault, SubscriberPageLimit, true)
	f, ferr := subscriberFilter(q)
	if err := collect(aerr, perr, ferr); err != nil {
		return err
	}
	f.Page = p
	subs, total, err := s.svc.Subscribers.Subscribers(r.Context(), a, f)
	if err != nil {
		return err
	}
	ext := extensions(r)
	return writePage(w, r, p, total, subs, func(sub *tenantry.Subscriber) subscriberJSON { return toSubscriberJSON(sub, ext) })
}

// subscriberFilter reads the list's filters, reporting every bad one.
func subscriberFilter(q url.Values) (tenantry.SubscriberFilter, error) {
	f := tenantry.SubscriberFilter{
		CustomerID: q.Get("customerId"), ExternalCustomerID: q.Get("externalCustomerId"), PersonID: q.Get("personId"), Email: q.Get("email"),
	}
	var ps []tenantry.Problem
	bad := func(field, reason string, kv ...string) {
		params := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			params[kv[i]] = kv[i+1]
		}
		ps = append(ps, tenantry.Problem{Field: field, Reason: reason, Params: params})
	}
	for _, v := range q["status"] {
		for _, st := range splitComma(v) {
			if !slices.Contains(tenantry.SubscriberStatuses, tenantry.SubscriberStatus(st)) {
				bad("status", tenantry.ReasonInvalidEnum, "value", st, "allowed", "provisioned, pending_user_migration")
				continue
			}
			if !slices.Contains(f.Statuses, tenantry.SubscriberStatus(st)) { // a repeat would only lengthen the query
				f.Statuses = append(f.Statuses, tenantry.SubscriberStatus(st))
			}
		}
	}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"after", &f.After}, {"lastStatusChange", &f.LastStatusChange}} {
		v := q.Get(t.name)
		if v == "" {
			continue
		}
		at, ok := parseTime(v)
		if !ok {
			bad(t.name, tenantry.ReasonInvalidTime, "value", v)
		}
		// Times are shown to the millisecond (tenantry.TimeLayout) and
		// stored to the microsecond: "after" a time a client read means
		// after that whole millisecond, or a subscriber would come after
		// the time shown as its own.
		*t.dst = at.Truncate(time.Millisecond).Add(time.Millisecond - time.Microsecond)
	}
	switch v := q.Get("sortBy"); v {
	case "", "created", "userCreationTimestamp": // the reference's example uses the latter
		f.SortBy = tenantry.SortByCreated
	case "lastStatusChange":
		f.SortBy = tenantry.SortByLastStatusChange
	default:
		bad("sortBy", tenantry.ReasonInvalidEnum, "value", v, "allowed", "created, lastStatusChange")
	}
	switch v := q.Get("sortOrder"); strings.ToUpper(v) {
	case "", "ASC":
	case "DESC":
		f.Descending = true
	default:
		bad("sortOrder", tenantry.ReasonInvalidEnum, "value", v, "allowed", "ASC, DESC")
	}
	return f, tenantry.Invalid(ps)
}

// parseTime reads a time as the wholesale API takes it: epoch milliseconds
// (preferred), or ISO 8601: a date and time with a zone ("Z", "+01:00" or
// "+0100"), without one (read as UTC), or a date.
func parseTime(v string) (time.Time, bool) {
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
		// Beyond year 9999 a time no longer formats as ISO 8601.
		if ms < 0 || ms > 253402300799999 {
			return time.Time{}, false
		}
		return time.UnixMilli(ms).UTC(), true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, v); err == nil && t.Year() >= 1 && t.Year() <= 9999 {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
