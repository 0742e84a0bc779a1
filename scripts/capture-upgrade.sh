#!/usr/bin/env bash
# scripts/capture-upgrade.sh: writes the golden files of the upgrade test
# (cmd/confcal/upgrade_test.go) into cmd/confcal/testdata/upgrade/, run by
# hand (not in CI), from a release before there were many conferences.
#
#   scripts/capture-upgrade.sh            # the release at 6bf7c18
#   REV=abc1234 scripts/capture-upgrade.sh
#
# It builds `confcal` of that commit in a temporary directory, serves a new
# data directory with it (the built-in agenda, -base-url
# https://cal.example.org), makes a few changes through that release's own
# command line and API (a move, a cancellation, a session and a room
# renamed, a pick of 30 sessions stored through POST /my), then asks it for
# every URL a subscriber, a CalDAV client or the API may hold today and
# keeps each answer exactly as it came. Last it stops the server and keeps
# its store, the SQLite file in the release's schema. (/schedule.xml and
# /schedule.json came later: that release answers them 404.)
#
# What it writes:
#
#   confcal.db       the store the old release left (schema version 5)
#   requests         one request a line: NAME METHOD PATH [Header:Value ...] [<BODYFILE]
#   NAME.req         the body sent with a request, when it has one
#   NAME.http        the answer: status line and header fields as received,
#                    a blank line, then the body (decoded from chunks; gzip
#                    only where the request asked for it)
#
# The test replays every request against the current `serve` on a copy of
# confcal.db and compares the answers. Rerunning the script makes new change
# times, ETags and pick codes; the test reads them all from these files.
#
# Needs: go, git, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

REV=${REV:-6bf7c18}
BASE=https://cal.example.org
TOKEN=capture-upgrade-admin-token-0123456789abcdef
out=cmd/confcal/testdata/upgrade

for tool in go git curl; do
	command -v "$tool" >/dev/null || { echo "capture-upgrade: $tool not found" >&2; exit 1; }
done

work=$(mktemp -d /tmp/confcal-upgrade.XXXXXX)
pid=
cleanup() {
	[[ -z $pid ]] || kill "$pid" 2>/dev/null || true
	wait 2>/dev/null || true
	[[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

echo "== building confcal at $REV"
mkdir "$work/src"
git archive "$REV" | tar -x -C "$work/src"
(cd "$work/src" && go build -o "$work/confcal" ./cmd/confcal)

echo "== serving $work/data"
export CONFCAL_ADMIN_TOKEN=$TOKEN
"$work/confcal" serve -data "$work/data" -addr 127.0.0.1:0 -base-url "$BASE" -log-level info >"$work/serve.log" 2>&1 &
pid=$!
addr=
for _ in $(seq 100); do
	addr=$(sed -n 's/.*msg=listening addr=\([^ ]*\).*/\1/p' "$work/serve.log" | head -1)
	[[ -z $addr ]] || break
	sleep 0.1
done
[[ -n $addr ]] || { echo "capture-upgrade: serve did not start:" >&2; cat "$work/serve.log" >&2; exit 1; }
S=http://$addr

rm -rf "$out"
mkdir -p "$out"
: >"$out/requests"

# capture NAME METHOD PATH [Header:Value ...] [<BODYFILE]: sends the request,
# notes it in requests and keeps the answer in NAME.http.
capture() {
	local name=$1 method=$2 path=$3; shift 3
	local args=(-s --path-as-is -X "$method" -D "$work/head" -o "$work/body")
	local line="$name $method $path" a
	for a in "$@"; do
		line+=" $a"
		case $a in
		\<*) args+=(--data-binary "@$out/${a#<}") ;;
		*) args+=(-H "${a%%:*}: ${a#*:}") ;;
		esac
	done
	curl "${args[@]}" "$S$path"
	cat "$work/head" "$work/body" >"$out/$name.http"
	echo "$line" >>"$out/requests"
	printf '   %-22s %s\n' "$name" "$(head -1 "$work/head" | tr -d '\r')"
}

# body NAME: the request body read from stdin, kept as NAME.req.
body() { cat >"$out/$1.req"; }

# token FILE: the DAV:sync-token a sync-collection answer ends with.
token() { sed -n 's:.*<sync-token>\([^<]*\)</sync-token></multistatus>.*:\1:p' "$1"; }

sync_body() {
	cat <<EOF
<?xml version="1.0" encoding="utf-8"?>
<d:sync-collection xmlns:d="DAV:"><d:sync-token>$1</d:sync-token><d:sync-level>1</d:sync-level><d:prop><d:getetag/></d:prop></d:sync-collection>
EOF
}

# A client that synced before the changes, to come back after them.
sync_body "" >"$work/sync0.xml"
curl -s -X REPORT -H 'Depth: 1' -H 'Content-Type: application/xml' --data-binary "@$work/sync0.xml" \
	"$S/dav/public/calendars/all/" >"$work/sync0.out"
before=$(token "$work/sync0.out")
[[ -n $before ]] || { echo "capture-upgrade: no sync token in the first sync-collection answer" >&2; exit 1; }

echo "== changing the agenda through the old release"
old=("$work/confcal")
flags=(-server "$S" -who capture)
"${old[@]}" move "${flags[@]}" welcome-session -room room-2 -start 2019-10-08T09:05
"${old[@]}" cancel "${flags[@]}" sql-developer-training-4
"${old[@]}" rename "${flags[@]}" apache-flink-worst-practices "Apache Flink Worst Practices (updated)"
"${old[@]}" rooms rename "${flags[@]}" room-5 Kesselhaus

pick=$(curl -s "$S/feeds" | sed -n "s|.*\"url\": \"$BASE/feeds/sessions/\(.*\)\.ics\".*|\1|p" | sed -n 17,46p | paste -sd, -)
loc=$(curl -s -o /dev/null -w '%{redirect_url}' -X POST --data-urlencode "sessions=$pick" "$S/my")
code=$(sed -n 's:.*[?&]my=\([0-9a-z]*\).*:\1:p' <<<"$loc")
[[ -n $code ]] || { echo "capture-upgrade: POST /my answered no code ($loc)" >&2; exit 1; }
echo "   pick of $(tr , '\n' <<<"$pick" | wc -l) sessions stored as $code"

echo "== capturing"
capture all GET /feeds/all.ics
capture all-gzip GET /feeds/all.ics Accept-Encoding:gzip
capture track GET /feeds/tracks/keynote.ics
capture track-gzip GET /feeds/tracks/keynote.ics Accept-Encoding:gzip
capture room GET /feeds/rooms/room-5.ics
capture day GET /feeds/days/2019-10-08.ics
capture session GET /feeds/sessions/welcome-session.ics
capture session-cancelled GET /feeds/sessions/sql-developer-training-4.ics
capture custom GET '/feeds/custom.ics?sessions=welcome-session,apache-flink-worst-practices&tracks=research'
capture my GET "/feeds/my/$code.ics"
capture feeds GET /feeds
capture atom GET /feeds/changes.atom
capture api-sessions GET /api/sessions
capture api-session GET /api/sessions/welcome-session
capture api-rooms GET /api/rooms
capture api-tracks GET /api/tracks
capture api-changes GET /api/changes
capture api-changes-since GET '/api/changes?since=3'
capture page GET /
capture page-my GET "/?my=$code"
capture page-session GET /sessions/welcome-session
capture page-help GET /help

capture well-known GET /.well-known/caldav
body dav-root <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:current-user-principal/></d:prop></d:propfind>
EOF
capture dav-root PROPFIND / Depth:0 Content-Type:application/xml '<dav-root.req'
body dav-principal <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:displayname/><c:calendar-home-set/><d:principal-URL/></d:prop></d:propfind>
EOF
capture dav-principal PROPFIND /dav/public/ Depth:0 Content-Type:application/xml '<dav-principal.req'
body dav-home <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:" xmlns:cs="http://calendarserver.org/ns/"><d:prop><d:resourcetype/><d:displayname/><d:getetag/><cs:getctag/><d:sync-token/></d:prop></d:propfind>
EOF
capture dav-home PROPFIND /dav/public/calendars/ Depth:1 Content-Type:application/xml '<dav-home.req'
body dav-members <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:getetag/><d:getcontenttype/><d:resourcetype/></d:prop></d:propfind>
EOF
capture dav-members PROPFIND /dav/public/calendars/room-room-5/ Depth:1 Content-Type:application/xml '<dav-members.req'
sync_body "" | body dav-sync-empty
capture dav-sync-empty REPORT /dav/public/calendars/all/ Depth:1 Content-Type:application/xml '<dav-sync-empty.req'
now=$(token "$out/dav-sync-empty.http")
[[ -n $now ]] || { echo "capture-upgrade: no sync token in dav-sync-empty.http" >&2; exit 1; }
sync_body "$now" | body dav-sync-current
capture dav-sync-current REPORT /dav/public/calendars/all/ Depth:1 Content-Type:application/xml '<dav-sync-current.req'
sync_body "$before" | body dav-sync-before
capture dav-sync-before REPORT /dav/public/calendars/all/ Depth:1 Content-Type:application/xml '<dav-sync-before.req'
body dav-multiget <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/></d:prop><d:href>/dav/public/calendars/all/welcome-session.ics</d:href><d:href>/dav/public/calendars/all/sql-developer-training-4.ics</d:href><d:href>/dav/public/calendars/all/apache-flink-worst-practices.ics</d:href></c:calendar-multiget>
EOF
capture dav-multiget REPORT /dav/public/calendars/all/ Depth:1 Content-Type:application/xml '<dav-multiget.req'
body dav-query <<'EOF'
<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"><c:time-range start="20191008T000000Z" end="20191009T000000Z"/></c:comp-filter></c:comp-filter></c:filter></c:calendar-query>
EOF
capture dav-query REPORT /dav/public/calendars/all/ Depth:1 Content-Type:application/xml '<dav-query.req'
capture dav-event GET /dav/public/calendars/all/welcome-session.ics

echo "== stopping the server"
kill "$pid"
wait "$pid" || true
pid=
cp "$work/data/confcal.db" "$out/confcal.db"
for f in "$work/data"/confcal.db-*; do
	[[ -e $f ]] || continue
	echo "capture-upgrade: $f left behind: the store was not closed cleanly" >&2
	exit 1
done
echo "== wrote $out: $(ls "$out" | wc -l) files, $(du -sh "$out" | cut -f1) (store $(du -h "$out/confcal.db" | cut -f1))"
