package api

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"confcal/agenda"
)

// A conference's webhooks, managed with the admin token or one of the
// conference's organizer tokens:
//
//	GET    /webhooks       the conference's webhooks (WebhookList, no secrets)
//	POST   /webhooks       add one (NewWebhook): the answer holds its secret
//	DELETE /webhooks/{id}  remove one, and what waits to be delivered to it
//
// Every revision of the conference is then POSTed to each webhook as a
// Revision document, at least once and in order (see package webhook for
// the headers and how to verify them).

// NewWebhook is the body of POST /webhooks.
type NewWebhook struct {
	// URL is where revisions are POSTed: https, on a public address.
	URL string `json:"url"`
}

// Webhook is one webhook of a conference.
type Webhook struct {
	ID  string `json:"id"`
	URL string `json:"url"`
	// Secret signs each delivery (the Confcal-Signature header). It is
	// shown once, in the answer to POST /webhooks; lists leave it out.
	Secret  string `json:"secret,omitempty"`
	Created string `json:"created"` // RFC 3339, UTC
}

// WebhookList is the body of GET /webhooks.
type WebhookList struct {
	Webhooks []Webhook `json:"webhooks"`
}

// Revision is what one revision of a conference changed: the body of a
// webhook delivery. Changes and Summaries are the revision's entries of
// the change log, in the words of GET /changes (ChangesSince); Sessions
// are the IDs of the sessions they touch, in log order without repeats.
type Revision struct {
	Conference string    `json:"conference"`
	Revision   int64     `json:"revision"`
	Time       string    `json:"time,omitempty"` // RFC 3339, UTC: when the revision was made
	Changes    []Change  `json:"changes"`
	Summaries  []Summary `json:"summaries"`
	Sessions   []string  `json:"sessions"`
}

// RevisionOf describes revision rev of conference from snap, which must
// hold it (rev at most snap.Revision()). The first revision of the log (an
// import) has no entries: its Revision lists no changes.
func RevisionOf(conference string, snap *agenda.Snapshot, rev int64) (Revision, error) {
	out := Revision{Conference: conference, Revision: rev, Changes: []Change{}, Summaries: []Summary{}, Sessions: []string{}}
	if rev < 1 || rev > snap.Revision() {
		return Revision{}, fmt.Errorf("api: revision %d of %s: the agenda is at revision %d", rev, conference, snap.Revision())
	}
	if rev <= snap.BaseRevision() {
		return out, nil
	}
	at, err := ChangesAt(snap, rev)
	if err != nil {
		return Revision{}, err
	}
	out.Changes, out.Summaries = at.Changes, at.Summaries
	seen := map[string]bool{}
	for _, c := range at.Changes {
		if c.Session != "" && !seen[c.Session] {
			seen[c.Session] = true
			out.Sessions = append(out.Sessions, c.Session)
		}
	}
	if len(at.Changes) > 0 {
		out.Time = at.Changes[0].Time
	}
	return out, nil
}

// Webhooks lists the conference's webhooks.
func (c *Client) Webhooks(ctx context.Context) (WebhookList, error) {
	return callFor[WebhookList](ctx, c, http.MethodGet, "/webhooks", nil)
}

// AddWebhook adds a webhook for u and returns it, with its secret.
func (c *Client) AddWebhook(ctx context.Context, u string) (Webhook, error) {
	return callFor[Webhook](ctx, c, http.MethodPost, "/webhooks", NewWebhook{URL: u})
}

// RemoveWebhook removes webhook id.
func (c *Client) RemoveWebhook(ctx context.Context, id string) error {
	_, err := c.call(ctx, http.MethodDelete, "/webhooks/"+url.PathEscape(id), nil, nil)
	return err
}
