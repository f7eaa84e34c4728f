#!/usr/bin/env bash
# Line mode against a real Postfix (a private instance on 127.0.0.1, see
# postfix-lib.sh).  It must accept and really deliver a message
# (dot-stuffing checked end to end in the delivered file), refuse relaying
# (exit 24), unknown users (exit 24) and a bad sender (exit 23), each with
# Postfix's own reply in the transcript; a message file whose reading
# fails is not delivered (the connection closed before the final dot).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
. "$here/postfix-lib.sh"

. "$here/transcript-lib.sh"

token="smtpscope-$$-$(date +%s%N)"

# (a) A message accepted and really delivered.
session deliver "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<user@scope.test>
DATA
From: sender@client.example
To: user@scope.test
Subject: batch-postfix $token
Message-ID: <$token@client.example>

body of $token
.
QUIT
"
expect deliver 0 "<-  220 mx.scope.test ESMTP" "<-  250-PIPELINING" \
	"<-  250 2.1.0 Ok" "<-  250 2.1.5 Ok" "<-  354 " "<-  250 2.0.0 Ok: queued as " "<-  221 2.0.0 Bye"
# ... and Postfix really delivered it, with the right envelope.
n=$((n + 1))
qid=$(sed -n 's/^<-  250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$out")
if [ -z "$qid" ]; then
	bad deliver "no queue id in the transcript"
elif f=$(delivered user "Subject: batch-postfix $token"); then
	if grep -qF "Message-ID: <$token@client.example>" "$f" &&
	   grep -qxF "body of $token" "$f" &&
	   grep -qx "Return-Path: <sender@client.example>" "$f" &&
	   grep -qx "Delivered-To: user@scope.test" "$f" &&
	   grep -qF "with ESMTP id $qid" "$f"; then
		echo "ok   deliver-mailbox (queue id $qid)"
	else
		bad deliver "delivered file lacks envelope/headers/body:
$(sed 's/^/      /' "$f")"
	fi
else
	bad deliver "message with $token not in $mail/scope.test/user/new after 10 s"
fi

# (b) Relaying refused: no recipient accepted.
session relay "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<x@elsewhere.example>
QUIT
"
expect relay 24 "<-  554 5.7.1 <x@elsewhere.example>: Relay access denied" \
	"=== exit status 24: no recipient accepted"

# (b2) Unknown user in the virtual domain.
session unknown-user "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<nobody-here@scope.test>
QUIT
"
expect unknown-user 24 "<-  550 5.1.1 <nobody-here@scope.test>: Recipient address rejected" \
	"=== exit status 24: no recipient accepted"

# (c) A malformed sender address.
session bad-sender "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<a b@@>
QUIT
"
expect bad-sender 23 "<-  501 5.1.7 Bad sender address syntax" "=== exit status 23: MAIL refused"

# (d) Dot-stuffing end to end: lines typed with a leading "." are stuffed
# by smtpscope, unstuffed by Postfix, and arrive exactly as typed.
dtoken="dots-$token"
session dots "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<dots@scope.test>
DATA
Subject: $dtoken

first line
.leading dot $dtoken
..two dots
...
. 
last line
.
QUIT
"
expect dots 0 " -> ..leading dot $dtoken" " -> ...two dots" " -> ...." " -> .. " \
	'=== 4 lines starting with "." dot-stuffed' "<-  250 2.0.0 Ok: queued as "
n=$((n + 1))
if f=$(delivered dots "Subject: $dtoken"); then
	body=$(sed '1,/^$/d' "$f")
	want="first line
.leading dot $dtoken
..two dots
...
. 
last line"
	if [ "$body" = "$want" ]; then
		echo "ok   dots-mailbox"
	else
		bad dots "delivered body differs (< sent, > delivered):
$(diff <(echo "$want") <(echo "$body") | sed 's/^/      /')"
	fi
else
	bad dots "message with $dtoken not in $mail/scope.test/dots/new after 10 s"
fi

# (e) A message file whose reading fails (/proc/self/mem: EIO at offset
# 0, in smtpscope itself): the connection is closed without the final
# dot, so Postfix delivers nothing (its log: lost connection after DATA).
session unreadable "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<user@scope.test>
/sendfile /proc/self/mem
QUIT
"
expect unreadable 5 "<-  354 End data with <CR><LF>.<CR><LF>" \
	"*** reading /proc/self/mem failed: Input/output error" \
	"the connection is closed without the final dot, so nothing is delivered" \
	"not delivered        <user@scope.test>"
n=$((n + 1))
lost=
for i in $(seq 1 50); do
	grep -q "lost connection after DATA" "$log" 2>/dev/null && { lost=1; break; }
	sleep 0.1
done
if [ -n "$lost" ] && ! grep -q "^ -> \.$" "$tmp/unreadable.out"; then
	echo "ok   unreadable: Postfix saw the connection end in DATA, no dot sent"
else
	echo "FAIL unreadable: no \"lost connection after DATA\" in Postfix's log, or a dot was sent"
	fail=$((fail + 1))
fi

# Postfix's own log agrees: two deliveries and the relay refusal.
n=$((n + 1))
logged=
for i in $(seq 1 50); do
	[ "$(grep -c "status=sent (delivered to maildir)" "$log" 2>/dev/null)" -ge 2 ] &&
		grep -q "reject: RCPT from .*554 5.7.1 <x@elsewhere.example>" "$log" && { logged=1; break; }
	sleep 0.1
done
if [ -n "$logged" ]; then
	echo "ok   maillog"
else
	echo "FAIL maillog: Postfix did not log both deliveries and the relay refusal"; fail=$((fail + 1))
fi

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	show_log
	echo "batch-postfix: $((n - fail))/$n passed, $fail failed (Postfix on 127.0.0.1:$port, ${elapsed} s)"
	exit 1
fi
echo "batch-postfix: $n/$n passed (Postfix $(/usr/sbin/postconf -h mail_version 2>/dev/null) on 127.0.0.1:$port, ${elapsed} s)"
