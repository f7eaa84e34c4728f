#!/usr/bin/env bash
# /mx and /connect --mx in the terminal UI: the plan in the session pane,
# then the first MX refused (nothing listens at 127.0.0.2) and the second
# (the demo server on 127.0.0.3) used, with "MX 2 of 2" on the status
# bar; Tab offers --mx, then the domains of the addresses sent.  The DNS is dns.sh's signed example.test, loaded
# with --dns-config (no query leaves the process).
. "$(dirname "$0")/lib.sh"
for t in ldns-keygen ldns-signzone ldns-key2ds; do
	command -v "$t" >/dev/null || { echo "SKIP: $t missing (Debian package ldnsutils)"; exit 77; }
done
dns=$here/../dns
mkdir -p "$tmp/z"
"$dns/sign.sh" "$dns/example.test.zone" "$tmp/z" >"$tmp/sign.log" 2>&1 ||
	{ echo "FAIL: signing the test zone"; cat "$tmp/sign.log"; exit 1; }
# secure.conf with its paths made absolute (the UI runs in tmux's shell)
sed -e "s|\"ta.ds\"|\"$tmp/z/ta.ds\"|" -e "s|\"example.test.zone.signed\"|\"$tmp/z/example.test.zone.signed\"|" \
	-e "s|\"reverse.zone\"|\"$dns/reverse.zone\"|" "$dns/secure.conf" >"$tmp/z/mx.conf"

# The demo server on 127.0.0.3, at a port where nothing listens on 127.0.0.2.
port=
for try in 1 2 3 4 5; do
	"$bin" serve --listen 127.0.0.3:0 >"$tmp/serve.log" 2>&1 &
	server=$!
	for i in $(seq 100); do
		port=$(sed -n 's/.*listening on 127\.0\.0\.3:\([0-9]*\).*/\1/p' "$tmp/serve.log" | head -1)
		[ -n "$port" ] && break
		sleep 0.05
	done
	[ -n "$port" ] || { echo "FAIL: the demo server did not start"; cat "$tmp/serve.log"; exit 1; }
	(exec 3<>"/dev/tcp/127.0.0.2/$port") 2>/dev/null || break
	kill "$server"; : >"$tmp/serve.log"; port=
done
[ -n "$port" ] || { echo "FAIL: no free port pair on 127.0.0.2/3"; exit 1; }

start 150 45 -p "$port" --dns-config "$tmp/z/mx.conf"
expect "started" "<-  220 demo.test"
type_line "/mx someone@two.example.test"
expect "/mx: the plan's summary" "=== MX two.example.test: two.example.test has 2 MX hosts (DNSSEC-secure)"
expect "/mx: the first host" "===   1. mx1.two.example.test: preference 10, try 1 of 2"
expect "/mx: an address with its DNSSEC status" "===       A 127.0.0.3 [secure]"
tm send-keys -l "/connect --m"; tm send-keys Tab
expect "Tab completes --mx" "smtp> /connect --mx"
tm send-keys -l " two.example.test"; tm send-keys Enter
expect "the first MX refused" "!!! connection to 127.0.0.2 port $port refused"
expect "the second MX answers" "=== MX 2 of 2: mx2.two.example.test [127.0.0.3] answered: this session is on it"
expect "the status bar: which MX of how many" "mx2.two.example.test port $port | MX 2 of 2 | connected"
type_line "EHLO me.example"
expect "the session goes on there" "<-  250-demo.test Hello me.example"
type_line "MAIL FROM:<me@sender.test>"
type_line "RCPT TO:<student@demo.test>"
expect "RCPT answered" "<-  250 2.1.5"
tm send-keys -l "/mx s"; tm send-keys Tab
expect "Tab offers the domains of the addresses sent" "smtp> /mx sender.test"
tm send-keys C-c
tm send-keys -l "/connect --mx "; tm send-keys Tab Tab
expect "and after /connect --mx" "matches: demo.test sender.test"
tm send-keys C-c
quit_and_check_restored
finish
