package main

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// An organizer exports the built-in agenda (session IDs are slugs, which
// no frab key carries) as schedule.xml or schedule.json, moves a session
// and renames a room in the file, and imports it back, on the local store
// and through a server: the import reads as that one move (the stored
// agenda's IDs come back from the export's guids), not as every session
// of the room cancelled and added again.
func TestImportOwnExport(t *testing.T) {
	t.Setenv("CONFCAL_ADMIN_TOKEN", "tok")
	const want = "revision 2: Apache Flink Developer Training rescheduled, Oct 7 10:00 → 10:15"
	for _, format := range []string{"schedule-xml", "schedule-json"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			data := filepath.Join(dir, "data")
			doc, stderr, err := runCmd(t, "", "export", "-format", format, "-data", data)
			if err != nil {
				t.Fatalf("export: %v (%s)", err, stderr)
			}
			file := filepath.Join(dir, "edited")
			if err := os.WriteFile(file, editOwnExport(t, format, doc), 0o600); err != nil {
				t.Fatal(err)
			}
			runSteps(t, []string{"-data", data}, []step{
				{args: []string{"import", file}, out: []string{want}},
				{args: []string{"import", file}, out: []string{"nothing to change: " + file + " matches revision 2"}},
			})

			addr, _, _, _ := startServe(t, "-addr", "127.0.0.1:0", "-data", filepath.Join(dir, "served"))
			server := "http://" + addr
			path := map[string]string{"schedule-xml": "/schedule.xml", "schedule-json": "/schedule.json"}[format]
			resp := get(t, server+path)
			served, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(file, editOwnExport(t, format, string(served)), 0o600); err != nil {
				t.Fatal(err)
			}
			runSteps(t, []string{"-server", server}, []step{
				{args: []string{"import", "-dry-run", file}, out: []string{"dry run, nothing changed; importing " + file + " would make revision 2:", want}},
			})
		})
	}
}

// editOwnExport moves the first session of the built-in agenda's export
// (Apache Flink Developer Training, Oct 7 10:00–11:30 in Room 1) to 10:15
// and renames Room 1 to Hall 1.
func editOwnExport(t *testing.T, format, doc string) []byte {
	t.Helper()
	if format == "schedule-xml" {
		first := regexp.MustCompile(`(?s)<event .*?</event>`).FindString(doc)
		if !strings.Contains(first, "<title>Apache Flink Developer Training</title>") {
			t.Fatalf("the export's first event is not the training:\n%s", first)
		}
		moved := strings.NewReplacer("T10:00:00", "T10:15:00", "<start>10:00</start>", "<start>10:15</start>").Replace(first)
		doc = strings.Replace(doc, first, moved, 1)
		return []byte(strings.NewReplacer(`name="Room 1"`, `name="Hall 1"`, "<room>Room 1</room>", "<room>Hall 1</room>").Replace(doc))
	}
	var v struct {
		Schedule map[string]json.RawMessage `json:"schedule"`
	}
	if err := json.Unmarshal([]byte(doc), &v); err != nil {
		t.Fatal(err)
	}
	var conf map[string]any
	if err := json.Unmarshal(v.Schedule["conference"], &conf); err != nil {
		t.Fatal(err)
	}
	ev := conf["days"].([]any)[0].(map[string]any)["rooms"].(map[string]any)["Room 1"].([]any)[0].(map[string]any)
	if ev["title"] != "Apache Flink Developer Training" {
		t.Fatalf("the export's first event is %v", ev["title"])
	}
	for _, k := range []string{"date", "end"} {
		at, err := time.Parse(time.RFC3339, ev[k].(string))
		if err != nil {
			t.Fatal(err)
		}
		ev[k] = at.Add(15 * time.Minute).Format(time.RFC3339)
	}
	ev["start"] = "10:15"
	b, err := json.Marshal(conf)
	if err != nil {
		t.Fatal(err)
	}
	v.Schedule["conference"] = b
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(strings.ReplaceAll(string(out), `"Room 1"`, `"Hall 1"`))
}
