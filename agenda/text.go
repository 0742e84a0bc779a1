package agenda

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on the agenda's text, in characters (Unicode code points), and the
// rules text must follow. Every way text enters the agenda meets them: the
// Editor refuses a change that breaks them (so the admin API, imports and
// the command line do) and package seeds refuses a file that does. Each
// value is repeated in many renderings (a room name in every event of the
// room, in the page, in CalDAV answers), so one huge value would make every
// feed huge. A Snapshot loaded from a store made before the limits existed
// still loads (NewSnapshot does not apply them), so its text can be fixed.
const (
	// MaxIDLength bounds session, room and track IDs (see ValidID).
	MaxIDLength = 100
	// MaxTitleLength bounds a session's title.
	MaxTitleLength = 300
	// MaxNameLength bounds the name of a room or a track.
	MaxNameLength = 100
	// MaxAbstractLength bounds a session's abstract, speaker bios included.
	MaxAbstractLength = 20_000
	// MaxConferenceNameLength bounds the conference's name.
	MaxConferenceNameLength = 200
	// MaxDescriptionLength bounds the conference's one-line description.
	MaxDescriptionLength = 1000
	// MaxUIDDomainLength bounds the conference's UID domain, as DNS bounds
	// a domain name.
	MaxUIDDomainLength = 253
	// MaxLanguageLength bounds a session's language tag (RFC 5646 §4.4.1
	// advises tags of at most 35 characters).
	MaxLanguageLength = 35
	// MaxURLLength bounds a session's source URL.
	MaxURLLength = 2000
)

// textError is text that breaks a rule of the agenda: an ErrInvalid
// whose message names the field and the rule, and leaves out the text,
// which may be long or unprintable.
func textError(msg string) error { return &Error{Kind: ErrInvalid, Msg: msg} }

// CheckTitle reports a problem with title as a session's title: it must
// be one line of 1 to MaxTitleLength printable characters. Surrounding
// blanks are not trimmed here (the Editor trims them first). The error
// wraps ErrInvalid and names the field.
func CheckTitle(title string) error { return checkLine("title", title, MaxTitleLength) }

// CheckRoomName reports a problem with name as a room's name: one line of
// 1 to MaxNameLength printable characters.
func CheckRoomName(name string) error { return checkLine("room name", name, MaxNameLength) }

// CheckTrackName reports a problem with name as a track's name: one line
// of 1 to MaxNameLength printable characters.
func CheckTrackName(name string) error { return checkLine("track name", name, MaxNameLength) }

// CheckSubtitle reports a problem with a session's subtitle: one line of
// at most MaxTitleLength printable characters; it may be empty.
func CheckSubtitle(v string) error { return optional("subtitle", v, MaxTitleLength) }

// CheckType reports a problem with a session's type ("Talk"): one line of
// at most MaxNameLength printable characters; it may be empty.
func CheckType(v string) error { return optional("type", v, MaxNameLength) }

// CheckSpeakerName reports a problem with a speaker's name: one line of 1
// to MaxNameLength printable characters.
func CheckSpeakerName(v string) error { return checkLine("speaker name", v, MaxNameLength) }

// CheckLanguage reports a problem with a session's language: empty, or a
// language tag of letters, digits and hyphens (BCP 47, e.g. "en",
// "pt-BR") of at most MaxLanguageLength characters.
func CheckLanguage(v string) error {
	if err := optional("language", v, MaxLanguageLength); err != nil {
		return err
	}
	for _, r := range v {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return textError(fmt.Sprintf("language %q is not a language tag (letters, digits and hyphens, e.g. en or pt-BR)", clip(v)))
		}
	}
	return nil
}

// CheckURL reports a problem with a session's source URL: empty, or an
// absolute http or https URL of at most MaxURLLength characters without
// blanks or control characters.
func CheckURL(v string) error {
	if err := optional("URL", v, MaxURLLength); err != nil {
		return err
	}
	if v != "" && (!strings.HasPrefix(v, "https://") && !strings.HasPrefix(v, "http://") || strings.ContainsAny(v, " \t\"<>")) {
		return textError(fmt.Sprintf("URL %q is not an absolute http(s) URL", clip(v)))
	}
	return nil
}

// optional checks one line of text of at most max characters, which may
// be empty.
func optional(field, v string, max int) error {
	if v == "" {
		return nil
	}
	return checkText(field, v, max, false)
}

// CheckAbstract reports a problem with abstract as a session's abstract:
// up to MaxAbstractLength characters of printable text, tabs and line
// feeds (a line feed ends a line; a carriage return alone is refused, see
// NormalizeAbstract). It may be empty.
func CheckAbstract(abstract string) error {
	return checkText("abstract", abstract, MaxAbstractLength, true)
}

// NormalizeAbstract returns abstract with every CR LF line end written as
// LF, the one line end the agenda keeps: text from a browser's form or a
// Windows editor then passes CheckAbstract.
func NormalizeAbstract(abstract string) string { return strings.ReplaceAll(abstract, "\r\n", "\n") }

// checkLine checks one line of text of 1 to max characters.
func checkLine(field, v string, max int) error {
	if v == "" {
		return textError(field + " is empty")
	}
	return checkText(field, v, max, false)
}

// checkText checks that v is UTF-8 of at most max characters without
// control characters; multiline allows tabs and line feeds.
func checkText(field, v string, max int, multiline bool) error {
	if !utf8.ValidString(v) {
		return textError(field + " is not valid UTF-8")
	}
	if n := utf8.RuneCountInString(v); n > max {
		return textError(fmt.Sprintf("%s is %d characters long, longer than the limit of %d", field, n, max))
	}
	i := strings.IndexFunc(v, func(r rune) bool { return unicode.IsControl(r) && !(multiline && (r == '\t' || r == '\n')) })
	if i < 0 {
		return nil
	}
	r, _ := utf8.DecodeRuneInString(v[i:])
	allowed := "printable characters on one line"
	if multiline {
		allowed = "printable characters, tabs and line feeds"
	}
	return textError(fmt.Sprintf("%s holds the control character %U at character %d; it may hold %s only",
		field, r, utf8.RuneCountInString(v[:i])+1, allowed))
}

// validColor reports whether c is a track colour the agenda keeps: empty
// (none) or #RRGGBB.
func validColor(c string) bool {
	if c == "" {
		return true
	}
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for _, r := range c[1:] {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// clip shortens a value quoted in an error message to its first 40
// characters: a refused ID or name may be of any length.
func clip(s string) string {
	const max = 40
	if utf8.RuneCountInString(s) <= max {
		return s
	}
	return string([]rune(s)[:max]) + "…"
}
