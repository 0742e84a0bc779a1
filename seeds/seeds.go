package seeds

import (
	_ "embed"
	"fmt"
	"time"

	"confcal/agenda"
)

// FlinkForwardBerlin2019File is the name of the embedded Flink Forward
// Berlin 2019 scrape; parse errors in it are reported under this name.
const FlinkForwardBerlin2019File = "flink-forward-berlin-2019.txt"

// flinkForwardBerlin2019 is embedded as a string so that nobody can change
// it: FlinkForwardBerlin2019 hands out copies.
//
//go:embed flink-forward-berlin-2019.txt
var flinkForwardBerlin2019 string

// FlinkForwardBerlin2019 returns a copy of the embedded scrape of the Flink
// Forward Berlin 2019 agenda page (seeds/flink-forward-berlin-2019.txt).
func FlinkForwardBerlin2019() []byte { return []byte(flinkForwardBerlin2019) }

// FlinkForwardBerlin2019Conference describes Flink Forward Berlin 2019: a
// training day on October 7 and two conference days, October 8 and 9, 2019,
// in Europe/Berlin. Its calendar UIDs end in "@berlin-2019.flink-forward.org".
func FlinkForwardBerlin2019Conference() agenda.Conference {
	return agenda.Conference{
		Name:        "Flink Forward Berlin 2019",
		Description: "The Apache Flink conference: a training day on October 7, then two days of talks on October 8 and 9, 2019, in Berlin",
		TimeZone:    "Europe/Berlin",
		First:       agenda.Date{Year: 2019, Month: time.October, Day: 7},
		Last:        agenda.Date{Year: 2019, Month: time.October, Day: 9},
		UIDDomain:   "berlin-2019.flink-forward.org",
	}
}

// Published returns the LastModified that Parse gives every imported
// session: 2019-10-01 00:00 UTC, a fixed instant a week before the
// conference. The scrape carries no dates, and a constant keeps renders of
// an imported agenda byte-identical from run to run; any later edit is
// newer. It is a function, not a variable, so that no one can change it.
func Published() time.Time { return time.Date(2019, time.October, 1, 0, 0, 0, 0, time.UTC) }

// Default returns revision 1 (base revision 1, empty change log) of the
// embedded Flink Forward Berlin 2019 agenda.
func Default() (*agenda.Snapshot, error) {
	c, err := Parse(FlinkForwardBerlin2019File, FlinkForwardBerlin2019(), FlinkForwardBerlin2019Conference())
	if err != nil {
		return nil, fmt.Errorf("seeds: default agenda: %w", err)
	}
	s, err := agenda.NewSnapshot(c, 1, 1, nil)
	if err != nil {
		return nil, fmt.Errorf("seeds: default agenda: %w", err)
	}
	return s, nil
}
