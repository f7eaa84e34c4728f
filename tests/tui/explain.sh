#!/usr/bin/env bash
# /explain with what a user has in hand, in the terminal UI: a Postfix
# bounce line pasted as typed (the server and the command read from it,
# the diagnosis from the words with the rule and the cue), an enhanced
# code alone with its text, hostile bytes in a paste shown escaped, and
# /explain --bounce FILE with a real bounce message and with a file that
# is not one; the session goes on and the terminal is restored.
. "$(dirname "$0")/lib.sh"
data=$here/../data/real-bounces

start 130 200
expect "started" "<-  220 demo.test ESMTP"
type_line "/explain host mx.example.com[192.0.2.1] said: 451 4.7.1 <user@example.com>: Recipient address rejected: Greylisted for 5 minutes (in reply to RCPT TO command)"
expect "paste: read as a Postfix bounce line" "explanation of the pasted Postfix bounce line from mx.example.com"
expect "paste: the diagnosis" "Diagnosis: greylisted"
expect "paste: the rule and its cue" 'Why: the text says "Greylisted" (rule greylisted'
type_line "/explain 5.7.3 Authentication unsuccessful"
expect "enhanced alone: read as such" "explanation of the pasted enhanced status code"
expect "enhanced alone: diagnosis from the words" "Diagnosis: auth-failed"
# A bounce whose server words carry a terminal escape: shown escaped.
printf '%s\r\n' 'From: MAILER-DAEMON@example.org' 'To: user@example.org' \
	'Subject: Undelivered Mail Returned to Sender' 'MIME-Version: 1.0' \
	'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"' '' \
	'--b1' 'Content-Type: text/plain' '' 'Your message could not be delivered.' '' \
	'--b1' 'Content-Type: message/delivery-status' '' 'Reporting-MTA: dns; mail.example.org' '' \
	'Final-Recipient: rfc822; evil@example.com' 'Action: failed' 'Status: 5.1.1' \
	"Diagnostic-Code: smtp; 550 5.1.1 <evil@example.com>: User unknown $(printf '\033')[2J here" \
	'' '--b1--' >"$tmp/hostile.eml"
type_line "/explain --bounce $tmp/hostile.eml"
expect "hostile bounce: the recipient" "evil@example.com"
expect "hostile bounce: the escape shown, not run" 'x1b[2J here'
type_line "/explain --bounce $data/lhost-postfix-05.eml"
expect "bounce: the header" "Bounce: "
expect "bounce: the recipient" "user@example.com"
expect "bounce: its next step" "Next step:"
type_line "/explain --bounce $here/lib.sh"
expect "not a bounce: said plainly" "*** /explain --bounce $here/lib.sh: "
type_line "/explain --bounce $tmp/none.eml"
expect "missing file: said plainly" "cannot read it"
type_line "EHLO me.example"
expect "the session goes on" "<-  250 STARTTLS"
quit_and_check_restored
finish
