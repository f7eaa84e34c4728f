#!/usr/bin/env bash
# `smtpscope probe` at a terminal: the TUI.  The DNS is tests/dns's
# probe.test (unsigned, --dns-config, nothing leaves the process); the MX
# hosts are demo servers on 127.0.0.2 (accepts) and 127.0.0.7 (a 25 s
# greeting: tests/dns's 6 s left too short a window between the 5 s note
# and the verdict under ASan), at one free port given with -p, as in
# tests/dns/probe.sh.
# Checked: the steps in the session pane, the verdict and next step in the
# explanation pane, q quitting with the terminal restored and the verdict
# printed again; Ctrl-C quitting too; a long wait said in the explanation
# pane, F10 stopping the probe before its verdict; --batch keeping line
# mode at a terminal.
. "$(dirname "$0")/lib.sh"
dns=$here/../dns
mkdir -p "$tmp/z"
sed -e "s|\"probe.test.zone\"|\"$dns/probe.test.zone\"|" -e "s|\"probe-reverse.zone\"|\"$dns/probe-reverse.zone\"|" \
	"$dns/probe.conf" >"$tmp/z/probe.conf"
sed -e 's/^greeting-delay: 6000$/greeting-delay: 25000/' "$dns/probe-slow.scn" >"$tmp/z/probe-slow.scn"
grep -q '^greeting-delay: 25000$' "$tmp/z/probe-slow.scn" || { echo "FAIL: probe-slow.scn has no 6 s greeting-delay"; exit 1; }

port=
for try in 1 2 3 4 5; do
	port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2",0)); print(s.getsockname()[1])')
	ok=1
	for s in "127.0.0.2:$dns/probe-ok.scn" "127.0.0.7:$tmp/z/probe-slow.scn"; do
		addr=${s%%:*} scn=${s#*:}
		"$bin" serve --listen "$addr:$port" --scenario "$scn" >"$tmp/serve-$addr.log" 2>&1 &
		for i in $(seq 100); do
			grep -qF "listening on $addr:$port" "$tmp/serve-$addr.log" && break
			sleep 0.05
		done
		grep -qF "listening on $addr:$port" "$tmp/serve-$addr.log" || ok=
	done
	[ -n "$ok" ] && break
	kill $(jobs -p) 2>/dev/null; wait 2>/dev/null; port=
done
[ -n "$port" ] || { echo "FAIL: the demo servers did not start"; cat "$tmp"/serve-*.log; exit 1; }

# ---- the first MX down, the second takes the mail --------------------------
start 160 50 probe user@down.probe.test --dns-config "$tmp/z/probe.conf" -p "$port" --from a@sender.probe.test
expect "the pane titles" "session: smtpscope probe"
expect "a step: RCPT at the second MX" "[mx-ok.probe.test 127.0.0.2] (insecure)  ~> RCPT TO:<user@down.probe.test>"
expect "a step: the attempt done" "[mx-ok.probe.test 127.0.0.2] === done: connected in "
expect "the explanation pane has the verdict" "explanation: the verdict"
expect "the verdict" "=== verdict: deliverable (exit 0): deliverable via mx-ok.probe.test"
expect "the next step" "=== next step: "
expect "the table" "=== 1   mx-down.probe.test           127.0.0.9        refused"
expect "the key hint" "probe done: q or F10 quits"
# the verdict is below the title of the explanation pane, the steps above it
rows=$(screen | grep -nF -e "explanation: the verdict" -e "=== verdict: deliverable" -e "~> RCPT TO:<user@down.probe.test>" | cut -d: -f1 | tr '\n' ' ')
set -- $rows
if [ $# -ge 3 ] && [ "$1" -lt "$2" ] && [ "$2" -lt "$3" ]; then
	echo "ok   steps above the explanation pane, the verdict in it"
else
	echo "FAIL the panes: rows $rows"; screen | sed 's/^/    | /'; fails=$((fails + 1))
fi
# the first steps: scrolled back to
tm send-keys PPage PPage PPage PPage
expect "PgUp: scrolled back" "session: smtpscope probe (scrolled back"
expect "a step: the plan" "===   1. mx-down.probe.test: preference 10, try 1 of 2"
expect "a step: the refused connection" "[mx-down.probe.test 127.0.0.9] *** connection to 127.0.0.9 port $port"
expect "a step: the sender's SPF" "=== sender SPF of sender.probe.test (insecure): v=spf1 ip4:127.0.0.0/8 mx -all"
expect "the verdict stays in its pane" "=== verdict: deliverable (exit 0)"
tm send-keys End
expect "End: the latest steps" "[mx-ok.probe.test 127.0.0.2] === done: connected in "
tm send-keys q
check_restored q "after q"
expect "the verdict printed again on the restored terminal" "=== verdict: deliverable (exit 0)"
type_line 'echo "status=$?"'
expect "the exit status is the verdict's" "status=0"

# ---- a long wait is said; F10 stops the probe -------------------------------
start 160 50 probe user@slow.probe.test --dns-config "$tmp/z/probe.conf" -p "$port"
expect "probing: the explanation pane waits" "explanation: probing..."
expect "the long wait in the explanation pane" "[mx-slow.probe.test 127.0.0.7] === still waiting for the greeting: "
tm send-keys F10
check_restored F10 "after F10"
expect "F10: stopped before the verdict" "smtpscope probe: stopped before the verdict"

# ---- Ctrl-C quits too (raw mode: it is a key) -------------------------------
start 160 50 probe user@implicit.probe.test --dns-config "$tmp/z/probe.conf" -p "$port"
expect "implicit: the verdict in the explanation pane" "=== verdict: deliverable (exit 0): deliverable via implicit.probe.test"
tm send-keys C-c
check_restored Ctrl-C "after Ctrl-C"

# ---- --batch: line mode at a terminal ---------------------------------------
start 160 50 probe user@implicit.probe.test --dns-config "$tmp/z/probe.conf" -p "$port" --batch
expect "--batch: the verdict in line mode" "=== verdict: deliverable (exit 0): deliverable via implicit.probe.test"
expect "--batch: the prompt after it" 'tui-shell$'
expect_not "--batch: no TUI" "session: smtpscope probe"
finish
