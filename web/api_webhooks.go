package web

import (
	"context"
	"errors"
	"net/http"

	"confcal/agenda"
	"confcal/api"

	"github.com/go-chi/chi/v5"
)

// Webhooks manages conferences' webhooks (package webhook's Registry
// is one): /api/webhooks of each conference, with the admin token or the
// conference's organizer token (api/webhooks.go documents the routes).
// Errors wrapping agenda.ErrInvalid (a URL no delivery may go to, too
// many webhooks) answer 422, agenda.ErrNotFound 404.
type Webhooks interface {
	AddWebhook(ctx context.Context, conference, url string) (api.Webhook, error)
	Webhooks(ctx context.Context, conference string) ([]api.Webhook, error)
	RemoveWebhook(ctx context.Context, conference, id string) error
}

// webhookAPI serves a conference's /api/webhooks.
type webhookAPI struct {
	s     *Server
	hooks Webhooks
}

func (a *webhookAPI) list(w http.ResponseWriter, r *http.Request) error {
	list, err := a.hooks.Webhooks(r.Context(), slugOf(r))
	if err != nil {
		return err
	}
	if list == nil {
		list = []api.Webhook{}
	}
	w.Header().Set("Cache-Control", "no-store")
	a.s.writeJSON(w, r, http.StatusOK, api.WebhookList{Webhooks: list})
	return nil
}

func (a *webhookAPI) create(w http.ResponseWriter, r *http.Request) error {
	var n api.NewWebhook
	if err := decodeJSON(r, &n); err != nil {
		return err
	}
	hook, err := a.hooks.AddWebhook(r.Context(), slugOf(r), n.URL)
	if err != nil {
		return err
	}
	// The answer holds the secret: no cache may keep it.
	w.Header().Set("Cache-Control", "no-store")
	a.s.writeJSON(w, r, http.StatusCreated, hook)
	return nil
}

func (a *webhookAPI) remove(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if err := a.hooks.RemoveWebhook(r.Context(), slugOf(r), id); errors.Is(err, agenda.ErrNotFound) {
		// The store's error names the store; the client needs only this.
		return errorf(http.StatusNotFound, "no webhook %s in this conference", short(id))
	} else if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
