#!/usr/bin/env bash
# A one-shot transaction opened in the terminal UI (--interactive): the
# steps run by themselves, the message is delivered, and the session stays
# open (no QUIT) so the person can go on typing; --auth without a password
# option asks for it at the masked prompt, the one-shot waits for it, and
# the password is never on the screen.  What the demo server received is
# checked in its log.
. "$(dirname "$0")/lib.sh"
# demo NAME SCENARIO: a demo server on a free port; sets $port.
demo() {
	local i
	"$bin" serve --listen 127.0.0.1:0 --scenario "$2" > "$tmp/$1.log" 2>&1 &
	for i in $(seq 1 100); do
		port=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/$1.log")
		[ -n "$port" ] && return 0
		sleep 0.1
	done
	echo "FAIL the demo server did not start"; cat "$tmp/$1.log"; exit 1
}
# log_has NAME TEXT: the server's log holds TEXT (bounded wait).
log_has() {
	local i
	for i in $(seq 1 50); do grep -qF -- "$2" "$tmp/$1.log" && return 0; sleep 0.1; done
	return 1
}
check_log() {
	if [ "$3" = yes ] && log_has "$1" "$2"; then
		echo "ok   $1 log: $2"
	elif [ "$3" = no ] && ! grep -qF -- "$2" "$tmp/$1.log"; then
		echo "ok   $1 log without: $2"
	else
		echo "FAIL $1 log (want $3): $2"; sed 's/^/    | /' "$tmp/$1.log"; fails=$((fails + 1))
	fi
}

demo happy happy
start 120 40 --to user@demo.test --from sender@client.test --ehlo c.example \
	--server "127.0.0.1:$port" --interactive
expect "one-shot delivered in the UI" "<-  250 2.0.0 Ok: queued as DEMO"
expect "status bar: transaction over, session open" "ready (EHLO done)"
check_log happy "<- RCPT TO:<user@demo.test>" yes
check_log happy "<- QUIT" no
type_line "NOOP"
expect "the person goes on" "<-  250 2.0.0 Ok"
check_log happy "<- NOOP" yes
quit_and_check_restored one-shot

demo auth auth
pw=secret
start 120 40 --to user@demo.test --from sender@client.test --ehlo c.example \
	--server "127.0.0.1:$port" --auth PLAIN --auth-user student --interactive
expect "the one-shot asks for the password" "password (hidden):"
check_log auth "<- MAIL" no
tm send-keys -l "$pw"
tm send-keys Enter
expect "authenticated" '=== authenticated as "student" with PLAIN'
expect "then delivered" "<-  250 2.0.0 Ok: queued as DEMO"
if screen | grep -qF " $pw"; then
	echo "FAIL the password is on the screen"; fails=$((fails + 1))
else
	echo "ok   password not on the screen"
fi
check_log auth "<- MAIL FROM:<sender@client.test>" yes
quit_and_check_restored auth
finish
