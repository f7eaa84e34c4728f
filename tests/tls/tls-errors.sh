#!/usr/bin/env bash
# TLS failures and features against peers on 127.0.0.1 other than Postfix:
# `openssl s_server` for protocol and cipher mismatches, a client
# certificate given and one missing (TLS 1.3 and 1.2), a stapled OCSP
# response; scripted plaintext peers for "wrong version number", the
# STARTTLS injection guard and a refused --starttls; the demo server's own
# STARTTLS and implicit-TLS port with /cert save; bad --cafile, --capath,
# --cert and --key refused at start-up.  Each failure's
# explanation and exit status 27 are asserted.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }
. "$here/certs.sh"
tmp=$(mktemp -d /tmp/smtpscope-tls.XXXXXX)
pids=
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null; done
	exec 9>&-
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
# s_server quits at the end of its standard input: give it one that stays
# open (a FIFO this shell holds) until the test ends.
mkfifo "$tmp/hold" && exec 9<>"$tmp/hold"
certs_make "$tmp" || { echo "FAIL: could not make the test certificates"; exit 1; }
free_port() {
	"$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
# listening PORT: waits (bounded) until something listens on 127.0.0.1:PORT,
# without connecting (s_server -naccept counts connections).
listening() {
	local i
	for i in $(seq 1 100); do
		ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
		sleep 0.05
	done
	return 1
}
# s_server NAME ARGS...: one-connection openssl s_server on a free port
# ($sport), its output in $tmp/NAME.server.
s_server() {
	local name=$1; shift
	sport=$(free_port)
	openssl s_server -accept "127.0.0.1:$sport" -naccept 1 -cert "$tmp/good.pem" \
		-key "$tmp/good.key" "$@" > "$tmp/$name.server" 2>&1 < "$tmp/hold" &
	pids="$pids $!"
	listening "$sport" || echo "note: s_server for $name did not listen"
}
# scripted NAME SCRIPT: scripted_server.py on a free port ($sport).
scripted() {
	local i
	printf '%b' "$2" > "$tmp/$1.script"
	"$py" "$here/../integration/scripted_server.py" "$tmp/$1.port" "$tmp/$1.script" &
	pids="$pids $!"
	for i in $(seq 1 100); do [ -s "$tmp/$1.port" ] && break; sleep 0.05; done
	sport=$(cat "$tmp/$1.port")
}
. "$here/../integration/transcript-lib.sh"

# Protocol mismatch: the server speaks only TLS 1.2, the client wants 1.3.
s_server proto -tls1_2
session proto "127.0.0.1:$sport" $'QUIT\n' --tls --tls-min 1.3 --cafile "$tmp/ca.pem"
expect proto 27 "*** TLS handshake FAILED: handshake: " "  # No TLS protocol version both sides accept." \
	"=== exit status 27: TLS failed"
# No greeting was ever awaited over a channel that never came up: no
# "command still waiting" warning after the failed implicit TLS.
if grep -q "still waiting" <<<"$out"; then bad proto "a greeting was said to be still waiting"; fi

# Cipher mismatch (TLS 1.2): no cipher in common.
s_server cipher -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
session cipher "127.0.0.1:$sport" $'QUIT\n' --tls --tls-max 1.2 \
	--ciphers ECDHE-RSA-CHACHA20-POLY1305 --cafile "$tmp/ca.pem"
expect cipher 27 "*** TLS handshake FAILED: handshake: " "  # No cipher both sides accept."

# Client certificate: the server demands one and reports its subject.
# s_server sends what its standard input holds: a greeting; it never
# answers QUIT, so the session ends with the reply timeout (status 4).
s_server clientcert -Verify 1 -CAfile "$tmp/ca.pem" -crlf
printf '220 s_server ready\n' >&9
session clientcert "127.0.0.1:$sport" $'QUIT\n' --tls --cafile "$tmp/ca.pem" \
	--cert "$tmp/client.pem" --key "$tmp/client.key" --timeout 2
n=$((n + 1))
for i in $(seq 1 50); do grep -q "^QUIT" "$tmp/clientcert.server" && break; sleep 0.1; done
if [ "$status" = 4 ] && grep -q "verification: OK" <<<"$out" && grep -q "<~  220 s_server ready" <<<"$out" &&
   grep -q "CN *= *smtpscope test client" "$tmp/clientcert.server" &&
   grep -q "^QUIT" "$tmp/clientcert.server"; then
	echo "ok   clientcert (the server saw CN=smtpscope test client, and QUIT inside TLS)"
else
	bad clientcert "the server did not report the client certificate"
fi

# No client certificate for a server that demands one.  TLS 1.3: the
# server's verdict arrives after the client's side of the handshake, in
# place of the greeting; TLS 1.2: inside the handshake, as a bare
# "handshake failure" alert that smtpscope must not call a cipher problem.
s_server nocert -Verify 1 -CAfile "$tmp/ca.pem"
session nocert "127.0.0.1:$sport" $'QUIT\n' --tls --cafile "$tmp/ca.pem" --timeout 5
expect nocert 27 "*** TLS handshake FAILED: handshake: tlsv13 alert certificate required" \
	"  # The server wants a client certificate, or refused the one it got." \
	"  # next step: Give one with --cert FILE" "=== exit status 27: TLS failed" &&
	if grep -qE "still waiting| ~> " <<<"$out"; then bad nocert "something was sent or said to wait"; fi
s_server nocert12 -Verify 1 -CAfile "$tmp/ca.pem" -tls1_2
session nocert12 "127.0.0.1:$sport" $'QUIT\n' --tls --tls-max 1.2 --cafile "$tmp/ca.pem" --timeout 5
expect nocert12 27 "the server asked for a client certificate and none was given" \
	"  # The server wants a client certificate, or refused the one it got." &&
	if grep -q "No cipher both sides accept" <<<"$out"; then bad nocert12 "explained as a cipher mismatch"; fi

# A stapled OCSP response, made here with `openssl ocsp` from the test CA
# and an index file that lists the server's certificate as valid.
serial=$(openssl x509 -in "$tmp/good.pem" -noout -serial | cut -d= -f2)
end=$(date -u -d "$(openssl x509 -in "$tmp/good.pem" -noout -enddate | cut -d= -f2)" +%y%m%d%H%M%SZ)
printf 'V\t%s\t\t%s\tunknown\t/CN=localhost\n' "$end" "$serial" > "$tmp/ocsp-index.txt"
openssl ocsp -issuer "$tmp/ca.pem" -cert "$tmp/good.pem" -no_nonce -reqout "$tmp/ocsp-req.der" \
	>/dev/null 2>&1 &&
openssl ocsp -index "$tmp/ocsp-index.txt" -rsigner "$tmp/ca.pem" -rkey "$tmp/ca.key" \
	-CA "$tmp/ca.pem" -reqin "$tmp/ocsp-req.der" -respout "$tmp/ocsp-resp.der" -ndays 1 \
	>/dev/null 2>&1 || echo "note: could not make the OCSP response"
# s_server sends no greeting: the session ends silent (status 4).
s_server ocsp -status_file "$tmp/ocsp-resp.der"
session ocsp "127.0.0.1:$sport" $'QUIT\n' --tls --cafile "$tmp/ca.pem" --timeout 1
expect ocsp 4 "~~~ verification: OK" \
	"~~~ OCSP: stapled response, successful, certificate good (signed by a trusted responder)"

# TLS spoken to a plaintext port: "wrong version number".
scripted plain 'send 220 plain.test ESMTP\\r\\n\nrecv\n'
session plain "127.0.0.1:$sport" $'QUIT\n' --tls
expect plain 27 "handshake: wrong version number" \
	"  # The other side does not speak TLS here: \"wrong version number\"." \
	"use STARTTLS (--starttls, or /starttls after EHLO) instead of --tls"

# The injection guard: a reply glued to the 220 of STARTTLS is discarded.
scripted inject 'send 220 inj.test ESMTP\\r\\n\nrecv\nsend 250-inj.test\\r\\n250 STARTTLS\\r\\n\nrecv\nsend 220 go ahead\\r\\n250 injected\\r\\n\nsleep 1\nclose\n'
session inject "127.0.0.1:$sport" $'EHLO c.test\n/starttls\nQUIT\n'
expect inject 27 "!!! SECURITY: 14 bytes (1 complete reply) arrived after the 220 to STARTTLS" \
	"they were DISCARDED unread" "CVE-2011-0411" "They began: 250 injected" \
	"*** TLS handshake FAILED" &&
	if grep -q '^<-  250 injected' <<<"$out"; then bad inject "the injected reply was shown as a reply"; fi

# --starttls and a server that refuses it: no plaintext fallback.
scripted refused 'send 220 r.test ESMTP\\r\\n\nrecv\nsend 250-r.test\\r\\n250 STARTTLS\\r\\n\nrecv\nsend 454 4.7.0 TLS not available due to local problem\\r\\n\nrecv\n'
session refused "127.0.0.1:$sport" $'EHLO c.test\nMAIL FROM:<a@b.test>\n' --starttls
expect refused 27 "<-  454 4.7.0 TLS not available" \
	"the server did not accept STARTTLS (no 220), and --starttls never continues in plaintext" &&
	if grep -q ' -> MAIL' <<<"$out"; then bad refused "MAIL was sent in plaintext"; fi

# Replies about TLS explained in context (line mode, scripted peers): 454
# to STARTTLS, 530 "must issue STARTTLS first", and inside a TLS session
# 554 "lack of security" (RFC 3207 4) next to an ordinary 554 relay refusal
# that has nothing to do with TLS.
scripted r454 'send 220 r.test ESMTP\\r\\n\nrecv\nsend 250-r.test\\r\\n250 STARTTLS\\r\\n\nrecv\nsend 454 4.7.0 TLS not available due to local problem\\r\\n\nrecv\nsend 221 bye\\r\\n\n'
session r454 "127.0.0.1:$sport" $'EHLO c.test\n/starttls\nQUIT\n'
expect r454 27 "<-  454 4.7.0 TLS not available" "  # 454 4.7.0 tls-failure: TLS is temporarily unavailable on this server" \
	"[reply to STARTTLS]"
scripted r530 'send 220 r.test ESMTP\\r\\n\nrecv\nsend 250-r.test\\r\\n250 STARTTLS\\r\\n\nrecv\nsend 530 5.7.0 Must issue a STARTTLS command first\\r\\n\nrecv\nsend 221 bye\\r\\n\n'
session r530 "127.0.0.1:$sport" $'EHLO c.test\nMAIL FROM:<a@b.test>\nQUIT\n'
expect r530 23 "<-  530 5.7.0 Must issue a STARTTLS command first" \
	"  # 530 5.7.0 tls-required: The server wants STARTTLS or AUTH before it accepts a sender." \
	"[reply to MAIL]"
tls_open='send 220 r.test ESMTP\\r\\n\nrecv\nsend 250-r.test\\r\\n250 STARTTLS\\r\\n\nrecv\nsend 220 2.0.0 go ahead\\r\\n\n'"starttls $tmp/good.pem $tmp/good.key"'\nrecv\n'
scripted r554 "$tls_open"'send 554 5.7.0 Command refused due to lack of security\\r\\n\nrecv\nsend 221 bye\\r\\n\n'
session r554 "127.0.0.1:$sport" $'EHLO c.test\n/starttls\nEHLO c.test\nQUIT\n' --cafile "$tmp/ca.pem"
expect r554 22 "~~~ verification: OK" "<~  554 5.7.0 Command refused due to lack of security" \
	"  # 554 5.7.0 tls-failure: TLS was refused, or the session it produced is not secure enough" \
	"[reply to EHLO]"
scripted r554relay "$tls_open"'send 250 r.test\\r\\n\nrecv\nsend 250 2.1.0 ok\\r\\n\nrecv\nsend 554 5.7.1 <x@far.test>: Relay access denied\\r\\n\nrecv\nsend 221 bye\\r\\n\n'
session r554relay "127.0.0.1:$sport" \
	$'EHLO c.test\n/starttls\nEHLO c.test\nMAIL FROM:<a@c.test>\nRCPT TO:<x@far.test>\nQUIT\n' --cafile "$tmp/ca.pem"
expect r554relay 24 "<~  554 5.7.1 <x@far.test>: Relay access denied" "  # 554 5.7.1 relay-denied: " \
	"[reply to RCPT]" &&
	if grep -q "554 5.7.1.*TLS was refused" <<<"$out"; then bad r554relay "a relay refusal explained as a TLS refusal"; fi

# The demo server: STARTTLS and an implicit-TLS port with a certificate it
# made at start; /cert save gives a PEM that then verifies it.
dport=$(free_port) tport=$(free_port)
"$bin" serve --listen "127.0.0.1:$dport" --tls-listen "127.0.0.1:$tport" > "$tmp/demo.log" 2>&1 &
pids="$pids $!"
listening "$tport" || echo "note: the demo server did not listen"
session demo-insecure "127.0.0.1:$dport" \
	$'EHLO me.test\n/starttls\nEHLO me.test\n'"/cert save $tmp/demo.pem"$'\nQUIT\n' --insecure
expect demo-insecure 0 "<-  250 STARTTLS" "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT" \
	"(insecure) === capabilities after TLS, compared with before: -STARTTLS" \
	"(insecure) === certificate chain saved as PEM in $tmp/demo.pem"
session demo-verified "localhost:$tport" $'EHLO me.test\nQUIT\n' -4 --tls --cafile "$tmp/demo.pem"
expect demo-verified 0 "verification: OK, trusted chain, name matches localhost" \
	"<~  220 demo.test ESMTP" "<~  221 2.0.0 Bye"
session demo-strict "127.0.0.1:$dport" $'EHLO me.test\n' --starttls
expect demo-strict 27 "  # The server's certificate is self-signed" "=== exit status 27"

# Bad --cafile/--capath/--cert/--key: refused at start-up (exit 2, usage)
# with what would be right, before any connection is tried.
echo "not a certificate" > "$tmp/junk.txt"
openssl pkey -in "$tmp/client.key" -aes256 -passout pass:secret -out "$tmp/locked.key" 2>/dev/null
startup() { # NAME TEXT OPTIONS...
	local name=$1 text=$2; shift 2
	session "$name" 127.0.0.1:1 $'QUIT\n' "$@"
	expect "$name" 2 "smtpscope: " "$text" &&
		if grep -q "connecting to" <<<"$out"; then bad "$name" "it connected anyway"; fi
}
startup badfile-cafile-missing "--cafile $tmp/none.pem: No such file or directory; give one PEM file of CA certificates" \
	--cafile "$tmp/none.pem"
startup badfile-cafile-dir "--cafile $tmp is a directory; give one PEM file of CA certificates to trust (--capath takes a directory)" \
	--cafile "$tmp"
startup badfile-cafile-junk "cannot load --cafile $tmp/junk.txt: no certificate or crl found; give one PEM file" \
	--cafile "$tmp/junk.txt"
startup badfile-capath "--capath $tmp/ca.pem is not a directory; give a directory of CA certificates named by their hash" \
	--capath "$tmp/ca.pem"
startup badfile-cert "cannot load --cert $tmp/junk.txt: " --cert "$tmp/junk.txt" --key "$tmp/client.key"
startup badfile-cert-nokey "no private key in --cert $tmp/client.pem: " --cert "$tmp/client.pem"
startup badfile-key-other "the key in $tmp/good.key does not belong to --cert $tmp/client.pem: give the key the certificate was made for" \
	--cert "$tmp/client.pem" --key "$tmp/good.key"
startup badfile-key-locked "the key in $tmp/locked.key is protected by a passphrase, which smtpscope does not ask for" \
	--cert "$tmp/client.pem" --key "$tmp/locked.key"
startup badfile-key-alone "--key needs --cert FILE" --key "$tmp/client.key"

echo "tls-errors: $((n - fail))/$n passed"
[ "$fail" -eq 0 ]
