package frabjson_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// shared returns the path of a file under the shared directory beside the
// repository (../shared from its root), skipping the test when it is
// absent, unless CI=true: CI has it, so there its absence fails the test.
func shared(t *testing.T, rel string) string {
	t.Helper()
	path := filepath.Join("..", "..", "..", "shared", rel)
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is missing: %v", path, err)
		}
		t.Skipf("%s is missing: %v", path, err)
	}
	return path
}

// validator is a Python program that validates the JSON files argv[2:]
// against the JSON Schema argv[1] (draft-06, as the C3VOC schema is
// written) with the format checks python3-jsonschema has, printing one
// JSON list of error messages (with their paths) per file.
const validator = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
v = jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
for name in sys.argv[2:]:
    doc = json.load(open(name, encoding="utf-8"))
    errors = sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    print(json.dumps(["/".join(map(str, e.absolute_path)) + ": " + e.message for e in errors]))
`

// schemaCheck returns a function that validates documents against the
// official schedule.json schema with python3-jsonschema (one Python run
// for them all), giving an error for each invalid one; it skips the test
// when Python or the module is missing (fails when CI=true).
func schemaCheck(t *testing.T) func(t *testing.T, docs ...[]byte) []error {
	t.Helper()
	schema := shared(t, "schemas/schedule.schema.json")
	python, err := exec.LookPath("python3")
	if err == nil {
		err = exec.Command(python, "-c", "import jsonschema").Run()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but python3 with jsonschema is missing (apt-get install python3-jsonschema): %v", err)
		}
		t.Skipf("python3 with jsonschema is missing (apt-get install python3-jsonschema): %v", err)
	}
	return func(t *testing.T, docs ...[]byte) []error {
		t.Helper()
		args := []string{"-c", validator, schema}
		for i, doc := range docs {
			file := filepath.Join(t.TempDir(), fmt.Sprintf("schedule-%d.json", i))
			if err := os.WriteFile(file, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			args = append(args, file)
		}
		out, err := exec.Command(python, args...).Output()
		if err != nil {
			t.Fatalf("running the validator: %v", err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if len(lines) != len(docs) {
			t.Fatalf("the validator answered %d lines for %d documents:\n%s", len(lines), len(docs), out)
		}
		errs := make([]error, len(docs))
		for i, l := range lines {
			var msgs []string
			if err := json.Unmarshal([]byte(l), &msgs); err != nil {
				t.Fatalf("the validator's answer %q: %v", l, err)
			}
			if len(msgs) > 0 {
				errs[i] = fmt.Errorf("not valid against schedule.schema.json:\n%s", strings.Join(msgs, "\n"))
			}
		}
		return errs
	}
}
