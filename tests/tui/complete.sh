#!/usr/bin/env bash
# Tab completion in the terminal UI: local commands, SMTP verbs, several
# matches listed on the status bar (never readline's pager); history.
. "$(dirname "$0")/lib.sh"

start 120 40
expect "started" "<-  220 demo.test"
tm send-keys -l "/he"; tm send-keys Tab
expect "/he Tab completes /help" "smtp> /help"
tm send-keys C-c
expect_not "Ctrl-C clears the line" "smtp> /help"
tm send-keys -l "eh"; tm send-keys Tab
expect "eh Tab completes EHLO" "smtp> EHLO"
tm send-keys -l "me.example"; tm send-keys Enter
expect "EHLO sent" "<-  250-PIPELINING"
tm send-keys -l "MA"; tm send-keys Tab
expect "MA Tab completes MAIL FROM:" "smtp> MAIL FROM:"
tm send-keys -l "<a@example.org> SI"; tm send-keys Tab
expect "MAIL parameter SIZE= completes (advertised)" "smtp> MAIL FROM:<a@example.org> SIZE="
tm send-keys -l "100 RE"; tm send-keys Tab
expect "DSN's RET= values listed, REQUIRETLS not (not advertised)" "matches: RET=FULL RET=HDRS"
tm send-keys C-c
tm send-keys -l "RCPT TO:<s@demo.test> NO"; tm send-keys Tab
expect "RCPT parameters from DSN" "matches: NOTIFY=FAILURE NOTIFY=NEVER NOTIFY=SUCCESS,FAILURE,DELAY"
tm send-keys C-c
tm send-keys -l "/e"; tm send-keys Tab
expect "/e Tab completes /explain" "smtp> /explain"
tm send-keys -l "55"; tm send-keys Tab Tab
expect "codes listed on the status bar" "matches: 550 551 552 553 554 555"
tm send-keys C-c
tm send-keys -l "/dns T"; tm send-keys Tab Tab
expect "/dns offers the DNS types" "matches: TLSA TXT"
tm send-keys -l "L"; tm send-keys Tab
expect "/dns TL Tab completes TLSA" "smtp> /dns TLSA"
tm send-keys C-c
tm send-keys Up
expect "Up recalls the history" "smtp> EHLO me.example"
tm send-keys C-c
quit_and_check_restored
finish
