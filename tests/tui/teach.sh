#!/usr/bin/env bash
# Teaching in the terminal UI: /scenario lists the scenarios and switches
# to greylisting (lesson shown, 450 then 250 on retry), /guide on adds a
# hint after a reply, /replay FILE runs one line per F8 and shows where a
# changed scenario answers differently.
. "$(dirname "$0")/lib.sh"

# Stacked (under 100 columns): the session pane is the full width.
start 99 40
expect "started" "<-  220 demo.test ESMTP"
type_line "/scenario"
expect "/scenario lists" "scenarios of the built-in demo server"
expect "/scenario: greylisting and its title" "greylisting        Greylisting: 450 on the first try"
expect "/scenario: the current one" "* happy"
type_line "/scenario greylisting"
expect "switched: the scenario named" 'scenario "greylisting"'
expect "the lesson text" "=== A greylisting server refuses a sender/recipient pair"
expect "reconnected" "<-  220 demo.test ESMTP"
type_line "/guide on"
expect "guided mode on" "guided mode is on"
expect "a hint for the greeting" "=== hint: Introduce yourself: EHLO me.example"
type_line "EHLO me.example"
expect "EHLO answered" "<-  250 STARTTLS"
expect "a hint after the EHLO reply" "=== hint: The server offers STARTTLS"
type_line "MAIL FROM:<you@example.org>"
type_line "RCPT TO:<student@demo.test>"
expect "450 on the first RCPT" "<-  450 4.7.1 <student@demo.test>: Recipient address rejected"
expect "the hint after a 4xx" "=== hint: A 4xx is temporary"
type_line "RCPT TO:<student@demo.test>"
expect "250 on the retry" "<-  250 2.1.5 Recipient <student@demo.test> ok"
quit_and_check_restored

# /replay: a session saved against the happy scenario, replayed step by
# step (F8) against a scenario that refuses the recipient.
printf '%s\n' 'EHLO me.example' 'MAIL FROM:<a@example.org>' 'RCPT TO:<student@demo.test>' 'QUIT' |
	timeout 30 "$bin" --batch --save "$tmp/s.jsonl" > /dev/null 2>&1
printf '%s\n' '[scenario changed]' 'title: Changed' 'lesson: RCPT refused.' '[on RCPT]' \
	'reply: 550 5.1.1 <{arg}>: no such user' > "$tmp/changed.scn"
start 99 40 --demo "$tmp/changed.scn"
expect "replay: started" "<-  220 demo.test ESMTP"
type_line "/replay $tmp/s.jsonl"
expect "replay: waits for F8" "=== replaying 4 lines from $tmp/s.jsonl: F8 runs the next one"
# settle: what one key did is all there is on the screen
settled() { sleep 0.5; expect_not "$1" "$2"; }
settled "replay: nothing sent before F8" " -> EHLO me.example"
tm send-keys F8
expect "F8: step 1 sent" " -> EHLO me.example"
expect "F8: step 1 answered" "<-  250 STARTTLS"
settled "F8: one step per key" " -> MAIL FROM:<a@example.org>"
tm send-keys F8
expect "F8: step 2" "<-  250 2.1.0 Sender <a@example.org> ok"
settled "F8: still one step per key" " -> RCPT TO:<student@demo.test>"
tm send-keys F8
expect "F8: step 3 of 4" "=== replay step 3 of 4"
expect "F8: step 3 answered differently" "<-  550 5.1.1 <student@demo.test>: no such user"
expect "replay: the difference" '!!! replay step 3 (RCPT TO:<student@demo.test>): saved "250 2.1.5'
settled "F8: QUIT not sent yet" " -> QUIT"
tm send-keys F8
expect "replay: done" "done: 4 lines run, 4 replies compared, 1 difference"
quit_and_check_restored
finish
