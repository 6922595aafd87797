package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/tenantry/tenantry"
)

// webhooksPage lists the partner's webhooks and the form that registers
// one. Right after a registration it shows the new webhook's signing
// secret, once.
type webhooksPage struct {
	Webhooks []*tenantry.Webhook
	Events   []string
	Max      int
	Form     webhookForm
	New      *tenantry.Webhook // the webhook just created, with its secret
}

type webhookForm struct {
	URL    string
	Events map[string]bool
}

var webhookFields = map[string]string{
	tenantry.FieldWebhookURL: "url", tenantry.FieldWebhookEvents: "events", tenantry.FieldWebhookEvents + "[": "events",
}

var webhookLabels = map[string]string{"url": "hub.settings.webhooks.url", "events": "hub.settings.webhooks.events"}

func (s *Server) webhooksView(r *http.Request, f webhookForm) (*view, *webhooksPage, error) {
	hooks, _, err := s.svc.Webhooks.Webhooks(r.Context(), state(r).actor, tenantry.Page{Max: tenantry.MaxWebhooks})
	if err != nil {
		return nil, nil, err
	}
	p := &webhooksPage{Webhooks: hooks, Events: tenantry.WebhookEvents, Max: tenantry.MaxWebhooks, Form: f}
	v := s.settingsView(r, "hub.settings.webhooks.title", "webhooks")
	v.Page = p
	return v, p, nil
}

func (s *Server) settingsWebhooks(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.webhooksView(r, webhookForm{Events: map[string]bool{}})
	if err != nil {
		return err
	}
	return s.render(w, r, "settings_webhooks", v)
}

// createWebhook registers an active webhook and answers with the page
// showing its secret.
func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return tenantry.Errorf(tenantry.EINVALID, tenantry.ReasonInvalidRequest)
	}
	f := webhookForm{URL: strings.TrimSpace(r.PostFormValue("url")), Events: map[string]bool{}}
	hook := &tenantry.Webhook{URL: f.URL, Active: true}
	for _, e := range r.PostForm["events"] {
		f.Events[e] = true
		hook.Events = append(hook.Events, e)
	}
	if err := s.svc.Webhooks.CreateWebhook(r.Context(), state(r).actor, hook); err != nil {
		v, _, lerr := s.webhooksView(r, f)
		if lerr != nil {
			return lerr
		}
		if !s.formProblems(v, err, webhookFields, webhookLabels) {
			return err
		}
		status := http.StatusBadRequest
		if tenantry.ErrorCode(err) == tenantry.ECONFLICT {
			status = http.StatusConflict
		}
		return s.renderStatus(w, r, status, "settings_webhooks", v)
	}
	v, p, err := s.webhooksView(r, webhookForm{Events: map[string]bool{}})
	if err != nil {
		return err
	}
	p.New = hook
	return s.render(w, r, "settings_webhooks", v)
}

// webhookPage shows one webhook and its delivery log, every attempt,
// newest first, a page at a time.
type webhookPage struct {
	Webhook    *tenantry.Webhook
	Deliveries []*tenantry.WebhookDelivery
	Total      int
	From, To   int
	Prev, Next string
}

const deliveriesPerPage = 50

func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request) error {
	a := state(r).actor
	id := r.PathValue("id")
	hook, err := s.svc.Webhooks.Webhook(r.Context(), a, id)
	if err != nil {
		return err
	}
	offset, _ := strconv.Atoi(r.URL.Query().Get("offset"))
	offset = max(offset, 0)
	ds, total, err := s.svc.Webhooks.WebhookDeliveries(r.Context(), a, id, tenantry.Page{Offset: offset, Max: deliveriesPerPage})
	if err != nil {
		return err
	}
	p := webhookPage{Webhook: hook, Deliveries: ds, Total: total, From: offset + 1, To: offset + len(ds)}
	base := "/settings/webhooks/" + id + "?offset="
	if offset > 0 {
		p.Prev = base + strconv.Itoa(max(offset-deliveriesPerPage, 0))
	}
	if offset+len(ds) < total {
		p.Next = base + strconv.Itoa(offset+deliveriesPerPage)
	}
	v := s.settingsView(r, "hub.settings.webhooks.page_title", "webhooks")
	v.Page = p
	// A test event just sent is delivered in a moment: without JavaScript
	// the page looks again a little later.
	if r.URL.Query().Get("sent") != "" && (len(ds) == 0 || ds[0].Status == tenantry.DeliveryPending) {
		v.Refresh = 3
	}
	return s.render(w, r, "settings_webhooks_page", v)
}

// testWebhook sends a test event to one webhook through the delivery jobs;
// its attempts appear in the webhook's delivery log.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := s.svc.Webhooks.SendTestEvent(r.Context(), state(r).actor, id); err != nil {
		return err
	}
	s.flash(w, "hub.settings.webhooks.test_sent")
	return redirect(w, r, "/settings/webhooks/"+id+"?sent=1")
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	if err := s.svc.Webhooks.DeleteWebhook(r.Context(), state(r).actor, r.PathValue("id")); err != nil {
		return err
	}
	s.flash(w, "hub.settings.webhooks.deleted")
	return redirect(w, r, "/settings/webhooks")
}

// deliveryErrors name the closed set of texts a failed delivery carries.
var deliveryErrors = map[string]string{
	tenantry.DeliveryErrorConnection:  "connection",
	tenantry.DeliveryErrorTimeout:     "timeout",
	tenantry.DeliveryErrorDestination: "destination",
	tenantry.DeliveryErrorTLS:         "tls",
	tenantry.DeliveryErrorInterrupted: "interrupted",
}

// DeliveryError is why a delivery attempt failed, in the page's language;
// "" for a receiver's status, which the log shows as such.
func (v *view) DeliveryError(d *tenantry.WebhookDelivery) string {
	if k, ok := deliveryErrors[d.Error]; ok {
		return v.T("hub.settings.webhooks.error." + k)
	}
	if d.ResponseStatus != 0 {
		return ""
	}
	return d.Error
}
