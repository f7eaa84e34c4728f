#!/usr/bin/env bash
# make check-valgrind: runs test scripts (paths under the source tree, as
# in TESTS) with $SMTPSCOPE pointing at tests/valgrind/vg-smtpscope, so
# every smtpscope they start runs under valgrind (memcheck, full leak
# check; definite and indirect leaks are errors).  A test fails if its
# script fails or if any smtpscope it ran left a valgrind report.
# VALGRIND_JOBS tests run at once (default: the number of cores).
# Run from the build folder; reports go to valgrind/NAME/vg.PID.log.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
top_builddir=${top_builddir:-.}
logdir=$(pwd)/valgrind
jobs=${VALGRIND_JOBS:-$(nproc 2>/dev/null || echo 2)}
export top_srcdir top_builddir
export SMTPSCOPE="$here/vg-smtpscope"
export SMTPSCOPE_REAL="${SMTPSCOPE_REAL:-$(pwd)/smtpscope}"
export SMTPSCOPE_HELPDIR="${SMTPSCOPE_HELPDIR:-$top_srcdir/help}"
# Peers that give smtpscope a deadline to start may wait longer for it.
export SMTPSCOPE_TEST_SLOW=valgrind
command -v valgrind >/dev/null || { echo "check-valgrind: valgrind is not installed"; exit 1; }
rm -rf "$logdir" && mkdir -p "$logdir"

name_of() { echo "${1%.sh}" | tr / -; }

# one TEST: runs it, writes valgrind/NAME.result (first line: the verdict)
one() {
	local t=$1 name rc start secs n reports r
	name=$(name_of "$t")
	export VALGRIND_LOGDIR="$logdir/$name"
	mkdir -p "$VALGRIND_LOGDIR"
	start=$(date +%s)
	bash "$top_srcdir/$t" >"$logdir/$name.out" 2>&1 </dev/null
	rc=$?
	secs=$(($(date +%s) - start))
	n=$(find "$VALGRIND_LOGDIR" -name 'vg.*.log' | wc -l)
	# --quiet leaves a clean run's log empty
	reports=$(find "$VALGRIND_LOGDIR" -name 'vg.*.log' -size +0 | sort)
	{
		if [ "$rc" = 77 ] && [ -z "$reports" ]; then
			echo "SKIP: $t (${secs} s)"
		elif [ "$rc" = 0 ] && [ -z "$reports" ]; then
			echo "PASS: $t ($n runs of smtpscope under valgrind, ${secs} s)"
		else
			echo "FAIL: $t (exit $rc, $n runs of smtpscope, ${secs} s)"
			tail -n 40 "$logdir/$name.out" | sed 's/^/    /'
			for r in $reports; do
				echo "  ---- $r"
				head -n 80 "$r" | sed 's/^/    /'
			done
		fi
		echo "runs=$n"
	} >"$logdir/$name.result"
}

running=0
for t in "$@"; do
	one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

pass=0 fail=0 skip=0 runs=0
for t in "$@"; do
	res="$logdir/$(name_of "$t").result"
	grep -v '^runs=' "$res"
	case $(head -n 1 "$res") in
	PASS:*) pass=$((pass + 1)) ;;
	SKIP:*) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
	runs=$((runs + $(sed -n 's/^runs=//p' "$res")))
done
echo "check-valgrind: $runs runs of smtpscope under valgrind"
echo "valgrind: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
