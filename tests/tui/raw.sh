#!/usr/bin/env bash
# Seeing the bytes in the terminal UI: F9 shows the selected reply's raw
# bytes (hex + ASCII, rows that fit the pane) in the explanation pane,
# F9 or Esc gives the explanation back; /raw on dumps every read and
# write in the session pane, /raw off stops it; F1 lists F9.
. "$(dirname "$0")/lib.sh"

start 120 40
expect "started" "<-  220 demo.test ESMTP"
type_line "EHLO me.example"
expect "EHLO answered" "<-  250 STARTTLS"
expect "the explanation pane explains it" "Explanation: reply 250 to EHLO (newest)"
tm send-keys F9
expect "F9: the raw bytes' title" "Raw bytes: reply 250 to EHLO (F9: explanation"
expect "F9: the byte count" "The 143 bytes of this reply as received"
# 47 columns: 8 bytes a row
expect "F9: the first row, hex and ASCII" "0000  32 35 30 2d 64 65 6d 6f  |250-demo|"
expect "F9: CR LF shown as dots" "6c 6c 6f 20 6d 65 2e 65  |llo me.e|"
expect "F9: the last row" "0088  52 54 54 4c 53 0d 0a     |RTTLS..|"
tm send-keys F9
expect "F9 again: the explanation back" "Explanation: reply 250 to EHLO (newest)"
expect_not "F9 again: no hex rows" "0000  32 35 30 2d"
tm send-keys F9
expect "F9 once more" "Raw bytes: reply 250 to EHLO"
tm send-keys Escape
expect "Esc: the explanation back" "Explanation: reply 250 to EHLO (newest)"
expect_not "Esc: no hex rows" "0000  32 35 30 2d"

type_line "/raw on"
expect "/raw on" "=== raw is on: every read and write is shown as hex and ASCII"
type_line "NOOP"
expect "a write dumped" "  | wrote 6 bytes"
expect "its bytes (8 a row in 72 columns)" "  | 0000  4e 4f 4f 50 0d 0a        |NOOP..|"
expect "the read dumped" "  | read 14 bytes"
expect "the read's rows" "  | 0008  30 20 4f 6b 0d 0a        |0 Ok..|"
expect "the reply after its bytes" "<-  250 2.0.0 Ok"
type_line "/raw off"
expect "/raw off" "=== raw is off"
type_line "RSET"
expect "RSET answered" "<-  250 2.0.0 Ok"
if screen | grep -F "  | " | grep -qF "52 53 45 54"; then
	echo "FAIL raw off: RSET was dumped"; fails=$((fails + 1))
else
	echo "ok   raw off: RSET not dumped"
fi
tm send-keys F1
expect "F1 lists F9" "F9               explanation pane: the reply's raw bytes (F9, Esc: back)"
tm send-keys Escape
expect_not "help closed" "smtpscope help - Esc"
quit_and_check_restored
finish
