#!/usr/bin/env bash
# The system CA store is loaded when the first TLS context needs it, never
# at start: OpenSSL reads it from SSL_CERT_FILE, which here is a FIFO with
# no writer, so a program that opened it would block there (and the
# `timeout` end it with 124).  --version, `explain 550` and a plaintext
# session finish; a STARTTLS verified against the system store opens the
# FIFO (a writer feeds it the test CA, and the certificate verifies).
# Then SSL_CERT_FILE as a plain file: the store found the CA for two
# connections of one process (the second takes the store and context
# already loaded), and an empty store fails verification (exit 27).
# The server is `smtpscope serve` with a certificate of the test CA.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
limit=20
[ -n "${SMTPSCOPE_TEST_SLOW:-}" ] && limit=90
. "$here/certs.sh"
tmp=$(mktemp -d /tmp/smtpscope-store.XXXXXX)
pids=
cleanup() {
	local p
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
certs_make "$tmp" || { echo "FAIL: could not make the test certificates"; exit 1; }
mkfifo "$tmp/store.fifo" || { echo "FAIL: mkfifo"; exit 1; }
export SSL_CERT_DIR=$tmp/no-such-dir   # the store is the file alone

"$bin" serve --listen 127.0.0.1:0 --cert "$tmp/good.pem" --key "$tmp/good.key" \
	> "$tmp/serve.log" 2>&1 &
pids="$pids $!"
for i in $(seq 1 100); do grep -q 'listening on' "$tmp/serve.log" && break; sleep 0.05; done
addr=$(sed -n 's/.*listening on \([^,]*\),.*/\1/p' "$tmp/serve.log")
[ -n "$addr" ] || { echo "FAIL: the demo server did not start:"; cat "$tmp/serve.log"; exit 1; }

n=0 fail=0
bad() { echo "FAIL $1: $2"; sed 's/^/    /' "$tmp/$1.out"; fail=$((fail + 1)); }
# run NAME STORE INPUT ARGS...: smtpscope with SSL_CERT_FILE=STORE and
# INPUT on stdin; sets $status, the output in $tmp/NAME.out.
run() {
	local name=$1 store=$2 input=$3; shift 3
	n=$((n + 1))
	printf '%s' "$input" | SSL_CERT_FILE=$store timeout "$limit" "$bin" "$@" \
		> "$tmp/$name.out" 2>&1
	status=$?
}
# expect NAME STATUS TEXT...
expect() {
	local name=$1 want=$2 t; shift 2
	if [ "$status" = 124 ]; then
		bad "$name" "blocked (timeout): it opened SSL_CERT_FILE, the system CA store"
		return
	fi
	[ "$status" = "$want" ] || { bad "$name" "exit $status, want $want"; return; }
	for t in "$@"; do
		grep -qF -- "$t" "$tmp/$name.out" || { bad "$name" "output lacks \"$t\""; return; }
	done
	echo "ok   $name"
}

fifo=$tmp/store.fifo
run version "$fifo" "" --version
expect version 0 "smtpscope "
run explain "$fifo" "" explain 550
expect explain 0 "550"
run plain "$fifo" $'EHLO client.example\nMAIL FROM:<a@client.example>\nRCPT TO:<b@demo.test>\nQUIT\n' \
	--batch "$addr"
expect plain 0 "<-  250" "<-  221"

# A STARTTLS session opens the store: a writer gives it the test CA.
( cat "$tmp/ca.pem" > "$fifo" ) &
writer=$!
pids="$pids $writer"
run starttls-fifo "$fifo" $'EHLO client.example\n/starttls\nQUIT\n' --batch "$addr"
expect starttls-fifo 0 "~~~ verification: OK, trusted chain"
kill "$writer" 2>/dev/null

run twice "$tmp/ca.pem" $'EHLO client.example\n/starttls\nQUIT\n/connect '"$addr"$'\nEHLO client.example\n/starttls\nQUIT\n' \
	--batch "$addr"
if [ "$status" != 124 ] && { [ "$(grep -c '^=== connected to ' "$tmp/twice.out")" != 2 ] ||
   [ "$(grep -c '^~~~ verification: OK, trusted chain' "$tmp/twice.out")" != 2 ]; }; then
	bad twice "not two connections each with a verified handshake (exit $status)"
else
	expect twice 0 "~~~ verification: OK, trusted chain"
fi

: > "$tmp/empty.pem"
run empty "$tmp/empty.pem" $'EHLO client.example\n/starttls\nQUIT\n' --batch "$addr"
expect empty 27 "~~~ verification: FAILED: unable to get local issuer certificate"

echo "system-store: $((n - fail))/$n passed"
[ "$fail" -eq 0 ]
