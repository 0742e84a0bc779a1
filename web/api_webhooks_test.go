package web_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"confcal/agenda"
	"confcal/agenda/agendatest"
	"confcal/agenda/memstore"
	"confcal/api"
	"confcal/conferences"
	"confcal/outbound"
	"confcal/web"
	"confcal/webhook"
)

// TestWebhooksAPI manages webhooks through /api/webhooks of two
// conferences: with the admin token or the conference's organizer token
// only, secrets shown once, URLs a delivery may not go to refused, and a
// revision of a conference waiting in the outbox for its webhooks only.
func TestWebhooksAPI(t *testing.T) {
	reg := memstore.NewRegistry()
	seed := agendatest.Small(t)
	def := agenda.Slug(seed.Conference().Name)
	srv := newWeb(t, web.Config{Default: def, Token: adminToken,
		Webhooks: &webhook.Registry{Store: reg, Client: outbound.New(outbound.Options{})}})
	mgr := conferences.New(conferences.Config{Registry: reg, Publisher: srv.Publisher, Withdraw: srv.Withdraw})
	if err := mgr.Open(t.Context(), func() (*agenda.Snapshot, error) { return seed, nil }); err != nil {
		t.Fatal(err)
	}
	hs := &hosted{srv: srv, mgr: mgr, h: srv.HandlerFor(mgr, nil), def: def}
	hs.add(t, "second-conf", "Second Conference")
	var tok api.Token
	if rec := hs.call(t, http.MethodPost, "/api/conferences/second-conf/tokens", adminToken, struct{}{}, &tok); rec.Code != http.StatusCreated {
		t.Fatalf("POST tokens: %d", rec.Code)
	}

	var first, second api.Webhook
	if rec := hs.call(t, http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://hooks.example.org/confcal?key=k1"}, &first); rec.Code != http.StatusCreated {
		t.Fatalf("POST /api/webhooks: %d %s", rec.Code, rec.Body)
	} else if rec.Header().Get("Cache-Control") != "no-store" {
		t.Errorf("the answer with the secret: Cache-Control %q, want no-store", rec.Header().Get("Cache-Control"))
	}
	if !strings.HasPrefix(first.Secret, "whsec_") || len(first.Secret) < 40 || first.ID == "" || first.URL != "https://hooks.example.org/confcal?key=k1" {
		t.Errorf("new webhook = %+v", first)
	}
	if rec := hs.call(t, http.MethodPost, "/second-conf/api/webhooks", tok.Token, api.NewWebhook{URL: "https://bot.example.net/in"}, &second); rec.Code != http.StatusCreated {
		t.Fatalf("POST /second-conf/api/webhooks with its organizer token: %d %s", rec.Code, rec.Body)
	}

	for _, tc := range []struct {
		name, method, target, token string
		body                        any
		want                        int
	}{
		{"list without a token", http.MethodGet, "/api/webhooks", "", nil, http.StatusUnauthorized},
		{"add without a token", http.MethodPost, "/api/webhooks", "", api.NewWebhook{URL: "https://x.example/"}, http.StatusUnauthorized},
		{"another conference's token", http.MethodPost, "/api/webhooks", tok.Token, api.NewWebhook{URL: "https://x.example/"}, http.StatusForbidden},
		{"another conference's token lists", http.MethodGet, "/" + def + "/api/webhooks", tok.Token, nil, http.StatusForbidden},
		{"another conference's token removes", http.MethodDelete, "/api/webhooks/" + first.ID, tok.Token, nil, http.StatusForbidden},
		{"plain http", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "http://hooks.example.org/"}, http.StatusUnprocessableEntity},
		{"loopback", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://127.0.0.1:8443/"}, http.StatusUnprocessableEntity},
		{"loopback name", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://localhost/h"}, http.StatusUnprocessableEntity},
		{"loopback as a number", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://2130706433/h"}, http.StatusUnprocessableEntity},
		{"loopback in hex", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://0x7f000001/h"}, http.StatusUnprocessableEntity},
		{"private", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://10.1.2.3/"}, http.StatusUnprocessableEntity},
		{"link-local", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://169.254.169.254/latest/meta-data"}, http.StatusUnprocessableEntity},
		{"credentials", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{URL: "https://u:p@hooks.example.org/"}, http.StatusUnprocessableEntity},
		{"no URL", http.MethodPost, "/api/webhooks", adminToken, api.NewWebhook{}, http.StatusUnprocessableEntity},
		{"unknown field", http.MethodPost, "/api/webhooks", adminToken, map[string]string{"uri": "https://x.example/"}, http.StatusBadRequest},
		{"unknown webhook", http.MethodDelete, "/api/webhooks/wh_nosuch", adminToken, nil, http.StatusNotFound},
		{"another conference's webhook", http.MethodDelete, "/api/webhooks/" + second.ID, adminToken, nil, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if rec := hs.call(t, tc.method, tc.target, tc.token, tc.body, nil); rec.Code != tc.want {
				t.Errorf("%s %s: %d %s, want %d", tc.method, tc.target, rec.Code, rec.Body, tc.want)
			}
		})
	}

	// An unknown webhook is named, not the store that looked for it.
	if rec := hs.call(t, http.MethodDelete, "/api/webhooks/wh_nosuch", adminToken, nil, nil); !strings.Contains(rec.Body.String(), `no webhook \"wh_nosuch\" in this conference`) {
		t.Errorf("DELETE of an unknown webhook answers %s", rec.Body)
	}

	// Lists show no secrets.
	for _, c := range []struct{ target, token, id string }{{"/api/webhooks", adminToken, first.ID}, {"/second-conf/api/webhooks", tok.Token, second.ID}} {
		var list api.WebhookList
		rec := hs.call(t, http.MethodGet, c.target, c.token, nil, &list)
		if rec.Code != http.StatusOK || len(list.Webhooks) != 1 || list.Webhooks[0].ID != c.id || list.Webhooks[0].Created == "" {
			t.Errorf("GET %s: %d %+v, want its one webhook", c.target, rec.Code, list)
		}
		if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "whsec_") {
			t.Errorf("GET %s shows a secret: %s", c.target, rec.Body)
		}
	}

	// A revision of the default conference waits for its webhook alone.
	if rec := hs.call(t, http.MethodPatch, "/api/sessions/late-talk", adminToken, map[string]string{"title": "Later Talk"}, nil); rec.Code != http.StatusOK {
		t.Fatalf("PATCH: %d %s", rec.Code, rec.Body)
	}
	ctx := context.Background()
	if out, err := reg.Outbox(ctx, def); err != nil || len(out) != 1 || out[0].Webhook != first.ID || out[0].Revision != 2 {
		t.Errorf("default conference's outbox = %+v, %v; want revision 2 for %s", out, err, first.ID)
	}
	if out, _ := reg.Outbox(ctx, "second-conf"); len(out) != 0 {
		t.Errorf("second conference's outbox = %+v, want nothing", out)
	}
	if rec := hs.call(t, http.MethodDelete, "/api/webhooks/"+first.ID, adminToken, nil, nil); rec.Code != http.StatusNoContent {
		t.Fatalf("DELETE: %d %s", rec.Code, rec.Body)
	}
	if out, _ := reg.Outbox(ctx, def); len(out) != 0 {
		t.Errorf("outbox after removing the webhook = %+v", out)
	}
	var list api.WebhookList
	if hs.call(t, http.MethodGet, "/api/webhooks", adminToken, nil, &list); len(list.Webhooks) != 0 {
		t.Errorf("after DELETE: %+v", list)
	}
}
