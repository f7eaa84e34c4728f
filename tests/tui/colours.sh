#!/usr/bin/env bash
# The session pane colours each line by what it is, whatever stands before
# its marker (the time with --timestamps, "(insecure) " inside TLS with an
# unverified certificate): replies in their class's colour (2xx green,
# 5xx red), the selected reply (by default the newest) in reverse video,
# sent lines bold, warnings yellow, errors red, notes and explanations
# blue.  A narrow terminal stacks the panes, so a row holds one line only.
. "$(dirname "$0")/lib.sh"

# The same checks with and without --timestamps: LABEL, then options.
plain_colours() {
	local l=$1; shift
	start 90 50 "$@"
	expect "$l: started" "<-  220 demo.test ESMTP"
	type_line "EHLO me.example"
	expect "$l: EHLO answered" "<-  250 STARTTLS"
	expect_sgr "$l: a note in blue" "=== connected to 127.0.0.1" 34
	expect_sgr "$l: the greeting (2xx) in green" "<-  220 demo.test ESMTP" 32
	expect_no_sgr "$l: an older reply not reversed" "<-  220 demo.test ESMTP" 7
	expect_sgr "$l: the newest reply in green" "<-  250 STARTTLS" 32
	expect_sgr "$l: the newest reply selected (reverse)" "<-  250 STARTTLS" 7
	expect_sgr "$l: a sent line in bold" " -> EHLO me.example" 1
	expect_sgr "$l: an explanation in blue" "  # 250 accepted: The server accepted EHLO" 34
	type_line "FROB"
	expect "$l: FROB answered" "<-  500 5.5.2"
	expect_sgr "$l: a warning in yellow" "!!! not an SMTP command smtpscope knows" 33
	expect_sgr "$l: a 5xx reply in red" "<-  500 5.5.2" 31
	type_line "/nosuch"
	expect "$l: a local error" "*** unknown or ambiguous command"
	expect_sgr "$l: an error in red" "*** unknown or ambiguous command" 31
	expect_sgr "$l: an error in bold" "*** unknown or ambiguous command" 1
	quit_and_check_restored
}

plain_colours "plain"
plain_colours "--timestamps" --timestamps

# Inside TLS, every line carries "(insecure) " before its marker.
start 90 50 --insecure
expect "TLS: started" "<-  220 demo.test ESMTP"
type_line "EHLO me.example"
expect "TLS: EHLO" "<-  250 STARTTLS"
type_line "/starttls"
expect "TLS: up, unverified" "!! INSECURE TLSv1.3: certificate NOT verified"
type_line "EHLO me.example"
expect "TLS: EHLO inside TLS" "(insecure) <~  250 SMTPUTF8"
expect_sgr "TLS: a 2xx reply in green" "(insecure) <~  250 SMTPUTF8" 32
expect_sgr "TLS: the newest reply selected (reverse)" "(insecure) <~  250 SMTPUTF8" 7
expect_sgr "TLS: a sent line in bold" "(insecure)  ~> EHLO me.example" 1
expect_sgr "TLS: an explanation in blue" "(insecure)   # 250 accepted: The server accepted EHLO" 34
type_line "FROB"
expect "TLS: FROB answered" "(insecure) <~  500 5.5.2"
expect_sgr "TLS: a warning in yellow" "(insecure) !!! not an SMTP command smtpscope knows" 33
expect_sgr "TLS: a 5xx reply in red" "(insecure) <~  500 5.5.2" 31
expect_sgr "TLS: the newest reply selected" "(insecure) <~  500 5.5.2" 7
expect_no_sgr "TLS: the older reply no longer selected" "(insecure) <~  250 SMTPUTF8" 7
tm send-keys F6 Up   # the session pane: the reply before the newest
expect_sgr "TLS: Up selects the reply before" "(insecure) <~  250 SMTPUTF8" 7
expect_sgr "TLS: still in its colour when selected" "(insecure) <~  250 SMTPUTF8" 32
expect_no_sgr "TLS: the newest no longer selected" "(insecure) <~  500 5.5.2" 7
expect_sgr "TLS: the newest still red" "(insecure) <~  500 5.5.2" 31
tm send-keys F6 F6   # back to the command line
quit_and_check_restored
finish
