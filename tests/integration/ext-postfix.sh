#!/usr/bin/env bash
# ESMTP extensions against a real Postfix (private instance on 127.0.0.1,
# see postfix-lib.sh): BDAT (/bdat, CHUNKING) delivered byte-exact, with
# lines starting with "." that BDAT must not stuff; a UTF-8 address with
# SMTPUTF8 delivered, and one without SMTPUTF8 warned about; a /pipe
# group (PIPELINING) whose replies are matched in order; SIZE= over the
# limit warned about before Postfix's 552.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
PF_VMAILBOX_EXTRA='jörg@scope.test scope.test/jorg/'
PF_MAIN_EXTRA='message_size_limit = 1000000'
. "$here/postfix-lib.sh"
. "$here/transcript-lib.sh"

token="ext-$$-$(date +%s%N)"

# body_matches FILE MSG: the delivered FILE ends with MSG (CRLF stored as
# LF in the maildir); Postfix only prepends its own trace headers.
body_matches() {
	local want=$tmp/want.lf
	sed 's/\r$//' "$2" > "$want"
	tail -c "$(stat -c %s "$want")" "$1" | cmp -s - "$want"
}

# (a) BDAT: odd chunk size (chunks split CRLF and dots), exact octets.
msg=$tmp/bdat.eml
"$py" - "$msg" "$token" <<'PY'
import sys
path, token = sys.argv[1], sys.argv[2]
lines = ["From: sender@client.example", "To: user@scope.test",
         "Subject: bdat " + token, "Message-ID: <b-" + token + "@client.example>",
         "Date: Mon, 23 Nov 2026 10:00:00 +0000", "MIME-Version: 1.0",
         "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit", ""]
lines += [".leading dot", "..two dots", ".", "Grüße, naïve café", "end " + token]
lines += ["line %d %s" % (i, "." * (i % 7)) for i in range(300)]
open(path, "wb").write(("\r\n".join(lines) + "\r\n").encode())
PY
size=$(stat -c %s "$msg")
session bdat "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example> BODY=8BITMIME
RCPT TO:<user@scope.test>
/bdat $msg 7
QUIT
"
# The last chunk holds the rest: 1 to 7 octets (7 when the size is a
# multiple of 7; the token's length varies, so both happen).
last=$(( size % 7 ))
[ "$last" = 0 ] && last=7
expect bdat 0 "<-  250 CHUNKING" " -> BDAT 7" " -> BDAT $last LAST" \
	"=== BDAT chunk $(( (size + 6) / 7 )): $last octets sent as they are ($size in all), the last" \
	"<-  250 2.0.0 Ok: $size bytes queued as " "===   accepted             <user@scope.test>"
n=$((n + 1))
if grep -q '^!!! ' <<<"$out"; then
	bad bdat-clean "warnings in a clean BDAT session"
elif f=$(delivered user "Subject: bdat $token"); then
	if body_matches "$f" "$msg"; then
		echo "ok   bdat-mailbox (byte-exact, $size octets in chunks of 7)"
	else
		bad bdat "delivered message differs from the file"
	fi
else
	bad bdat "message with $token not delivered to user@scope.test after 10 s"
fi

# (a2) BDAT with the default chunk size, pipelined: a 300 kB message.
big=$tmp/big.eml
{ printf 'Subject: bdat-big %s\r\nMessage-ID: <g-%s@client.example>\r\nFrom: sender@client.example\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\n\r\n' "$token" "$token"
  for i in $(seq 1 6000); do printf '.%05d the quick brown fox\r\n' "$i"; done; } > "$big"
session bdat-big "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<user@scope.test>
/bdat $big
QUIT
"
expect bdat-big 0 " -> BDAT $(stat -c %s "$big") LAST" "chunks pipelined" "<-  250 2.0.0 Ok: $(stat -c %s "$big") bytes queued as "
n=$((n + 1))
if f=$(delivered user "Subject: bdat-big $token") && body_matches "$f" "$big"; then
	echo "ok   bdat-big-mailbox (byte-exact)"
else
	bad bdat-big "not delivered byte-exact"
fi

# (b) SMTPUTF8: a UTF-8 recipient, declared, is delivered.
session utf8 "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example> SMTPUTF8
RCPT TO:<jörg@scope.test>
DATA
From: sender@client.example
To: jörg@scope.test
Subject: utf8 $token
Message-ID: <u-$token@client.example>
Date: Mon, 23 Nov 2026 10:00:00 +0000

für jörg
.
QUIT
"
expect utf8 0 "<-  250-SMTPUTF8" " -> RCPT TO:<jörg@scope.test>" "<-  250 2.1.5 Ok" \
	"===   accepted             <jörg@scope.test>"
n=$((n + 1))
if grep -q '^!!! ' <<<"$out"; then
	bad utf8-clean "warnings in a declared SMTPUTF8 session"
elif f=$(delivered jorg "Subject: utf8 $token") && grep -qx "für jörg" "$f" &&
	grep -q "^Delivered-To: jörg@scope.test" "$f"; then
	echo "ok   utf8-mailbox"
else
	bad utf8 "no delivery to jörg@scope.test"
fi

# (b2) The same address without SMTPUTF8 on MAIL: warned (Postfix itself
# takes the RCPT and would refuse the message later).  No message is sent,
# so no recipient counts as refused for the exit status: 0.
session utf8-undeclared "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<jörg@scope.test>
QUIT
"
expect utf8-undeclared 0 \
	"!!! the address in RCPT has UTF-8 but the transaction's MAIL had no SMTPUTF8 parameter"

# (c) PIPELINING: one group, replies matched by order, then the message.
session pipe "127.0.0.1:$port" "EHLO client.example
/pipe MAIL FROM:<sender@client.example>; RCPT TO:<user@scope.test>; RCPT TO:<nobody-here@scope.test>; RCPT TO:<x@elsewhere.example>; DATA
Subject: pipe $token

piped
.
QUIT
" --timing
expect pipe 29 "=== PIPELINING: 5 commands in one write" \
	"=== PIPELINING group: every reply matched to its command, in order: MAIL 250, RCPT 250, RCPT 550, RCPT 554, DATA 354" \
	"[reply to RCPT]" "<-  250 2.0.0 Ok: queued as " \
	"===   permanently refused  <x@elsewhere.example>  554 5.7.1"
n=$((n + 1))
# One write: Postfix saw the group at once (no "improper pipelining"),
# and the replies came back in order (checked above).
if grep -q "improper command pipelining" "$log"; then
	bad pipe-log "Postfix logged improper command pipelining"
elif delivered user "Subject: pipe $token" >/dev/null; then
	echo "ok   pipe-mailbox"
else
	bad pipe "piped message not delivered"
fi

# (c2) A group with a command that must be last.
session pipe-rules "127.0.0.1:$port" "EHLO client.example
/pipe NOOP; MAIL FROM:<sender@client.example>; RSET
QUIT
"
expect pipe-rules 0 "!!! NOOP must be the last command of a group (RFC 2920 3.1)" \
	"in order: NOOP 250, MAIL 250, RSET 250"

# (d) SIZE: over the advertised limit, warned before Postfix's 552.
session size "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example> SIZE=2000000
QUIT
"
expect size 23 "<-  250-SIZE 1000000" "!!! SIZE=2000000 is over the server's limit of 1000000" \
	"<-  552 5.3.4 Message size exceeds fixed limit"
# ... and a message file over it: warned, sent anyway (line mode).
head -c 1200000 /dev/zero | tr '\0' 'x' | fold -w 76 | sed 's/$/\r/' > "$tmp/huge.eml"
session size-file "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<user@scope.test>
/sendfile $tmp/huge.eml
QUIT
"
expect size-file 26 "is larger than the server's SIZE limit of 1000000: expect 552 5.3.4 (RFC 1870 6); sending it anyway" \
	" -> DATA" "<-  552 5.3.4 Error: message file too big"

# (e) /compose: a UTF-8 subject, a UTF-8 body file and a binary
# attachment, sent with DATA and with BDAT; what Postfix delivered parses
# with python3's email package into the same subject, text and bytes.
printf 'Grüße aus dem Test\nzweite Zeile\n' > "$tmp/body.txt"
head -c 5000 /dev/urandom > "$tmp/attach.bin"
subject="Grüße — $token, ein Betreff mit Umlauten, der länger als eine Zeile ist"
for how in data bdat; do
	session "compose-$how" "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<user@scope.test>
/compose -s \"$how $subject\" -b $tmp/body.txt -a $tmp/attach.bin $([ $how = bdat ] && echo --bdat)
/compose send
QUIT
"
	expect "compose-$how" 0 "=== composed message, " "=== Subject: =?UTF-8?B?" \
		"=== Content-Disposition: attachment; filename=\"attach.bin\"" \
		"$([ $how = bdat ] && echo " LAST" || echo "=== message from composed message: ")" \
		"===   accepted             <user@scope.test>"
	n=$((n + 1))
	msgid=$(sed -n 's/^=== Message-ID: \(<.*>\)$/\1/p' "$tmp/compose-$how.out")
	f=$(delivered user "Message-ID: $msgid")
	if [ -z "$f" ]; then
		bad "compose-$how" "composed message not delivered"
	elif why=$("$py" - "$f" "$how $subject" "$tmp/body.txt" "$tmp/attach.bin" <<'PY'
import sys, email, email.policy
path, subject, body, attach = sys.argv[1:5]
m = email.message_from_binary_file(open(path, "rb"), policy=email.policy.default)
problems = []
if m["subject"] != subject:
    problems.append("subject %r" % m["subject"])
for h in ("Date", "Message-ID", "From", "To", "MIME-Version"):
    if m[h] is None:
        problems.append("no " + h)
text = m.get_body(("plain",)).get_content()
if text.replace("\r\n", "\n") != open(body, encoding="utf-8").read():
    problems.append("body %r" % text)
atts = list(m.iter_attachments())
if len(atts) != 1 or atts[0].get_filename() != "attach.bin" or \
   atts[0].get_content() != open(attach, "rb").read():
    problems.append("attachment differs")
print("; ".join(problems))
sys.exit(1 if problems else 0)
PY
); then
		echo "ok   compose-$how-parsed (subject, body and attachment as composed)"
	else
		bad "compose-$how" "the delivered message does not parse back: $why"
	fi
done

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	show_log
	echo "ext-postfix: $((n - fail))/$n passed, $fail failed (${elapsed} s)"
	exit 1
fi
echo "ext-postfix: $n/$n passed (Postfix $(/usr/sbin/postconf -h mail_version 2>/dev/null) on 127.0.0.1:$port, ${elapsed} s)"
