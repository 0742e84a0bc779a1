// Package webpush sends Web Push messages (RFC 8030) to push services —
// a browser's, or a UnifiedPush distributor that DAVx⁵ uses for
// WebDAV-Push — encrypted for the subscriber (RFC 8291, aes128gcm) and
// signed by the application server (VAPID, RFC 8292), always through an
// outbound.Client, since push resource URLs are chosen by whoever
// subscribes.
//
// The encryption and the VAPID signature are not written here: they come
// from github.com/SherClockHolmes/webpush-go, the Web Push library for Go
// that is maintained and widely used, small (it needs only golang-jwt and
// golang.org/x/crypto), and takes any HTTP client, so every request it
// makes goes through outbound's checks. Cryptography written once for one
// project is where mistakes hide; a library many servers use has had its
// messages decrypted by every browser. The package wraps what the library
// leaves to its callers, and works around its quirks:
//   - keys are validated when parsed (a P-256 point, a 16-byte auth
//     secret), not when a message fails;
//   - the subject must be a mailto: or https: URI; the library prefixes
//     "mailto:" to anything that is not https, so it is given the address
//     without the scheme;
//   - the library appends its padding to the payload slice, which would
//     write into the caller's array if it had spare capacity; it gets a
//     copy;
//   - the library ignores a VAPID expiry and always signs for 12 hours,
//     within the 24 hours RFC 8292 allows;
//   - it pads every message to a 4096-byte record, which hides the
//     payload's length from the push service; hence MaxPayload.
//
// A Sender adds what a server needs on top: a Topic header so that
// queued messages for one calendar replace each other (Topic), Urgency,
// errors that say what to do next (ErrGone: drop the subscription;
// ErrUnavailable: try later; anything else: the message or subscription
// is refused), and bounded retries with backoff that honour Retry-After.
// A Throttle turns a stream of "calendar X changed" events into at most
// one delivery per calendar per interval.
//
// The package webpush/pushtest is a push service for tests that decrypts
// and verifies every message independently of the library.
package webpush
