#!/usr/bin/env bash
# The history file: created 0600 under $XDG_STATE_HOME/smtpscope, keeps
# ordinary lines, never an AUTH secret.
. "$(dirname "$0")/lib.sh"

start 120 40
expect "started" "<-  220 demo.test"
type_line "EHLO me.example";      expect "EHLO" "<-  250 STARTTLS"
type_line "AUTH PLAIN dGVzdA==";  expect "AUTH sent" " -> AUTH PLAIN"
expect "AUTH answered" "reply to AUTH"
quit_and_check_restored
hist=$tmp/state/smtpscope/history
if [ -f "$hist" ]; then echo "ok   history file created"; else
	echo "FAIL no history file at $hist"; fails=$((fails + 1)); fi
if grep -qF "EHLO me.example" "$hist" 2>/dev/null; then echo "ok   ordinary line kept"; else
	echo "FAIL EHLO not in the history"; fails=$((fails + 1)); fi
if grep -qF "dGVzdA" "$hist" 2>/dev/null; then
	echo "FAIL the AUTH secret is in the history:"; sed 's/^/    | /' "$hist"; fails=$((fails + 1))
else
	echo "ok   AUTH secret not stored"
fi
mode=$(stat -c %a "$hist" 2>/dev/null)
if [ "$mode" = 600 ]; then echo "ok   history file is 0600"; else
	echo "FAIL history file mode $mode"; fails=$((fails + 1)); fi
finish
