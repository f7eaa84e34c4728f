#!/usr/bin/env bash
# --raw and /raw in line mode against the demo: every write and read as its
# byte count and hex + ASCII rows, inside TLS the decrypted bytes with the
# TLS records named, an AUTH secret never dumped (not even with
# --show-secrets), /raw off and on, the dumps kept by --save (.txt, .jsonl)
# and skipped by --replay.
. "$(dirname "$0")/check-lib.sh"

run() { # run OUT ARGS... < input
	local out=$1; shift
	timeout 30 "$bin" --batch "$@" > "$out" 2>&1
}

# Plain: the greeting's read, EHLO's write, its reply's read, before the reply.
printf '%s\n' 'EHLO me.example' '/raw off' 'NOOP' '/raw on' 'RSET' 'QUIT' | run "$tmp/plain" --raw
has plain-greeting-row "$tmp/plain" '  | 0000  32 32 30 20 64 65 6d 6f  2e 74 65 73 74 20 45 53  |220 demo.test ES|'
has plain-write-count "$tmp/plain" '  | wrote 17 bytes'
has plain-write-row1 "$tmp/plain" '  | 0000  45 48 4c 4f 20 6d 65 2e  65 78 61 6d 70 6c 65 0d  |EHLO me.example.|'
has plain-write-row2 "$tmp/plain" '  | 0010  0a                                                |.|'
matches plain-read-count "$tmp/plain" '^  \| read [0-9]+ bytes$'
has plain-read-row "$tmp/plain" '  | 0000  32 35 30 2d 64 65 6d 6f  2e 74 65 73 74 20 48 65  |250-demo.test He|'
# the write comes after the line it sent, the reads before the reply
if awk '/^ -> EHLO me.example$/ { s = NR } /^  \| wrote 17 bytes$/ { w = NR } /^<-  250-demo.test Hello/ { r = NR }
	END { exit !(s && w == s + 1 && r > w) }' "$tmp/plain"; then ok plain-order; else bad plain-order "$(cat "$tmp/plain")"; fi
has raw-off-said "$tmp/plain" '=== raw is off'
lacks raw-off-no-noop "$tmp/plain" '4e 4f 4f 50 0d 0a'
has raw-on-said "$tmp/plain" '=== raw is on: every read and write is shown as hex and ASCII, with its byte count (inside TLS: the decrypted bytes and the TLS records)'
has raw-on-rset "$tmp/plain" '  | 0000  52 53 45 54 0d 0a                                 |RSET..|'

# TLS: the decrypted bytes and the records they came in.
printf '%s\n' 'EHLO me.example' 'STARTTLS' 'EHLO me.example' 'QUIT' | run "$tmp/tls" --raw --insecure
matches tls-write-records "$tmp/tls" '^\(insecure\)   \| wrote 17 bytes \(before TLS encryption\); TLS records: application data \([0-9]+ bytes\)$'
has tls-write-row "$tmp/tls" '(insecure)   | 0000  45 48 4c 4f 20 6d 65 2e  65 78 61 6d 70 6c 65 0d  |EHLO me.example.|'
matches tls-read-records "$tmp/tls" '^\(insecure\)   \| read [0-9]+ bytes \(decrypted\); TLS records: .*application data \([0-9]+ bytes\)$'
has tls-read-row "$tmp/tls" '(insecure)   | 0000  32 35 30 2d 64 65 6d 6f  2e 74 65 73 74 20 48 65  |250-demo.test He|'
# the handshake's own bytes are not application data: no dump between the
# 220 and the EHLO inside TLS
if awk '/^<-  220 2.0.0 Ready to start TLS/ { t = 1 } t && /\| (read|wrote) / && !/insecure/ { bad = 1 } END { exit bad }' "$tmp/tls"; then
	ok tls-no-handshake-dump
else
	bad tls-no-handshake-dump "$(cat "$tmp/tls")"
fi

# AUTH: the credentials' write is told by its size only, with or without
# --show-secrets; the server's 334 and 235 are dumped.
secret=AHN0dWRlbnQAc2VjcmV0
for show in "" --show-secrets; do
	name=auth${show:+-shown}
	printf '%s\n' 'EHLO me.example' "AUTH PLAIN $secret" 'QUIT' | run "$tmp/$name" --demo auth --raw $show
	printf '%s\n' 'EHLO me.example' 'AUTH LOGIN' 'c3R1ZGVudA==' 'c2VjcmV0' 'QUIT' |
		run "$tmp/$name-login" --demo auth --raw $show
	matches $name-withheld "$tmp/$name" '^  \| wrote 33 bytes; part of an AUTH exchange: not dumped, raw dumps never hold credentials$'
	has $name-235-dumped "$tmp/$name" '  | 0000  32 33 35 20 32 2e 37 2e  30 20 41 75 74 68 65 6e  |235 2.7.0 Authen|'
	has $name-login-written "$tmp/$name-login" '  | 0000  41 55 54 48 20 4c 4f 47  49 4e 0d 0a              |AUTH LOGIN..|'
	has $name-334-dumped "$tmp/$name-login" '  | 0000  33 33 34 20 56 58 4e 6c  63 6d 35 68 62 57 55 36  |334 VXNlcm5hbWU6|'
	if [ "$(grep -c '^  | wrote 14 bytes; part of an AUTH exchange: not dumped' "$tmp/$name-login")" = 1 ] &&
	   [ "$(grep -c '^  | wrote 10 bytes; part of an AUTH exchange: not dumped' "$tmp/$name-login")" = 1 ]; then
		ok $name-login-answers-withheld
	else
		bad $name-login-answers-withheld "$(cat "$tmp/$name-login")"
	fi
	has $name-login-235 "$tmp/$name-login" '<-  235 2.7.0 Authentication successful'
	for f in "$tmp/$name" "$tmp/$name-login"; do
		if grep '^  | ' "$f" | grep -qF -e 'c2VjcmV0' -e "$secret" -e 'c3R1ZGVudA' -e '|secret' \
			-e '63 32 56 6a' -e '63 33 52 31' -e '41 48 4e 30'; then
			bad $name-no-secret-in-dump "$(cat "$f")"
		else
			ok $name-no-secret-in-dump
		fi
	done
done
# --save keeps the dumps: .txt as printed, .jsonl as kind "raw" with hex;
# --replay of either runs clean.
printf '%s\n' 'EHLO me.example' 'MAIL FROM:<a@example.org>' 'RCPT TO:<student@demo.test>' 'DATA' \
	'From: <a@example.org>' 'Date: Mon, 7 Jul 2025 09:30:00 +0000' 'Message-ID: <r@example.org>' \
	'Subject: raw' '' 'body' '.' 'QUIT' > "$tmp/in"
for ext in txt jsonl; do
	run "$tmp/orig.$ext" --raw --save "$tmp/s.$ext" < "$tmp/in" || bad save-$ext "exit $?"
	run "$tmp/re.$ext" --replay "$tmp/s.$ext" < /dev/null
	matches replay-$ext "$tmp/re.$ext" "^=== replay of .*s\.$ext done: 12 lines run, 6 replies compared, no differences$"
	lacks replay-$ext-no-warning "$tmp/re.$ext" '!!! '
done
has save-txt-dump "$tmp/s.txt" '  | 0000  45 48 4c 4f 20 6d 65 2e  65 78 61 6d 70 6c 65 0d  |EHLO me.example.|'
matches save-jsonl-raw "$tmp/s.jsonl" '"kind":"raw",.*"raw":\{"direction":"write","bytes":17,"hex":"45484c4f206d652e6578616d706c650d0a","tls_records":null\}\}$'
if python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/s.jsonl" 2>/dev/null; then
	ok save-jsonl-valid
else
	bad save-jsonl-valid "$(head -5 "$tmp/s.jsonl")"
fi

# A large message: dumped up to the connection's 4 MiB, then counted only.
{ printf 'From: <a@example.org>\r\nDate: Mon, 7 Jul 2025 09:30:00 +0000\r\nMessage-ID: <big@example.org>\r\n\r\n'
  for i in $(seq 1 70000); do printf 'line %05d of a large message, to pass the budget of raw dumps\r\n' "$i"; done; } > "$tmp/big.eml"
printf '%s\n' 'EHLO me.example' 'MAIL FROM:<a@example.org>' 'RCPT TO:<student@demo.test>' "/sendfile $tmp/big.eml" 'QUIT' |
	run "$tmp/big" --raw
matches big-budget "$tmp/big" "^  \| wrote [0-9]+ bytes; not dumped: --raw keeps 4 MiB of a connection's bytes$"
matches big-delivered "$tmp/big" '^<-  250 2.0.0 Ok: queued as '
kept=$(grep -c '^  | [0-9a-f]\{4,8\}  ' "$tmp/big")
if [ "$kept" -le $((4 * 1024 * 1024 / 16 + 200)) ] && [ "$kept" -ge $((4 * 1024 * 1024 / 16 - 200)) ]; then
	ok big-rows-within-budget
else
	bad big-rows-within-budget "$kept rows"
fi

finish raw
