#!/usr/bin/python3
"""Reminders in personal feeds, read by python3-icalendar.

Usage:
    icalendar-check.py CONFCAL_BINARY

Serves the built-in agenda on a loopback port and reads with the icalendar
package (the Python library many calendar tools are built on):

  - picks that ask for reminders (custom.ics with alarm=10m, alarm=1h and
    alarm=0m, and a pick stored through the page's form, fetched with
    alarm=5m): every event of a session not cancelled has exactly one
    VALARM, with ACTION:DISPLAY, a TRIGGER that icalendar reads as the lead
    time before the start (not the end), and a DESCRIPTION naming the
    event's SUMMARY and LOCATION; a cancelled session has none;
  - every feed GET /feeds lists, a pick without alarm= and the .ics of a
    CalDAV calendar: no VALARM anywhere;
  - a shared feed asked for reminders answers 400, and so does a pick with
    a lead time out of range.

Needs Debian's python3-icalendar (.ci/run installs it).
"""

import datetime
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

try:
    import icalendar
except ImportError as e:
    sys.exit("icalendar-check: %s: install Debian's python3-icalendar "
             "(apt-get install -y python3-icalendar)" % e)


def get(url):
    """Returns (status, body) of a GET, 4xx and 5xx included."""
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def store_pick(base, sessions):
    """Stores a pick through the page's short-link form; returns its code."""
    data = urllib.parse.urlencode({"sessions": ",".join(sessions)}).encode()
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(urllib.request.Request(base + "/my", data=data), timeout=10)
    except urllib.error.HTTPError as e:
        m = re.match(r"/\?my=([a-z2-7]{16})#my$", e.headers.get("Location", ""))
        if e.code == 303 and m:
            return m.group(1)
        raise RuntimeError("POST /my: %d to %r" % (e.code, e.headers.get("Location")))
    raise RuntimeError("POST /my did not redirect")


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
    sys.exit("icalendar-check: confcal serve did not start:\n" + log.read())


def parse(url, body):
    """Parses body with icalendar; returns the calendar and the problems."""
    try:
        return icalendar.Calendar.from_ical(body), []
    except Exception as e:  # icalendar raises ValueError and others
        return None, ["icalendar cannot read it: %s" % e]


def check_alarms(cal, lead):
    """Returns the problems with the reminders of a feed that asked for lead."""
    problems, alarms = [], 0
    events = list(cal.walk("VEVENT"))
    if not events:
        problems.append("no events")
    for ev in events:
        uid = str(ev.get("UID"))
        found = [c for c in ev.subcomponents if c.name == "VALARM"]
        if str(ev.get("STATUS", "")).upper() == "CANCELLED":
            if found:
                problems.append("%s: cancelled, but %d VALARMs" % (uid, len(found)))
            continue
        if len(found) != 1:
            problems.append("%s: %d VALARMs, want 1" % (uid, len(found)))
            continue
        a = found[0]
        alarms += 1
        if str(a.get("ACTION")) != "DISPLAY":
            problems.append("%s: ACTION %r" % (uid, a.get("ACTION")))
        trigger = a.get("TRIGGER")
        if trigger is None or trigger.params.get("RELATED", "START") != "START":
            problems.append("%s: TRIGGER %r, want one relative to the start" % (uid, trigger))
        elif trigger.dt != -lead:
            problems.append("%s: TRIGGER %s reads as %s, want %s" % (uid, trigger.to_ical().decode(), trigger.dt, -lead))
        want = "%s — %s" % (ev.get("SUMMARY"), ev.get("LOCATION"))
        if str(a.get("DESCRIPTION")) != want:
            problems.append("%s: DESCRIPTION %r, want %r" % (uid, str(a.get("DESCRIPTION")), want))
    if events and not alarms:
        problems.append("no event has a reminder")
    return problems


def check_none(cal):
    """Returns a problem for each VALARM in a feed that asked for none."""
    return ["%s: a VALARM in a feed without reminders" % c.get("UID") for c in cal.walk("VEVENT")
            if any(s.name == "VALARM" for s in c.subcomponents)]


def main(args):
    if len(args) != 1:
        sys.exit(__doc__)
    failed, checked = 0, 0
    with tempfile.TemporaryDirectory() as work:
        proc, base = serve(args[0], work)
        try:
            listing = json.loads(get(base + "/feeds")[1])
            first = {}
            for f in listing["feeds"]:
                first.setdefault(f["kind"], f.get("id"))
            sessions = [f["id"] for f in listing["feeds"] if f["kind"] == "session"][:4]
            pick = urllib.parse.urlencode({"tracks": first["track"], "sessions": ",".join(sessions)})
            code = store_pick(base, sessions)
            minute = datetime.timedelta(minutes=1)
            with_alarms = [
                (base + "/feeds/custom.ics?" + pick + "&alarm=10m", 10 * minute),
                (base + "/feeds/custom.ics?" + pick + "&alarm=1h", 60 * minute),
                (base + "/feeds/custom.ics?days=" + first["day"] + "&alarm=0m", 0 * minute),
                (base + "/feeds/my/" + code + ".ics?alarm=5m", 5 * minute),
            ]
            without = [f["url"] for f in listing["feeds"]] + [
                base + "/feeds/custom.ics?" + pick,
                base + "/feeds/my/" + code + ".ics",
                base + "/dav/public/calendars/all/",
            ]
            for url, lead in with_alarms:
                status, body = get(url)
                cal, problems = parse(url, body)
                if status != 200:
                    problems = ["status %d: %s" % (status, body.strip())]
                elif cal is not None:
                    problems = check_alarms(cal, lead)
                failed += report(url, problems)
                checked += 1
            for url in without:
                status, body = get(url)
                cal, problems = parse(url, body)
                if status != 200:
                    problems = ["status %d" % status]
                elif cal is not None:
                    problems = check_none(cal)
                failed += report(url, problems)
                checked += 1
            for url in (base + "/feeds/all.ics?alarm=10m", base + "/feeds/custom.ics?" + pick + "&alarm=25h"):
                status, body = get(url)
                failed += report(url, [] if status == 400 else ["status %d, want 400" % status])
                checked += 1
        finally:
            proc.terminate()
            proc.wait()
    if failed:
        print("icalendar-check: %d of %d checks FAIL" % (failed, checked))
        sys.exit(1)
    print("icalendar-check: %d feeds read by python3-icalendar %s: reminders exactly where asked for"
          % (checked, icalendar.__version__))


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
