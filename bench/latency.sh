#!/usr/bin/env bash
# Benchmark: smtpscope's latency at each step against swaks (and, for the
# TLS handshake, `openssl s_client -starttls smtp`), interleaved in one run
# so that drift on a shared machine hits both alike:
#
#   start       smtpscope --version            vs swaks --version
#   explain     smtpscope explain 550          vs swaks --version (the
#               baseline: swaks has no such command; its start is the
#               least a swaks user waits for)
#   plain       a transaction to Postfix's smtp-sink on 127.0.0.1
#   starttls    a STARTTLS transaction to a private Postfix (the
#               integration tests' tests/integration/postfix-lib.sh, with
#               the TLS tests' certificates, tests/tls/certs.sh)
#   handshake   EHLO, STARTTLS and the verified handshake to the same
#               Postfix                        vs openssl s_client
#   50 MB       a 50 MB message to smtp-sink   vs swaks --body @FILE,
#               with the peak RSS of each (/usr/bin/time -f %M)
#
#   bench/latency.sh [SMTPSCOPE] [ROUNDS] [BIG_ROUNDS] [MB]
#
# ROUNDS (default 30) runs of each step, BIG_ROUNDS (default 5) of the
# 50 MB message; prints the medians, the ratio smtpscope/baseline and the
# target of issue 17 next to it.  BENCH_VERBOSE=1 prints every run.
# Run as root (Postfix's master needs it); never run as a timed test.
set -eu
export LC_ALL=C   # EPOCHREALTIME with a "." in it
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../_build/smtpscope}")" && pwd)/$(basename "${1:-smtpscope}")
rounds=${2:-30}
big_rounds=${3:-5}
mb=${4:-50}
sink=/usr/sbin/smtp-sink
[ -x "$bin" ] || { echo "bench: $bin is not a program (build it first)"; exit 1; }
[ -x "$sink" ] || { echo "bench: smtp-sink not installed (Debian package postfix)"; exit 1; }
for p in swaks openssl /usr/bin/time; do
	command -v "$p" >/dev/null || { echo "bench: $p not installed"; exit 1; }
done
[ -n "${EPOCHREALTIME:-}" ] || { echo "bench: needs bash 5 (EPOCHREALTIME)"; exit 1; }

# ---- the servers ----------------------------------------------------------
. "$here/../tests/tls/certs.sh"
certs=$(mktemp -d /tmp/smtpscope-bench-certs.XXXXXX)
chmod 755 "$certs"
certs_make "$certs" || { echo "bench: could not make the test certificates"; rm -rf "$certs"; exit 1; }
PF_MAIN_EXTRA="smtpd_tls_security_level = may
smtpd_tls_chain_files = $certs/good.key,$certs/good.pem"
PF_MASTER_EXTRA="tlsmgr    unix  -       -       n       1000?   1       tlsmgr"
set +e   # the library is written for scripts without -e
. "$here/../tests/integration/postfix-lib.sh"   # $port, $tmp, cleanup on EXIT
set -e
sink_pid=
trap 'set +e; [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; cleanup; rm -rf "$certs"' EXIT
sink_port=$(free_port)
"$sink" -u nobody "127.0.0.1:$sink_port" 100 & sink_pid=$!
for i in $(seq 50); do
	"$py" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close()' \
		"$sink_port" 2>/dev/null && break
	sleep 0.1
done
# The big message: CRLF lines, a fifth of them starting with "." (stuffed).
"$py" - "$tmp/big.eml" "$mb" <<'PY'
import sys
path, mb = sys.argv[1], int(sys.argv[2])
lines = [b".a line that needs dot-stuffing %08d, the quick brown fox\r\n",
         b"an ordinary line of text %08d lorem ipsum dolor sit amet\r\n"] + \
        [b"another ordinary line %08d consectetur adipiscing elit\r\n"] * 3
with open(path, "wb") as f:
    size, i = 0, 0
    while size < mb * 1024 * 1024:
        line = lines[i % 5] % i
        f.write(line); size += len(line); i += 1
PY

# ---- the clients ----------------------------------------------------------
from=a@bench.test to=user@scope.test
wrap=()   # a command the clients run under (/usr/bin/time for the RSS)
# smtpscope_txn MODE PORT [FILE]: one whole transaction (MODE plain or
# starttls) with the one-shot options, as swaks_txn with swaks' own: the
# body a short text or @FILE; exit status 0 once the message was accepted.
smtpscope_txn() {
	local mode=$1 port=$2 body=hi
	local tls=()
	[ "$mode" = starttls ] && tls=(--starttls --cafile "$certs/ca.pem")
	[ -n "${3:-}" ] && body=@$3
	"${wrap[@]}" "$bin" --server "127.0.0.1:$port" --from "$from" --to "$to" \
		--ehlo bench.example "${tls[@]}" --body "$body" > "$tmp/scope.out" 2>&1
}
swaks_txn() { # MODE PORT [FILE]
	local tls=() body=hi
	[ "$1" = starttls ] && tls=(--tls)
	[ -n "${3:-}" ] && body=@$3
	"${wrap[@]}" swaks --server "127.0.0.1:$2" --from "$from" --to "$to" "${tls[@]}" --body "$body" \
		--suppress-data > "$tmp/swaks.out" 2>&1
}
# EHLO, STARTTLS, the handshake verified against the test CA, as a user
# of each tool types it (smtpscope's exit status is 27 unless the
# handshake and the verification succeed; s_client's is not 0 with
# -verify_return_error); then smtpscope ends with QUIT (one more round
# trip), s_client just closes.  The trial run below also checks that
# smtpscope's transcript says the verification succeeded.
scope_handshake() {
	"$bin" --server "127.0.0.1:$port" --to "$to" --ehlo bench.example --starttls \
		--quit-after TLS --cafile "$certs/ca.pem" > "$tmp/scope.out" 2>&1
}
sclient_handshake() {
	openssl s_client -starttls smtp -connect "127.0.0.1:$port" -CAfile "$certs/ca.pem" \
		-verify_return_error -brief < /dev/null > "$tmp/sclient.out" 2>&1
}
scope_start() { "$bin" --version > /dev/null; }
scope_explain() { "$bin" explain 550 > /dev/null; }
swaks_start() { swaks --version > /dev/null; }
scope_plain() { smtpscope_txn plain "$sink_port"; }
swaks_plain() { swaks_txn plain "$sink_port"; }
scope_starttls() { smtpscope_txn starttls "$port"; }
swaks_starttls() { swaks_txn starttls "$port"; }
scope_big() { smtpscope_txn plain "$sink_port" "$tmp/big.eml"; }
swaks_big() { swaks_txn plain "$sink_port" "$tmp/big.eml"; }

# ---- timing -----------------------------------------------------------------
# run NAME FUNCTION: appends its wall time (ms) to $tmp/t.NAME; a failed
# run stops the benchmark with what it printed.
run() {
	local t0 t1
	t0=$EPOCHREALTIME
	if ! "$2"; then
		echo "bench: $2 failed:"; cat "$tmp"/*.out 2>/dev/null | tail -n 20; exit 1
	fi
	t1=$EPOCHREALTIME
	echo $(( ${t1/./} - ${t0/./} )) | awk '{printf "%.3f\n", $1 / 1000}' >> "$tmp/t.$1"
}
median() { sort -n "$tmp/t.$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# pair NAME_A FN_A NAME_B FN_B: one run of each, in alternating order.
pair() {
	if [ $((i % 2)) = 0 ]; then run "$1" "$2"; run "$3" "$4"
	else run "$3" "$4"; run "$1" "$2"; fi
}
for f in scope_plain swaks_plain scope_starttls swaks_starttls scope_handshake sclient_handshake; do
	"$f" || { echo "bench: $f failed in its trial run:"; cat "$tmp"/*.out; exit 1; }
done
scope_handshake && grep -q '^~~~ verification: OK' "$tmp/scope.out" ||
	{ echo "bench: smtpscope's handshake was not verified:"; cat "$tmp/scope.out"; exit 1; }
for i in $(seq "$rounds"); do
	pair scope_start scope_start swaks_start swaks_start
	pair scope_explain scope_explain swaks_start2 swaks_start
	pair scope_plain scope_plain swaks_plain swaks_plain
	pair scope_starttls scope_starttls swaks_starttls swaks_starttls
	pair scope_hs scope_handshake sclient_hs sclient_handshake
done
for i in $(seq "$big_rounds"); do
	pair scope_big scope_big swaks_big swaks_big
done
# peak RSS (KiB) and CPU seconds of one more 50 MB run each
rss() { # NAME FUNCTION
	wrap=(/usr/bin/time -o "$tmp/time.$1" -f '%M %U %S')
	"$2" || { echo "bench: $2 failed"; exit 1; }
	wrap=()
}
rss scope scope_big; rss swaks swaks_big
read -r scope_rss scope_user scope_sys < "$tmp/time.scope"
read -r swaks_rss swaks_user swaks_sys < "$tmp/time.swaks"

if [ -n "${BENCH_VERBOSE:-}" ]; then
	for n in "$tmp"/t.*; do echo "${n##*/t.}: $(tr '\n' ' ' < "$n")"; done
fi
size=$(stat -c %s "$tmp/big.eml")
echo "smtpscope: $bin ($("$bin" --version))"
echo "median of $rounds rounds ($big_rounds for the $size-octet message), wall time in ms:"
printf '  %-34s %10s %10s %7s  %s\n' step smtpscope baseline ratio target
line() { # LABEL A B TARGET_RATIO [NOTE]
	local a b
	a=$(median "$2") b=$(median "$3")
	awk -v l="$1" -v a="$a" -v b="$b" -v t="$4" -v note="${5:-}" 'BEGIN {
		r = a / b
		printf "  %-34s %10.1f %10.1f %7.3f  %s%s\n", l, a, b, r,
			t == "-" ? "" : "<= " t (r <= t ? " met" : " MISSED"), note }'
}
line "start (--version / swaks)" scope_start swaks_start 0.1
line "explain 550 / swaks --version" scope_explain swaks_start2 - "(no target; swaks' start as the yardstick)"
line "plain transaction, smtp-sink" scope_plain swaks_plain 0.2
line "STARTTLS transaction, Postfix" scope_starttls swaks_starttls 0.4
line "handshake / openssl s_client" scope_hs sclient_hs 1.2
line "$mb MB message, smtp-sink" scope_big swaks_big 0.05
awk -v mb="$mb" -v a="$scope_rss" -v b="$swaks_rss" -v u="$scope_user" -v s="$scope_sys" \
	-v wu="$swaks_user" -v ws="$swaks_sys" 'BEGIN {
	printf "  %-34s %9.1fM %9.1fM %7s  <= 16 MiB %s\n", "peak RSS, the " mb " MB message", a / 1024, b / 1024,
		"", (a <= 16384 ? "met" : "MISSED")
	printf "  %-34s %10.2f %10.2f %7.3f  (CPU seconds, user+system)\n", "CPU, the " mb " MB message",
		u + s, wu + ws, (u + s) / (wu + ws) }'
