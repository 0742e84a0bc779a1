package agenda_test

import (
	"testing"
	"time"

	"confcal/agenda"
	"confcal/agenda/agendatest"
)

func TestChangedMarks(t *testing.T) {
	base := agendatest.Small(t)
	at := time.Date(2019, 10, 2, 10, 0, 0, 0, time.UTC)
	e := base.Edit("test", at)
	title := "Renamed"
	if err := e.UpdateSession("late-talk", agenda.SessionUpdate{Title: &title}); err != nil {
		t.Fatal(err)
	}
	s2, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	e = s2.Edit("test", at.Add(time.Hour))
	if err := e.RenameRoom("room-1", "Main Hall"); err != nil {
		t.Fatal(err)
	}
	if err := e.AddTrack(agenda.Track{ID: "lightning", Name: "Lightning"}); err != nil {
		t.Fatal(err)
	}
	s3, err := e.Commit()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		got  agenda.Mark
		want agenda.Mark
	}{
		{"late-talk", s3.SessionChanged("late-talk"), agenda.Mark{Revision: 2, Time: at}},
		{"opening-keynote (in the renamed room)", s3.SessionChanged("opening-keynote"), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"state-of-state (untouched)", s3.SessionChanged("state-of-state"), agenda.Mark{Revision: 1}},
		{"room-1", s3.RoomChanged("room-1"), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"room-2", s3.RoomChanged("room-2"), agenda.Mark{Revision: 1}},
		{"lightning", s3.TrackChanged("lightning"), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"the agenda", s3.Changed(), agenda.Mark{Revision: 3, Time: at.Add(time.Hour)}},
		{"the first revision", base.Changed(), agenda.Mark{Revision: 1}},
	} {
		if tc.got != tc.want {
			t.Errorf("%s changed %+v, want %+v", tc.what, tc.got, tc.want)
		}
	}
}
