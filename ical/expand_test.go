package ical_test

import (
	"slices"
	"testing"
	"time"

	goical "github.com/emersion/go-ical"

	"confcal/agenda/agendatest"
)

// TestAppendExpanded: an object as a CalDAV expand asks for it (RFC 4791
// §9.6.5) has no VTIMEZONE and its times in UTC, every other property as
// in the object itself; without its event it is an empty VCALENDAR.
func TestAppendExpanded(t *testing.T) {
	snap := agendatest.Small(t)
	e := render(t, snap, nil)
	for _, id := range snap.SessionIDs() {
		x, _ := snap.Session(id)
		o, ok := e.Object(id)
		if !ok {
			t.Fatalf("Object(%q) not found", id)
		}
		got := o.AppendExpanded(nil, true)
		if id == "streams-everywhere" {
			golden(t, "small-object-expanded.ics", got)
		}
		cal := decode(t, got)
		if n := len(cal.Children); n != 1 || cal.Children[0].Name != goical.CompEvent {
			t.Fatalf("%s expanded: %d components (%v), want the VEVENT alone", id, n, names(cal.Children))
		}
		ev := cal.Children[0]
		for name, want := range map[string]time.Time{goical.PropDateTimeStart: x.Start, goical.PropDateTimeEnd: x.End} {
			p := ev.Props.Get(name)
			if p == nil || p.Params.Get(goical.ParamTimezoneID) != "" || p.Value != want.UTC().Format("20060102T150405Z") {
				t.Errorf("%s expanded: %s %+v, want %s in UTC", id, name, p, want.UTC())
			}
		}
		orig := decode(t, o.Bytes()).Children
		i := slices.IndexFunc(orig, func(c *goical.Component) bool { return c.Name == goical.CompEvent })
		for name, props := range orig[i].Props {
			if name == goical.PropDateTimeStart || name == goical.PropDateTimeEnd {
				continue
			}
			if !slices.EqualFunc(props, ev.Props[name], func(a, b goical.Prop) bool { return a.Value == b.Value }) {
				t.Errorf("%s expanded: %s %v, the object has %v", id, name, ev.Props[name], props)
			}
		}
		if len(ev.Props) != len(orig[i].Props) {
			t.Errorf("%s expanded: %d properties, the object's VEVENT %d", id, len(ev.Props), len(orig[i].Props))
		}

		empty := decode(t, o.AppendExpanded(nil, false))
		if len(empty.Children) != 0 {
			t.Errorf("%s expanded without its event: components %v", id, names(empty.Children))
		}
	}
}

func names(cs []*goical.Component) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}
