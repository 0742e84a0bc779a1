package web

import (
	"net/http"
	"sync/atomic"
	"time"

	"confcal/agenda"
	"confcal/formats/frabjson"
	"confcal/formats/frabxml"
)

// The whole conference in frab's formats, schedule.xml and schedule.json,
// for the apps and tools that read them (Giggity, EventFahrplan,
// ConfClerk, the C3VOC tools): made once per revision on first request and
// served like a feed (strong ETag, 304, gzip). Cancelled sessions are left
// out: these formats tell a cancellation by absence.

// scheduleFormat is one of the exports.
type scheduleFormat struct {
	ctype  string
	export func(*agenda.Snapshot, string) ([]byte, error)
	// made picks the revision's slot for the made entity.
	made func(*site) *atomic.Pointer[entity]
}

func scheduleXML() scheduleFormat {
	return scheduleFormat{ctype: "application/xml; charset=utf-8",
		export: func(snap *agenda.Snapshot, base string) ([]byte, error) {
			return frabxml.Export(snap, frabxml.ExportOptions{BaseURL: base})
		},
		made: func(st *site) *atomic.Pointer[entity] { return &st.scheduleXML }}
}

func scheduleJSON() scheduleFormat {
	return scheduleFormat{ctype: "application/json; charset=utf-8",
		export: func(snap *agenda.Snapshot, base string) ([]byte, error) {
			return frabjson.Export(snap, frabjson.ExportOptions{BaseURL: base})
		},
		made: func(st *site) *atomic.Pointer[entity] { return &st.scheduleJSON }}
}

// serveSchedule serves the export f of the revision being served.
func (s *Server) serveSchedule(f scheduleFormat) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		st, err := s.site(r)
		if err != nil {
			return err
		}
		return s.document(w, r, f.made(st), f.ctype, feedCache, func() ([]byte, time.Time, error) {
			body, err := f.export(st.snap, st.conf.base)
			return body, listModified(st.snap), err
		})
	})
}
