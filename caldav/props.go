package caldav

import (
	"encoding/xml"
	"fmt"
	"strconv"
)

// This file holds every property the tree serves, rendered as complete
// XML elements (see xml.go): the constant ones once, the ones of the fixed
// resources and calendars once per view, the ones of objects once per
// rendering (tree.go).

// Properties that are the same everywhere.
var (
	// privilegesXML is the current-user-privilege-set of every resource:
	// read only (RFC 3744 §5.4), so clients offer no editing. DAVx5 takes
	// a missing privilege set for a writable calendar. The set lists an
	// aggregate privilege and the ones it contains (RFC 3744 §5.4), and
	// DAV:read contains CALDAV:read-free-busy (RFC 4791 §6.1.1), which
	// free-busy-query asks for (freebusy.go).
	privilegesXML = el(namePrivileges,
		el(xml.Name{Space: nsDAV, Local: "privilege"}, condition(nsDAV, "read")),
		el(xml.Name{Space: nsDAV, Local: "privilege"}, condition(nsDAV, "read-current-user-privilege-set")),
		el(xml.Name{Space: nsDAV, Local: "privilege"}, condition(nsCalDAV, "read-free-busy")))

	// The supported-report-set of calendars, of the home and of calendar
	// objects (RFC 3253 §3.1.5): each lists the REPORTs serveReport
	// answers on that kind of resource. RFC 4791 §7 wants calendar-query
	// and calendar-multiget listed on calendars and on their objects;
	// clients use sync-collection (RFC 6578 §3) only when it is listed,
	// and Apple's clients look for it on the home too, where a
	// calendar-query has no calendar to search. free-busy-query, which
	// RFC 4791 §7.10 requires, is answered on calendars (freebusy.go).
	calendarReportsXML = supportedReports(condition(nsCalDAV, "calendar-query"), condition(nsCalDAV, "calendar-multiget"), condition(nsDAV, "sync-collection"), condition(nsCalDAV, "free-busy-query"))
	homeReportsXML     = supportedReports(condition(nsCalDAV, "calendar-multiget"), condition(nsDAV, "sync-collection"))
	objectReportsXML   = supportedReports(condition(nsCalDAV, "calendar-query"), condition(nsCalDAV, "calendar-multiget"))

	typeCollectionXML = el(nameResourceType, condition(nsDAV, "collection"))
	typePrincipalXML  = el(nameResourceType, condition(nsDAV, "collection"), condition(nsDAV, "principal"))
	typeCalendarXML   = el(nameResourceType, condition(nsDAV, "collection"), condition(nsCalDAV, "calendar"))
	typeObjectXML     = el(nameResourceType)

	componentSetXML = el(nameComponentSet, `<comp xmlns="`+nsCalDAV+`" name="VEVENT"></comp>`)
	calendarDataXML = el(nameSupportedData, `<calendar-data xmlns="`+nsCalDAV+`" content-type="text/calendar" version="2.0"></calendar-data>`)
	contentTypeXML  = textElem(nameGetContentType, "text/calendar; charset=utf-8")
)

// infoContentType is the media type of what GET answers on the root, the
// principal and the home: a line of text for someone who opens the
// address in a browser.
const infoContentType = "text/plain; charset=utf-8"

// supportedReports renders a supported-report-set of the reports given as
// empty elements.
func supportedReports(reports ...string) string {
	var items []string
	for _, r := range reports {
		items = append(items, el(xml.Name{Space: nsDAV, Local: "supported-report"}, el(xml.Name{Space: nsDAV, Local: "report"}, r)))
	}
	return el(nameSupportedReports, items...)
}

// viewProps are the properties of the fixed resources of a view.
type viewProps struct {
	currentPrincipal, principalURL, homeSet, owner string
	principalName, homeName                        string // displayname
	homeToken                                      string // sync-token
	// info is the text GET answers on the root, the principal and the
	// home, and infoType and infoLength its getcontenttype and
	// getcontentlength (RFC 4918 §15.4, §15.5).
	info, infoType, infoLength string
}

// calendarProps are the properties of one calendar in a view.
type calendarProps struct {
	displayName, description, color, order, syncToken, ctag string
}

// renderProps renders the properties of the fixed resources and of the
// calendars. It runs after findChanges, which the tokens depend on.
func (v *view) renderProps() {
	conf := v.snap.Conference()
	principal := hrefXML(v.p.principalPath())
	v.props = viewProps{
		currentPrincipal: el(nameCurrentPrincipal, principal),
		principalURL:     el(namePrincipalURL, principal),
		homeSet:          el(nameCalendarHomeSet, hrefXML(v.p.home())),
		owner:            el(nameOwner, principal),
		principalName:    textElem(nameDisplayName, conf.Name),
		homeName:         textElem(nameDisplayName, conf.Name+" — calendars"),
		homeToken:        textElem(nameSyncToken, v.syncToken(homeID, v.homeSince)),
		info: fmt.Sprintf("This is the CalDAV server of %s.\nAdd this address to a calendar app as a CalDAV account (no password needed).\n",
			conf.Name),
		infoType: textElem(nameGetContentType, infoContentType),
	}
	v.props.infoLength = textElem(nameGetContentLength, strconv.Itoa(len(v.props.info)))
	for _, c := range v.cals {
		// The ctag is the sync token (as sabre/dav does): both change
		// exactly when the calendar's membership or a member changes.
		tok := v.syncToken(c.id, c.changed)
		c.props = calendarProps{
			displayName: textElem(nameDisplayName, c.name),
			description: textElem(nameCalendarDesc, c.desc),
			color:       textElem(nameCalendarColor, c.color),
			order:       textElem(nameCalendarOrder, strconv.Itoa(c.order)),
			syncToken:   textElem(nameSyncToken, tok),
			ctag:        textElem(nameGetCTag, tok),
		}
	}
}

// syncToken returns the sync token of a calendar (or of the home, id
// "home") for the state after revision rev.
func (v *view) syncToken(id string, rev int64) string {
	return v.syncBase + v.epoch + "/" + id + "/" + strconv.FormatInt(rev, 10)
}

// homeID names the home in sync tokens; no calendar has this ID.
const homeID = "home"

// prop returns property name of res, rendered, and false for a property
// res does not have. report says whether the answer is part of a REPORT:
// calendar-data exists only there (RFC 4791 §9.6).
func (v *view) prop(res resource, name xml.Name, report bool) (string, bool) {
	// Properties of every resource.
	switch name {
	case namePrivileges:
		return privilegesXML, true
	case nameCurrentPrincipal:
		return v.props.currentPrincipal, true
	}
	if res.kind == resRoot || res.kind == resPrincipal || res.kind == resHome {
		switch name {
		case nameGetContentType:
			return v.props.infoType, true
		case nameGetContentLength:
			return v.props.infoLength, true
		}
	}
	switch res.kind {
	case resRoot:
		if name == nameResourceType {
			return typeCollectionXML, true
		}
	case resPrincipal:
		switch name {
		case nameResourceType:
			return typePrincipalXML, true
		case namePrincipalURL:
			return v.props.principalURL, true
		case nameCalendarHomeSet:
			return v.props.homeSet, true
		case nameDisplayName:
			return v.props.principalName, true
		}
	case resHome:
		switch name {
		case nameResourceType:
			return typeCollectionXML, true
		case nameSupportedReports:
			return homeReportsXML, true
		case nameSyncToken:
			return v.props.homeToken, true
		case nameOwner:
			return v.props.owner, true
		case nameDisplayName:
			return v.props.homeName, true
		}
	case resCalendar:
		return v.calendarProp(res.cal, name)
	case resObject:
		return objectProp(res.obj, name, report)
	}
	return "", false
}

func (v *view) calendarProp(c *calendar, name xml.Name) (string, bool) {
	switch name {
	case nameResourceType:
		return typeCalendarXML, true
	case nameDisplayName:
		return c.props.displayName, true
	case nameCalendarDesc:
		return c.props.description, true
	case nameComponentSet:
		return componentSetXML, true
	case nameSupportedData:
		return calendarDataXML, true
	case nameSupportedReports:
		return calendarReportsXML, true
	case nameSyncToken:
		return c.props.syncToken, true
	case nameGetCTag:
		return c.props.ctag, true
	case nameGetETag, nameGetContentLength, nameGetLastModified:
		// What GET sends of the calendar's .ics: RFC 4918 §15 wants
		// these defined wherever GET sends the header they mirror. Not
		// getcontenttype (which §15.5 wants too): a client that lists a
		// calendar's members by getetag and getcontenttype, without
		// resourcetype, would take a calendar answering text/calendar
		// for one of its events.
		v.feedOf(c)
		switch name {
		case nameGetETag:
			return c.etagXML, true
		case nameGetContentLength:
			return c.lengthXML, true
		}
		return c.lastModXML, c.lastModXML != ""
	case nameOwner:
		return v.props.owner, true
	case nameCalendarColor:
		return c.props.color, true
	case nameCalendarOrder:
		return c.props.order, true
	}
	return v.pushProp(c, name)
}

// objectProp serves the properties of a calendar object.
func objectProp(o *object, name xml.Name, report bool) (string, bool) {
	switch name {
	case nameResourceType:
		return typeObjectXML, true
	case nameGetETag:
		return o.etagXML, true
	case nameGetContentType:
		return contentTypeXML, true
	case nameGetContentLength:
		return o.lengthXML, true
	case nameGetLastModified:
		return o.lastModXML, o.lastModXML != ""
	case nameSupportedReports:
		return objectReportsXML, true
	}
	return "", false
}

// The element around an object's calendar-data (see view.writeProp).
var (
	calendarDataOpen  = "<" + nameCalendarData.Local + ` xmlns="` + nameCalendarData.Space + `">`
	calendarDataClose = "</" + nameCalendarData.Local + ">"
	objectEndXML      = escape("END:VCALENDAR\r\n")
)

// allProps lists what DAV:allprop returns (RFC 4918 §9.1) for a kind of
// resource: its properties but the ones RFCs keep out of allprop answers
// (DAV:sync-token, RFC 6578 §4; calendar-data in PROPFIND, RFC 4791 §9.6).
// In a REPORT, objects answer calendar-data too.
func allProps(k resKind, report bool) []xml.Name {
	switch k {
	case resRoot:
		return []xml.Name{nameResourceType, nameGetContentType, nameGetContentLength, nameCurrentPrincipal, namePrivileges}
	case resPrincipal:
		return []xml.Name{nameResourceType, nameGetContentType, nameGetContentLength, nameDisplayName, namePrincipalURL, nameCalendarHomeSet,
			nameCurrentPrincipal, namePrivileges}
	case resHome:
		return []xml.Name{nameResourceType, nameGetContentType, nameGetContentLength, nameDisplayName, nameOwner, nameSupportedReports,
			nameCurrentPrincipal, namePrivileges}
	case resCalendar:
		return []xml.Name{nameResourceType, nameDisplayName, nameCalendarDesc, nameComponentSet, nameSupportedData,
			nameSupportedReports, nameGetCTag, nameGetETag, nameGetContentLength, nameGetLastModified,
			nameOwner, nameCalendarColor, nameCalendarOrder,
			nameCurrentPrincipal, namePrivileges}
	case resObject:
		if report {
			return objectAllPropsReport
		}
		return objectAllProps
	}
	return nil
}

// Objects leave out the privilege set, the same as their calendar's, which
// is what clients read: an allprop listing of a calendar stays a listing
// of ETags.
var (
	objectAllProps       = []xml.Name{nameResourceType, nameGetETag, nameGetContentType, nameGetContentLength, nameGetLastModified}
	objectAllPropsReport = append(objectAllProps[:len(objectAllProps):len(objectAllProps)], nameCalendarData)
)

// propNames lists the names a DAV:propname request returns: allprop's and
// the ones left out of allprop.
func propNames(k resKind, report bool) []xml.Name {
	names := allProps(k, report)
	switch k {
	case resHome, resCalendar:
		names = append(names[:len(names):len(names)], nameSyncToken)
	case resObject:
		names = append(names[:len(names):len(names)], nameSupportedReports)
	}
	return names
}
