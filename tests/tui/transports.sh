#!/usr/bin/env bash
# Issue 17, transports, in the terminal UI: smtpscope on a UNIX socket
# (smtpscope serve --listen unix:PATH) names it in the status bar and
# talks to it; /connect --pipe starts a program (pipe_server.py), the
# status bar says "pipe: COMMAND", its standard error shows as escaped
# "stderr:" notes, its exit status when it ends, and it is reaped while
# smtpscope still runs (no zombie: its /proc entry is gone); a program
# that outlives its input is killed on /quit (SIGTERM, then SIGKILL to
# its group) and the terminal is restored; smtpscope --pipe COMMAND
# starts the TUI on a program directly.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }
srv="$py $here/../integration/pipe_server.py"
usock=$tmp/smtp.sock
"$bin" serve --listen "unix:$usock" > "$tmp/serve.log" 2>&1 &
server=$!
for i in $(seq 1 100); do [ -S "$usock" ] && break; sleep 0.1; done
[ -S "$usock" ] || { echo "FAIL: serve made no socket at $usock"; exit 1; }

# gone NAME PID: within the bounded wait, no process PID (not even a zombie).
gone() {
	local i
	for i in $(seq 1 100); do
		[ -n "$2" ] && [ ! -e "/proc/$2" ] && { echo "ok   $1"; return 0; }
		sleep 0.1
	done
	echo "FAIL $1: process ${2:-?} is still there: $(grep -s State "/proc/$2/status")"
	fails=$((fails + 1))
}
# shell_pid: the process number the transcript gives the program (/bin/sh).
shell_pid() { screen | grep -o 'the program runs as process [0-9]*' | tail -1 | grep -o '[0-9]*$'; }

start 160 40 "unix:$usock"
expect "unix: greeting" "<-  220 demo.test ESMTP"
expect "unix: the status bar names the socket" "unix:$usock"
type_line "EHLO me.example"
expect "unix: EHLO answered" "<-  250 STARTTLS"
type_line "/connect --pipe $srv exit3 $tmp/exit3.pid"
expect "pipe: greeting" "<-  220 pipe.test ESMTP pipe_server"
expect "pipe: the status bar names the program" "pipe: $srv exit3"
expect "pipe: stderr as a note" "=== stderr: pipe_server: started"
expect "pipe: only 0, 1 and 2 open in the program" "=== stderr: fds: 0 1 2"
expect "pipe: an escape in stderr shown escaped" 'colour: \x1b[31mred\x1b[0m done'
sh_pid=$(shell_pid)
type_line "QUIT"
expect "pipe: the exit status" "exited with status 3"
expect "pipe: the close after it" "=== the server closed the connection"
gone "pipe: the program reaped while smtpscope runs" "$sh_pid"
gone "pipe: the server process gone" "$(cat "$tmp/exit3.pid" 2>/dev/null)"
type_line "/connect --pipe $srv stubborn $tmp/stubborn.pid"
expect "stubborn: greeting" "<-  220 pipe.test ESMTP pipe_server"
sh_pid=$(shell_pid)
quit_and_check_restored "stubborn"
gone "stubborn: the program killed on /quit" "$sh_pid"
gone "stubborn: its group killed too" "$(cat "$tmp/stubborn.pid" 2>/dev/null)"

start 160 40 --pipe "'$srv exit0'"
expect "--pipe: greeting" "<-  220 pipe.test ESMTP pipe_server"
expect "--pipe: the status bar" "pipe: $srv exit0"
type_line "/quit"
check_restored "--pipe" "after /quit"

kill "$server" 2>/dev/null
wait "$server" 2>/dev/null
finish
