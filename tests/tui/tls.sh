#!/usr/bin/env bash
# TLS in the terminal UI against the demo server (self-signed certificate).
# Without --insecure, /starttls shows the certificate, explains the failed
# verification and asks on the status line whether to go on, with the
# connection paused and nothing sent over TLS: "n" closes; "y" goes on as
# --insecure would (EHLO inside TLS, lines marked, a status-bar warning
# that stays).  With --insecure it goes on without asking.
. "$(dirname "$0")/lib.sh"
question="Certificate NOT verified (self-signed certificate). Continue anyway? (y/N)"

start 150 40
expect "started" "<-  220 demo.test"
type_line "EHLO me.example";  expect "EHLO" "<-  250 STARTTLS"
type_line "/starttls"
expect "certificate shown" "~~~ certificate names: DNS:demo.test"
expect "verification failure explained" "The server's certificate is self-signed"
expect "the question on the status line" "$question"
expect "paused, not closed" "| connected | !! TLS paused: certificate NOT verified |"
tm send-keys n
expect "answer n: closed" "the certificate was not verified and you chose not to"
expect "answer n: disconnected" "| disconnected | no TLS |"
expect_not "answer n: the question is gone" "$question"
expect_not "answer n: nothing sent inside TLS" " ~> "
quit_and_check_restored

start 150 40
expect "ask: started" "<-  220 demo.test"
type_line "EHLO me.example";  expect "ask: EHLO" "<-  250 STARTTLS"
type_line "/starttls"
expect "ask: the question" "$question"
expect_not "ask: nothing sent while asking" " ~> "
tm send-keys y
expect "answer y: going on, marked" "!!! INSECURE: going on WITHOUT a verified certificate because you answered y"
expect "answer y: the warning on the status bar" "!! INSECURE TLSv1.3: certificate NOT verified"
type_line "EHLO me.example"
expect "answer y: EHLO inside TLS" "(insecure) <~  250 SMTPUTF8"
expect "answer y: capability diff" "-STARTTLS"
expect "answer y: the warning stays" "!! INSECURE TLSv1.3: certificate NOT verified"
# The ladder says TLS is up but not verified, then draws arrows inside TLS:
# no "TLS FAILED" band before them (issue 12).
tm send-keys F7
expect "answer y: ladder band" "certificate NOT verified ==="
expect "answer y: ladder arrows inside TLS" "|~~ EHLO me.example ~"
expect_not "answer y: no TLS FAILED band" "TLS FAILED"
tm send-keys F7
quit_and_check_restored

start 150 40 --insecure
expect "insecure: started" "<-  220 demo.test"
type_line "EHLO me.example";  expect "insecure: EHLO" "<-  250 STARTTLS"
type_line "/starttls"
expect "status bar warns for the rest of the session" "!! INSECURE TLSv1.3: certificate NOT verified"
expect_not "insecure: no question" "$question"
type_line "EHLO me.example"
expect "EHLO inside TLS" "(insecure) <~  250 SMTPUTF8"
expect "capability diff" "-STARTTLS"
quit_and_check_restored
finish
