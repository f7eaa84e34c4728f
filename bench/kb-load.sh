#!/usr/bin/env bash
# Benchmark: how long loading the whole knowledge base takes, and what a
# user waits for an explanation compared with a swaks session.
#
#   bench/kb-load.sh [SMTPSCOPE] [RUNS]
#
# Prints the median in-process load time (as `explain --check` measures
# it) and the median wall time of `smtpscope explain 550 5.1.1`; then, in
# the same run, one SMTP session against the demo server by smtpscope and
# by swaks, and their ratio (absolute times drift on shared machines).
set -eu
bin=${1:-$(dirname "$0")/../_build/smtpscope}
runs=${2:-30}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { date +%s%N | awk '{printf "%.3f", $1/1e6}'; }

load=$(for i in $(seq "$runs"); do
	"$bin" explain --check | sed -n 's/.*loaded in \([0-9.]*\) ms.*/\1/p'
done | median)
wall=$(for i in $(seq "$runs"); do
	t0=$(now_ms); "$bin" explain 550 5.1.1 >/dev/null; t1=$(now_ms)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
done | median)
echo "knowledge base load (in process, median of $runs): $load ms"
echo "smtpscope explain 550 5.1.1 (wall, median of $runs): $wall ms"

command -v swaks >/dev/null || { echo "swaks not installed: session comparison skipped"; exit 0; }
log=$(mktemp); trap 'kill $srv 2>/dev/null; rm -f "$log"' EXIT
"$bin" serve --listen 127.0.0.1:0 >"$log" 2>&1 & srv=$!
for i in $(seq 50); do grep -q 'listening on' "$log" && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log")
session() {
	printf 'EHLO bench.example\nMAIL FROM:<a@example.org>\nRCPT TO:<b@demo.test>\nDATA\nSubject: bench\n\nhi\n.\nQUIT\n' |
		"$bin" --batch "$addr" >/dev/null
}
scope=$(for i in $(seq "$runs"); do t0=$(now_ms); session; t1=$(now_ms)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'; done | median)
sw=$(for i in $(seq "$runs"); do t0=$(now_ms)
	swaks --server "$addr" --from a@example.org --to b@demo.test --body hi >/dev/null 2>&1
	t1=$(now_ms); awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'; done | median)
echo "one annotated session, smtpscope --batch (median of $runs): $scope ms"
echo "the same session, swaks (median of $runs): $sw ms"
awk -v a="$scope" -v b="$sw" 'BEGIN {printf "ratio smtpscope/swaks: %.2f\n", a / b}'
