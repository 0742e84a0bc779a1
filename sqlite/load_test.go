package sqlite_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"confcal/agenda/agendatest"
)

// A damaged row makes Load fail with an error naming the table and the row.
func TestLoadErrorsNameTheRow(t *testing.T) {
	tests := []struct {
		name, damage string
		says         []string
	}{
		{"session sequence", `UPDATE sessions SET sequence = 'many' WHERE id = (SELECT min(id) FROM sessions)`, []string{"sessions: row 1:", "sequence"}},
		{"session start", `UPDATE sessions SET start_time = 'soon' WHERE id = 'late-talk'`, []string{"sessions: row", `session "late-talk": start`}},
		{"first day", `UPDATE agendas SET first_day = 'monday'`, []string{"agenda row: first day"}},
		{"agenda revision", `UPDATE agendas SET revision = 'latest'`, []string{"agenda row:"}},
		{"change time", `INSERT INTO changes (conf, revision, position, time, who, session, room, track, field, old_value, new_value) VALUES ('test-conf-2019', 1, 0, 'then', 'x', 'late-talk', '', '', 'title', 'a', 'b')`, []string{"change log: row 1:", "revision 1: time"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			st := mustOpen(t, t.TempDir())
			if err := st.Save(ctx, agendatest.Small(t)); err != nil {
				t.Fatal(err)
			}
			db, err := sql.Open("sqlite", st.Path())
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(tc.damage); err != nil {
				t.Fatal(err)
			}
			_, err = st.Load(ctx)
			if err == nil {
				t.Fatal("Load of a damaged store succeeded")
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("Load error %q does not say %q", err, s)
				}
			}
		})
	}
}
