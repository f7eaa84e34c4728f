# transcript-lib.sh — sourced by the shell tests that run smtpscope and
# check its transcript.  Needs $bin and $tmp; keeps the counts $n, $fail.
#   session NAME TARGET INPUT [options]  runs smtpscope (30 s at most, 90 under
#                                        valgrind) with
#                                        INPUT on stdin; sets $out, $status
#   expect NAME STATUS TEXT...           the status, and each TEXT in $out
#   bad NAME WHY                         counts a failure, shows the
#                                        transcript (and $tmp/NAME.server)
fail=0 n=0
session() {
	local name=$1 target=$2 input=$3 limit=30; shift 3
	# under valgrind (SMTPSCOPE_TEST_SLOW) a TLS session takes far longer
	[ -n "${SMTPSCOPE_TEST_SLOW:-}" ] && limit=90
	n=$((n + 1))
	out=$(printf '%s' "$input" | timeout "$limit" "$bin" --batch "$@" "$target" 2>&1)
	status=$?
	printf '%s\n' "$out" > "$tmp/$name.out"
}
bad() {
	echo "FAIL $1: $2"
	echo "---- transcript"; sed 's/^/    /' "$tmp/$1.out"
	if [ -f "$tmp/$1.server" ]; then
		echo "---- server"; sed 's/^/    /' "$tmp/$1.server"
	fi
	fail=$((fail + 1))
}
expect() {
	local name=$1 want=$2 t; shift 2
	[ "$status" = "$want" ] || { bad "$name" "exit $status, want $want"; return 1; }
	for t in "$@"; do
		grep -qF -- "$t" <<<"$out" || { bad "$name" "transcript lacks \"$t\""; return 1; }
	done
	echo "ok   $name"
}
