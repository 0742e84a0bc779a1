package ical

import (
	"time"

	goical "github.com/emersion/go-ical"
)

// Hooks for the external tests.

// Rendered reports how many VEVENTs Render encoded for e rather than
// reusing them from the previous rendering.
func RenderCount(e *Rendered) int { return e.rendered }

// EventBytes returns the stored VEVENT bytes of session id.
func EventBytes(e *Rendered, id string) []byte {
	if ev, ok := e.events[id]; ok {
		return ev.body
	}
	return nil
}

// Fold folds one content line (no CRLF in it).
func Fold(line string) string { return string(fold(nil, []byte(line))) }

// Clean is the text clean-up applied before escaping.
func Clean(s string) string { return clean(s) }

// TimezoneCalendar returns a minimal calendar holding only the VTIMEZONE
// of zone name for the instants from to to.
func TimezoneCalendar(name string, from, to time.Time) ([]byte, error) {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	cal := goical.NewCalendar()
	cal.Props.SetText(goical.PropProductID, DefaultProdID)
	cal.Props.SetText(goical.PropVersion, "2.0")
	cal.Children = []*goical.Component{vtimezone(name, loc, from, to)}
	raw, err := encode(cal.Component)
	if err != nil {
		return nil, err
	}
	return foldLines(nil, raw), nil
}

// ColorName returns the CSS3 colour name nearest to c (#RRGGBB), false
// when c is not #RRGGBB.
func ColorName(c string) (string, bool) {
	rgb, ok := parseRGB(c)
	if !ok {
		return "", false
	}
	return colorName(rgb), true
}

// CSSColors returns the CSS3 colour keywords and their values (#RRGGBB).
func CSSColors() (names, values []string) {
	for _, c := range cssColors() {
		names = append(names, c.name)
		values = append(values, hexRGB(c.rgb))
	}
	return names, values
}
