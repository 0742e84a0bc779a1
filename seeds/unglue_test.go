package seeds

import (
	"slices"
	"testing"
)

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

func TestHeadings(t *testing.T) {
	lines := []string{"Prerequisites:", "  Course Content Now:  ", "Background:", "Prerequisites:", "Note: this is text", "lower:", "Four Words In Heading:", "Q&A:", ":", "Why:"}
	if got, want := headings(lines), []string{"Prerequisites", "Course Content Now", "Background", "Why"}; !slices.Equal(got, want) {
		t.Errorf("headings = %q, want %q", got, want)
	}
}

func TestUnglueHeadings(t *testing.T) {
	heads := []string{"Prerequisites", "Background"}
	for _, tc := range []struct{ in, want string }{
		{"latency.\nPrerequisitesIn order to make", "latency.\nPrerequisites\nIn order to make"},
		{"BackgroundThe team\nPrerequisitesYou need", "Background\nThe team\nPrerequisites\nYou need"},
		// Left alone: a heading with its colon or a blank, a heading inside
		// a line, a heading followed by an acronym or a lowercase letter.
		{"Prerequisites: none\nPrerequisites none", "Prerequisites: none\nPrerequisites none"},
		{"See the PrerequisitesIn part", "See the PrerequisitesIn part"},
		{"PrerequisitesSQL\nBackgrounds", "PrerequisitesSQL\nBackgrounds"},
		{"Prerequisites", "Prerequisites"},
	} {
		if got := unglueHeadings(tc.in, heads); got != tc.want {
			t.Errorf("unglueHeadings(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
