package caldav

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	goical "github.com/emersion/go-ical"
	webdav "github.com/emersion/go-webdav"
	gocaldav "github.com/emersion/go-webdav/caldav"
)

// backend is the gocaldav.Backend go-webdav's handler asks. It answers
// from the view the front handler put into the request's context, so one
// request sees one revision throughout.
type backend struct{}

var _ gocaldav.Backend = backend{}

// reqState is what the front handler passes to the backend through the
// request context.
type reqState struct {
	view *view
	// scope is the request path of a REPORT: calendar-multiget may only
	// name objects below it (go-webdav serves any href it is given).
	scope string
	// failed records a failure of our own (not of the request), so that a
	// 500 from go-webdav can be told apart from its 500s for requests it
	// could not decode.
	failed error
}

type stateKey struct{}

func withState(ctx context.Context, st *reqState) context.Context {
	return context.WithValue(ctx, stateKey{}, st)
}

func stateOf(ctx context.Context) (*reqState, error) {
	st, ok := ctx.Value(stateKey{}).(*reqState)
	if !ok || st.view == nil {
		return nil, errors.New("caldav: backend called outside the front handler")
	}
	return st, nil
}

// notFound is the error go-webdav recognises as 404: it checks with a type
// assertion, not errors.As, so it must not be wrapped.
func notFound(format string, a ...any) error {
	return webdav.NewHTTPError(http.StatusNotFound, fmt.Errorf(format, a...))
}

func forbidden(format string, a ...any) error {
	return webdav.NewHTTPError(http.StatusForbidden, fmt.Errorf(format, a...))
}

// internal records err as our own failure and returns it as a 500.
func (st *reqState) internal(err error) error {
	st.failed = err
	return webdav.NewHTTPError(http.StatusInternalServerError, err)
}

func (backend) CurrentUserPrincipal(ctx context.Context) (string, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return "", err
	}
	return st.view.p.principal(), nil
}

func (backend) CalendarHomeSetPath(ctx context.Context) (string, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return "", err
	}
	return st.view.p.home(), nil
}

func (backend) calendarOf(c *calendar, v *view) gocaldav.Calendar {
	return gocaldav.Calendar{
		Path:                  v.p.calendar(c.id),
		Name:                  c.name,
		Description:           c.desc,
		SupportedComponentSet: []string{goical.CompEvent},
	}
}

func (b backend) ListCalendars(ctx context.Context) ([]gocaldav.Calendar, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]gocaldav.Calendar, len(st.view.cals))
	for i, c := range st.view.cals {
		out[i] = b.calendarOf(c, st.view)
	}
	return out, nil
}

func (b backend) GetCalendar(ctx context.Context, p string) (*gocaldav.Calendar, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	res := st.view.resolve(p)
	if res.kind != resCalendar {
		return nil, notFound("caldav: no calendar at %s", p)
	}
	c := b.calendarOf(res.cal, st.view)
	return &c, nil
}

// calendarObject wraps an object for go-webdav. Data is the parsed body:
// go-webdav encodes it for calendar-data, which the front handler then
// replaces with the exact bytes (go-ical's encoder does not fold lines, so
// its output would not match the ETag).
func (st *reqState) calendarObject(res resource) (gocaldav.CalendarObject, error) {
	cal, err := res.obj.calendar()
	if err != nil {
		return gocaldav.CalendarObject{}, st.internal(err)
	}
	return gocaldav.CalendarObject{
		Path:          res.path,
		ModTime:       res.obj.doc.Modified,
		ContentLength: int64(len(res.obj.doc.Body)),
		ETag:          res.obj.etag,
		Data:          cal,
	}, nil
}

func (backend) GetCalendarObject(ctx context.Context, p string, _ *gocaldav.CalendarCompRequest) (*gocaldav.CalendarObject, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	res := st.view.resolve(p)
	if res.kind != resObject {
		return nil, notFound("caldav: no calendar object at %s", p)
	}
	if st.scope != "" && !strings.HasPrefix(res.path, st.scope) {
		return nil, notFound("caldav: %s is not below the request URL %s", p, st.scope)
	}
	co, err := st.calendarObject(res)
	if err != nil {
		return nil, err
	}
	return &co, nil
}

func (backend) ListCalendarObjects(ctx context.Context, p string, _ *gocaldav.CalendarCompRequest) ([]gocaldav.CalendarObject, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	res := st.view.resolve(p)
	if res.kind != resCalendar {
		return nil, notFound("caldav: no calendar at %s", p)
	}
	return st.objects(res.cal, nil)
}

// objects returns the members of c that keep reports true.
func (st *reqState) objects(c *calendar, keep func(*object) (bool, error)) ([]gocaldav.CalendarObject, error) {
	v := st.view
	out := make([]gocaldav.CalendarObject, 0, len(c.members))
	for _, id := range c.members {
		o := v.objects[id]
		if keep != nil {
			ok, err := keep(o)
			if err != nil {
				return nil, err
			}
			if !ok {
				continue
			}
		}
		co, err := st.calendarObject(resource{kind: resObject, path: v.p.object(c.id, id), cal: c, obj: o})
		if err != nil {
			return nil, err
		}
		out = append(out, co)
	}
	return out, nil
}

// QueryCalendarObjects filters with this package's matcher instead of
// gocaldav.Filter, whose time-range boundaries are wrong (see match.go).
func (backend) QueryCalendarObjects(ctx context.Context, p string, q *gocaldav.CalendarQuery) ([]gocaldav.CalendarObject, error) {
	st, err := stateOf(ctx)
	if err != nil {
		return nil, err
	}
	res := st.view.resolve(p)
	if res.kind != resCalendar {
		return nil, forbidden("caldav: calendar-query works on a calendar collection, not %s", p)
	}
	if q == nil {
		return st.objects(res.cal, nil)
	}
	if err := checkFilter(q.CompFilter); err != nil {
		return nil, forbidden("caldav: calendar-query: %w", err)
	}
	loc := st.view.snap.Location()
	return st.objects(res.cal, func(o *object) (bool, error) {
		cal, err := o.calendar()
		if err != nil {
			return false, st.internal(err)
		}
		ok, err := matchCalendar(q.CompFilter, cal, loc)
		if err != nil {
			return false, st.internal(fmt.Errorf("caldav: object %s: %w", o.id, err))
		}
		return ok, nil
	})
}

func (backend) CreateCalendar(context.Context, *gocaldav.Calendar) error {
	return forbidden("caldav: the calendars are read-only")
}

func (backend) PutCalendarObject(context.Context, string, *goical.Calendar, *gocaldav.PutCalendarObjectOptions) (*gocaldav.CalendarObject, error) {
	return nil, forbidden("caldav: the calendars are read-only")
}

func (backend) DeleteCalendarObject(context.Context, string) error {
	return forbidden("caldav: the calendars are read-only")
}
