#!/usr/bin/env bash
# `smtpscope serve`: the demo server alone on 127.0.0.1 serves several
# clients at once (smtpscope itself and swaks), logs each connection with a
# timestamp, and stops cleanly on SIGTERM.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; sed 's/^/    /' "$tmp/serve.log"; exit 1; }

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --listen "127.0.0.1:$port" > "$tmp/serve.log" 2>&1 &
server=$!
# (up to 30 s: under valgrind on a loaded machine start-up takes seconds)
for i in $(seq 1 600); do grep -q "listening on 127.0.0.1:$port" "$tmp/serve.log" && break; sleep 0.05; done
grep -q "listening on 127.0.0.1:$port" "$tmp/serve.log" || fail "server did not start"

# Eight concurrent smtpscope sessions, each delivering one message; each
# bounded (30 s, 120 s when eight run under valgrind: SMTPSCOPE_TEST_SLOW).
limit=30
[ -n "${SMTPSCOPE_TEST_SLOW:-}" ] && limit=120
for i in $(seq 1 8); do
	printf 'EHLO c%s.example\nMAIL FROM:<t@example.org>\nRCPT TO:<s%s@demo.test>\nDATA\nSubject: %s\n\nhi\n.\nQUIT\n' "$i" "$i" "$i" |
		timeout "$limit" "$bin" --batch "127.0.0.1:$port" > "$tmp/client$i.out" 2>&1 &
done
if command -v swaks >/dev/null; then
	timeout "$limit" swaks --server "127.0.0.1:$port" --to s@demo.test --from t@example.org \
		--body "hello from swaks" > "$tmp/swaks.out" 2>&1 || fail "swaks exit $? $(cat "$tmp/swaks.out")"
fi
for pid in $(jobs -p | grep -v "^$server\$"); do
	wait "$pid" || fail "a client failed (exit $?): $(tail -n 3 "$tmp"/client*.out)"
done
for i in $(seq 1 8); do
	grep -q "queued as DEMO" "$tmp/client$i.out" || fail "client $i: $(cat "$tmp/client$i.out")"
done
n=$(grep -c '\] connected$' "$tmp/serve.log")
want=8; command -v swaks >/dev/null && want=9
[ "$n" -eq "$want" ] || fail "expected $want connections in the log, saw $n"
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z \[#[0-9]+ 127\.0\.0\.1 port [0-9]+\] <- EHLO' "$tmp/serve.log" ||
	fail "log lines lack timestamp/peer"
grep -q "message of .* bytes received" "$tmp/serve.log" || fail "no message logged"

kill -TERM "$server"
for i in $(seq 1 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.05; done
kill -0 "$server" 2>/dev/null && fail "server ignored SIGTERM"
wait "$server"; rc=$?
[ "$rc" -eq 0 ] || fail "server exit status $rc after SIGTERM"
grep -q "demo server stopped" "$tmp/serve.log" || fail "no stop message"

# A busy port is a clear error, not a crash.  The holder picks its own free
# port and keeps it until smtpscope has tried; smtpscope is bounded by timeout.
exec 3< <(/usr/bin/python3 -c 'import socket,sys,time
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(20)')
holder=$!
read -r -t 10 busy <&3 || fail "could not hold a port for the busy-port test"
out=$(timeout 10 "$bin" serve --listen "127.0.0.1:$busy" 2>&1); rc=$?
exec 3<&-
kill "$holder" 2>/dev/null
[ "$rc" -eq 2 ] && grep -q "cannot listen on 127.0.0.1:$busy" <<<"$out" || { echo "FAIL busy port: $rc $out"; exit 1; }
# --cert / --key: both or neither; an unreadable or non-PEM file is named
out=$(timeout 10 "$bin" serve --cert "$tmp/nothing.pem" 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q "serve: --cert and --key go together" <<<"$out" || fail "--cert alone: $rc $out"
out=$(timeout 10 "$bin" serve --listen 127.0.0.1:0 --cert "$tmp/nothing.pem" --key "$tmp/nothing.key" 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--cert $tmp/nothing.pem: No such file or directory; a PEM certificate" <<<"$out" ||
	fail "missing --cert file: $rc $out"
echo "not a certificate" >"$tmp/junk.pem"
out=$(timeout 10 "$bin" serve --listen 127.0.0.1:0 --cert "$tmp/junk.pem" --key "$tmp/junk.pem" 2>&1); rc=$?
[ "$rc" -eq 2 ] && grep -q -- "--cert $tmp/junk.pem: .*; a PEM certificate (its chain may follow)" <<<"$out" ||
	fail "junk --cert: $rc $out"
# a certificate of the test CA: served on STARTTLS, verified with --cafile
if command -v openssl >/dev/null; then
	. "$here/../tls/certs.sh"
	certs_make "$tmp/certs" >/dev/null 2>&1 || fail "making the test certificates"
	"$bin" serve --listen 127.0.0.1:0 --cert "$tmp/certs/good.pem" --key "$tmp/certs/good.key" >"$tmp/cert.log" 2>&1 &
	cs=$!
	for i in $(seq 1 600); do
		cport=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$tmp/cert.log" | head -1)
		[ -n "$cport" ] && break
		sleep 0.05
	done
	out=$(printf 'EHLO c.example\n/starttls\nQUIT\n' | timeout "$limit" "$bin" --batch --cafile "$tmp/certs/ca.pem" \
		"127.0.0.1:$cport" 2>&1)
	grep -qF "~~~ verification: OK, trusted chain, name matches 127.0.0.1" <<<"$out" ||
		fail "serve --cert: the test CA's certificate was not served: $out"
	kill "$cs" 2>/dev/null
fi
echo "serve: ok ($n connections)"
