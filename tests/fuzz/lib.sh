# Shared by tests/fuzz/run.sh and long.sh (sourced, not run).
# fuzz_max_len TARGET: the largest input worth trying for a target, about
# what one real input of its kind holds (a reply, an EHLO reply, a saved
# session, a few SASL challenges, one knowledge base file).
fuzz_max_len() {
	case $1 in
	fuzz-reply | fuzz-caps) echo 4096 ;;
	fuzz-auth) echo 2048 ;;
	fuzz-dns) echo 1024 ;;
	fuzz-sendpol) echo 2048 ;;
	fuzz-dnsbl) echo 4096 ;;
	fuzz-mtasts) echo 4096 ;;
	fuzz-paste) echo 4096 ;;
	fuzz-bounce) echo 16384 ;;
	fuzz-replay) echo 8192 ;;
	fuzz-kb) echo 16384 ;;
	*) echo 8192 ;;
	esac
}

# fuzz_seeds TARGET FUZZDIR: the target's seed corpus in the source tree.
fuzz_seeds() {
	echo "$2/corpus-${1#fuzz-}"
}
