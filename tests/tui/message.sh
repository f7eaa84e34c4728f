#!/usr/bin/env bash
# Message mode in the terminal UI: DATA, lines, "." and the 250; the
# [message] indicator; Ctrl-C asks before abandoning a message.
. "$(dirname "$0")/lib.sh"

start 120 40
expect "started" "<-  220 demo.test"
type_line "EHLO me.example";                 expect "EHLO" "<-  250 STARTTLS"
type_line "MAIL FROM:<you@example.org>";     expect "MAIL" "<-  250 2.1.0"
type_line "RCPT TO:<student@demo.test>";     expect "RCPT" "<-  250 2.1.5"
type_line "DATA";                            expect "354" "<-  354"
expect "message-mode indicator" "[message]"
type_line "Subject: tui test"
type_line ""
type_line "hello from tmux"
expect "message line shown as sent" " -> hello from tmux"
tm send-keys C-c
expect "Ctrl-C asks before abandoning" "Abandon the message in progress? (y/n)"
tm send-keys n
expect_not "n keeps the message" "Abandon the message"
type_line "."
expect "250 queued after the dot" "Ok: queued as"
expect_not "indicator gone after the dot" "[message]"
type_line "/data"
expect "/data: message mode" "[message]"
type_line "only a draft"
tm send-keys C-c; expect "asks again" "(y/n)"
tm send-keys y
expect "y abandons the /data message" "unfinished message was not sent"
quit_and_check_restored
# After the dot the message is over: the prompt leaves [message] and the
# status bar says the reply is awaited, counting the seconds (issue 12).
start 150 40 --demo slow-filter
expect "slow-filter: started" "<-  220 demo.test"
type_line "EHLO me.example";                 expect "slow-filter: EHLO" "<-  250 STARTTLS"
type_line "MAIL FROM:<you@example.org>";     expect "slow-filter: MAIL" "<-  250 2.1.0"
type_line "RCPT TO:<student@demo.test>";     expect "slow-filter: RCPT" "<-  250 2.1.5"
type_line "DATA";                            expect "slow-filter: 354" "<-  354"
type_line "Subject: slow"
type_line "."
expect "slow-filter: the reply is awaited" "message sent: waiting "
expect "slow-filter: the seconds count" "waiting 2 s of 600 for the server's reply"
expect_not "slow-filter: no [message] prompt after the dot" "[message]"
expect_not "slow-filter: no request for a lone dot" "line with only"
expect "slow-filter: 250 after the filter" "Ok: queued as"
expect_not "slow-filter: the wait is over" "message sent: waiting"
quit_and_check_restored
finish
