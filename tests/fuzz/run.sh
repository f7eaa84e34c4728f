#!/bin/sh
# The suite's bounded libFuzzer run of one target (`make fuzz`):
#   run.sh TARGET SECONDS FUZZDIR
# runs ./TARGET (built in the current folder) for SECONDS on a copy of its
# seed corpus FUZZDIR/corpus-NAME, so the seeds in git are never written.
# Any crash, leak or timeout fails; the input that did it is left in the
# current folder as crash-*, leak-* or timeout-*.
set -eu
target=$1 seconds=$2 fuzzdir=$3
. "$fuzzdir/lib.sh"
seeds=$(fuzz_seeds "$target" "$fuzzdir")
work=fuzz-work/$target
rm -rf "$work" && mkdir -p "$work"
cp "$seeds"/* "$work"/
echo "== $target ($seconds s)"
./"$target" -max_total_time="$seconds" -max_len="$(fuzz_max_len "$target")" \
	-timeout=10 -print_final_stats=1 "$work"
