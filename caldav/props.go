package caldav

import (
	"encoding/xml"
	"net/http"
	"strconv"
)

// privilegeSetXML is the current-user-privilege-set of every resource:
// read only (RFC 3744 §5.4). go-webdav v0.7.0 hard-codes read and write
// on calendars, which makes clients offer editing; without the property
// DAVx5 assumes a writable calendar.
var privilegeSetXML = el(xml.Name{Space: nsDAV, Local: "privilege"}, condition(nsDAV, "read")) +
	el(xml.Name{Space: nsDAV, Local: "privilege"}, condition(nsDAV, "read-current-user-privilege-set"))

// supportedReportsXML lists the REPORTs of calendars and of the home
// (RFC 3253 §3.1.5, RFC 4791 §7, RFC 6578 §3). go-webdav v0.7.0 serves no
// supported-report-set at all; clients use sync-collection only when it is
// listed, and Apple's clients look for it on the home too.
var supportedReportsXML = func() string {
	var s string
	for _, n := range []xml.Name{
		{Space: nsCalDAV, Local: "calendar-query"},
		{Space: nsCalDAV, Local: "calendar-multiget"},
		{Space: nsDAV, Local: "sync-collection"},
	} {
		s += el(xml.Name{Space: nsDAV, Local: "supported-report"}, el(xml.Name{Space: nsDAV, Local: "report"}, el(n)))
	}
	return s
}()

// collectionType renders the resourcetype of a collection, plus extra
// types.
func collectionType(extra ...xml.Name) rawElem {
	inner := condition(nsDAV, "collection")
	for _, n := range extra {
		inner += el(n)
	}
	return xmlProp(nameResourceType, inner)
}

// syncToken returns the sync token of a calendar (or of the home, id
// "home") for the state after revision rev.
func (v *view) syncToken(id string, rev int64) string {
	return v.syncBase + v.epoch + "/" + id + "/" + strconv.FormatInt(rev, 10)
}

// homeID names the home in sync tokens; no calendar has this ID.
const homeID = "home"

// prop returns property name of res as this package serves it, and false
// for a property it does not serve there. report says whether the answer
// is part of a REPORT: calendar-data exists only there (RFC 4791 §9.6).
func (v *view) prop(res resource, name xml.Name, report bool) (rawElem, bool) {
	// Properties of every resource.
	switch name {
	case namePrivileges:
		return xmlProp(name, privilegeSetXML), true
	case nameCurrentPrincipal:
		return xmlProp(name, hrefXML(v.p.principal())), true
	}
	switch res.kind {
	case resRoot:
		if name == nameResourceType {
			return collectionType(), true
		}
	case resPrincipal:
		switch name {
		case nameResourceType:
			return collectionType(xml.Name{Space: nsDAV, Local: "principal"}), true
		case namePrincipalURL:
			return xmlProp(name, hrefXML(v.p.principal())), true
		case nameCalendarHomeSet:
			return xmlProp(name, hrefXML(v.p.home())), true
		case nameDisplayName:
			return textProp(name, v.snap.Conference().Name), true
		}
	case resHome:
		switch name {
		case nameResourceType:
			return collectionType(), true
		case nameSupportedReports:
			return xmlProp(name, supportedReportsXML), true
		case nameSyncToken:
			return textProp(name, v.syncToken(homeID, v.homeSince)), true
		case nameOwner:
			return xmlProp(name, hrefXML(v.p.principal())), true
		case nameDisplayName:
			return textProp(name, v.snap.Conference().Name+" — calendars"), true
		}
	case resCalendar:
		return v.calendarProp(res.cal, name)
	case resObject:
		return v.objectProp(res.obj, name, report)
	}
	return rawElem{}, false
}

func (v *view) calendarProp(c *calendar, name xml.Name) (rawElem, bool) {
	switch name {
	case nameResourceType:
		return collectionType(xml.Name{Space: nsCalDAV, Local: "calendar"}), true
	case nameDisplayName:
		return textProp(name, c.name), true
	case nameCalendarDesc:
		return textProp(name, c.desc), true
	case nameComponentSet:
		return xmlProp(name, `<comp xmlns="`+nsCalDAV+`" name="VEVENT"></comp>`), true
	case nameSupportedData:
		return xmlProp(name, `<calendar-data xmlns="`+nsCalDAV+`" content-type="text/calendar" version="2.0"></calendar-data>`), true
	case nameSupportedReports:
		return xmlProp(name, supportedReportsXML), true
	case nameSyncToken, nameGetCTag:
		// The ctag is the sync token (as sabre/dav does): both change
		// exactly when the calendar's membership or a member changes.
		// go-webdav v0.7.0 has neither.
		return textProp(name, v.syncToken(c.id, c.changed)), true
	case nameGetETag:
		// The ETag of the calendar's .ics, as GET sends it.
		return textProp(name, v.feedOf(c).ETag), true
	case nameOwner:
		return xmlProp(name, hrefXML(v.p.principal())), true
	case nameCalendarColor:
		return textProp(name, c.color), true
	case nameCalendarOrder:
		return textProp(name, strconv.Itoa(c.order)), true
	}
	return rawElem{}, false
}

// objectProp serves the properties of a calendar object.
func (v *view) objectProp(o *object, name xml.Name, report bool) (rawElem, bool) {
	switch name {
	case nameResourceType:
		return rawElem{XMLName: name}, true
	case nameGetETag:
		return textProp(name, o.doc.ETag), true
	case nameGetContentType:
		return textProp(name, "text/calendar; charset=utf-8"), true
	case nameGetContentLength:
		return textProp(name, strconv.Itoa(len(o.doc.Body))), true
	case nameGetLastModified:
		if o.doc.Modified.IsZero() {
			return rawElem{}, false
		}
		return textProp(name, o.doc.Modified.UTC().Format(http.TimeFormat)), true
	case nameCalendarData:
		if report {
			return textProp(name, string(o.doc.Body)), true
		}
	}
	return rawElem{}, false
}

// propNames lists the properties this package adds to a resource, for
// PROPFIND propname answers.
func propNames(k resKind) []xml.Name {
	common := []xml.Name{namePrivileges}
	switch k {
	case resPrincipal:
		return append(common, namePrincipalURL, nameDisplayName)
	case resHome:
		return append(common, nameSupportedReports, nameSyncToken, nameOwner, nameDisplayName)
	case resCalendar:
		return append(common, nameSupportedReports, nameSyncToken, nameGetCTag, nameGetETag, nameOwner, nameCalendarColor, nameCalendarOrder)
	}
	return common
}
