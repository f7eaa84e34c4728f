#!/usr/bin/env bash
# --trace and /trace in the terminal UI: state changes are noted with
# their cause after the reply that caused them; /trace off stops them,
# /trace on starts them again.
. "$(dirname "$0")/lib.sh"

start 120 40 --trace
expect "started" "<-  220 demo.test ESMTP"
expect "--trace: the greeting's state change" "=== state WAIT_GREETING -> GREETED on 220 to greeting"
type_line "EHLO me.example"
expect "EHLO's state change, with its cause" "=== state GREETED -> READY on 250 to EHLO"
type_line "/trace off"
expect "/trace off" "=== trace is off"
type_line "MAIL FROM:<you@example.org>"
expect "MAIL answered" "<-  250 2.1.0 Sender <you@example.org> ok"
expect_not "no note while off" "=== state READY -> MAIL"
type_line "/trace on"
expect "/trace on" "=== trace is on: every state change is noted with its cause"
type_line "RSET"
expect "RSET's state change" "=== state MAIL -> READY on 250 to RSET"
quit_and_check_restored
finish
