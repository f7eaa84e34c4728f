#!/usr/bin/env bash
# The demo's scenario files are read when the demo or /scenario needs
# them, not at every start: a session with a server of its own (here
# `smtpscope serve`) does not mention a broken scenario file until
# /scenario asks for the list, which then shows the problem (FILE:LINE)
# as a warning, the other scenarios, and switches to one; the demo
# itself still reads them at start and reports the broken file there.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
helpdir=${SMTPSCOPE_HELPDIR:-$here/../../help}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
n=0 fails=0
ok() { n=$((n + 1)); echo "ok   $1"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/    /' "$2"; }
has() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: no \"$3\"" "$2"; fi
}
lacks() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then bad "$1: \"$3\" is there" "$2"; else ok "$1"; fi
}

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" > "$tmp/serve.log" 2>&1 &
for i in $(seq 1 600); do grep -q "listening on 127.0.0.1:$port" "$tmp/serve.log" && break; sleep 0.05; done
grep -q "listening on 127.0.0.1:$port" "$tmp/serve.log" || { echo "FAIL: serve did not start"; cat "$tmp/serve.log"; exit 1; }

# A help directory whose scenarios include a broken file.
mkdir "$tmp/help"
cp -r "$helpdir"/. "$tmp/help/"
chmod -R u+w "$tmp/help"
printf '[scenario broken]\ntitle: no lesson, a key that does not exist\nnonsense: here\n' \
	> "$tmp/help/scenarios/broken.scn"

printf 'EHLO me.example\nQUIT\n' |
	SMTPSCOPE_HELPDIR="$tmp/help" timeout 30 "$bin" --batch "127.0.0.1:$port" > "$tmp/plain.out" 2>&1
status=$?
[ "$status" = 0 ] && ok "a session with its own server: exit 0" || bad "a session with its own server: exit $status" "$tmp/plain.out"
lacks "its start reads no scenario file" "$tmp/plain.out" "broken.scn"

printf 'EHLO me.example\n/scenario\n/scenario vrfy\nVRFY postmaster\nQUIT\n' |
	SMTPSCOPE_HELPDIR="$tmp/help" timeout 30 "$bin" --batch "127.0.0.1:$port" > "$tmp/list.out" 2>&1
sed -n '1,/\[reply to EHLO\]/p' "$tmp/list.out" > "$tmp/before.out"
lacks "nothing of the file before /scenario" "$tmp/before.out" "broken.scn"
has "/scenario: the broken file as a warning, FILE:LINE" "$tmp/list.out" "broken.scn:3:"
has "/scenario: the list" "$tmp/list.out" "greylisting"
has "/scenario vrfy: the demo with that scenario" "$tmp/list.out" 'scenario "vrfy"'
has "/scenario vrfy: its answer" "$tmp/list.out" "<-  250 2.1.5 Postmaster"

printf 'QUIT\n' | SMTPSCOPE_HELPDIR="$tmp/help" timeout 30 "$bin" --batch > "$tmp/demo.out" 2>&1
has "the demo reads them at start and says what is broken" "$tmp/demo.out" "broken.scn:3:"
has "the demo still starts" "$tmp/demo.out" "<-  221"

echo "scenario-lazy: $((n - fails))/$n passed"
[ "$fails" = 0 ]
