package api

import (
	"encoding/json"
	"net/http"
	"net/url"

	"github.com/tenantry/tenantry"
)

// webhookRoutes lists the routes of webhooks: a Tenantry extension in the
// conventions of the wholesale API.
func (s *Server) webhookRoutes() []route {
	const (
		cr = tenantry.ScopeCustomersRead
		cw = tenantry.ScopeCustomersWrite
	)
	return []route{
		{"GET", "/v1/partner/webhooks", cr, s.listWebhooks},
		{"POST", "/v1/partner/webhooks", cw, s.createWebhook},
		{"GET", "/v1/partner/webhooks/{webhookId}", cr, s.getWebhook},
		{"DELETE", "/v1/partner/webhooks/{webhookId}", cw, s.deleteWebhook},
		{"GET", "/v1/partner/webhooks/{webhookId}/deliveries", cr, s.listWebhookDeliveries},
	}
}

// webhookRequest registers a webhook. Active defaults to true.
type webhookRequest struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
	Active *bool    `json:"active"`
}

// webhookJSON is a webhook on the wire. Secret is set only in the answer to
// its creation.
type webhookJSON struct {
	ID      string             `json:"id"`
	URL     string             `json:"url"`
	Events  []string           `json:"events"`
	Active  bool               `json:"active"`
	Created tenantry.Timestamp `json:"created"`
	Secret  string             `json:"secret,omitempty"`
}

func toWebhookJSON(w *tenantry.Webhook) webhookJSON {
	events := w.Events
	if events == nil {
		events = []string{}
	}
	return webhookJSON{ID: w.ID, URL: w.URL, Events: events, Active: w.Active, Created: tenantry.Timestamp(w.Created)}
}

// deliveryJSON is one delivery attempt on the wire.
type deliveryJSON struct {
	ID             string             `json:"id"`
	WebhookID      string             `json:"webhookId"`
	EventID        string             `json:"eventId"`
	EventType      string             `json:"eventType"`
	Attempt        int                `json:"attempt"`
	Status         string             `json:"status"`
	ResponseStatus int                `json:"responseStatus,omitempty"`
	Error          string             `json:"error,omitempty"`
	At             tenantry.Timestamp `json:"at"`
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	var in webhookRequest
	if err := collect(aerr, decode(r, &in, true)); err != nil {
		return err
	}
	wh := &tenantry.Webhook{URL: in.URL, Events: in.Events, Active: in.Active == nil || *in.Active}
	// The answer stored for replays is the webhook without its secret.
	render := func(wh *tenantry.Webhook) answer {
		return answer{status: http.StatusCreated, location: baseURL(r) + "/v1/partner/webhooks/" + url.PathEscape(wh.ID), body: toWebhookJSON(wh)}
	}
	answerWith(r, render)
	if err := s.svc.Webhooks.CreateWebhook(r.Context(), a, wh); err != nil {
		return err
	}
	ans := render(wh)
	withSecret := toWebhookJSON(wh)
	withSecret.Secret = wh.Secret
	ans.body, ans.stored = withSecret, ans.body
	return ans.write(w)
}

// writeSecretOnce answers with a body that carries a secret. When the
// request has an Idempotency-Key, its response is stored for replays; the
// stored copy is the body without the secret, so that the secret is never
// written anywhere in clear (a replay shows the webhook, not its secret).
func writeSecretOnce(w http.ResponseWriter, status int, body, stored any) error {
	rec, ok := w.(*recorder)
	if !ok {
		return writeJSON(w, status, body)
	}
	b, err := json.Marshal(stored)
	if err != nil {
		return err
	}
	if err := writeJSON(rec.ResponseWriter, status, body); err != nil {
		return err
	}
	rec.status = status
	rec.body.Write(append(b, '\n'))
	return nil
}

func (s *Server) getWebhook(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	wh, err := s.svc.Webhooks.Webhook(r.Context(), a, r.PathValue("webhookId"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toWebhookJSON(wh))
}

func (s *Server) listWebhooks(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	p, err := page(r.URL.Query())
	if err := collect(aerr, err); err != nil {
		return err
	}
	whs, total, err := s.svc.Webhooks.Webhooks(r.Context(), a, p)
	if err != nil {
		return err
	}
	return writePage(w, r, p, total, whs, toWebhookJSON)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) error {
	a, err := s.actor(r)
	if err != nil {
		return err
	}
	if err := s.svc.Webhooks.DeleteWebhook(r.Context(), a, r.PathValue("webhookId")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) listWebhookDeliveries(w http.ResponseWriter, r *http.Request) error {
	a, aerr := s.actor(r)
	p, err := page(r.URL.Query())
	if err := collect(aerr, err); err != nil {
		return err
	}
	ds, total, err := s.svc.Webhooks.WebhookDeliveries(r.Context(), a, r.PathValue("webhookId"), p)
	if err != nil {
		return err
	}
	items := make([]deliveryJSON, len(ds))
	for i, d := range ds {
		items[i] = deliveryJSON{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType, Attempt: d.Attempt,
			Status: d.Status, ResponseStatus: d.ResponseStatus, Error: d.Error, At: tenantry.Timestamp(d.At)}
	}
	setLinks(w, r, p, total)
	return writeJSON(w, http.StatusOK, map[string]any{"items": items})
}
