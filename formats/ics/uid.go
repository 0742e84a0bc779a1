package ics

import (
	"cmp"
	"strings"

	"confcal/agenda"
	"confcal/formats"
	"confcal/formats/internal/schedule"

	goical "github.com/emersion/go-ical"
)

// uids is how the calendar's UIDs become session IDs, settled from all of
// its events before any is read, since an event's ID depends on the
// others' UIDs.
type uids struct {
	// domain is the conference's UID domain: the calendar URL's host,
	// else formats.Options.UIDDomain, else shared, else the name's slug
	// under ".invalid" (set by conference, which knows the name).
	domain string
	// shared is the domain after "@" of every UID in the calendar when
	// they all have the same one and it is a DNS name, else "".
	shared string
	// given is formats.Options.UIDDomain: when set, it alone makes local
	// parts IDs (see local).
	given string
	// ids maps each UID to its session ID.
	ids map[string]string
}

// settleUIDs reads the UIDs of every event and decides their session IDs
// (see id). An event's UID is "local@domain" with domain the shared one or
// the conference's, and local already a session ID, gives local: that is
// the shape of confcal's own feeds ("<session ID>@<UID domain>", with no
// calendar URL to say the domain), so they import back with their IDs, and
// re-exported with shared as the UID domain their UIDs are the ones they
// had, which calendar apps subscribed to a re-published feed need to keep
// each event instead of showing it twice. Any other UID gives
// formats.KeyID of the whole UID, and so does a local part that two UIDs
// would share ("talk@a.example" and "talk" in one file), keeping IDs
// unique as long as UIDs are.
func (p *parser) settleUIDs(cal *goical.Component, events []event) {
	var all []string
	seen := map[string]bool{}
	for _, ev := range events {
		if uid := uidOf(ev.c); uid != "" && !seen[uid] {
			seen[uid] = true
			all = append(all, uid)
		}
	}
	p.uids = uids{shared: sharedDomain(all), given: strings.TrimSpace(p.opts.UIDDomain), ids: map[string]string{}}
	if u := cal.Props.Get(goical.PropURL); u != nil {
		if host, ok := webURL(u.Value); ok && schedule.DomainName(host) {
			p.uids.domain = host
		}
	}
	p.uids.domain = cmp.Or(p.uids.domain, strings.TrimSpace(p.opts.UIDDomain), p.uids.shared)

	claims := map[string]int{} // ID → how many UIDs would have it
	for _, uid := range all {
		id := p.uids.local(uid)
		if id == "" {
			id = formats.KeyID(uid)
		}
		p.uids.ids[uid] = id
		claims[id]++
	}
	for _, uid := range all {
		if id := p.uids.ids[uid]; claims[id] > 1 && id == p.uids.local(uid) {
			p.uids.ids[uid] = formats.KeyID(uid)
		}
	}
}

// local returns the part of uid before "@" when it is a session ID and the
// part after it is the given UID domain (in any case, as DNS compares
// names), or, when none is given, the shared domain or the conference's,
// else "". A given domain decides alone because a conference that follows
// a source is read again with the UID domain it was first stored with
// (conferences passes it): its UIDs must give the IDs they gave then,
// whichever domain they share, or a session the source moves would read
// as cancelled and added anew.
func (u uids) local(uid string) string {
	at := strings.LastIndexByte(uid, '@')
	if at < 0 {
		return ""
	}
	local, domain := uid[:at], uid[at+1:]
	if !agenda.ValidID(local) {
		return ""
	}
	switch {
	case u.given != "":
		if strings.EqualFold(domain, u.given) {
			return local
		}
	case domain == u.shared || u.domain != "" && strings.EqualFold(domain, u.domain):
		return local
	}
	return ""
}

// sharedDomain returns the domain after the last "@" that every one of
// uids has, spelt alike, when it is a DNS name (schedule.DomainName), else
// "": a calendar whose events come from several places, or whose UIDs
// are no "local@domain" (Outlook's and Apple's are bare hexadecimal or
// UUIDs), names no domain of its own.
func sharedDomain(uids []string) string {
	shared := ""
	for _, uid := range uids {
		at := strings.LastIndexByte(uid, '@')
		if at < 0 {
			return ""
		}
		d := uid[at+1:]
		switch {
		case shared == "" && schedule.DomainName(d):
			shared = d
		case d != shared:
			return ""
		}
	}
	return shared
}
