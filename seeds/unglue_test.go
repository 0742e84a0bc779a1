package seeds

import "testing"

func TestUnglue(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"to solve real problems.Course Content\n- Introduction", "to solve real problems.\nCourse Content\n- Introduction"},
		{"is required.You will need", "is required.\nYou will need"},
		{"in the Financial Industry?Indizen technologies", "in the Financial Industry?\nIndizen technologies"},
		{"Really!Yes, and so.Twice.Over", "Really!\nYes, and so.\nTwice.\nOver"},
		// Left alone: a stop with a space, a stop inside a name or a
		// number, capitals after it (an acronym), and a heading glued
		// without a stop.
		{"It works. Then it scales.", "It works. Then it scales."},
		{"Node.js and flink.apache.org and v1.9.Release", "Node.js and flink.apache.org and v1.9.Release"},
		{"a U.S.A. trip and the end.SQL", "a U.S.A. trip and the end.SQL"},
		{"PrerequisitesIn order to", "PrerequisitesIn order to"},
		{"", ""},
		{"x.Y", "x.Y"},
		{"x.Yz", "x.\nYz"},
	} {
		if got := unglue(tc.in); got != tc.want {
			t.Errorf("unglue(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
