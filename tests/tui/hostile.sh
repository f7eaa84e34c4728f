#!/usr/bin/env bash
# A hostile server: its greeting carries clear-screen, an OSC 0 title and
# an OSC 52 clipboard write.  The pane must show them escaped, the screen
# must stay intact, and the title and clipboard must stay untouched.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }

printf '%s\n' 'send 220 \x1b[2J\x1b[H\x1b]0;pwned\x07 \x1b]52;c;ZXZpbA==\x07 evil\r\n' \
	'recv' 'send 221 bye\r\n' 'close' > "$tmp/script"
"$py" "$here/../integration/scripted_server.py" "$tmp/port" "$tmp/script" &
for i in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
start 120 40 "127.0.0.1:$(cat "$tmp/port")"
expect "clear-screen shown escaped" '<-  220 \x1b[2J\x1b[H\x1b]0;pwned\x07'
expect "clipboard write shown escaped" '\x1b]52;c;ZXZpbA==\x07 evil'
expect "status bar intact" "| connected |"
expect "pane titles intact" " Session "
if screen | head -1 | grep -qF "Session"; then
	echo "ok   first row still the pane title"
else
	echo "FAIL the screen was moved or cleared"; screen | sed 's/^/    | /'; fails=$((fails + 1))
fi
title=$(tm display -p '#{pane_title}')
case $title in *pwned*) echo "FAIL the window title changed: $title"; fails=$((fails + 1)) ;;
	*) echo "ok   window title untouched" ;; esac
if tm show-buffer >/dev/null 2>&1; then
	echo "FAIL OSC 52 reached the clipboard: $(tm show-buffer)"; fails=$((fails + 1))
else
	echo "ok   clipboard untouched"
fi
quit_and_check_restored
finish
