package caldav

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"confcal/agenda"
)

// This file is WebDAV-Push (the draft of github.com/bitfireAT/webdav-push,
// namespace https://bitfire.at/webdav-push), which DAVx⁵ and KDE's KDAV
// implement: a client asks a calendar for its push properties, registers a
// Web Push subscription for it with POST, and is sent a message whenever
// the calendar's members change, so it syncs at once instead of at its
// next poll. The package speaks the protocol (properties, registration,
// messages); a Push keeps the subscriptions and sends (package push).
//
// Registering is not a write to the calendar: the privilege set stays
// read-only, and every other POST is refused as before.

// Push is what WebDAV-Push needs of whoever keeps and serves one
// conference's subscriptions.
type Push interface {
	// PublicKey is the VAPID public key messages are signed with (the
	// uncompressed P-256 point in unpadded base64url), which clients
	// restrict their subscriptions to.
	PublicKey() string
	// Topic is the push topic of a calendar: unique on the server, the
	// same for the calendar's life, and safe to show a push service.
	Topic(calendar string) string
	// Subscribe validates and stores a subscription (Calendar, Endpoint,
	// P256dh, Auth, Client and the Expires the client asked for, zero for
	// none) and returns it as stored, with its ID and the expiry granted.
	// A subscription that cannot be served is an error wrapping
	// agenda.ErrInvalid, one over a bound wraps
	// agenda.ErrSubscriptionsFull.
	Subscribe(ctx context.Context, s agenda.PushSubscription) (agenda.PushSubscription, error)
	// Unsubscribe deletes subscription id (agenda.ErrNotFound for none).
	Unsubscribe(ctx context.Context, id string) error
	// Changed hands over the push message of a calendar whose members
	// changed, for every subscription of it. It must not block: sending
	// is Push's to schedule.
	Changed(calendar string, message []byte)
	// Pushed returns the latest revision recorded with MarkPushed, by
	// this process or another on the same store; 0 when none was.
	Pushed(ctx context.Context) (int64, error)
	// MarkPushed records that the changes up to revision rev were
	// handed over. It must not block.
	MarkPushed(rev int64)
}

// nsPush is the WebDAV-Push namespace.
const nsPush = "https://bitfire.at/webdav-push"

// nsConfcal holds the one element of ours: the human-readable reason in
// a DAV:error body (RFC 4918 §16 lets the body carry more than the
// condition).
const nsConfcal = "urn:x-confcal:dav"

// The push properties of a calendar (the draft's "Push Properties").
var (
	namePushTransports = xml.Name{Space: nsPush, Local: "transports"}
	namePushTopic      = xml.Name{Space: nsPush, Local: "topic"}
	namePushTriggers   = xml.Name{Space: nsPush, Local: "supported-triggers"}
	namePushRegister   = xml.Name{Space: nsPush, Local: "push-register"}
)

// pushTriggersXML says what a subscription is pushed for: content
// updates of the calendar's own members (depth 1; calendars hold no
// collections). A calendar's properties change only with the agenda's
// names, which a content update comes with anyway.
var pushTriggersXML = el(namePushTriggers, el(xml.Name{Space: nsPush, Local: "content-update"}, textElem(xml.Name{Space: nsDAV, Local: "depth"}, "1")))

// pushProps are the push properties of a view, rendered once per view.
type pushProps struct {
	transports string
	topics     map[string]string // calendar ID → its rendered topic
}

// renderPush renders the push properties of v's calendars.
func (v *view) renderPush(p Push) {
	if p == nil {
		return
	}
	key := el(xml.Name{Space: nsPush, Local: "vapid-public-key"})
	key = strings.Replace(key, ">", ` type="p256ecdsa">`+escape(p.PublicKey()), 1)
	v.push = &pushProps{
		transports: el(namePushTransports, el(xml.Name{Space: nsPush, Local: "web-push"}, key)),
		topics:     make(map[string]string, len(v.cals)),
	}
	for _, c := range v.cals {
		v.push.topics[c.id] = textElem(namePushTopic, p.Topic(c.id))
	}
}

// pushProp returns push property name of calendar c, false for none.
func (v *view) pushProp(c *calendar, name xml.Name) (string, bool) {
	if v.push == nil {
		return "", false
	}
	switch name {
	case namePushTransports:
		return v.push.transports, true
	case namePushTopic:
		return v.push.topics[c.id], true
	case namePushTriggers:
		return pushTriggersXML, true
	}
	return "", false
}

// pushNames lists the push properties for DAV:propname: they are kept out
// of allprop, like DAV:sync-token, as a client that wants them names them.
var pushNames = []xml.Name{namePushTransports, namePushTopic, namePushTriggers}

// registrationSegment is the path segment below the principal where
// registrations live: /dav/<principal>/push/<id>.
const registrationSegment = "push"

func (p paths) registrations() string { return p.principalPath() + registrationSegment + "/" }

// maxRegisterBody caps a push-register body: a push resource URL (2 KB at
// most, webpush.MaxEndpoint), two keys and a date fit in a few hundred
// bytes more.
const maxRegisterBody = 16 << 10

// registration is a push-register body (the draft's "Subscription
// Registration"). Names are the current draft's; the ones earlier drafts
// and the clients written for them used are read too (client-public-key
// for subscription-public-key, DAV:sync-level inside content-update).
type registration struct {
	XMLName      xml.Name
	Subscription *struct {
		WebPush *struct {
			Resource        *string    `xml:"https://bitfire.at/webdav-push push-resource"`
			ContentEncoding *string    `xml:"https://bitfire.at/webdav-push content-encoding"`
			Key             *typedText `xml:"https://bitfire.at/webdav-push subscription-public-key"`
			OldKey          *typedText `xml:"https://bitfire.at/webdav-push client-public-key"`
			Auth            *string    `xml:"https://bitfire.at/webdav-push auth-secret"`
		} `xml:"https://bitfire.at/webdav-push web-push-subscription"`
	} `xml:"https://bitfire.at/webdav-push subscription"`
	Trigger *struct {
		Content  *struct{} `xml:"https://bitfire.at/webdav-push content-update"`
		Property *struct{} `xml:"https://bitfire.at/webdav-push property-update"`
	} `xml:"https://bitfire.at/webdav-push trigger"`
	Expires *string `xml:"https://bitfire.at/webdav-push expires"`
}

// typedText is a key element: its type attribute and its text.
type typedText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

// errNotRegister: the body is XML, but not a push-register.
var errNotRegister = errors.New("the body is not a push-register")

// registerError is a registration refused with a WebDAV-Push
// precondition (403) or, without one, a 400.
type registerError struct {
	cond string // "invalid-subscription", "trigger-not-supported", …; "" for 400
	msg  string
}

func (e *registerError) Error() string { return e.msg }

func invalidSubscription(format string, args ...any) error {
	return &registerError{cond: "invalid-subscription", msg: fmt.Sprintf(format, args...)}
}

// parseRegistration decodes a push-register body into the subscription it
// asks for (Endpoint, P256dh, Auth, Expires; zero Expires for none).
// errNotRegister says the body is some other XML document.
func parseRegistration(body []byte) (agenda.PushSubscription, error) {
	var reg registration
	d := xml.NewDecoder(bytes.NewReader(body))
	if err := d.Decode(&reg); err != nil {
		return agenda.PushSubscription{}, &registerError{msg: "the body is not well-formed XML: " + err.Error()}
	}
	// Nothing may follow the document element but white space (and
	// comments): a second document would be read by nobody.
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return agenda.PushSubscription{}, &registerError{msg: "the body is not well-formed XML: " + err.Error()}
		}
		switch t := tok.(type) {
		case xml.CharData:
			if len(bytes.TrimSpace(t)) == 0 {
				continue
			}
		case xml.Comment, xml.ProcInst:
			continue
		}
		return agenda.PushSubscription{}, &registerError{msg: "the body has more after its document element"}
	}
	if reg.XMLName != namePushRegister {
		return agenda.PushSubscription{}, errNotRegister
	}
	if reg.Subscription == nil {
		return agenda.PushSubscription{}, invalidSubscription("push-register has no subscription")
	}
	wp := reg.Subscription.WebPush
	if wp == nil {
		return agenda.PushSubscription{}, invalidSubscription("the subscription is not a web-push-subscription, the only transport here")
	}
	if wp.Resource == nil || strings.TrimSpace(*wp.Resource) == "" {
		return agenda.PushSubscription{}, invalidSubscription("web-push-subscription has no push-resource")
	}
	if wp.ContentEncoding != nil && strings.TrimSpace(*wp.ContentEncoding) != "aes128gcm" {
		return agenda.PushSubscription{}, invalidSubscription("content-encoding %q: messages are encrypted with aes128gcm (RFC 8291) only", clip(*wp.ContentEncoding))
	}
	key := wp.Key
	if key == nil {
		key = wp.OldKey
	}
	if key == nil || wp.Auth == nil {
		return agenda.PushSubscription{}, invalidSubscription("web-push-subscription needs subscription-public-key and auth-secret: messages are sent encrypted (RFC 8291) only")
	}
	if t := strings.TrimSpace(key.Type); t != "" && t != "p256dh" {
		return agenda.PushSubscription{}, invalidSubscription("subscription-public-key of type %q, want p256dh", clip(t))
	}
	if tr := reg.Trigger; tr != nil && tr.Content == nil {
		// No trigger at all (as DAVx⁵ sends) means content updates; a
		// trigger asking for property updates alone asks for what is
		// never sent.
		return agenda.PushSubscription{}, &registerError{cond: "trigger-not-supported",
			msg: "only content-update is pushed here (a calendar's properties change with its content)"}
	}
	s := agenda.PushSubscription{Endpoint: strings.TrimSpace(*wp.Resource), P256dh: strings.TrimSpace(key.Text), Auth: strings.TrimSpace(*wp.Auth)}
	if reg.Expires != nil {
		t, err := http.ParseTime(strings.TrimSpace(*reg.Expires))
		if err != nil {
			return agenda.PushSubscription{}, &registerError{msg: fmt.Sprintf("expires %q is not an HTTP date (IMF-fixdate)", clip(*reg.Expires))}
		}
		s.Expires = t
	}
	return s, nil
}

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// servePushRegister answers a POST to a calendar: a push-register body
// registers a subscription (201, the registration URL in Location and the
// expiry granted in Expires); any other body is the write it looks like,
// refused as every write is.
func (h *Handler) servePushRegister(w http.ResponseWriter, r *http.Request, v *view, res resource) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegisterBody))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		h.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body larger than %d bytes", maxRegisterBody))
		return
	case err != nil:
		h.fail(w, r, http.StatusBadRequest, "reading the request body: "+err.Error())
		return
	}
	if len(bytes.TrimSpace(body)) == 0 {
		h.refuseWrite(w, "bind", res.path)
		return
	}
	sub, err := parseRegistration(body)
	if errors.Is(err, errNotRegister) {
		h.refuseWrite(w, "bind", res.path)
		return
	}
	if err != nil {
		h.refuseRegistration(w, r, err)
		return
	}
	sub.Calendar = res.cal.id
	sub.Client = h.clientKey(r)
	stored, err := h.push.Subscribe(r.Context(), sub)
	switch {
	case errors.Is(err, agenda.ErrSubscriptionsFull):
		h.refuseRegistration(w, r, &registerError{cond: "push-not-available", msg: "this calendar, or your address, has as many push subscriptions as it may"})
		return
	case errors.Is(err, agenda.ErrInvalid):
		h.refuseRegistration(w, r, invalidSubscription("%v", err))
		return
	case err != nil:
		h.storeFailed(w, r, "storing the push subscription", err)
		return
	}
	hd := w.Header()
	hd.Set("Location", origin(v, r)+escapePath(h.p.registrations()+stored.ID))
	hd.Set("Expires", stored.Expires.UTC().Format(http.TimeFormat))
	hd.Set("Content-Length", "0")
	w.WriteHeader(http.StatusCreated)
}

// storeFailed answers a registration or an unsubscription the store
// failed: 503 with Retry-After while it cannot be reached (nothing was
// changed, the client may try again shortly), else 500. The store's
// error goes to the log only: it names the database.
func (h *Handler) storeFailed(w http.ResponseWriter, r *http.Request, what string, err error) {
	h.log.ErrorContext(r.Context(), "caldav request failed", "method", r.Method, "path", r.URL.Path, "error", what+": "+err.Error())
	hd := w.Header()
	hd.Set("Content-Type", "text/plain; charset=utf-8")
	hd.Set("X-Content-Type-Options", "nosniff")
	if errors.Is(err, agenda.ErrUnavailable) {
		hd.Set("Retry-After", "2")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "the store cannot be reached right now; nothing was changed; try again shortly")
		return
	}
	w.WriteHeader(http.StatusInternalServerError)
	fmt.Fprintln(w, "internal error")
}

// refuseRegistration answers a refused registration: 403 with the
// draft's precondition and our reason in a DAV:error body, or 400 with
// the reason for a body that is no registration at all.
func (h *Handler) refuseRegistration(w http.ResponseWriter, r *http.Request, err error) {
	var re *registerError
	if !errors.As(err, &re) || re.cond == "" {
		h.fail(w, r, http.StatusBadRequest, err.Error())
		return
	}
	h.log.DebugContext(r.Context(), "push registration refused", "path", r.URL.Path, "reason", re.msg)
	writeXML(w, http.StatusForbidden, davErrorBody(condition(nsPush, re.cond)+textElem(xml.Name{Space: nsConfcal, Local: "message"}, re.msg)))
}

// origin returns the scheme and host registration URLs start with: the
// base URL's (what clients reach the server at), the request's when
// there is none. DAVx⁵ needs an absolute URL in Location.
func origin(v *view, r *http.Request) string {
	if u, err := url.Parse(v.rendered.Options().BaseURL); err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" {
		return u.Scheme + "://" + u.Host
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// serveRegistration answers a request for a registration URL: DELETE
// unsubscribes (204, 404 for none), OPTIONS says so, anything else is 405.
func (h *Handler) serveRegistration(w http.ResponseWriter, r *http.Request, id string) {
	switch r.Method {
	case http.MethodDelete:
		err := h.push.Unsubscribe(r.Context(), id)
		switch {
		case errors.Is(err, agenda.ErrNotFound):
			h.fail(w, r, http.StatusNotFound, "no such push registration (it may have expired)")
		case err != nil:
			h.storeFailed(w, r, "removing the push registration", err)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	case http.MethodOptions:
		w.Header().Set("Allow", "OPTIONS, DELETE")
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
	default:
		w.Header().Set("Allow", "OPTIONS, DELETE")
		h.fail(w, r, http.StatusMethodNotAllowed, "a push registration can only be deleted")
	}
}

// registrationID returns the registration a path names, if it names one.
func (h *Handler) registrationID(p string) (string, bool) {
	id, ok := strings.CutPrefix(p, h.p.registrations())
	if !ok || !validRegistrationID(id) {
		return "", false
	}
	return id, true
}

// validRegistrationID reports whether id could be a registration's: 1 to
// 64 ASCII letters and digits (a Push makes them with rand.Text).
func validRegistrationID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// clientKey names the client of r for the bound on subscriptions per
// client: Options.ClientKey's answer, or the connection's address.
func (h *Handler) clientKey(r *http.Request) string {
	if h.clientKeyFunc != nil {
		return h.clientKeyFunc(r)
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// Published tells the handler that the rendering it serves may have changed
// (it is cheap when it did not). With Options.Push, every calendar whose
// members or their data changed since the rendering it last saw gets its
// push message: the calendars whose sync token moved, which is exactly
// when a sync would find something. For the first rendering it sees, that
// is since the revision Push last had pushed (Push.Pushed), so that the
// changes stored while no server ran reach subscribers too. Call it after
// each new rendering is made current.
func (h *Handler) Published() {
	if h.push == nil {
		return
	}
	v, err := h.view()
	if err != nil {
		if !errors.Is(err, errNoView) {
			h.log.Error("caldav: building the view to push changes", "error", err)
		}
		return
	}
	h.pushMu.Lock()
	defer h.pushMu.Unlock()
	prev := h.pushed
	if prev != nil && prev.snap.Revision() >= v.snap.Revision() {
		return
	}
	h.pushed = v
	defer h.push.MarkPushed(v.snap.Revision())
	if prev == nil {
		h.catchUp(v)
		return
	}
	for _, c := range v.cals {
		old, ok := prev.byID[c.id]
		if !ok {
			// A new calendar: nobody can have subscribed to it yet.
			continue
		}
		if v.syncToken(c.id, c.changed) != prev.syncToken(old.id, old.changed) {
			h.pushCalendar(v, c)
		}
	}
}

// pushCalendar hands over calendar c's push message, with its sync token
// in view v.
func (h *Handler) pushCalendar(v *view, c *calendar) {
	h.push.Changed(c.id, pushMessage(h.push.Topic(c.id), v.syncToken(c.id, c.changed)))
}

// catchUp pushes, from the first view the handler serves, every calendar
// that changed after the revision pushed last (Push.Pushed): changes made
// while no server ran, by a command on the store. With none recorded (a
// store that never pushed) there is nothing to catch up with.
func (h *Handler) catchUp(v *view) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	since, err := h.push.Pushed(ctx)
	if err != nil {
		h.log.Warn("caldav: reading the revision pushed last; changes made while no server ran are not pushed", "error", err)
		return
	}
	if since == 0 || since >= v.snap.Revision() {
		return
	}
	for _, c := range v.cals {
		if c.changed > since {
			h.pushCalendar(v, c)
		}
	}
}

// pushMessage renders the push message of a calendar (the draft's "Push
// Message"): its topic, and the sync token after the change, so a client
// that already has it need not sync.
func pushMessage(topic, syncToken string) []byte {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	b.WriteString(`<P:push-message xmlns:P="` + nsPush + `" xmlns:D="DAV:">`)
	b.WriteString("<P:topic>" + escape(topic) + "</P:topic>")
	b.WriteString("<P:content-update><D:sync-token>" + escape(syncToken) + "</D:sync-token></P:content-update>")
	b.WriteString("</P:push-message>\n")
	return b.Bytes()
}
