package frabjson_test

import (
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

// validator is a Python program that validates the JSON file argv[2]
// against the JSON Schema argv[1] (draft-06, as the C3VOC schema is
// written) with the format checks python3-jsonschema has, printing every
// error with its path.
const validator = `
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
doc = json.load(open(sys.argv[2], encoding="utf-8"))
v = jsonschema.Draft6Validator(schema, format_checker=jsonschema.Draft6Validator.FORMAT_CHECKER)
errors = sorted(v.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
for e in errors:
    print("/".join(map(str, e.absolute_path)) + ": " + e.message)
sys.exit(1 if errors else 0)
`

// schemaCheck returns a function that validates a document against the
// official schedule.json schema with python3-jsonschema, or skips the
// test when Python or the module is missing (fails when CI=true).
func schemaCheck(t *testing.T) func(t *testing.T, doc []byte) error {
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
	return func(t *testing.T, doc []byte) error {
		t.Helper()
		file := filepath.Join(t.TempDir(), "schedule.json")
		if err := os.WriteFile(file, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(python, "-c", validator, schema, file).CombinedOutput()
		if err != nil {
			if _, failed := err.(*exec.ExitError); !failed {
				t.Fatalf("running the validator: %v", err)
			}
			return &schemaError{strings.TrimSpace(string(out))}
		}
		return nil
	}
}

type schemaError struct{ msg string }

func (e *schemaError) Error() string { return "not valid against schedule.schema.json:\n" + e.msg }
