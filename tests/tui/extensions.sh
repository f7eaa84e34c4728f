#!/usr/bin/env bash
# ESMTP extensions in the terminal UI, against the built-in demo server:
# a /pipe group (shown as one write, every reply matched to its command;
# the UTF-8 message line warned about once: no BODY=8BITMIME on MAIL),
# /compose (the message shown for review, /compose send -> 250 queued) and
# /bdat (the demo does not offer CHUNKING: the warning, then the BDAT
# lines and their chunk notes).
. "$(dirname "$0")/lib.sh"

printf 'Subject: bdat from tmux\r\n\r\nhello\r\n' > "$tmp/bdat.eml"

start 200 50
expect "started" "<-  220 demo.test"
type_line "EHLO me.example";  expect "EHLO" "<-  250 STARTTLS"

type_line "/pipe MAIL FROM:<you@example.org>; RCPT TO:<student@demo.test>; DATA"
expect "/pipe: group announced" "=== PIPELINING: 3 commands in one write"
expect "/pipe: RCPT sent in the group" " -> RCPT TO:<student@demo.test>"
expect "/pipe: replies matched" "every reply matched to its command, in order: MAIL 250, RCPT 250, DATA 354"
expect "/pipe: message mode after 354" "[message]"
type_line "piped, grüße"
type_line "."
expect "/pipe: 250 after the dot" "Ok: queued as DEMO00001"
expect "8-bit without BODY=8BITMIME warned" "!!! 4 octets with the 8th bit set, but MAIL had no BODY=8BITMIME"

type_line "MAIL FROM:<you@example.org>"; expect "MAIL" "<-  250 2.1.0"
type_line "RCPT TO:<student@demo.test>"; expect "RCPT" "<-  250 2.1.5"
type_line '/compose -f you@example.org -t student@demo.test -s "tui compose"'
expect "/compose: preview header" "=== composed message,"
expect "/compose: preview shows the subject" "=== Subject: tui compose"
expect "/compose: preview shows MIME-Version" "=== MIME-Version: 1.0"
type_line "/compose send"
expect "/compose send: 250 queued" "Ok: queued as DEMO00002"

type_line "MAIL FROM:<you@example.org>"; expect "MAIL again" "Sender <you@example.org> ok"
type_line "RCPT TO:<student@demo.test>"
type_line "/bdat $tmp/bdat.eml 16"
expect "/bdat: CHUNKING not offered" "!!! BDAT but the server did not advertise CHUNKING (RFC 3030)"
expect "/bdat: first chunk" " -> BDAT 16"
expect "/bdat: last chunk" " -> BDAT 2 LAST"
expect "/bdat: chunk note" "=== BDAT chunk 3: 2 octets sent as they are (34 in all), the last"
expect "/bdat: the demo refuses BDAT" "<-  502 5.5.1"
quit_and_check_restored
finish
