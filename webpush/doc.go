// Package webpush is for sending Web Push messages (RFC 8030) encrypted
// for the subscriber (RFC 8291) and signed by the application server
// (VAPID, RFC 8292): the VAPID key pair, the subscriptions messages go
// to, and the Topic that lets queued messages about one calendar replace
// each other.
package webpush
