#!/usr/bin/env bash
# Line mode against a real aiosmtpd server (aiosmtpd_server.py) on a free
# port of 127.0.0.1: an accepted message must reach the handler with the
# right envelope and byte-exact content (CRLF, dots un-stuffed, UTF-8
# intact); a refused recipient among accepted ones is shown and the rest is
# delivered (exit 29, with the recipient summary); a session whose only recipient is refused with
# 550 5.1.1 exits 24 and stores nothing; /auth PLAIN and LOGIN against
# aiosmtpd's authenticator succeed, a wrong password gives 535 (exit 28);
# /auth XOAUTH2 with --token-env succeeds with the right bearer token, and
# a wrong one gets the error challenge and 535 (exit 28); no transcript
# holds the password or the token (plain or in base64).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import aiosmtpd.smtp' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 cannot import aiosmtpd (Debian package python3-aiosmtpd)"; exit 77
fi
start=$(date +%s.%N)
tmp=$(mktemp -d /tmp/smtpscope-aiosmtpd.XXXXXX)
server=
cleanup() {
	local i
	if [ -n "$server" ]; then
		kill -TERM "$server" 2>/dev/null
		for i in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$server" 2>/dev/null
		wait "$server" 2>/dev/null
	fi
	kill $(jobs -p) 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
show_log() { echo "---- aiosmtpd log"; sed 's/^/    /' "$tmp/server.log"; }
die() { echo "FAIL: $*"; show_log; exit 1; }

mkdir "$tmp/store"
# --lifetime: the server stops by itself even if this script is killed.
"$py" "$here/aiosmtpd_server.py" "$tmp/port" "$tmp/store" --lifetime 300 \
	--accept user@aio.test --accept second@aio.test \
	--auth 'bob:c0rrect-h0rse-aio' --xoauth2 "bob:ya29.t0ken-aio-$$" > "$tmp/server.log" 2>&1 &
server=$!
for i in $(seq 1 100); do
	[ -s "$tmp/port" ] && break
	kill -0 "$server" 2>/dev/null || break
	sleep 0.1
done
[ -s "$tmp/port" ] || die "aiosmtpd did not start within 10 s"
port=$(cat "$tmp/port")

. "$here/transcript-lib.sh"
# stored N: waits (bounded) for the handler's msg-N.env.
stored() {
	local i
	for i in $(seq 1 50); do [ -s "$tmp/store/msg-$1.env" ] && return 0; sleep 0.1; done
	return 1
}
# check_stored NAME N ENVELOPE BODY: msg-N.env must equal ENVELOPE and
# msg-N.eml must be BODY's lines with CRLF endings, byte for byte.
check_stored() {
	local name=$1 num=$2 env=$3 body=$4
	n=$((n + 1))
	if ! stored "$num"; then
		bad "$name" "the handler stored no msg-$num within 5 s"; return
	fi
	if [ "$(cat "$tmp/store/msg-$num.env")" != "$env" ]; then
		bad "$name" "envelope differs (< expected, > stored):
$(diff <(echo "$env") "$tmp/store/msg-$num.env" | sed 's/^/      /')"; return
	fi
	printf '%s\n' "$body" | sed 's/$/\r/' > "$tmp/$name.want"
	if ! cmp -s "$tmp/$name.want" "$tmp/store/msg-$num.eml"; then
		bad "$name" "content differs (< sent, > stored):
$(diff <(od -c "$tmp/$name.want") <(od -c "$tmp/store/msg-$num.eml") | sed 's/^/      /')"; return
	fi
	echo "ok   $name-stored"
}

token="smtpscope-$$-$(date +%s%N)"
body="From: sender@client.example
To: user@aio.test, second@aio.test
Subject: batch-aiosmtpd $token
Message-ID: <$token@client.example>

body of $token
.leading dot
..two dots
. 
Grüße, ünïcödé ✓
last line"

# (a) Two recipients, one message, delivered to the handler.
session deliver "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<user@aio.test>
RCPT TO:<second@aio.test>
DATA
$body
.
QUIT
"
expect deliver 0 "<-  220 aio.scope.test smtpscope-test aiosmtpd" "<-  250-aio.scope.test" \
	"<-  250 2.1.5 Ok" "<-  354 " " -> ..leading dot" " -> ...two dots" " -> .. " \
	"<-  250 2.0.0 Ok: queued as AIO00001" "<-  221 "
check_stored deliver 1 "mail_from: sender@client.example
rcpt_to: user@aio.test
rcpt_to: second@aio.test
peer: 127.0.0.1
helo: client.example" "$body"

# (b) One recipient refused, the other accepted: delivered to one; the
# recipient summary says so, and the exit status is 29.
session partial "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<other@client.example>
RCPT TO:<nobody@aio.test>
RCPT TO:<second@aio.test>
DATA
Subject: partial $token

only for second
.
QUIT
"
expect partial 29 "<-  550 5.1.1 <nobody@aio.test>: Recipient address rejected: User unknown" \
	"<-  250 2.0.0 Ok: queued as AIO00002" \
	"=== recipients: 1 accepted, 0 temporarily refused, 1 permanently refused" \
	"===   permanently refused  <nobody@aio.test>  550 5.1.1 mailbox-unknown (at RCPT)" \
	"===   accepted             <second@aio.test>  250 2.0.0 accepted (after the message)" \
	"=== exit status 29: some recipients were refused"
check_stored partial 2 "mail_from: other@client.example
rcpt_to: second@aio.test
peer: 127.0.0.1
helo: client.example" "Subject: partial $token

only for second"

# (c) The only recipient refused with 550 5.1.1: exit 24, nothing stored.
session refused "127.0.0.1:$port" "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<nobody@aio.test>
QUIT
"
expect refused 24 "<-  550 5.1.1 <nobody@aio.test>: Recipient address rejected: User unknown" \
	"exit status 24: no recipient accepted"
n=$((n + 1))
sleep 0.2
if [ -e "$tmp/store/msg-3.env" ] || [ -e "$tmp/store/msg-3.eml" ]; then
	bad refused "the handler stored a message for a refused session"
else
	echo "ok   refused-nothing-stored"
fi

# (d) AUTH against aiosmtpd's authenticator.
export AIO_PW='c0rrect-h0rse-aio' AIO_BAD='wrong-h0rse-aio'
for mech in PLAIN LOGIN; do
	session "auth-$mech" "127.0.0.1:$port" "EHLO client.example
/auth $mech bob
QUIT
" --password-env AIO_PW
	expect "auth-$mech" 0 "<-  235 2.7.0 Authentication successful" \
		"=== authenticated as \"bob\" with $mech"
done
session auth-wrong "127.0.0.1:$port" "EHLO client.example
/auth
QUIT
" --auth-user bob --password-env AIO_BAD
expect auth-wrong 28 "<-  535 5.7.8 Authentication credentials invalid" "auth-failed" \
	"=== exit status 28: authentication failed"
# XOAUTH2 (the handler's auth_XOAUTH2): the token from the environment.
export AIO_TOKEN="ya29.t0ken-aio-$$" AIO_BADTOKEN="ya29.expired-aio-$$"
session auth-xoauth2 "127.0.0.1:$port" "EHLO client.example
/auth XOAUTH2 bob
QUIT
" --token-env AIO_TOKEN
expect auth-xoauth2 0 "<-  235 2.7.0 Authentication successful" \
	"=== authenticated as \"bob\" with XOAUTH2"
session auth-xoauth2-wrong "127.0.0.1:$port" "EHLO client.example
/auth XOAUTH2 bob
QUIT
" --token-env AIO_BADTOKEN
expect auth-xoauth2-wrong 28 "<-  334 " "<-  535 5.7.8 Username and Password not accepted" \
	"=== exit status 28: authentication failed"
n=$((n + 1))
xo=$(printf 'user=bob\001auth=Bearer %s\001\001' "$AIO_TOKEN" | base64 -w0)
if grep -lF -e "$AIO_PW" -e "$(printf '%s' "$AIO_PW" | base64 -w0)" \
	-e "$AIO_TOKEN" -e "$AIO_BADTOKEN" -e "$xo" -e "${xo:0:40}" "$tmp"/*.out; then
	echo "FAIL auth-no-secret: the password or the token is in a transcript"; fail=$((fail + 1))
else
	echo "ok   auth-no-secret"
fi

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	show_log
	echo "batch-aiosmtpd: $((n - fail))/$n passed, $fail failed (aiosmtpd on 127.0.0.1:$port, ${elapsed} s)"
	exit 1
fi
echo "batch-aiosmtpd: $n/$n passed (aiosmtpd $("$py" -c 'import aiosmtpd; print(aiosmtpd.__version__)') on 127.0.0.1:$port, ${elapsed} s)"
