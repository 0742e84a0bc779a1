package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"confcal/agenda"
	"confcal/api"
	"confcal/outbound"
	"confcal/webhook"
)

// The webhooks command manages a conference's webhooks: URLs every
// revision is POSTed to, signed (package webhook says how). On the local
// store it changes the store in the data directory (a serve running on it
// delivers to a new webhook from the next revision on); with -server it
// asks the server's API, with the admin token or the conference's
// organizer token.

const webhooksUsage = `Usage:

	confcal webhooks [list] [flags]        list the conference's webhooks
	confcal webhooks add [flags] URL       add one: every revision is POSTed to URL (https), signed with the secret printed
	confcal webhooks remove [flags] ID     remove one, and what waits to be delivered to it
`

var webhookSubcommands = []string{"list", "add", "remove"}

// webhookAdmin is what the webhooks command does, on a server or on the
// local store.
type webhookAdmin interface {
	Webhooks(ctx context.Context) ([]api.Webhook, error)
	AddWebhook(ctx context.Context, url string) (api.Webhook, error)
	RemoveWebhook(ctx context.Context, id string) error
}

// remoteWebhooks are a server's, through its API.
type remoteWebhooks struct{ c *api.Client }

func (r remoteWebhooks) Webhooks(ctx context.Context) ([]api.Webhook, error) {
	list, err := r.c.Webhooks(ctx)
	return list.Webhooks, err
}

func (r remoteWebhooks) AddWebhook(ctx context.Context, u string) (api.Webhook, error) {
	return r.c.AddWebhook(ctx, u)
}

func (r remoteWebhooks) RemoveWebhook(ctx context.Context, id string) error {
	return r.c.RemoveWebhook(ctx, id)
}

// localWebhooks are one conference's in the local store.
type localWebhooks struct {
	reg  *webhook.Registry
	slug string
}

func (l localWebhooks) Webhooks(ctx context.Context) ([]api.Webhook, error) {
	return l.reg.Webhooks(ctx, l.slug)
}

func (l localWebhooks) AddWebhook(ctx context.Context, u string) (api.Webhook, error) {
	return l.reg.AddWebhook(ctx, l.slug, u)
}

func (l localWebhooks) RemoveWebhook(ctx context.Context, id string) error {
	return l.reg.RemoveWebhook(ctx, l.slug, id)
}

// runWebhooks lists, adds or removes webhooks.
func runWebhooks(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, fs, err := subcommand("webhooks", args, webhookSubcommands, webhooksUsage, stderr)
	if err != nil {
		return err
	}
	stf := addStoreFlags(fs)
	stf.readOnly = sub == "list"
	server := serverFlag(fs)
	tokenFile := tokenFileFlag(fs, "the admin API token, or an organizer token of the conference, for -server")
	conference := fs.String("conference", env("CONFCAL_CONFERENCE", ""),
		"`slug` of the conference (see confcal conferences list); the default conference when empty (env CONFCAL_CONFERENCE)")
	var names []string
	switch sub {
	case "add":
		names = []string{"the URL deliveries go to"}
	case "remove":
		names = []string{"the webhook's ID (see confcal webhooks list)"}
	}
	pos, err := parseArgs(fs, args, names...)
	if err != nil {
		return err
	}
	if err := localOrServer(fs, server); err != nil {
		return err
	}
	if c := *conference; c != "" && !agenda.ValidID(c) {
		return &usageError{err: fmt.Errorf("%s: -conference %q is not a conference's slug (see confcal conferences list)", fs.Name(), c)}
	}
	var admin webhookAdmin
	if *server != "" {
		if err := checkServer(*server); err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
		tok, err := adminToken(*tokenFile)
		if err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
		admin = remoteWebhooks{c: &api.Client{Base: *server, Token: tok, Conference: *conference}}
	} else {
		if err := stf.check(); err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
		st, where, err := openExisting(ctx, stf)
		if err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
		defer st.Close()
		slug := *conference
		if slug == "" {
			list, err := st.Conferences(ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", fs.Name(), err)
			}
			if i := slices.IndexFunc(list, func(l agenda.Listing) bool { return l.Default }); i >= 0 {
				slug = list[i].Slug
			}
		}
		if _, err := servedConference(ctx, st, where, slug); err != nil {
			return fmt.Errorf("%s: %w", fs.Name(), err)
		}
		// The URL is checked by the rules deliveries follow in
		// production: no loopback, whatever a test server allows.
		admin = localWebhooks{reg: &webhook.Registry{Store: st, Client: outbound.New(outbound.Options{})}, slug: slug}
	}
	if err := webhooksDo(ctx, admin, sub, pos, stdout, stderr); err != nil {
		return fmt.Errorf("%s: %w", fs.Name(), err)
	}
	return nil
}

func webhooksDo(ctx context.Context, admin webhookAdmin, sub string, pos []string, stdout, stderr io.Writer) error {
	switch sub {
	case "add":
		h, err := admin.AddWebhook(ctx, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "webhook %s: every revision is POSTed to %s\nsecret: %s\n", printable(h.ID), printable(h.URL), printable(h.Secret))
		fmt.Fprintln(stderr, "the secret signs every delivery (header Confcal-Signature); keep it now: it is not shown again")
	case "remove":
		if err := admin.RemoveWebhook(ctx, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "removed webhook %s\n", printable(pos[0]))
	default:
		list, err := admin.Webhooks(ctx)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintln(stdout, "no webhooks (confcal webhooks add URL adds one)")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tURL")
		for _, h := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", printable(h.ID), printable(h.Created), printable(h.URL))
		}
		return tw.Flush()
	}
	return nil
}
