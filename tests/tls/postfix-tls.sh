#!/usr/bin/env bash
# TLS against a real Postfix on 127.0.0.1 (tests/integration/postfix-lib.sh):
# STARTTLS on its smtpd port, a wrapper-mode (implicit TLS) port, and ports
# whose certificates are expired, not yet valid, for the wrong host,
# self-signed, or from a CA the client is not told about.  Plain -> /starttls -> EHLO again shows
# the certificate and the capability diff and delivers; every verification
# failure is explained, exits 27, and sends NOTHING after the handshake
# (checked in the transcript and in Postfix's own per-session command counts).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
. "$here/certs.sh"
certs=$(mktemp -d /tmp/smtpscope-certs.XXXXXX)
chmod 755 "$certs"
certs_make "$certs" || { echo "FAIL: could not make the test certificates"; rm -rf "$certs"; exit 1; }
chain() { echo "$certs/$1.key,$certs/$1.pem"; }
PF_MAIN_EXTRA="smtpd_tls_security_level = may
smtpd_tls_chain_files = $(chain good)
smtpd_tls_loglevel = 1
smtpd_tls_received_header = yes"
svc() { echo "127.0.0.1:@PORT$1@ inet n - n - - smtpd -o syslog_name=pf-$2${3:+ $3}"; }
PF_MASTER_EXTRA="$(svc 1 wrapper "-o smtpd_tls_wrappermode=yes")
$(svc 2 expired "-o smtpd_tls_chain_files=$(chain expired)")
$(svc 3 wronghost "-o smtpd_tls_chain_files=$(chain wronghost)")
$(svc 4 selfsigned "-o smtpd_tls_chain_files=$(chain selfsigned)")
$(svc 5 untrusted)
$(svc 6 notyet "-o smtpd_tls_chain_files=$(chain notyet)")
tlsmgr    unix  -       -       n       1000?   1       tlsmgr"
. "$here/../integration/postfix-lib.sh"
trap 'cleanup; rm -rf "$certs"' EXIT

. "$here/../integration/transcript-lib.sh"
# nothing_after_starttls NAME: no line was sent after STARTTLS.
nothing_after_starttls() {
	if sed -n '/^ -> STARTTLS$/,$p' <<<"$out" | tail -n +2 | grep -qE '^(\(insecure\) )? [-~]> '; then
		bad "$1" "a line was sent after the failed handshake"
	fi
}
# pf_counts SYSLOG_NAME: Postfix's command counts of that service's session
# (e.g. "ehlo=1 starttls=1 commands=2"), waiting (bounded: 20 s, as a
# loaded machine under valgrind needs) for the line.
pf_counts() {
	local i line
	for i in $(seq 1 200); do
		line=$(grep "$1/smtpd.*disconnect from" "$log" 2>/dev/null | tail -n 1)
		[ -n "$line" ] && { sed 's/.*disconnect from [^ ]* //' <<<"$line"; return 0; }
		sleep 0.1
	done
	echo "(no disconnect line for $1)"
}

token="smtpscope-tls-$$-$(date +%s%N)"

# (a) plain -> /starttls -> EHLO again -> certificate, diff, delivery.
session starttls "127.0.0.1:$port" "EHLO client.example
/starttls
EHLO client.example
/cert
MAIL FROM:<sender@client.example>
RCPT TO:<user@scope.test>
DATA
Subject: $token

over TLS
.
QUIT
" --cafile "$certs/ca.pem"
expect starttls 0 " -> STARTTLS" "<-  220 2.0.0 Ready to start TLS" \
	"~~~ STARTTLS accepted: TLS handshake, verifying 127.0.0.1 as an IP address" \
	"~~~ certificate subject: CN=localhost" "~~~ certificate issuer: CN=smtpscope test CA" \
	"~~~ certificate names: DNS:localhost, IP:127.0.0.1" \
	"~~~ verification: OK, trusted chain, name matches 127.0.0.1" \
	"send EHLO again" " ~> EHLO client.example" "<~  250-PIPELINING" \
	"=== capabilities after TLS, compared with before: " "-STARTTLS" \
	"~~~ certificate chain sent by the server (1):" "~~~ #0 subject: CN=localhost" \
	"~~~    SHA-256: " "<~  250 2.0.0 Ok: queued as" "<~  221 2.0.0 Bye"
if ! grep -qE '^~~~ TLSv1\.[23], cipher [A-Z0-9_-]+ \([0-9]+ bits\), key exchange ' <<<"$out"; then
	bad starttls "no protocol / cipher / key exchange line"
fi
n=$((n + 1))
for i in $(seq 1 100); do
	f=$(grep -lF "Subject: $token" "$mail"/scope.test/user/new/* 2>/dev/null | head -n 1)
	[ -n "$f" ] && break; sleep 0.1
done
if [ -n "$f" ] && grep -q "using TLSv1" "$f"; then
	echo "ok   starttls-delivered (Received: header says TLS)"
else
	echo "FAIL starttls-delivered: no delivered message with a TLS Received: header"; fail=$((fail + 1))
fi

# (b) --starttls: STARTTLS right after EHLO, EHLO again by itself; the
# host name is checked this time (localhost).
session starttls-auto "localhost:$port" "EHLO client.example
QUIT
" -4 --starttls --cafile "$certs/ca.pem"
expect starttls-auto 0 "=== --starttls: sending STARTTLS" "verifying localhost as a host name" \
	"verification: OK" "TLS is up: sending EHLO again" " ~> EHLO client.example" \
	"<~  221 2.0.0 Bye"

# (c) --tls against the wrapper-mode port: the greeting comes inside TLS.
session wrapper "127.0.0.1:$port1" "EHLO client.example
QUIT
" --tls --cafile "$certs/ca.pem"
expect wrapper 0 "~~~ implicit TLS: TLS handshake" "verification: OK" \
	"<~  220 mx.scope.test ESMTP" " ~> EHLO client.example" "<~  221 2.0.0 Bye"

# (d) verification failures: explained, exit 27, nothing sent after.
fails() { # NAME PORT SYSLOG TEXT... (options in $opts)
	local name=$1 p=$2 svc=$3 counts; shift 3
	session "$name" "127.0.0.1:$p" "EHLO client.example
/starttls
EHLO client.example
MAIL FROM:<sender@client.example>
QUIT
" $opts
	expect "$name" 27 "*** certificate verification FAILED" \
		"=== connection closed by smtpscope: the certificate was not verified" \
		"=== exit status 27: TLS failed" "$@" || return
	nothing_after_starttls "$name"
	n=$((n + 1))
	counts=$(pf_counts "pf-$svc")
	if [ "$counts" = "ehlo=1 starttls=1 commands=2" ]; then
		echo "ok   $name-postfix-saw-nothing ($counts)"
	else
		echo "FAIL $name-postfix-saw-nothing: Postfix counted \"$counts\""; fail=$((fail + 1))
	fi
}
opts=""
fails untrusted "$port5" untrusted "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY" \
	"  # The certificate was issued by a CA that is not trusted here." "--cafile CA.pem"
opts="--cafile $certs/ca.pem"
fails expired "$port2" expired "X509_V_ERR_CERT_HAS_EXPIRED" "(EXPIRED)" \
	"  # The server's certificate has expired." "2020-02-01 00:00:00 UTC"
fails notyet "$port6" notyet "X509_V_ERR_CERT_NOT_YET_VALID" "(NOT YET VALID)" \
	"  # The server's certificate is not valid yet." "2099-01-01 00:00:00 UTC" \
	"  # next step: Check this machine's clock"
fails wronghost "$port3" wronghost "X509_V_ERR_IP_ADDRESS_MISMATCH" \
	"  # The certificate is valid, but for other names than the one you connected to." \
	"the certificate carries: DNS:wrong.example"
fails selfsigned "$port4" selfsigned "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT" \
	"  # The server's certificate is self-signed: it vouches for itself."

# (e) the same self-signed server with --insecure: on, but marked.
session insecure "127.0.0.1:$port4" "EHLO client.example
/starttls
EHLO client.example
QUIT
" --cafile "$certs/ca.pem" --insecure
expect insecure 0 "!!! INSECURE: going on WITHOUT a verified certificate" \
	"!!! INSECURE: this session used TLS with a certificate that was NOT verified" \
	"(insecure)  ~> EHLO client.example" "(insecure) <~  221 2.0.0 Bye"

if [ "$fail" -ne 0 ]; then
	show_log
	echo "postfix-tls: $((n - fail))/$n passed, $fail failed"
	exit 1
fi
echo "postfix-tls: $n/$n passed (Postfix on 127.0.0.1:$port, wrapper $port1)"
