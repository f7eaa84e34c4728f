#!/usr/bin/env bash
# The terminal is restored on every way out: SIGTERM, SIGHUP and SIGINT
# from outside (clean exit through the loop) and crash signals (SIGSEGV,
# SIGABRT: the handler writes the reset sequences and re-raises).  After
# each, the shell prompt is back, the alternate screen is left and the
# tty is in cooked mode with echo again.
. "$(dirname "$0")/lib.sh"
echo 'ulimit -c 0' >> "$tmp/env.sh"

for sig in TERM HUP INT SEGV ABRT; do
	start 100 30
	expect "$sig: started" "<-  220 demo.test"
	shell=$(tm display -p '#{pane_pid}')
	pid=$(pgrep -P "$shell" | head -n 1)
	if [ -z "$pid" ]; then
		echo "FAIL $sig: no smtpscope process under the pane's shell"; fails=$((fails + 1)); continue
	fi
	kill -s "$sig" "$pid"
	expect "$sig: shell prompt back" 'tui-shell$'
	if [ "$(tm display -p '#{alternate_on}')" = 0 ]; then
		echo "ok   $sig: alternate screen left"
	else
		echo "FAIL $sig: still in the alternate screen"; fails=$((fails + 1))
	fi
	type_line "$(command -v stty) -a | tr ' ;' '\n\n' | grep -x -e icanon -e echo | sort | tr '\n' ' '; echo end"
	expect "$sig: tty cooked with echo again" "echo icanon end"
	tm kill-server 2>/dev/null
done
finish
