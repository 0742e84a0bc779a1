package frabjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"confcal/formats/internal/schedule"
)

// member is one name and value of a JSON object, in document order.
type member struct {
	key string
	val json.RawMessage
}

// object is a JSON object read leniently: its members in document order
// (room order in a day's "rooms" is the order the organizers gave), the
// first of any repeated name winning.
type object struct {
	members []member
	index   map[string]int
}

// readObject reads raw as a JSON object; ok is false when raw is not one.
func readObject(raw json.RawMessage) (object, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return object{}, false
	}
	o := object{index: map[string]int{}}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return object{}, false
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return object{}, false
		}
		if _, dup := o.index[key]; dup {
			continue
		}
		o.index[key] = len(o.members)
		o.members = append(o.members, member{key, val})
	}
	return o, true
}

// raw returns the value of member key, nil when absent or null.
func (o object) raw(key string) json.RawMessage {
	i, ok := o.index[key]
	if !ok || isNull(o.members[i].val) {
		return nil
	}
	return o.members[i].val
}

// has reports whether member key is present and not null.
func (o object) has(key string) bool { return o.raw(key) != nil }

// str returns member key as a string: a JSON string, or a number's text
// (some tools write IDs as numbers, others as strings). wrong reports a
// value of another type (an object, an array, a boolean).
func (o object) str(key string) (s string, wrong bool) {
	raw := o.raw(key)
	if raw == nil {
		return "", false
	}
	switch raw[0] {
	case '"':
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", true
		}
		return s, false
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return string(raw), false
	}
	return "", true
}

// integer returns member key as a whole number, written as a JSON number
// or as a string of digits; ok is false when it is absent or not one.
func (o object) integer(key string) (n int64, ok bool) {
	s, wrong := o.str(key)
	if wrong || s == "" {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return 0, false
		}
		return int64(f), true
	}
	return n, true
}

// object returns member key as an object.
func (o object) object(key string) (object, bool) {
	raw := o.raw(key)
	if raw == nil {
		return object{}, false
	}
	return readObject(raw)
}

// array returns the elements of member key when it is an array; ok is
// false when it is absent or something else.
func (o object) array(key string) ([]json.RawMessage, bool) {
	return schedule.Array(o.raw(key))
}

func isNull(raw json.RawMessage) bool { return len(raw) == 0 || string(raw) == "null" }

// readDocument reads data as one JSON object (see schedule.DecodeJSON for
// the errors that make the whole document unreadable), naming it and
// reporting what it repaired in p.
func readDocument(p *schedule.Places, data []byte) (object, error) {
	name := p.Name
	raw, err := p.DecodeJSON(data, "a JSON object")
	if err != nil {
		return object{}, err
	}
	o, ok := readObject(raw)
	if !ok {
		return object{}, fmt.Errorf("%s: the document is a JSON %s, want an object with a \"schedule\"", name, kind(raw))
	}
	return o, nil
}

// kind names the JSON type of raw for messages.
func kind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}
