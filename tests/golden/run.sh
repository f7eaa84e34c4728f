#!/usr/bin/env bash
# Golden tests of the line-mode transcript against the built-in demo server.
# Each CASE.in is fed to `smtpscope --batch` (no target: the demo), with
# the options in CASE.args if there is one (`--demo SCENARIO`: every
# scenario in help/scenarios has a case scenario-NAME); the output, with
# the free port and connect time normalised, must equal CASE.out, and the
# exit status must equal the number in CASE.status.
# UPDATE=1 rewrites the expected files (review the diff before committing).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
fail=0 n=0
normalise() {
	sed -E -e 's/127\.0\.0\.1:[0-9]+/127.0.0.1:PORT/g' \
	       -e 's/port [0-9]{4,5}/port PORT/g' \
	       -e 's/ in [0-9]+ ms/ in N ms/g' \
	       -e '/127\.0\.0\.1 port PORT/ s/[0-9]+ ms/N ms/'
}
for in in "$here"/*.in; do
	case=$(basename "$in" .in)
	n=$((n + 1))
	args=()
	[ -f "$here/$case.args" ] && read -r -a args < "$here/$case.args"
	got=$(cd "$here" && timeout 30 "$bin" --batch "${args[@]}" < "$in" 2>&1 | normalise; echo "status=${PIPESTATUS[0]}")
	status=${got##*status=}
	got=${got%status=*}
	got=${got%$'\n'}
	if [ "${UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$got" > "$here/$case.out"
		echo "$status" > "$here/$case.status"
		echo "updated $case (status $status)"
		continue
	fi
	want=$(cat "$here/$case.out")
	want_status=$(cat "$here/$case.status")
	if [ "$got" != "$want" ] || [ "$status" != "$want_status" ]; then
		echo "FAIL $case (exit $status, expected $want_status)"
		diff -u <(printf '%s\n' "$want") <(printf '%s\n' "$got") | head -60
		fail=$((fail + 1))
	else
		echo "ok   $case"
	fi
done
# Every shipped scenario has its golden case.
for scn in "$here"/../../help/scenarios/*.scn; do
	name=$(basename "$scn" .scn)
	if [ ! -f "$here/scenario-$name.in" ]; then
		echo "FAIL scenario $name has no golden case (scenario-$name.in)"
		fail=$((fail + 1))
	fi
done
echo "golden: $((n - fail))/$n passed"
[ "$fail" -eq 0 ]
