#!/usr/bin/env bash
# scripts/loadtest.sh: load test of confcal against nginx, run by hand (not
# in CI). See docs/performance.md for what it measures and the results.
#
#   scripts/loadtest.sh                 # the seed agenda, then 10,000 sessions
#   scripts/loadtest.sh seed            # the seed agenda only
#   scripts/loadtest.sh 10000           # a generated agenda only (confcal gen)
#   DURATION=30s scripts/loadtest.sh    # longer runs (default 10s each)
#
# For each agenda it builds confcal, starts `confcal serve` and nginx on
# loopback, nginx serving the very bytes confcal serves (fetched from it
# first) as static files, then drives them one after the other with wrk,
# 2 threads x 64 connections: the whole-conference feed (200, and 304 with
# If-None-Match), a per-track feed and a personal pick (200 and 304 each),
# and, confcal only, the CalDAV REPORT calendar-query (one day),
# sync-collection (empty token) and PROPFIND Depth 1 on the
# whole-conference calendar. It prints req/s, p50 and p99 with confcal's
# figures as a ratio of nginx's, and confcal's RSS after the load (and its
# peak through it).
#
# Beside nginx, the whole-conference feed is also served by the floor of
# the platform (scripts/floor: a plain net/http server holding the same
# bytes, answering If-None-Match with 304), and confcal's ratio to it is
# printed, with the CPU time each of the two spent per request (read from
# /proc: unlike req/s, not swayed by wrk's share of the cores). The
# median time of 100 edits through the admin API (PATCH of a session's
# title, acknowledged once stored and published) follows the
# load. With OLD=REV (default d453195, the last commit before the
# redesign; OLD=none to skip) the binary of that commit is measured back
# to back on the agendas in OLD_SIZES (default: seed), and the new/old
# ratio of every request is printed at the end.
#
# Replica mode: REPLICAS=3 STORE=postgres://… scripts/loadtest.sh [SIZE]
# runs REPLICAS `confcal serve` processes on one PostgreSQL database (in a
# schema of its own, made with psql and dropped at the end) and drives
# them with wrk, its threads spread across the replicas (a Lua setup gives
# each thread one replica's address), against one replica alone; then the
# same through nginx as their load balancer (the README's configuration),
# and 100 edits sent to the replicas in turn, each read back from the next
# one. See "Replica mode" below.
#
# Needs: go, nginx and wrk (Debian: apt-get install nginx wrk), curl, git;
# psql (postgresql-client) in replica mode.
# Environment: DURATION (per run, default 10s), WARMUP (default 2s),
# THREADS (2), CONNS (64), TIMEOUT (wrk's per-request timeout, 30s: a
# request slower than that counts as an error and has no latency),
# PORT (first of two loopback ports, 18480),
# LOGS=on|off (access logs of both servers, default on: as in production).
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s}
THREADS=${THREADS:-2}
CONNS=${CONNS:-64}
TIMEOUT=${TIMEOUT:-30s}
PORT=${PORT:-18480}
LOGS=${LOGS:-on}
OLD=${OLD:-d453195}
OLD_SIZES=${OLD_SIZES:-seed}
SIZES=("$@")
[[ ${#SIZES[@]} -gt 0 ]] || SIZES=(seed 10000)

for tool in go nginx wrk curl; do
	command -v "$tool" >/dev/null || { echo "loadtest: $tool not found (Debian: apt-get install nginx wrk curl)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/confcal-loadtest.XXXXXX)
chmod 755 "$work" # nginx workers may run as another user
pids=()
pg_schema="" # replica mode's schema, dropped however the script ends
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[[ -z $pg_schema ]] || psql -qX "$STORE" -c "SET client_min_messages = warning; DROP SCHEMA $pg_schema CASCADE" >/dev/null || true
	[[ -n "${KEEP:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

echo "== building confcal and the floor"
go build -o "$work/confcal" ./cmd/confcal
go build -o "$work/floor" ./scripts/floor
if [[ $OLD != none && -z ${REPLICAS:-} ]]; then
	echo "== building confcal at $OLD"
	mkdir -p "$work/old-src"
	git archive "$OLD" | tar -x -C "$work/old-src"
	(cd "$work/old-src" && go build -o "$work/confcal-old" ./cmd/confcal)
fi
mkdir -p "$work/results"

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM"
echo "   $(go version), $(nginx -v 2>&1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2)"

# ms converts a wrk latency ("512.00us", "2.10ms", "1.02s", "2.00m") to
# milliseconds.
ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : 0
		printf "%.3f", n * f
	}'
}

# bench URL [wrk args...]: one wrk run after a warm-up; prints
# "req/s p50 p99 errors" (latencies in ms) on stdout.
# With CPU_PID set, a sixth field is the CPU time (user and system) that
# process spent per request of the measured run, in microseconds: what a
# request costs the server, which wrk's share of the two cores does not
# sway as it sways req/s.
bench() {
	local url=$1; shift
	wrk -t"$THREADS" -c"$CONNS" -d"$WARMUP" --timeout "$TIMEOUT" "$@" "$url" >/dev/null
	local out t0=0 t1=0
	[[ -z ${CPU_PID:-} ]] || t0=$(cpu_ticks "$CPU_PID")
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout "$TIMEOUT" --latency "$@" "$url")
	[[ -z ${CPU_PID:-} ]] || t1=$(cpu_ticks "$CPU_PID")
	local rps p50 p99 bad
	rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	[[ -n $p50 ]] || p50=0us # no request completed
	[[ -n $p99 ]] || p99=0us
	# Errors: non-2xx/3xx answers plus socket errors (connect, read,
	# write, timeout).
	bad=$(awk '/Non-2xx or 3xx responses:/ {n += $NF}
		/Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10}
		END {print n + 0}' <<<"$out")
	local done_
	done_=$(awk '/requests in/ {print $1; exit}' <<<"$out")
	local cpu=0
	[[ -z ${CPU_PID:-} || ${done_:-0} -eq 0 ]] ||
		cpu=$(awk -v d="$((t1 - t0))" -v hz="$(getconf CLK_TCK)" -v n="$done_" 'BEGIN {printf "%.2f", d / hz * 1e6 / n}')
	echo "$rps $(ms "$p50") $(ms "$p99") $bad ${done_:-0} $cpu"
}

# cpu_ticks PID: the user and system CPU time of process PID, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# The CalDAV requests, as wrk Lua scripts (method, headers, body).
cat >"$work/report-query.lua" <<'EOF'
wrk.method = "REPORT"
wrk.headers["Depth"] = "1"
wrk.headers["Content-Type"] = "application/xml; charset=utf-8"
wrk.body = [[<?xml version="1.0" encoding="utf-8"?>
<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">
  <D:prop><D:getetag/><C:calendar-data/></D:prop>
  <C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">
    <C:time-range start="20191008T000000Z" end="20191009T000000Z"/>
  </C:comp-filter></C:comp-filter></C:filter>
</C:calendar-query>]]
EOF
cat >"$work/report-sync.lua" <<'EOF'
wrk.method = "REPORT"
wrk.headers["Content-Type"] = "application/xml; charset=utf-8"
wrk.body = [[<?xml version="1.0" encoding="utf-8"?>
<D:sync-collection xmlns:D="DAV:">
  <D:sync-token/>
  <D:sync-level>1</D:sync-level>
  <D:prop><D:getetag/></D:prop>
</D:sync-collection>]]
EOF
cat >"$work/propfind.lua" <<'EOF'
wrk.method = "PROPFIND"
wrk.headers["Depth"] = "1"
wrk.headers["Content-Type"] = "application/xml; charset=utf-8"
wrk.body = [[<?xml version="1.0" encoding="utf-8"?>
<D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/><D:resourcetype/></D:prop></D:propfind>]]
EOF

# settle PID: wait (up to 5 minutes) until the process has been idle for a
# second, so requests a run left in flight do not slow the next one.
settle() {
	local before after
	for _ in $(seq 1 300); do
		before=$(awk '{print $14 + $15}' "/proc/$1/stat")
		sleep 1
		after=$(awk '{print $14 + $15}' "/proc/$1/stat")
		((after - before < 5)) && return 0
	done
}

rss() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }

wait_up() { # URL
	for _ in $(seq 1 600); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "loadtest: $1 did not come up" >&2
	return 1
}

# metric NAME: a value from confcal's /metrics, "" when not served.
metric() {
	curl -fsS "$base/metrics" 2>/dev/null | awk -v n="$1" '$1 == n {print $2; exit}' || true
}

# run_size BINARY LABEL SIZE: the whole load test of one binary on one
# agenda; every request's req/s goes to $work/results/LABEL-SIZE.
run_size() {
	local bin=$1 label=$2 size=$3 dir="$work/$2-$3"
	local results="$work/results/$label-$size"
	: >"$results"
	mkdir -p "$dir/data" "$dir/www/feeds/tracks" "$dir/logs"
	local agenda_args=()
	if [[ $size != seed ]]; then
		local t0=$(date +%s.%N)
		"$bin" gen -sessions "$size" >"$dir/agenda.txt"
		echo "   generated $size sessions ($(du -h "$dir/agenda.txt" | cut -f1)) in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2fs", b-a}')"
		agenda_args=(-agenda "$dir/agenda.txt")
	fi

	local cport=$PORT nport=$((PORT + 1))
	base="http://127.0.0.1:$cport"
	local serve_args=(serve -addr "127.0.0.1:$cport" -data "$dir/data" "${agenda_args[@]}")
	if "$bin" serve -h 2>&1 | grep -q -- '-log-level'; then
		[[ $LOGS == on ]] && serve_args+=(-log-level info) || serve_args+=(-log-level warn)
	fi
	local t0=$(date +%s.%N)
	CONFCAL_ADMIN_TOKEN=loadtest-token "$bin" "${serve_args[@]}" 2>"$dir/logs/confcal.log" &
	local cpid=$!
	pids+=("$cpid")
	wait_up "$base/feeds/all.ics"
	local startup
	startup=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b-a}')
	local rss_start
	rss_start=$(rss "$cpid")

	# The pick: a dozen sessions spread over the agenda, read from the store
	# the server has just filled.
	local ids track pick
	ids=$("$bin" sessions -data "$dir/data" | awk 'NR > 1 {print $1}')
	track=$(curl -fsS "$base/feeds" | grep -o '/feeds/tracks/[a-z0-9-]*\.ics' | head -1 | sed 's|/feeds/tracks/||; s|\.ics$||')
	track=${track:-keynote}
	pick="sessions=$(awk -v n="$(wc -l <<<"$ids")" 'NR % int(n/12 + 1) == 1' <<<"$ids" | head -12 | paste -sd, -)"

	# nginx serves the very bytes confcal serves.
	curl -fsS "$base/feeds/all.ics" -o "$dir/www/feeds/all.ics"
	curl -fsS "$base/feeds/tracks/$track.ics" -o "$dir/www/feeds/tracks/$track.ics"
	curl -fsS "$base/feeds/custom.ics?$pick" -o "$dir/www/feeds/custom.ics"
	local user=""
	[[ $(id -u) == 0 ]] && user="user root;"
	local access="access_log $dir/logs/nginx-access.log;"
	[[ $LOGS == on ]] || access="access_log off;"
	cat >"$dir/nginx.conf" <<-EOF
		# As Debian's /etc/nginx/nginx.conf, on loopback, in a scratch prefix.
		$user
		worker_processes auto;
		pid $dir/nginx.pid;
		error_log $dir/logs/nginx-error.log;
		events { worker_connections 1024; }
		http {
			sendfile on;
			tcp_nopush on;
			etag on;
			types { text/calendar ics; }
			default_type application/octet-stream;
			$access
			client_body_temp_path $dir/tmp;
			proxy_temp_path $dir/tmp;
			fastcgi_temp_path $dir/tmp;
			uwsgi_temp_path $dir/tmp;
			scgi_temp_path $dir/tmp;
			server {
				listen 127.0.0.1:$nport;
				root $dir/www;
				location / { charset utf-8; }
			}
		}
	EOF
	mkdir -p "$dir/tmp"
	nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>>"$dir/logs/nginx-error.log" &
	local npid=$!
	pids+=("$npid")
	local nbase="http://127.0.0.1:$nport"
	wait_up "$nbase/feeds/all.ics"
	cmp -s <(curl -fsS "$nbase/feeds/all.ics") <(curl -fsS "$base/feeds/all.ics") ||
		{ echo "loadtest: nginx and confcal serve different bytes" >&2; exit 1; }

	etag() { curl -fsSI "$1" | awk 'tolower($1) == "etag:" {sub(/\r$/, ""); print $2}'; }
	local all_c all_n tr_c tr_n pk_c pk_n
	all_c=$(etag "$base/feeds/all.ics"); all_n=$(etag "$nbase/feeds/all.ics")
	tr_c=$(etag "$base/feeds/tracks/$track.ics"); tr_n=$(etag "$nbase/feeds/tracks/$track.ics")
	pk_c=$(etag "$base/feeds/custom.ics?$pick"); pk_n=$(etag "$nbase/feeds/custom.ics")

	# The floor serves the same bytes under confcal's ETag.
	local fport=$((PORT + 2))
	local fbase="http://127.0.0.1:$fport"
	"$work/floor" -addr "127.0.0.1:$fport" -file "$dir/www/feeds/all.ics" -etag "$all_c" 2>"$dir/logs/floor.log" &
	local fpid=$!
	pids+=("$fpid")
	wait_up "$fbase/feeds/all.ics"

	local sessions bytes
	sessions=$(wc -l <<<"$ids")
	bytes=$(stat -c %s "$dir/www/feeds/all.ics")
	echo
	echo "== $label confcal, agenda: $size ($sessions sessions; all.ics $bytes bytes; track $track; pick of 12 sessions)"
	echo "   confcal up in ${startup}s, RSS ${rss_start} MB before load"
	printf '%-34s %12s %9s %9s %12s %9s %9s %8s %s\n' "request" "nginx req/s" "p50 ms" "p99 ms" "confcal req/s" "p50 ms" "p99 ms" "ratio" "errors"
	row() { # LABEL NGINX-URL CONFCAL-URL [wrk args for nginx] -- [wrk args for confcal]
		local label=$1 nurl=$2 curl_=$3; shift 3
		local nargs=() cargs=() side=n
		for a in "$@"; do
			if [[ $a == -- ]]; then side=c; continue; fi
			if [[ $side == n ]]; then nargs+=("$a"); else cargs+=("$a"); fi
		done
		local n c
		n=($(bench "$nurl" "${nargs[@]}"))
		c=($(CPU_PID=$cpid bench "$curl_" "${cargs[@]}"))
		printf '%-34s %12.0f %9.3f %9.3f %12.0f %9.3f %9.3f %7.2fx %s\n' "$label" \
			"${n[0]}" "${n[1]}" "${n[2]}" "${c[0]}" "${c[1]}" "${c[2]}" \
			"$(awk -v a="${c[0]}" -v b="${n[0]}" 'BEGIN {print a/b}')" "n=${n[3]} c=${c[3]}"
		echo "$label|${c[0]}|${c[5]}" >>"$results"
	}
	floor() { # LABEL CONFCAL-URL [wrk args]: the floor against confcal
		local label=$1 curl_=$2; shift 2
		local f c
		f=($(CPU_PID=$fpid bench "$fbase/feeds/all.ics" "$@"))
		c=($(CPU_PID=$cpid bench "$curl_" "$@"))
		printf '%-34s %12.0f %9.3f %9.3f %12.0f %9.3f %9.3f %7.2fx %s\n' "$label (floor)" \
			"${f[0]}" "${f[1]}" "${f[2]}" "${c[0]}" "${c[1]}" "${c[2]}" \
			"$(awk -v a="${c[0]}" -v b="${f[0]}" 'BEGIN {print a/b}')" "f=${f[3]} c=${c[3]}"
		printf '%-34s floor %.2f µs, confcal %.2f µs: %.2fx\n' "  CPU per request" "${f[5]}" "${c[5]}" \
			"$(awk -v a="${f[5]}" -v b="${c[5]}" 'BEGIN {print (b > 0 ? a/b : 0)}')"
	}
	dav() { # LABEL SCRIPT
		settle "$cpid"
		local c
		c=($(CPU_PID=$cpid bench "$base/dav/public/calendars/all/" -s "$work/$2"))
		printf '%-34s %12s %9s %9s %12.0f %9.3f %9.3f %8s %s\n' "$1" "-" "-" "-" "${c[0]}" "${c[1]}" "${c[2]}" "-" "c=${c[3]} (${c[4]} done)"
		echo "$1|${c[0]}|${c[5]}" >>"$results"
	}
	row "GET /feeds/all.ics 200" "$nbase/feeds/all.ics" "$base/feeds/all.ics"
	row "GET /feeds/all.ics 304" "$nbase/feeds/all.ics" "$base/feeds/all.ics" \
		-H "If-None-Match: $all_n" -- -H "If-None-Match: $all_c"
	floor "GET /feeds/all.ics 200" "$base/feeds/all.ics"
	floor "GET /feeds/all.ics 304" "$base/feeds/all.ics" -H "If-None-Match: $all_c"
	row "GET track feed 200" "$nbase/feeds/tracks/$track.ics" "$base/feeds/tracks/$track.ics"
	row "GET track feed 304" "$nbase/feeds/tracks/$track.ics" "$base/feeds/tracks/$track.ics" \
		-H "If-None-Match: $tr_n" -- -H "If-None-Match: $tr_c"
	row "GET personal pick 200" "$nbase/feeds/custom.ics" "$base/feeds/custom.ics?$pick"
	row "GET personal pick 304" "$nbase/feeds/custom.ics" "$base/feeds/custom.ics?$pick" \
		-H "If-None-Match: $pk_n" -- -H "If-None-Match: $pk_c"
	# One edit through the admin API, before the CalDAV runs (whose slow
	# answers can outlive their clients by far): the render time of the
	# revision it makes, from confcal's metrics.
	settle "$cpid"
	local full edit id
	full=$(metric confcal_render_last_duration_seconds)
	id=$(head -1 <<<"$ids")
	local edit_note
	if CONFCAL_ADMIN_TOKEN=loadtest-token "$bin" rename -server "$base" "$id" "Renamed by the load test" >"$dir/logs/edit.log" 2>&1; then
		edit=$(metric confcal_render_last_duration_seconds)
		edit_note="render: first revision $(awk -v s="$full" 'BEGIN {printf "%.1f ms", s*1000}'), after renaming one session $(awk -v s="$edit" 'BEGIN {printf "%.1f ms", s*1000}')"
	else
		edit_note="the admin edit failed: $(tail -1 "$dir/logs/edit.log")"
	fi
	settle "$cpid"
	dav "REPORT calendar-query (one day)" report-query.lua
	dav "REPORT sync-collection (empty)" report-sync.lua
	dav "PROPFIND Depth 1 (all)" propfind.lua

	echo "   confcal RSS after load: $(rss "$cpid") MB (peak $(hwm "$cpid") MB)"
	echo "   $edit_note"

	# 100 edits through the admin API, one after the other: the time from
	# request to acknowledgement (stored, rendered, swapped in).
	settle "$cpid"
	local times="$dir/logs/edits.txt"
	: >"$times"
	for i in $(seq 1 100); do
		curl -fsS -o /dev/null -w '%{time_total}\n' -X PATCH "$base/api/sessions/$id" \
			-H "Authorization: Bearer loadtest-token" -H "Content-Type: application/json" \
			-d "{\"title\": \"Renamed by the load test, $i\"}" >>"$times" || echo "failed" >>"$times"
	done
	local failed median
	failed=$(grep -c failed "$times" || true)
	median=$(grep -v failed "$times" | sort -n | awk '{a[NR] = $1} END {if (NR) printf "%.1f", (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2) * 1000}')
	echo "   100 edits through the API: median ${median:-?} ms, $failed failed; peak RSS $(hwm "$cpid") MB"
	kill "$npid" "$cpid" "$fpid"
	wait "$npid" "$cpid" "$fpid" 2>/dev/null || true
}

# Replica mode: run_replicas SIZE.
run_replicas() {
	local size=$1 n=$REPLICAS dir="$work/replicas-$1"
	mkdir -p "$dir/logs" "$dir/tmp"
	local schema="confcal_loadtest_$$_$size"
	psql -qX "$STORE" -c "CREATE SCHEMA $schema" >/dev/null
	pg_schema=$schema
	local url
	if [[ $STORE == *\?* ]]; then url="$STORE&search_path=$schema"; else url="$STORE?search_path=$schema"; fi
	local agenda_args=()
	if [[ $size != seed ]]; then
		"$work/confcal" gen -sessions "$size" >"$dir/agenda.txt"
		agenda_args=(-agenda "$dir/agenda.txt")
	fi
	# Every replica is given the public URL, the load balancer's: feeds
	# carry it, and the replicas serve the same bytes only with the same.
	local lport=$((PORT + 9))
	local bases=() rpids=() ports=()
	for i in $(seq 0 $((n - 1))); do
		local port=$((PORT + 10 + i))
		ports+=("$port")
		bases+=("http://127.0.0.1:$port")
		local lvl=info
		[[ $LOGS == on ]] || lvl=warn
		CONFCAL_ADMIN_TOKEN=loadtest-token "$work/confcal" serve -addr "127.0.0.1:$port" -store "$url" -trust-proxy \
			-base-url "http://127.0.0.1:$lport" \
			-log-level "$lvl" "${agenda_args[@]}" 2>"$dir/logs/replica-$i.log" &
		rpids+=($!)
		pids+=($!)
		# The first one stores the agenda; the others start on it.
		[[ $i -gt 0 ]] || wait_up "${bases[0]}/feeds/all.ics"
	done
	for b in "${bases[@]}"; do wait_up "$b/feeds/all.ics"; done
	local etags
	etags=$(for b in "${bases[@]}"; do curl -fsSI "$b/feeds/all.ics" | awk 'tolower($1) == "etag:" {sub(/\r$/, ""); print $2}'; done | sort -u)
	[[ $(wc -l <<<"$etags") == 1 ]] || { echo "loadtest: the replicas serve different all.ics: $etags" >&2; exit 1; }
	local all=$etags bytes
	bytes=$(curl -fsS "${bases[0]}/feeds/all.ics" | wc -c)

	# wrk's threads spread across the replicas: thread i connects to
	# replica i mod n.
	{
		echo "local ports = {$(IFS=,; echo "${ports[*]}")}"
		cat <<-'EOF'
			local i = 0
			function setup(thread)
				local port = ports[i % #ports + 1]
				thread.addr = wrk.lookup("127.0.0.1", tostring(port))[1]
				i = i + 1
			end
		EOF
	} >"$dir/spread.lua"

	# nginx as the load balancer, as in the README.
	local user=""
	[[ $(id -u) == 0 ]] && user="user root;"
	local access="access_log $dir/logs/nginx-access.log;"
	[[ $LOGS == on ]] || access="access_log off;"
	{
		echo "$user"
		echo "worker_processes auto; pid $dir/nginx.pid; error_log $dir/logs/nginx-error.log;"
		echo "events { worker_connections 4096; }"
		echo "http {"
		echo "  $access"
		echo "  client_body_temp_path $dir/tmp; proxy_temp_path $dir/tmp; fastcgi_temp_path $dir/tmp; uwsgi_temp_path $dir/tmp; scgi_temp_path $dir/tmp;"
		echo "  upstream confcal {"
		for p in "${ports[@]}"; do echo "    server 127.0.0.1:$p max_fails=3 fail_timeout=5s;"; done
		echo "    keepalive 64;"
		echo "  }"
		cat <<-EOF
			  server {
			    listen 127.0.0.1:$lport;
			    proxy_http_version 1.1;
			    proxy_set_header Connection "";
			    proxy_set_header Host \$host;
			    proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			    proxy_set_header X-Forwarded-Proto \$scheme;
			    proxy_set_header X-Forwarded-Host \$host;
			    proxy_next_upstream error timeout http_502 http_503 non_idempotent;
			    location / { proxy_pass http://confcal; }
			    location ~ ^(/[a-z0-9-]+)?/api/changes/stream\$ {
			      proxy_pass http://confcal;
			      proxy_buffering off;
			      proxy_read_timeout 1h;
			    }
			  }
			}
		EOF
	} >"$dir/nginx.conf"
	nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' 2>>"$dir/logs/nginx-error.log" &
	local npid=$!
	pids+=("$npid")
	local lb="http://127.0.0.1:$lport"
	wait_up "$lb/feeds/all.ics"

	echo
	echo "== $n replicas on PostgreSQL, agenda: $size (all.ics $bytes bytes, ETag $all on every replica)"
	printf '%-34s %12s %9s %9s %12s %9s %9s %8s %s
' "request" "1 alone req/s" "p50 ms" "p99 ms" "$n spread req/s" "p50 ms" "p99 ms" "ratio" "errors"
	spread() { # LABEL PATH [wrk args]
		local label=$1 path=$2; shift 2
		local one all_
		one=($(bench "${bases[0]}$path" "$@"))
		all_=($(THREADS=$((THREADS > n ? THREADS : n)) bench "${bases[0]}$path" -s "$dir/spread.lua" "$@"))
		printf '%-34s %12.0f %9.3f %9.3f %12.0f %9.3f %9.3f %7.2fx %s
' "$label" \
			"${one[0]}" "${one[1]}" "${one[2]}" "${all_[0]}" "${all_[1]}" "${all_[2]}" \
			"$(awk -v a="${all_[0]}" -v b="${one[0]}" 'BEGIN {print a/b}')" "1=${one[3]} $n=${all_[3]}"
	}
	spread "GET /feeds/all.ics 200" /feeds/all.ics
	spread "GET /feeds/all.ics 304" /feeds/all.ics -H "If-None-Match: $all"
	local lb200 lb304
	lb200=($(bench "$lb/feeds/all.ics"))
	lb304=($(bench "$lb/feeds/all.ics" -H "If-None-Match: $all"))
	printf '%-34s %12s %9s %9s %12.0f %9.3f %9.3f %8s %s
' "via nginx: all.ics 200" "-" "-" "-" "${lb200[0]}" "${lb200[1]}" "${lb200[2]}" "-" "${lb200[3]}"
	printf '%-34s %12s %9s %9s %12.0f %9.3f %9.3f %8s %s
' "via nginx: all.ics 304" "-" "-" "-" "${lb304[0]}" "${lb304[1]}" "${lb304[2]}" "-" "${lb304[3]}"

	# 100 edits, sent to the replicas in turn; each is then read back from
	# the next replica until it shows there.
	for p in "${rpids[@]}"; do settle "$p"; done
	local id times="$dir/logs/edits.txt" seen="$dir/logs/seen.txt"
	id=$(curl -fsS "${bases[0]}/api/sessions" | grep -o '"id": "[^"]*"' | awk -F'"' 'NR == 1 {print $4}')
	: >"$times"
	: >"$seen"
	for i in $(seq 1 100); do
		local to=$((i % n)) from=$(((i + 1) % n)) t0 t1
		t0=$(date +%s.%N)
		curl -fsS -o /dev/null -w '%{time_total}
' -X PATCH "${bases[$to]}/api/sessions/$id" \
			-H "Authorization: Bearer loadtest-token" -H "Content-Type: application/json" \
			-d "{\"title\": \"Replica edit $i\"}" >>"$times" || echo "failed" >>"$times"
		t1=$(date +%s.%N)
		until curl -fsS "${bases[$from]}/api/sessions/$id" | grep -F "\"Replica edit $i\"" >/dev/null; do :; done
		awk -v a="$t1" -v b="$(date +%s.%N)" 'BEGIN {printf "%.4f\n", b-a}' >>"$seen"
	done
	median() { grep -v failed "$1" | sort -n | awk '{a[NR] = $1} END {if (NR) printf "%.1f", (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2) * 1000}'; }
	p99() { grep -v failed "$1" | sort -n | awk '{a[NR] = $1} END {if (NR) printf "%.1f", a[int((NR-1)*0.99)+1] * 1000}'; }
	echo "   100 edits on the replicas in turn: acknowledged in median $(median "$times") ms ($(grep -c failed "$times" || true) failed);" \
		"read back from the next replica median $(median "$seen") ms, p99 $(p99 "$seen") ms after the acknowledgement (curl polling)"
	local rsss=()
	for p in "${rpids[@]}"; do rsss+=("$(rss "$p")"); done
	echo "   replicas' RSS after load: ${rsss[*]} MB"
	kill "$npid" "${rpids[@]}"
	wait "$npid" "${rpids[@]}" 2>/dev/null || true
	psql -qX "$STORE" -c "SET client_min_messages = warning; DROP SCHEMA $schema CASCADE" >/dev/null
	pg_schema=""
}

if [[ -n ${REPLICAS:-} ]]; then
	[[ ${STORE:-} == postgres* ]] || { echo "loadtest: REPLICAS needs STORE=postgres://… (a database the script may make a schema in)" >&2; exit 1; }
	command -v psql >/dev/null || { echo "loadtest: psql not found (Debian: apt-get install postgresql-client)" >&2; exit 1; }
	[[ ${#SIZES[@]} -gt 0 && $* != "" ]] || SIZES=(seed)
	for size in "${SIZES[@]}"; do run_replicas "$size"; done
	exit 0
fi

for size in "${SIZES[@]}"; do
	run_size "$work/confcal" new "$size"
	if [[ $OLD != none && " $OLD_SIZES " == *" $size "* ]]; then
		run_size "$work/confcal-old" old "$size"
		echo
		echo "== new against old ($OLD), agenda $size: req/s, and confcal's CPU time per request"
		printf '%-34s %12s %12s %8s %12s %12s %8s\n' "request" "old req/s" "new req/s" "new/old" "old CPU µs" "new CPU µs" "old/new"
		while IFS='|' read -r label rps cpu; do
			old=$(awk -F'|' -v l="$label" '$1 == l {print $2}' "$work/results/old-$size")
			oldcpu=$(awk -F'|' -v l="$label" '$1 == l {print $3}' "$work/results/old-$size")
			[[ -n $old ]] || continue
			printf '%-34s %12.0f %12.0f %7.2fx %12.2f %12.2f %7.2fx\n' "$label" "$old" "$rps" \
				"$(awk -v a="$rps" -v b="$old" 'BEGIN {print a/b}')" "$oldcpu" "$cpu" \
				"$(awk -v a="$oldcpu" -v b="$cpu" 'BEGIN {print (b > 0 ? a/b : 0)}')"
		done <"$work/results/new-$size"
	fi
done
