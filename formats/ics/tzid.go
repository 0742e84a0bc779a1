package ics

import (
	"fmt"
	"strings"
	"time"

	"confcal/formats/internal/schedule"
)

// zones resolves the TZIDs of one calendar to Go locations, once each.
type zones struct {
	xlic  map[string]string // TZID → X-LIC-LOCATION of its VTIMEZONE
	known map[string]zoneAnswer
}

type zoneAnswer struct {
	loc *time.Location
	err error
}

// resolve returns the location a TZID names. The VTIMEZONE's rules are
// not read: a TZID is taken for the zone it names, which is what every
// calendar program that writes one means by it. In turn it tries
//
//   - the TZID as an IANA name ("Europe/Berlin");
//   - the IANA name at the end of a path-like TZID, as Mozilla and
//     Evolution write them ("/mozilla.org/20050126_1/Europe/Berlin",
//     "/softwarestudio.org/Olson_20011030_5/Europe/Berlin");
//   - the X-LIC-LOCATION of the calendar's VTIMEZONE of that TZID (libical);
//   - the Windows name of a common zone, as Outlook and Exchange write
//     them ("W. Europe Standard Time"; see windowsZone).
//
// Anything else is an error: the zone is never guessed from offsets.
func (z *zones) resolve(tzid string) (*time.Location, error) {
	if a, ok := z.known[tzid]; ok {
		return a.loc, a.err
	}
	loc, err := z.lookUp(tzid)
	z.known[tzid] = zoneAnswer{loc, err}
	return loc, err
}

func (z *zones) lookUp(tzid string) (*time.Location, error) {
	name := strings.TrimSpace(strings.Trim(tzid, `"`))
	if loc, ok := iana(name); ok {
		return loc, nil
	}
	if strings.HasPrefix(name, "/") {
		for i := 1; i < len(name); i++ {
			if name[i-1] != '/' {
				continue
			}
			if loc, ok := iana(name[i:]); ok && strings.Contains(name[i:], "/") {
				return loc, nil
			}
		}
	}
	if loc, ok := iana(strings.TrimSpace(z.xlic[tzid])); ok {
		return loc, nil
	}
	if loc, ok := iana(windowsZone(name)); ok {
		return loc, nil
	}
	return nil, fmt.Errorf("TZID %q names no IANA time zone (nor a Windows zone this import knows, nor does a VTIMEZONE give an X-LIC-LOCATION)", schedule.Clip(tzid))
}

// iana loads name as an IANA zone name. "Local" (the server's own zone)
// and "" (UTC to Go) are not names of a zone.
func iana(name string) (*time.Location, bool) {
	if name == "" || strings.EqualFold(name, "local") {
		return nil, false
	}
	loc, err := time.LoadLocation(name)
	return loc, err == nil
}

// windowsZone maps the Windows names of common zones, which Outlook and
// Exchange write as TZIDs, to the IANA zone CLDR's windowsZones table
// gives for them (its "001" territory). It covers the zones of most
// conference venues; a Windows name not in it is reported, not guessed.
func windowsZone(name string) string {
	switch name {
	case "UTC", "Coordinated Universal Time":
		return "UTC"
	case "GMT Standard Time":
		return "Europe/London"
	case "Greenwich Standard Time":
		return "Atlantic/Reykjavik"
	case "W. Europe Standard Time":
		return "Europe/Berlin"
	case "Romance Standard Time":
		return "Europe/Paris"
	case "Central Europe Standard Time":
		return "Europe/Budapest"
	case "Central European Standard Time":
		return "Europe/Warsaw"
	case "E. Europe Standard Time":
		return "Europe/Chisinau"
	case "FLE Standard Time":
		return "Europe/Kiev"
	case "GTB Standard Time":
		return "Europe/Bucharest"
	case "Russian Standard Time":
		return "Europe/Moscow"
	case "Turkey Standard Time":
		return "Europe/Istanbul"
	case "Israel Standard Time":
		return "Asia/Jerusalem"
	case "South Africa Standard Time":
		return "Africa/Johannesburg"
	case "Arabian Standard Time":
		return "Asia/Dubai"
	case "India Standard Time":
		return "Asia/Kolkata"
	case "China Standard Time":
		return "Asia/Shanghai"
	case "Singapore Standard Time":
		return "Asia/Singapore"
	case "Tokyo Standard Time":
		return "Asia/Tokyo"
	case "Korea Standard Time":
		return "Asia/Seoul"
	case "AUS Eastern Standard Time":
		return "Australia/Sydney"
	case "New Zealand Standard Time":
		return "Pacific/Auckland"
	case "Eastern Standard Time":
		return "America/New_York"
	case "Central Standard Time":
		return "America/Chicago"
	case "Mountain Standard Time":
		return "America/Denver"
	case "US Mountain Standard Time":
		return "America/Phoenix"
	case "Pacific Standard Time":
		return "America/Los_Angeles"
	case "Alaskan Standard Time":
		return "America/Anchorage"
	case "Hawaiian Standard Time":
		return "Pacific/Honolulu"
	case "Atlantic Standard Time":
		return "America/Halifax"
	case "E. South America Standard Time":
		return "America/Sao_Paulo"
	}
	return ""
}
