#!/usr/bin/python3
"""Every feed confcal serves, parsed and checked by libical.

Usage:
    libical-check.py CONFCAL_BINARY   serve the built-in agenda on a loopback
                                      port and check every feed GET /feeds
                                      lists, one pick (custom.ics) without
                                      and with reminders (alarm=10m) and
                                      the .ics of every CalDAV calendar
    libical-check.py FILE.ics ...     check saved calendars

libical is the iCalendar library of Evolution and GNOME Calendar. Each
calendar is parsed with ICalGLib.Component.new_from_string, which records
what it cannot parse as X-LIC-ERROR properties, then put through
ICalGLib.restriction_check, libical's check of RFC 5545/5546 restrictions
(property counts per METHOD, DTEND after DTSTART, VTIMEZONE observances),
which adds X-LIC-ERROR properties for what fails. A calendar fails when any
X-LIC-ERROR appears anywhere in it, when the restriction check fails, when
libical sees another number of VEVENTs than the text has or the server says
the feed holds, or when libical, reading the calendar's own VTIMEZONE (its
RRULEs), puts a session's start or end at another instant than Python's
zoneinfo does.

Needs Debian's python3-gi and gir1.2-ical-3.0 (.ci/run installs them).
"""

import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import zoneinfo

try:
    import gi

    gi.require_version("ICalGLib", "3.0")
    from gi.repository import ICalGLib
except (ImportError, ValueError) as e:
    sys.exit("libical-check: %s: install Debian's python3-gi and gir1.2-ical-3.0 "
             "(apt-get install -y python3-gi gir1.2-ical-3.0)" % e)


def errors(comp, path=""):
    """Yields (component path, message) for every X-LIC-ERROR in comp and below."""
    path = path + "/" + ICalGLib.Component.kind_to_string(comp.isa())
    kind = ICalGLib.PropertyKind.XLICERROR_PROPERTY
    prop = comp.get_first_property(kind)
    while prop is not None:
        yield path, prop.get_value_as_string()
        prop = comp.get_next_property(kind)
    child = comp.get_first_component(ICalGLib.ComponentKind.ANY_COMPONENT)
    while child is not None:
        yield from errors(child, path)
        child = comp.get_next_component(ICalGLib.ComponentKind.ANY_COMPONENT)


def check(body, events=None):
    """Returns the problems libical finds in one calendar, as strings."""
    comp = ICalGLib.Component.new_from_string(body)
    if comp is None:
        return ["libical parsed nothing"]
    if comp.isa() != ICalGLib.ComponentKind.VCALENDAR_COMPONENT:
        return ["libical parsed a %s, not a VCALENDAR" % ICalGLib.Component.kind_to_string(comp.isa())]
    problems = ["parse: %s: %s" % e for e in errors(comp)]
    if problems:
        return problems
    ok = ICalGLib.restriction_check(comp)
    problems = ["restriction check: %s: %s" % e for e in errors(comp)]
    if not ok and not problems:
        problems = ["restriction check failed without saying why"]
    problems += times(comp)
    n = comp.count_components(ICalGLib.ComponentKind.VEVENT_COMPONENT)
    if n != body.count("\r\nBEGIN:VEVENT\r\n"):
        problems.append("libical sees %d VEVENTs, the text has %d" % (n, body.count("\r\nBEGIN:VEVENT\r\n")))
    if events is not None and n != events:
        problems.append("libical sees %d VEVENTs, the server lists %d" % (n, events))
    return problems


def children(comp, kind):
    """Yields the sub-components of comp of one kind."""
    child = comp.get_first_component(kind)
    while child is not None:
        yield child
        child = comp.get_next_component(kind)


def times(cal):
    """Returns where libical, reading the calendar's own VTIMEZONEs (their
    RRULEs expanded by libical), puts a DTSTART or DTEND at another instant
    than Python's zoneinfo (the system's tz database) does for the same
    TZID, or where a TZID has no VTIMEZONE."""
    zones = {}
    for vtz in children(cal, ICalGLib.ComponentKind.VTIMEZONE_COMPONENT):
        tz = ICalGLib.Timezone.new()
        tz.set_component(vtz.clone())
        zones[tz.get_tzid()] = tz
    problems = []
    for ev in children(cal, ICalGLib.ComponentKind.VEVENT_COMPONENT):
        for kind in (ICalGLib.PropertyKind.DTSTART_PROPERTY, ICalGLib.PropertyKind.DTEND_PROPERTY):
            prop = ev.get_first_property(kind)
            tzid = prop.get_parameter_as_string("TZID") if prop is not None else None
            if tzid is None:
                continue
            if tzid not in zones:
                problems.append("%s: TZID %s has no VTIMEZONE" % (prop.as_ical_string().strip(), tzid))
                continue
            t = prop.get_dtstart() if kind == ICalGLib.PropertyKind.DTSTART_PROPERTY else prop.get_dtend()
            local = datetime.datetime(t.get_year(), t.get_month(), t.get_day(), t.get_hour(), t.get_minute(),
                                      t.get_second(), tzinfo=zoneinfo.ZoneInfo(tzid))
            if t.as_timet_with_zone(zones[tzid]) != int(local.timestamp()):
                problems.append("%s: libical reads %s UTC, zoneinfo %s" % (
                    prop.as_ical_string().strip(),
                    datetime.datetime.fromtimestamp(t.as_timet_with_zone(zones[tzid]), datetime.timezone.utc),
                    local.astimezone(datetime.timezone.utc)))
    return problems


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        if r.status != 200:
            raise RuntimeError("GET %s: %d" % (url, r.status))
        return r.headers.get("Content-Type", ""), r.read().decode("utf-8")


def serve(binary, work):
    """Starts binary serve on a loopback port; returns (process, base URL)."""
    log = open(os.path.join(work, "server.log"), "w+")
    proc = subprocess.Popen(
        [binary, "serve", "-addr", "127.0.0.1:0", "-data", os.path.join(work, "data")],
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    listening = re.compile(r"msg=listening addr=(\S+)")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        log.seek(0)
        m = listening.search(log.read())
        if m:
            return proc, "http://" + m.group(1)
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    proc.wait()
    log.seek(0)
    sys.exit("libical-check: confcal serve did not start:\n" + log.read())


def served_feeds(base):
    """Yields (url, events) for every feed /feeds lists, one pick without
    and with reminders (libical then parses its VALARMs: a TRIGGER it cannot
    read as a DURATION is an X-LIC-ERROR; .ci/icalendar-check.py checks what
    the reminders say), and the whole .ics of every CalDAV calendar (GET on
    the collection)."""
    listing = json.loads(get(base + "/feeds")[1])
    first = {}
    dav = [base + "/dav/public/calendars/all/"]
    for f in listing["feeds"]:
        first.setdefault(f["kind"], f.get("id"))
        if f["kind"] in ("track", "room"):
            dav.append(base + "/dav/public/calendars/%s-%s/" % (f["kind"], urllib.parse.quote(f["id"])))
        yield f["url"], f["events"]
    # A pick has no entry in the list, and CalDAV calendars leave cancelled
    # sessions out: their events are not counted here.
    query = urllib.parse.urlencode({"tracks": first.get("track", ""), "sessions": first.get("session", "")})
    yield base + "/feeds/custom.ics?" + query, None
    yield base + "/feeds/custom.ics?" + query + "&alarm=10m", None
    for url in dav:
        yield url, None


def main(args):
    if not args:
        sys.exit(__doc__)
    failed, checked = 0, 0
    if len(args) == 1 and not args[0].endswith(".ics"):
        with tempfile.TemporaryDirectory() as work:
            proc, base = serve(args[0], work)
            try:
                for url, n in served_feeds(base):
                    ctype, body = get(url)
                    problems = check(body, n)
                    if not ctype.startswith("text/calendar"):
                        problems.append("Content-Type %r" % ctype)
                    failed += report(url, problems)
                    checked += 1
            finally:
                proc.terminate()
                proc.wait()
    else:
        for path in args:
            with open(path, newline="", encoding="utf-8") as f:  # keep CRLF
                failed += report(path, check(f.read()))
            checked += 1
    if failed:
        print("libical-check: %d of %d calendars FAIL" % (failed, checked))
        sys.exit(1)
    print("libical-check: %d calendars parse cleanly and pass libical's restriction check" % checked)


def report(name, problems):
    if not problems:
        return 0
    print("FAIL %s" % name)
    for p in problems[:10]:
        print("  " + p.replace("\n", " "))
    if len(problems) > 10:
        print("  … and %d more" % (len(problems) - 10))
    return 1


if __name__ == "__main__":
    main(sys.argv[1:])
