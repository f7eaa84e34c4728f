#!/usr/bin/env bash
# Error paths of line mode against scripted peers on 127.0.0.1: each
# failure must give its message in the transcript and its exit status,
# and hostile bytes must never reach the output raw.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
fail=0 n=0

# run NAME EXPECTED_STATUS EXPECTED_TEXT INPUT SCRIPT [smtpscope options]
run() {
	local name=$1 want=$2 text=$3 input=$4 script=$5; shift 5
	local port out status i
	n=$((n + 1))
	printf '%b' "$script" > "$tmp/$name.script"
	rm -f "$tmp/$name.port"
	"$py" "$here/scripted_server.py" "$tmp/$name.port" "$tmp/$name.script" &
	for i in $(seq 1 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
	port=$(cat "$tmp/$name.port" 2>/dev/null)
	out=$(printf '%b' "$input" | timeout 60 "$bin" --batch "$@" "127.0.0.1:$port" 2>&1)
	status=$?
	wait 2>/dev/null
	check "$name" "$want" "$text" "$status" "$out"
	last_out=$out
}

check() {
	local name=$1 want=$2 text=$3 status=$4 out=$5
	if [ "$status" != "$want" ] || ! grep -qF -- "$text" <<<"$out"; then
		echo "FAIL $name: exit $status (want $want), text \"$text\" $(grep -qF -- "$text" <<<"$out" && echo found || echo missing)"
		sed 's/^/    /' <<<"$out"
		fail=$((fail + 1))
	else
		echo "ok   $name"
	fi
}

run greeting-refused 21 "<-  554 5.3.2 not accepting mail" "EHLO c\n" \
	'send 554 5.3.2 not accepting mail\\r\\n\nrecv\nsend 503 only QUIT\\r\\n\nrecv\nsend 221 bye\\r\\n\nclose\n'
run ehlo-refused 22 "exit status 22: EHLO/HELO refused" "EHLO c\nHELO c\n" \
	'send 220 hi\\r\\n\nrecv\nsend 550 no\\r\\n\nrecv\nsend 550 no\\r\\n\nrecv\nsend 221 bye\\r\\n\nclose\n'
run mail-refused 23 "exit status 23: MAIL refused" "EHLO c\nMAIL FROM:<a@b.test>\n" \
	'send 220 hi\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 553 5.1.8 bad sender\\r\\n\nrecv\nsend 221 bye\\r\\n\nclose\n'
run data-refused 25 "exit status 25: DATA refused" "EHLO c\nMAIL FROM:<a@b.test>\nRCPT TO:<c@d.test>\nDATA\n" \
	'send 220 hi\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 451 4.3.0 try later\\r\\n\nrecv\nsend 221 bye\\r\\n\nclose\n'
run dot-refused 26 "exit status 26: message refused after the final dot" "EHLO c\nMAIL FROM:<a@b.test>\nRCPT TO:<c@d.test>\nDATA\nhello\n.\n" \
	'send 220 hi\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 354 go\\r\\n\nrecv\nrecv\nsend 554 5.7.1 spam\\r\\n\nrecv\nsend 221 bye\\r\\n\nclose\n'
run silent-server 4 "no reply to greeting within 1 s" "" 'hang 5\n' --timeout 1
check silent-server-names-option 4 "(--timeout SECONDS waits longer)" 4 "$last_out"
# Silent for a while on a plain connection: perhaps it expects TLS first.
run silent-tls-hint 4 "nothing from the server 3 s after connecting" "" 'hang 8\n' --timeout 5
check silent-tls-hint-names-option 4 "(as port 465 does; try --tls)" 4 "$last_out"
# The reply to the final dot has its own, longer wait (content filters are
# slow; RFC 5321 allows 10 minutes): --timeout 1 does not cut it short.
run silent-after-dot 4 "no reply to end of data within 3 s" "EHLO c\nMAIL FROM:<a@b.test>\nRCPT TO:<c@d.test>\nDATA\nhello\n.\n" \
	'send 220 hi\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 250 ok\\r\\n\nrecv\nsend 354 go\\r\\n\nrecv\nrecv\nhang 8\n' \
	--timeout 1 --dot-timeout 3
check silent-after-dot-names-option 4 "(--dot-timeout SECONDS waits longer)" 4 "$last_out"
run closed-mid-reply 4 "in the middle of a reply" "EHLO c\n" \
	'send 220 hi\\r\\n\nrecv\nsend 250-part\\r\\n250-PIPE\nclose\n'
run closed-after-command 4 "closed the connection while EHLO was waiting" "EHLO c\n" \
	'send 220 hi\\r\\n\nrecv\nclose\n'
run closed-idle 0 "without saying why" "" 'send 220 hi\\r\\n\nclose\n'
# After 221 the server must close; one that does not is closed for it.
run no-close-after-221 0 "did not close the connection within 2 s of its 221" "QUIT\n" \
	'send 220 hi\\r\\n\nrecv\nsend 221 bye\\r\\n\nhang\n'
run server-421 22 "<-  421 4.4.2 idle timeout" "EHLO c\n" \
	'send 220 hi\\r\\n\nrecv\nsend 421 4.4.2 idle timeout\\r\\n\nclose\n'

# Hostile bytes: escape sequences (clear screen, title, clipboard), C1,
# NUL, invalid UTF-8 and a bare LF must be shown escaped, never raw.
run hostile 0 '\x1b]0;pwned\x07' "EHLO c\n" \
	'send 220 \\x1b[2J\\x1b]0;pwned\\x07 \\x1b]52;c;ZXZpbA==\\x07 \\xc2\\x9b \\x00 \\xff\\r\\n\nrecv\nsend 250-ok\\n250 done\\r\\n\nrecv\nsend 221 bye\\r\\n\nclose\n'
out=$last_out
if grep -q $'[\x01-\x08\x0b-\x1f\x7f]' <<<"$out"; then
	echo "FAIL hostile: raw control bytes reached the output"; fail=$((fail + 1))
fi
for want in "malformed reply: control character in the text (line 1)" \
	    "malformed reply: NUL octet in the text (line 1)" \
	    "malformed reply: bare LF line ending (RFC 5321 requires CRLF) (line 1)" \
	    '\xff' '\u{009b}'; do
	grep -qF -- "$want" <<<"$out" || { echo "FAIL hostile: missing \"$want\""; fail=$((fail + 1)); }
done

# Local failures exit 5, whatever the server said: a script's mistake
# must not pass for a success.  Against the built-in demo server.
local_fail() {
	local name=$1 text=$2 input=$3 out status; shift 3
	n=$((n + 1))
	out=$(printf '%b' "$input" | timeout 60 "$bin" --batch "$@" 2>&1); status=$?
	check "$name" 5 "$text" "$status" "$out"
	grep -qF "exit status 5: a local command or input line failed" <<<"$out" ||
		{ echo "FAIL $name: exit status not named"; fail=$((fail + 1)); }
}
local_fail unknown-command 'unknown or ambiguous command "/nosuch"' 'EHLO c\n/nosuch\n'
local_fail auth-no-password "input ended while /auth waited for the password" 'EHLO c\n/auth PLAIN alice\n'
local_fail password-env-unset "the environment variable SMTPSCOPE_TEST_UNSET is not set" \
	'EHLO c\n/auth PLAIN alice\n' --password-env SMTPSCOPE_TEST_UNSET
local_fail sendfile-unreadable "cannot open $tmp/none.eml" "EHLO c\n/sendfile $tmp/none.eml\n"
local_fail bad-argument "usage: /trace on|off" 'EHLO c\n/trace maybe\n'
local_fail not-connected "not connected: /connect HOST[:PORT] first, then /starttls" 'QUIT\n/starttls\n'

# Connection failures, all on loopback.
n=$((n + 1))
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
out=$(timeout 30 "$bin" --batch "127.0.0.1:$port" </dev/null 2>&1); status=$?
check refused 3 "refused: nothing listens there" "$status" "$out"

n=$((n + 1))
out=$(timeout 60 "$bin" --batch --connect-timeout 5 "no-such-host.invalid:25" </dev/null 2>&1); status=$?
check dns 3 'cannot resolve "no-such-host.invalid"' "$status" "$out"

# The peer holds its full backlog for 6 s (20 when SMTPSCOPE_TEST_SLOW says
# smtpscope runs slowed down, under valgrind, and may take longer to start).
run connect-timeout 3 "timed out after" "" "nolisten $([ -n "${SMTPSCOPE_TEST_SLOW:-}" ] && echo 20 || echo 6)\\n" --connect-timeout 1
check connect-timeout-names-option 3 "--connect-timeout SECONDS waits longer" 3 "$last_out"

n=$((n + 1))
out=$(timeout 10 "$bin" --batch "[::1" </dev/null 2>&1); status=$?
check bad-target 2 "expected [IPv6-ADDRESS]" "$status" "$out"

echo "batch-errors: $((n - fail))/$n passed"
[ "$fail" -eq 0 ]
