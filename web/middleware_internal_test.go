package web

import (
	"strconv"
	"strings"
	"testing"
)

// TestScanMemo checks that the remembered scan says what scanXML says, on
// the first and on later sight of a body (a body too deep stays refused),
// and that the memo stays bounded.
func TestScanMemo(t *testing.T) {
	deep := `<propfind xmlns="DAV:">` + strings.Repeat("<a>", maxXMLDepth) + strings.Repeat("</a>", maxXMLDepth) + `</propfind>`
	bodies := []string{
		`<D:sync-collection xmlns:D="DAV:"><D:sync-token/></D:sync-collection>`,
		`<C:calendar-query xmlns:C="urn:ietf:params:xml:ns:caldav"/>`,
		`<propfind xmlns="DAV:"><allprop/></propfind>`,
		deep,
		"not xml",
		`<propfind xmlns="DAV:">` + strings.Repeat(" ", maxScanMemoBody) + `</propfind>`, // not remembered
	}
	var m scanMemo
	for round := range 3 {
		for _, b := range bodies {
			wantRoot, wantOK := scanXML([]byte(b))
			if root, ok := m.scan([]byte(b)); root != wantRoot || ok != wantOK {
				t.Errorf("round %d, %.40q: (%q, %v), want (%q, %v)", round, b, root, ok, wantRoot, wantOK)
			}
		}
	}
	if _, ok := m.scan([]byte(deep)); ok {
		t.Error("a body nested too deep passed once remembered")
	}
	if len(m.m) != len(bodies)-1 {
		t.Errorf("%d bodies remembered, want %d", len(m.m), len(bodies)-1)
	}
	for i := range 3 * maxScanMemo {
		b := `<propfind xmlns="DAV:"><prop><x` + strconv.Itoa(i) + `/></prop></propfind>`
		if root, ok := m.scan([]byte(b)); root != "propfind" || !ok {
			t.Fatalf("%s: (%q, %v)", b, root, ok)
		}
	}
	if len(m.m) > maxScanMemo {
		t.Errorf("%d bodies remembered, want at most %d", len(m.m), maxScanMemo)
	}
}
