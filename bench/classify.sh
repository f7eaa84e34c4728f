#!/usr/bin/env bash
# Benchmark: what diagnosing one reply costs with the whole knowledge base
# (210 provider patterns, then the text rules of help/kb/rules.kb), against
# what a swaks session costs on the same machine in the same run.
#
#   bench/classify.sh [SMTPSCOPE] [RUNS]
#
# The per-reply time is `explain --check`'s own measurement: every text
# rule's samples explained in process, as a session's replies are (reply
# parsed, enhanced code found, patterns and rules tried, diagnosis chosen).
# Then the whole real-reply corpus through `explain --reply`, one process
# each, and one swaks session against the demo server; the ratios say how
# small the diagnosis is next to sending one message.
set -eu
bin=${1:-$(dirname "$0")/../_build/smtpscope}
runs=${2:-15}
top=$(cd "$(dirname "$0")/.." && pwd)
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$top/help}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { date +%s%N | awk '{printf "%.3f", $1/1e6}'; }

per=$(for i in $(seq "$runs"); do
	"$bin" explain --check | sed -n 's/.*(\([0-9.]*\) us a reply).*/\1/p'
done | median)
echo "diagnosing one reply, in process (median of $runs runs of the rule samples): $per us"

corpus=$top/tests/data/real-replies.tsv
n=$(($(wc -l <"$corpus") - 1))
t0=$(now_ms)
tail -n +2 "$corpus" | while IFS=$'\t' read -r _ _ reply _; do
	"$bin" explain --reply "${reply// | /$'\n'}" >/dev/null
done
t1=$(now_ms)
wall=$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN {printf "%.3f", (b - a) / n}')
echo "smtpscope explain --reply, one process a reply ($n real replies): $wall ms each"

command -v swaks >/dev/null || { echo "swaks not installed: comparison skipped"; exit 0; }
log=$(mktemp); trap 'kill $srv 2>/dev/null; rm -f "$log"' EXIT
"$bin" serve --listen 127.0.0.1:0 >"$log" 2>&1 & srv=$!
for i in $(seq 50); do grep -q 'listening on' "$log" && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log")
sw=$(for i in $(seq "$runs"); do t0=$(now_ms)
	swaks --server "$addr" --from a@example.org --to b@demo.test --body hi >/dev/null 2>&1
	t1=$(now_ms); awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'; done | median)
echo "one swaks session against the demo server (median of $runs): $sw ms"
awk -v p="$per" -v s="$sw" 'BEGIN {printf "ratio diagnosis/swaks session: %.5f (a session costs %.0f diagnoses)\n", p / 1000 / s, s * 1000 / p}'
awk -v w="$wall" -v s="$sw" 'BEGIN {printf "ratio explain --reply process/swaks session: %.2f\n", w / s}'
