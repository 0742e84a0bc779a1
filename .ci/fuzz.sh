#!/usr/bin/env bash
# .ci/fuzz.sh: run every fuzz target in the repository for a short time
# (FUZZTIME, default 8s each), one after the other, and fail if any finds
# a crash or a broken property. The go command writes a failing input to
# the package's testdata/fuzz/<Target>/; commit it, and the plain
# `go test ./...` runs it from then on as a regression case.
#
#   .ci/fuzz.sh                  # every target, 8s each
#   FUZZTIME=60s .ci/fuzz.sh     # longer
#   .ci/fuzz.sh ./caldav         # the targets of some packages only
#
# Targets are found, not listed: any `func FuzzX(f *testing.F)` in a
# _test.go file is run, so a new target is fuzzed without editing this file.
set -euo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-8s}
# A new input that widens coverage is minimized before fuzzing goes on; the
# default allows a minute for that, which would eat a short run whole.
MINIMIZE=${MINIMIZE:-2s}

dirs=("$@")
[[ ${#dirs[@]} -gt 0 ]] || dirs=(.)

# "./pkg FuzzX" lines: the package directory and the target.
targets=$(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "${dirs[@]}" |
	grep -v '/testdata/' | sort |
	while read -r file; do
		pkg="./$(dirname "${file#./}")"
		grep -oE '^func Fuzz[A-Za-z0-9_]*\(f \*testing\.F\)' "$file" |
			sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/' |
			while read -r name; do echo "$pkg $name"; done
	done)

if [[ -z $targets ]]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
echo "fuzz: $(wc -l <<<"$targets") targets, $FUZZTIME each"

failed=()
while read -r pkg name; do
	printf '\n== %s %s\n' "$pkg" "$name"
	# Go's fuzzer sometimes ends a run with "context deadline exceeded" when
	# the time is up while a worker is still busy (a slow input on a loaded
	# machine): no input failed and none is written. Such a run is tried
	# again, up to twice; a real failure writes its input and fails at once.
	for try in 1 2 3; do
		log=$(mktemp)
		if go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime="$FUZZTIME" -fuzzminimizetime="$MINIMIZE" 2>&1 | tee "$log"; then
			rm -f "$log"
			break
		fi
		if grep -q 'Failing input written to' "$log" || ! grep -q 'context deadline exceeded' "$log" || [[ $try -eq 3 ]]; then
			failed+=("$pkg $name")
			rm -f "$log"
			break
		fi
		rm -f "$log"
		echo "fuzz: $pkg $name stopped on the deadline with no failing input; trying again"
	done
done <<<"$targets"

if [[ ${#failed[@]} -gt 0 ]]; then
	printf '\nfuzz: %d target(s) failed; the failing inputs are in their testdata/fuzz/ (commit them):\n' "${#failed[@]}"
	printf '  %s\n' "${failed[@]}"
	git status --short -- '*/testdata/fuzz/*' || true
	exit 1
fi
echo
echo "fuzz: all targets passed"
