package catalog_test

import (
	"strings"
	"testing"
	"time"

	"confcal/catalog"
)

func TestParseAlarm(t *testing.T) {
	for _, tt := range []struct {
		in   string
		lead time.Duration
		want string // String(), "" for an error
	}{
		{"0m", 0, "0m"},
		{"0h", 0, "0m"},
		{"5m", 5 * time.Minute, "5m"},
		{"10m", 10 * time.Minute, "10m"},
		{"010m", 10 * time.Minute, "10m"},
		{"60m", time.Hour, "1h"},
		{"90m", 90 * time.Minute, "90m"},
		{"1h", time.Hour, "1h"},
		{"24h", 24 * time.Hour, "24h"},
		{"1440m", 24 * time.Hour, "24h"},
		{"1441m", 0, ""},
		{"25h", 0, ""},
		{"9999h", 0, ""},
		{"00000m", 0, ""}, // too many digits
		{"", 0, ""},
		{"m", 0, ""},
		{"10", 0, ""},
		{"10M", 0, ""},
		{"10s", 0, ""},
		{"1h30m", 0, ""},
		{"-10m", 0, ""},
		{"+10m", 0, ""},
		{" 10m", 0, ""},
		{"10 m", 0, ""},
		{"1.5h", 0, ""},
		{"PT10M", 0, ""},
		{"١٠m", 0, ""}, // Arabic-Indic digits
	} {
		a, err := catalog.ParseAlarm(tt.in)
		if tt.want == "" {
			if err == nil {
				t.Errorf("ParseAlarm(%q) = %v, want an error", tt.in, a)
			} else if !strings.Contains(err.Error(), "alarm=") {
				t.Errorf("ParseAlarm(%q): error %q does not name the parameter", tt.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseAlarm(%q): %v", tt.in, err)
			continue
		}
		if !a.On() || a.Lead() != tt.lead || a.String() != tt.want {
			t.Errorf("ParseAlarm(%q) = on %v, lead %v, %q; want %v, %q", tt.in, a.On(), a.Lead(), a.String(), tt.lead, tt.want)
		}
	}
}

func TestAlarmLink(t *testing.T) {
	ten, _ := catalog.NewAlarm(10 * time.Minute)
	for _, tt := range []struct {
		a          catalog.Alarm
		path, want string
	}{
		{catalog.Alarm{}, "/feeds/custom.ics?sessions=a,b", "/feeds/custom.ics?sessions=a,b"},
		{ten, "/feeds/custom.ics?sessions=a,b", "/feeds/custom.ics?sessions=a,b&alarm=10m"},
		{ten, "/feeds/my/abc.ics", "/feeds/my/abc.ics?alarm=10m"},
	} {
		if got := tt.a.Link(tt.path); got != tt.want {
			t.Errorf("%v.Link(%q) = %q, want %q", tt.a, tt.path, got, tt.want)
		}
	}
}

func TestNewAlarm(t *testing.T) {
	for _, lead := range []time.Duration{-time.Minute, 90 * time.Second, 25 * time.Hour} {
		if a, err := catalog.NewAlarm(lead); err == nil {
			t.Errorf("NewAlarm(%v) = %v, want an error", lead, a)
		}
	}
	for _, a := range catalog.AlarmChoices()[1:] {
		b, err := catalog.NewAlarm(a.Lead())
		if err != nil || b != a {
			t.Errorf("NewAlarm(%v) = %v, %v; want the choice %v", a.Lead(), b, err, a)
		}
		if c, err := catalog.ParseAlarm(a.String()); err != nil || c != a {
			t.Errorf("ParseAlarm(%q) = %v, %v; want the choice back", a.String(), c, err)
		}
	}
	if none := catalog.AlarmChoices()[0]; none.On() || none.String() != "" {
		t.Errorf("the first choice is %q, want none", none.String())
	}
}

// FuzzParseAlarm: ParseAlarm takes exactly an unsigned decimal of at most
// four digits followed by m or h, for at most 24 hours; what it takes
// reads back the same through String, and what it refuses it says why.
func FuzzParseAlarm(f *testing.F) {
	for _, s := range []string{"10m", "1h", "0m", "24h", "1441m", "1h30m", "-5m", "", "٣m", "10m\x00", "9999999999999999999m"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := catalog.ParseAlarm(s)
		if err != nil {
			if a.On() || !strings.Contains(err.Error(), "alarm=") {
				t.Fatalf("ParseAlarm(%q): %v, %v", s, a, err)
			}
			return
		}
		digits := s[:len(s)-1]
		if len(s) < 2 || len(digits) > 4 || strings.Trim(digits, "0123456789") != "" || !strings.HasSuffix(s, "m") && !strings.HasSuffix(s, "h") {
			t.Fatalf("ParseAlarm(%q) took a value of another form", s)
		}
		if !a.On() || a.Lead() < 0 || a.Lead() > catalog.MaxAlarmLead || a.Lead()%time.Minute != 0 {
			t.Fatalf("ParseAlarm(%q) = %v, a lead out of range", s, a.Lead())
		}
		b, err := catalog.ParseAlarm(a.String())
		if err != nil || b != a {
			t.Fatalf("ParseAlarm(%q) = %v, but its String %q reads as %v, %v", s, a.Lead(), a.String(), b, err)
		}
	})
}
