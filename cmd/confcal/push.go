package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"

	"confcal/agenda"
	"confcal/caldav"
	"confcal/outbound"
	"confcal/push"
	"confcal/webhook"
	"confcal/webpush"
)

// pushFlags turn on WebDAV-Push (and say where outbound requests may go,
// for push and webhooks alike).
type pushFlags struct {
	on            *bool
	contact       *string
	allowLoopback *bool
	envErr        error
}

func addPushFlags(fs *flag.FlagSet) *pushFlags {
	p := &pushFlags{}
	on := true
	if v := os.Getenv("CONFCAL_PUSH"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			p.envErr = fmt.Errorf("CONFCAL_PUSH=%q: want 1 or 0", v)
		}
		on = b
	}
	p.on = fs.Bool("push", on,
		"WebDAV-Push for CalDAV clients (DAVx5): calendars take push subscriptions and each change is pushed; needs -push-contact or an https -base-url (env CONFCAL_PUSH=0 turns it off)")
	p.contact = fs.String("push-contact", env("CONFCAL_PUSH_CONTACT", ""),
		"how push services reach the server's operator (the VAPID subject, RFC 8292): a mailto: or https: `URI`; default -base-url when it is https (env CONFCAL_PUSH_CONTACT)")
	p.allowLoopback = fs.Bool("push-allow-loopback", false,
		"FOR TESTS ONLY: let push messages and webhooks go to loopback addresses (webhooks over plain http too; push endpoints stay https, RFC 8030); every other private address stays refused")
	return p
}

func (p *pushFlags) check() error {
	if p.envErr != nil {
		return &usageError{err: fmt.Errorf("serve: %w", p.envErr)}
	}
	return nil
}

// client returns the HTTP client for push resources, URLs strangers
// chose.
func (p *pushFlags) client(log *slog.Logger) *outbound.Client {
	if *p.allowLoopback {
		log.Warn("-push-allow-loopback: push messages and webhooks may go to loopback addresses; this is for tests only")
	}
	return outbound.New(outbound.Options{AllowLoopback: *p.allowLoopback, UserAgent: "confcal"})
}

// webhookClient returns the HTTP client for webhook targets: the same
// rules, and no more time per request than a delivery's lease allows.
func (p *pushFlags) webhookClient() *outbound.Client {
	return outbound.New(outbound.Options{AllowLoopback: *p.allowLoopback, UserAgent: "confcal",
		Timeout: webhook.Timeout, ResponseHeaderTimeout: webhook.Timeout})
}

// subject returns the VAPID subject: -push-contact, or the base URL when
// it is https; "" when there is none.
func (p *pushFlags) subject(base string) string {
	if *p.contact != "" {
		return *p.contact
	}
	if u, err := url.Parse(base); err == nil && u.Scheme == "https" && u.Host != "" {
		return base
	}
	return ""
}

// start makes the push service, when push is on, and returns what
// web.Config.Push takes (nil when push is off) and the service to Run.
// The VAPID keys come from the store (made there on a first start) and are
// never logged. turns, when not nil, says which of the replicas on the
// store sends a conference's messages.
func (p *pushFlags) start(ctx context.Context, log *slog.Logger, store agenda.PushStore, client *outbound.Client, base string, turns push.Turns) (func(string) caldav.Push, *push.Service, error) {
	if !*p.on {
		log.Info("WebDAV-Push is off (-push=false)")
		return nil, nil, nil
	}
	subject := p.subject(base)
	if subject == "" {
		log.Warn("WebDAV-Push is off: push services need to know how to reach the operator; set -push-contact mailto:you@example.org or an https -base-url",
			"base_url", base)
		return nil, nil, nil
	}
	keys, err := push.Keys(ctx, store)
	if err != nil {
		return nil, nil, err
	}
	sender, err := webpush.NewSender(webpush.Options{Keys: keys, Subject: subject, Client: client})
	if err != nil {
		return nil, nil, fmt.Errorf("-push-contact: %w", err)
	}
	svc, err := push.New(push.Options{Store: store, Sender: sender, Keys: keys, Logger: log, Turns: turns})
	if err != nil {
		return nil, nil, err
	}
	log.Info("WebDAV-Push is on", "vapid_public_key", keys.PublicKey(), "contact", subject)
	return func(slug string) caldav.Push { return svc.Conference(slug) }, svc, nil
}
