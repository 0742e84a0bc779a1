package catalog

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AlarmParam is the query parameter with which a personal feed asks for
// reminders: /feeds/custom.ics?sessions=…&alarm=10m and
// /feeds/my/{code}.ics?alarm=10m. No other feed takes it: a reminder is
// something an attendee chooses for the sessions they chose.
const AlarmParam = "alarm"

// MaxAlarmLead is the longest lead time a reminder may have.
const MaxAlarmLead = 24 * time.Hour

// Alarm is the reminder a personal feed asks for: none (the zero value),
// or one before each session, a lead time in whole minutes from 0 (when
// the session starts) to MaxAlarmLead.
type Alarm struct {
	lead time.Duration
	on   bool
}

// NewAlarm returns the reminder lead before each session, or an error
// when lead is not a whole number of minutes from 0 to MaxAlarmLead.
func NewAlarm(lead time.Duration) (Alarm, error) {
	if lead < 0 || lead > MaxAlarmLead || lead%time.Minute != 0 {
		return Alarm{}, fmt.Errorf("a reminder's lead time must be whole minutes from 0m to %s, not %s", Alarm{lead: MaxAlarmLead, on: true}, lead)
	}
	return Alarm{lead: lead, on: true}, nil
}

// maxAlarmDigits bounds the number in an alarm parameter: 1440m is the
// longest spelling of MaxAlarmLead, and a bound keeps a long string of
// digits from overflowing before the range check.
const maxAlarmDigits = 4

// ParseAlarm reads the value of an alarm parameter: a whole number of
// minutes or hours, "10m" or "1h", from "0m" (when the session starts) to
// "24h". Anything else — an empty value, a sign, a space, a fraction,
// seconds, upper case, a combination such as "1h30m" (write "90m") — is an
// error that says what is wanted.
func ParseAlarm(s string) (Alarm, error) {
	bad := func() (Alarm, error) {
		return Alarm{}, fmt.Errorf("bad %s=%s: want a lead time in whole minutes or hours from 0m to 24h, e.g. %s=10m or %s=1h",
			AlarmParam, strconv.Quote(cut(s, 20)), AlarmParam, AlarmParam)
	}
	if len(s) < 2 {
		return bad()
	}
	digits, unit := s[:len(s)-1], s[len(s)-1]
	if len(digits) > maxAlarmDigits || strings.Trim(digits, "0123456789") != "" {
		return bad()
	}
	n, err := strconv.Atoi(digits)
	if err != nil {
		return bad()
	}
	var lead time.Duration
	switch unit {
	case 'm':
		lead = time.Duration(n) * time.Minute
	case 'h':
		lead = time.Duration(n) * time.Hour
	default:
		return bad()
	}
	if lead > MaxAlarmLead {
		return Alarm{}, fmt.Errorf("bad %s=%s: a reminder at most 24h before a session, please", AlarmParam, s)
	}
	return Alarm{lead: lead, on: true}, nil
}

// On reports whether a asks for a reminder.
func (a Alarm) On() bool { return a.on }

// Lead returns how long before each session the reminder is; 0 for none.
func (a Alarm) Lead() time.Duration { return a.lead }

// String returns the alarm parameter's value for a, "" for none: whole
// hours as "1h", anything else in minutes, "90m", "0m". Every spelling
// ParseAlarm takes for one lead time gives the same String.
func (a Alarm) String() string {
	switch {
	case !a.on:
		return ""
	case a.lead > 0 && a.lead%time.Hour == 0:
		return strconv.Itoa(int(a.lead/time.Hour)) + "h"
	}
	return strconv.Itoa(int(a.lead/time.Minute)) + "m"
}

// Link returns the path of a personal feed, path (with its query, if
// any), asking for reminder a; path itself when a is none.
func (a Alarm) Link(path string) string {
	if !a.on {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + AlarmParam + "=" + a.String()
}

// AlarmChoices returns the reminders the attendee page offers, none first:
// when the session starts, and 5, 10, 15 and 30 minutes and an hour before.
func AlarmChoices() []Alarm {
	out := []Alarm{{}}
	for _, m := range []int{0, 5, 10, 15, 30, 60} {
		out = append(out, Alarm{lead: time.Duration(m) * time.Minute, on: true})
	}
	return out
}

// cut shortens s to at most n bytes for a message.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
