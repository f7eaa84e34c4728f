#!/bin/sh
# The long fuzzing campaign (`make fuzz-long`, see tests/fuzz/README.md):
#   long.sh FUZZDIR TOTAL_RUNS
# Builds every target FUZZDIR/fuzz_NAME.c has (make fuzz-NAME), gives each
# its share of TOTAL_RUNS executions (FUZZ_LONG_WEIGHTS: "NAME=W ..."; a
# target not named weighs 1) on a copy of its seeds, one target at a time
# (FUZZ_LONG_JOBS targets at once, default 1: the machine's cores are
# shared), then merges what found new coverage into FUZZDIR/corpus-NAME
# (libFuzzer -merge=1: only inputs that add coverage are kept).
# Logs and summaries: fuzz-long/NAME.log, fuzz-long/summary.txt.
# Exits non-zero if any target crashed, leaked or timed out, or if fewer
# than TOTAL_RUNS executions were done in all.
set -eu
fuzzdir=$1 total=$2
. "$fuzzdir/lib.sh"
weights=${FUZZ_LONG_WEIGHTS:-"reply=3 caps=3 replay=2 auth=2 kb=1"}
jobs=${FUZZ_LONG_JOBS:-1}
out=fuzz-long
mkdir -p "$out"
targets=
for src in "$fuzzdir"/fuzz_*.c; do
	name=$(basename "$src" .c)
	targets="$targets fuzz-${name#fuzz_}"
done
make $targets >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
weight() {
	for w in $weights; do
		[ "${w%%=*}" = "${1#fuzz-}" ] && { echo "${w#*=}"; return; }
	done
	echo 1
}
sum=0
for t in $targets; do sum=$((sum + $(weight "$t"))); done

one() {
	t=$1 runs=$2
	seeds=$(fuzz_seeds "$t" "$fuzzdir")
	work=$out/corpus-${t#fuzz-}
	rm -rf "$work" && mkdir -p "$work" "$seeds"
	cp "$seeds"/* "$work"/ 2>/dev/null || true
	start=$(date +%s)
	rc=0
	./"$t" -runs="$runs" -max_len="$(fuzz_max_len "$t")" -timeout=10 \
		-print_final_stats=1 -artifact_prefix="$out/$t-" "$work" >"$out/$t.log" 2>&1 || rc=$?
	secs=$(( $(date +%s) - start ))
	done_runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$out/$t.log" | tail -n 1)
	merge_rc=0
	if [ $rc -eq 0 ]; then
		./"$t" -merge=1 -max_len="$(fuzz_max_len "$t")" -timeout=10 "$seeds" "$work" \
			>"$out/$t.merge.log" 2>&1 || merge_rc=$?
	fi
	echo "$t runs=${done_runs:-0} seconds=$secs execs_per_s=$(( ${done_runs:-0} / (secs > 0 ? secs : 1) )) exit=$rc merge_exit=$merge_rc seeds_now=$(ls "$seeds" | wc -l)" \
		>"$out/$t.summary"
	cat "$out/$t.summary"
}

pids=
n=0
for t in $targets; do
	runs=$(( (total * $(weight "$t") + sum - 1) / sum ))
	one "$t" "$runs" &
	pids="$pids $!"
	n=$((n + 1))
	if [ "$n" -ge "$jobs" ]; then
		for p in $pids; do wait "$p" || true; done
		pids= n=0
	fi
done
for p in $pids; do wait "$p" || true; done

cat "$out"/fuzz-*.summary >"$out/summary.txt"
all=0 bad=0
for t in $targets; do
	r=$(sed -n 's/.* runs=\([0-9]*\) .*/\1/p' "$out/$t.summary")
	all=$((all + ${r:-0}))
	grep -q ' exit=0 merge_exit=0 ' "$out/$t.summary" || bad=$((bad + 1))
done
echo "total executions: $all (wanted $total); targets failed: $bad" | tee -a "$out/summary.txt"
ls "$out"/fuzz-*-crash-* "$out"/fuzz-*-leak-* "$out"/fuzz-*-timeout-* 2>/dev/null || true
[ "$bad" -eq 0 ] && [ "$all" -ge "$total" ]
