#!/usr/bin/env bash
# TLS in the terminal UI against the demo server (self-signed certificate):
# without --insecure, /starttls shows the certificate, explains the failed
# verification and closes; with --insecure the session goes on in TLS and
# the status bar keeps a warning; the capability diff after EHLO.
. "$(dirname "$0")/lib.sh"

start 150 40
expect "started" "<-  220 demo.test"
type_line "EHLO me.example";  expect "EHLO" "<-  250 STARTTLS"
type_line "/starttls"
expect "certificate shown" "~~~ certificate names: DNS:demo.test"
expect "verification failure explained" "The server's certificate is self-signed"
expect "closed after the failed verification" "disconnected"
expect_not "nothing sent inside TLS" " ~> "
expect "status bar: no TLS" "| no TLS |"
quit_and_check_restored

start 150 40 --insecure
expect "insecure: started" "<-  220 demo.test"
type_line "EHLO me.example";  expect "insecure: EHLO" "<-  250 STARTTLS"
type_line "/starttls"
expect "status bar warns for the rest of the session" "!! INSECURE TLSv1.3: certificate NOT verified"
type_line "EHLO me.example"
expect "EHLO inside TLS" "(insecure) <~  250 SMTPUTF8"
expect "capability diff" "-STARTTLS"
quit_and_check_restored
finish
