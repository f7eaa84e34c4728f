# Helpers for the line-mode checks of tests/cli (sourced): a temporary
# folder removed at the end, ok/bad counting, and checks on a file's lines.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }
# has NAME FILE TEXT: a line of FILE is TEXT exactly.
has() {
	if grep -qxF -- "$3" "$2"; then ok "$1"; else bad "$1" "no line [$3] in:" "$(cat "$2")"; fi
}
# matches NAME FILE REGEX: a line of FILE matches the extended REGEX.
matches() {
	if grep -qE -- "$3" "$2"; then ok "$1"; else bad "$1" "no /$3/ in:" "$(cat "$2")"; fi
}
# lacks NAME FILE TEXT: TEXT is nowhere in FILE.
lacks() {
	if grep -qF -- "$3" "$2"; then bad "$1" "[$3] found in:" "$(cat "$2")"; else ok "$1"; fi
}
# finish NAME: the counts, and the exit status.
finish() {
	echo "$1: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}
