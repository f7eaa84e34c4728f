#!/usr/bin/env bash
# LMTP against a real Dovecot LMTP server (a private instance on a free
# port of 127.0.0.1, dovecot-lib.sh): LHLO, three recipients (one unknown:
# 550 at RCPT), and after the final dot one reply per accepted recipient,
# each matched to its recipient -- one delivered, one failing because its
# mailbox path is blocked by a file.  The recipient summary lists all
# three and the exit status is 29; a clean delivery to one exits 0.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
py=/usr/bin/python3
[ "$(id -u)" = 0 ] || { echo "SKIP: Dovecot's LMTP needs root to switch to the mail user"; exit 77; }
[ -x /usr/lib/dovecot/lmtp ] || { echo "SKIP: dovecot-lmtpd is not installed"; exit 77; }
start=$(date +%s.%N)
DV_LMTP_PORT=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DV_USERS="alice@lmtp.test:x bob@lmtp.test:x"
. "$here/dovecot-lib.sh"
tmp=$dv/t
mkdir -p "$tmp"
trap stop_dovecot EXIT
. "$here/transcript-lib.sh"
# bob's mailbox cannot be created: his mail directory is a plain file.
: > "$dv/mail/bob@lmtp.test"
token="lmtp-$$-$(date +%s%N)"

session lmtp "127.0.0.1:$DV_LMTP_PORT" "LHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<alice@lmtp.test>
RCPT TO:<nobody@lmtp.test>
RCPT TO:<bob@lmtp.test>
DATA
Subject: $token

hello over LMTP
.
QUIT
"
expect lmtp 29 " -> LHLO client.example" "<-  250-" \
	"=== LMTP: that reply is for <alice@lmtp.test>" \
	"=== LMTP: that reply is for <bob@lmtp.test>" \
	"=== recipients: 1 accepted, 1 temporarily refused, 1 permanently refused" \
	"===   permanently refused  <nobody@lmtp.test>  550 5.1.1" \
	"=== exit status 29: some recipients were refused"
n=$((n + 1))
if grep -A1 -F " -> ." "$tmp/lmtp.out" | grep -q "<-  250 2.0.0 <alice@lmtp.test>" &&
	grep -qE "^===   accepted +<alice@lmtp.test>  250 2\.0\.0" "$tmp/lmtp.out" &&
	grep -qE "^===   temporarily refused +<bob@lmtp.test>  4[0-9][0-9] " "$tmp/lmtp.out"; then
	echo "ok   lmtp-matched"
else
	bad lmtp "the replies after the dot are not matched to alice (250) and bob (4xx)"
fi
n=$((n + 1))
if grep -rqF "$token" "$dv/mail/alice@lmtp.test" 2>/dev/null; then
	echo "ok   lmtp-delivered"
else
	bad lmtp "alice's maildir has no message with $token"
fi

session lmtp-one "127.0.0.1:$DV_LMTP_PORT" "LHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<alice@lmtp.test>
DATA
Subject: one $token

.
QUIT
"
expect lmtp-one 0 "=== LMTP: that reply is for <alice@lmtp.test>" \
	"=== recipients: 1 accepted, 0 temporarily refused, 0 permanently refused"

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	dv_log
	echo "lmtp-dovecot: $((n - fail))/$n passed, $fail failed (${elapsed} s)"
	exit 1
fi
echo "lmtp-dovecot: $n/$n passed (Dovecot LMTP on 127.0.0.1:$DV_LMTP_PORT, ${elapsed} s)"
