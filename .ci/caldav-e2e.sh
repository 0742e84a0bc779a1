#!/usr/bin/env bash
# .ci/caldav-e2e.sh: CalDAV end to end with real clients from Debian.
#
# Builds confcal, serves the built-in agenda (Flink Forward Berlin 2019) on
# a loopback port, and checks, against numbers taken from the admin API
# (GET /api/sessions) rather than from CalDAV:
#
#   vdirsyncer 0.19   discovers every calendar from the server URL alone and
#                     syncs it into a folder: as many objects per calendar as
#                     it has sessions (cancelled ones left out); a second sync
#                     transfers nothing; after one session is changed through
#                     the admin API, a sync updates exactly that session's
#                     object in each calendar holding it, nothing else.
#   python3-caldav    finds the principal and the calendars from the server
#   0.11              URL alone; a date search for one conference day returns
#                     exactly that day's sessions; a free-busy request for
#                     that day is exactly their busy time, clipped to the day
#                     and merged; sync-collection after the change reports
#                     exactly the changed object.
#
# Then a second conference is added through POST /api/conferences, and
# both clients, given only its URL (/{slug}/), find its own principal and
# calendars and sync as many objects as it has sessions; the default
# conference's calendars do not change.
#
# Run as root on Debian (CI): installs vdirsyncer and python3-caldav when
# missing. Elsewhere, install them first. Needs Go. The server is always
# stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }
fail() { echo "caldav-e2e: FAIL: $*" >&2; exit 1; }

# Debian's python3 (the one python3-caldav is installed for), not a pyenv.
PY=/usr/bin/python3

if ! command -v vdirsyncer >/dev/null || ! "$PY" -I -c 'import caldav' 2>/dev/null; then
	if [[ $(id -u) -ne 0 ]]; then
		fail "vdirsyncer and python3-caldav are needed: apt-get install -y vdirsyncer python3-caldav"
	fi
	step "installing vdirsyncer and python3-caldav"
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y vdirsyncer python3-caldav
fi

work="$(mktemp -d)"
server_pid=""
cleanup() {
	status=$?
	if [[ -n "$server_pid" ]]; then
		kill "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ $status -ne 0 && -f "$work/server.log" ]]; then
		echo "--- server log (last 40 lines)" >&2
		tail -n 40 "$work/server.log" >&2
	fi
	rm -rf "$work"
	exit "$status"
}
trap cleanup EXIT

step "build"
go build -o "$work/confcal" ./cmd/confcal

step "serve"
port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
token="e2e-$RANDOM$RANDOM$RANDOM"
CONFCAL_ADMIN_TOKEN="$token" "$work/confcal" serve -addr "127.0.0.1:$port" -base-url "$url" -data "$work/data" \
	>"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
	if "$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$url/feeds/all.ics" 2>/dev/null; then
		break
	fi
	kill -0 "$server_pid" 2>/dev/null || fail "confcal serve exited"
	sleep 0.2
done
"$PY" -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=1)' "$url/feeds/all.ics" ||
	fail "confcal serve not ready at $url"
echo "serving $url"

# expected.py prints, from the admin API, "<calendar> <count>" for every
# calendar: the sessions that are not cancelled, in all, per track, per room.
cat >"$work/expected.py" <<'EOF'
import collections, json, sys, urllib.request
sessions = json.load(urllib.request.urlopen(sys.argv[1] + "/api/sessions"))["sessions"]  # $1 may end in /{slug}
count = collections.Counter()
for s in sessions:
    if s["status"] == "cancelled":
        continue
    count["all"] += 1
    count["track-" + s["track"]] += 1
    count["room-" + s["room"]] += 1
for cal, n in sorted(count.items()):
    print(cal, n)
EOF

step "vdirsyncer: discover and sync every calendar"
mkdir -p "$work/vdir" "$work/status"
cat >"$work/vdirsyncer.conf" <<EOF
[general]
status_path = "$work/status/"

[pair agenda]
a = "agenda_remote"
b = "agenda_local"
collections = ["from a"]
metadata = ["displayname", "color"]
conflict_resolution = "a wins"

[storage agenda_remote]
type = "caldav"
url = "$url/"
read_only = true

[storage agenda_local]
type = "filesystem"
path = "$work/vdir/"
fileext = ".ics"
EOF
vds() { vdirsyncer -c "$work/vdirsyncer.conf" "$@"; }
vds discover agenda < <(yes) >"$work/discover.log" 2>&1 || { cat "$work/discover.log"; fail "vdirsyncer discover"; }
vds sync >"$work/sync1.log" 2>&1 || { cat "$work/sync1.log"; fail "vdirsyncer sync"; }
vds metasync >"$work/metasync.log" 2>&1 || { cat "$work/metasync.log"; fail "vdirsyncer metasync"; }

"$PY" "$work/expected.py" "$url" >"$work/expected.txt"
[[ -s "$work/expected.txt" ]] || fail "no calendars expected: is the admin API at $url/api?"
for dir in "$work"/vdir/*/; do
	printf '%s %s\n' "$(basename "$dir")" "$(find "$dir" -name '*.ics' | wc -l)"
done | sort >"$work/got.txt"
if ! diff -u "$work/expected.txt" "$work/got.txt"; then
	fail "objects per calendar differ from the sessions per calendar (expected vs synced)"
fi
echo "$(wc -l <"$work/got.txt") calendars, objects per calendar as expected:"
column -t "$work/got.txt" 2>/dev/null | sed 's/^/  /' || sed 's/^/  /' "$work/got.txt"
[[ -s "$work/vdir/all/displayname" && -s "$work/vdir/all/color" ]] || fail "metasync brought no displayname or color"

step "vdirsyncer: a second sync transfers nothing"
vds sync >"$work/sync2.log" 2>&1 || { cat "$work/sync2.log"; fail "second vdirsyncer sync"; }
if grep -E 'Copying|Deleting' "$work/sync2.log"; then
	fail "the second sync transferred items"
fi

step "python3-caldav: principal, calendars, one day's sessions"
cat >"$work/pycaldav.py" <<'EOF'
import datetime, json, sys, urllib.request, zoneinfo
import caldav

url, day = sys.argv[1], datetime.date.fromisoformat(sys.argv[2])
client = caldav.DAVClient(url + "/")
principal = client.principal()
assert principal.url.path == "/dav/public/", principal.url
calendars = {c.url.path: c for c in principal.calendars()}
sessions = json.load(urllib.request.urlopen(url + "/api/sessions"))["sessions"]
want_cals = {"/dav/public/calendars/all/"}
for s in sessions:
    want_cals |= {"/dav/public/calendars/track-%s/" % s["track"], "/dav/public/calendars/room-%s/" % s["room"]}
missing = want_cals - set(calendars)
assert not missing, "calendars not found: %s" % sorted(missing)
print("principal %s, %d calendars" % (principal.url, len(calendars)))

berlin = zoneinfo.ZoneInfo("Europe/Berlin")
start = datetime.datetime.combine(day, datetime.time(), berlin)
events = calendars["/dav/public/calendars/all/"].date_search(start, start + datetime.timedelta(days=1))
got = sorted(str(e.vobject_instance.vevent.uid.value) for e in events)
want = sorted(s["uid"] for s in sessions
              if s["status"] != "cancelled" and datetime.datetime.fromisoformat(s["start"]).astimezone(berlin).date() == day)
assert want, "no sessions on %s in the agenda" % day
assert got == want, "date_search(%s): got %d sessions, want %d\nextra %s\nmissing %s" % (
    day, len(got), len(want), sorted(set(got) - set(want)), sorted(set(want) - set(got)))
print("date_search %s: %d sessions, exactly that day's" % (day, len(got)))

# free-busy-query (RFC 4791 §7.10): the busy time of the same day, from the
# sessions that are not cancelled, clipped to the day, overlapping and
# touching ones merged, in UTC.
end = start + datetime.timedelta(days=1)
busy = []
for s in sorted(sessions, key=lambda s: datetime.datetime.fromisoformat(s["start"])):
    if s["status"] == "cancelled":
        continue
    b = max(datetime.datetime.fromisoformat(s["start"]), start)
    e = min(datetime.datetime.fromisoformat(s["end"]), end)
    if e <= b:
        continue
    if busy and b <= busy[-1][1]:
        busy[-1][1] = max(busy[-1][1], e)
    else:
        busy.append([b, e])
want = [(b.astimezone(datetime.timezone.utc), e.astimezone(datetime.timezone.utc)) for b, e in busy]
fb = calendars["/dav/public/calendars/all/"].freebusy_request(start, end).vobject_instance.vfreebusy
got = [period for prop in fb.contents.get("freebusy", []) for period in prop.value]
assert fb.dtstart.value == start and fb.dtend.value == end, (fb.dtstart.value, fb.dtend.value)
assert got == want, "freebusy_request(%s): got %s\nwant %s" % (day, got, want)
print("freebusy_request %s: %d busy periods, exactly that day's sessions merged" % (day, len(got)))
EOF
"$PY" "$work/pycaldav.py" "$url" 2019-10-08

step "a change through the admin API: only the changed object moves"
# The token of one track calendar, taken with python3-caldav before the change.
cat >"$work/pysync.py" <<'EOF'
import json, pickle, sys, urllib.request
import caldav

url, mode, state = sys.argv[1], sys.argv[2], sys.argv[3]
client = caldav.DAVClient(url + "/")
if mode == "before":
    s = [s for s in json.load(urllib.request.urlopen(url + "/api/sessions"))["sessions"] if s["status"] != "cancelled"][0]
    cal = client.calendar(url=url + "/dav/public/calendars/track-%s/" % s["track"])
    objs = cal.objects_by_sync_token(load_objects=False)
    pickle.dump({"session": s, "token": objs.sync_token, "etags": {str(o.url): o.props for o in objs}}, open(state, "wb"))
    print(s["id"], s["uid"])
else:
    st = pickle.load(open(state, "rb"))
    s = st["session"]
    cal = client.calendar(url=url + "/dav/public/calendars/track-%s/" % s["track"])
    changed = cal.objects_by_sync_token(st["token"], load_objects=False)
    got = sorted(o.url.path for o in changed)
    want = ["/dav/public/calendars/track-%s/%s.ics" % (s["track"], s["id"])]
    assert got == want, "sync-collection after the change reports %s, want %s" % (got, want)
    assert changed.sync_token != st["token"], "the sync token did not move"
    print("sync-collection reports exactly", got[0])
EOF
read -r sid uid < <("$PY" "$work/pysync.py" "$url" before "$work/pysync.state")
"$PY" - "$url" "$token" "$sid" <<'EOF'
import json, sys, urllib.request
url, token, sid = sys.argv[1:]
req = urllib.request.Request(url + "/api/sessions/" + sid, method="PATCH",
    data=json.dumps({"title": "Changed by caldav-e2e"}).encode(),
    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
with urllib.request.urlopen(req) as r:
    assert r.status == 200, r.status
print("changed the title of", sid)
EOF
"$PY" "$work/pysync.py" "$url" after "$work/pysync.state"

vds sync >"$work/sync3.log" 2>&1 || { cat "$work/sync3.log"; fail "vdirsyncer sync after the change"; }
# The session is in three calendars: all, its track, its room.
copies="$(grep -c 'Copying' "$work/sync3.log" || true)"
updates="$(grep -c "Copying (updating) item $uid" "$work/sync3.log" || true)"
if [[ "$copies" -ne 3 || "$updates" -ne 3 ]] || grep -q 'Deleting' "$work/sync3.log"; then
	cat "$work/sync3.log"
	fail "after changing $sid: $copies items copied, $updates of them $uid; want exactly 3 updates of $uid"
fi
grep -rl "SUMMARY:Changed by caldav-e2e" "$work/vdir" | sed "s|$work/vdir/|  updated |"

step "a second conference, found from its URL alone"
slug=second-e2e
"$PY" - "$url" "$token" "$slug" <<'EOF'
import json, sys, urllib.request
url, token, slug = sys.argv[1:]
doc = urllib.request.urlopen(url + "/schedule.xml").read().decode()
doc = doc.replace("<title>Flink Forward Berlin 2019</title>", "<title>Second e2e Conference</title>", 1)
req = urllib.request.Request(url + "/api/conferences", method="POST",
    data=json.dumps({"slug": slug, "document": doc}).encode(),
    headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
with urllib.request.urlopen(req) as r:
    c = json.load(r)
    assert r.status == 201 and c["caldav"] == url + "/" + slug + "/", (r.status, c)
print("added", c["name"], "with", c["sessions"], "sessions at", c["page"])
EOF

mkdir -p "$work/vdir2" "$work/status2"
sed -e "s|$work/status/|$work/status2/|" -e "s|url = \"$url/\"|url = \"$url/$slug/\"|" -e "s|$work/vdir/|$work/vdir2/|" \
	"$work/vdirsyncer.conf" >"$work/vdirsyncer2.conf"
grep -q "url = \"$url/$slug/\"" "$work/vdirsyncer2.conf" || fail "vdirsyncer2.conf does not point at $url/$slug/"
vds2() { vdirsyncer -c "$work/vdirsyncer2.conf" "$@"; }
vds2 discover agenda < <(yes) >"$work/discover2.log" 2>&1 || { cat "$work/discover2.log"; fail "vdirsyncer discover of $slug"; }
vds2 sync >"$work/sync4.log" 2>&1 || { cat "$work/sync4.log"; fail "vdirsyncer sync of $slug"; }
"$PY" "$work/expected.py" "$url/$slug" >"$work/expected2.txt"
for dir in "$work"/vdir2/*/; do
	printf '%s %s\n' "$(basename "$dir")" "$(find "$dir" -name '*.ics' | wc -l)"
done | sort >"$work/got2.txt"
if ! diff -u "$work/expected2.txt" "$work/got2.txt"; then
	fail "$slug: objects per calendar differ from its sessions per calendar"
fi
echo "vdirsyncer: $(wc -l <"$work/got2.txt") calendars of $slug, objects as expected"
grep -rq "URL.*$url/$slug/sessions/" "$work/vdir2" || fail "the synced objects are not the second conference's (no URL below $url/$slug/)"

"$PY" - "$url" "$slug" <<'EOF'
import json, sys, urllib.request
import caldav
url, slug = sys.argv[1:]
principal = caldav.DAVClient(url + "/" + slug + "/").principal()
assert principal.url.path == "/dav/%s/" % slug, principal.url
paths = sorted(c.url.path for c in principal.calendars())
assert "/dav/%s/calendars/all/" % slug in paths and all(p.startswith("/dav/%s/calendars/" % slug) for p in paths), paths
sessions = json.load(urllib.request.urlopen(url + "/" + slug + "/api/sessions"))["sessions"]
objs = caldav.DAVClient(url + "/").calendar(url=url + "/dav/%s/calendars/all/" % slug).objects_by_sync_token(load_objects=False)
assert len(list(objs)) == len([s for s in sessions if s["status"] != "cancelled"]), len(list(objs))
# The server's own URL still leads to the default conference.
assert caldav.DAVClient(url + "/").principal().url.path == "/dav/public/"
print("python3-caldav: principal %s, %d calendars" % (principal.url.path, len(paths)))
EOF

vds sync >"$work/sync5.log" 2>&1 || { cat "$work/sync5.log"; fail "vdirsyncer sync of the default conference"; }
if grep -E 'Copying|Deleting' "$work/sync5.log"; then
	fail "adding a conference changed the default conference's calendars"
fi

step "caldav-e2e: ok"
