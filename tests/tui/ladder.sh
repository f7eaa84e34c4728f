#!/usr/bin/env bash
# The ladder view: F7 turns the session pane into the client <-> server
# diagram (commands, codes coloured by class), it grows as the session
# goes on, scrolls with the pane keys, F7 goes back; /ladder switches to it.
. "$(dirname "$0")/lib.sh"

# The escape sequences of the row showing TEXT (colours included).
row_with() { tm capture-pane -p -e | grep -aF -- "$1" | head -1; }

start 100 30
expect "started" "<-  220 demo.test ESMTP"
type_line "EHLO me.example"
expect "EHLO answered" "<-  250 STARTTLS"
type_line "MAIL FROM:<you@example.org>"
type_line "RCPT TO:<someone@example.com>"
expect "relay refused" "<-  554 5.7.1"
tm send-keys F7
expect "F7: ladder title" "Ladder: client <-> server"
expect "ladder: header" "client                                   "
expect "ladder: greeting arrow" "|<---"
expect "ladder: command arrow" "|-- MAIL FROM:<you@example.org> ---"
expect "ladder: reply code" "250 2.1.0 Sender <you@example.org> ok --|"
expect "ladder: refusal" "|<----- 554 5.7.1 <someone@example.com>: Relay acce"
expect_not "ladder: no transcript markers" " -> MAIL FROM"
if row_with "554 5.7.1 <someone" | grep -q $'\e\\[[0-9;]*31m'; then echo "ok   5xx arrow in red"
else echo "FAIL 5xx arrow not red: $(row_with '554 5.7.1' | cat -v)"; fails=$((fails + 1)); fi
if row_with "250 2.1.0 Sender" | grep -q $'\e\\[[0-9;]*32m'; then echo "ok   2xx arrow in green"
else echo "FAIL 2xx arrow not green: $(row_with '250 2.1.0' | cat -v)"; fails=$((fails + 1)); fi
type_line "RSET"
expect "ladder: drawn live" "|-- RSET ---"
for i in $(seq 1 14); do type_line "NOOP $i"; done
expect "ladder: follows the newest" "|-- NOOP 14 ---"
tm send-keys PPage
expect "PgUp scrolls the ladder" "Ladder (scrolled"
expect_not "scrolled away from the newest" "|-- NOOP 14 ---"
tm send-keys NPage NPage
expect "PgDn follows again" "Ladder: client <-> server"
expect "the newest again" "|-- NOOP 14 ---"
# tmux sends Home and End as ESC [1~ and ESC [4~ (find and select in the
# xterm terminfo): they scroll the focused pane all the same.
tm send-keys F6 Home
expect "Home: the top of the ladder" "client                                   "
expect_not "Home: away from the newest" "|-- NOOP 14 ---"
tm send-keys End
expect "End: the newest again" "|-- NOOP 14 ---"
expect "End: follows" "Ladder: client <-> server"
tm send-keys F6 F6   # back to the command line
tm send-keys F7
expect "F7: back to the transcript" "Session (F7: ladder)"
expect "transcript markers again" " -> NOOP 14"
type_line "/ladder"
expect "/ladder switches to the ladder" "Ladder: client <-> server"
expect "/ladder: the diagram" "|-- NOOP 14 ---"
tm send-keys F1
expect "help overlay names F7" "F7, /ladder"
tm send-keys Escape
quit_and_check_restored
finish
