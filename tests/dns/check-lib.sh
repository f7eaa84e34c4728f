# check-lib.sh: sourced by dns.sh and probe.sh.  Needs $tmp, $here and
# $pids; counts $checks and sets $fail.
#   expect OUT TEXT   $tmp/OUT.txt has a line containing TEXT
#   refuse OUT TEXT   no line of it contains TEXT
#   before OUT A B    the first line with A comes before the first with B
#   status OUT CODE   $tmp/OUT.status holds CODE (else $tmp/OUT.txt shown)
#   start_testns DATA ldns-testns on a random port with $here/DATA; sets $port
#   server_tlsa_data ADDR PORT  (demo-lib.sh) the STARTTLS server's
#                     certificate and its 3 1 1 / 3 0 2 data from openssl
#   start_demos ADDR:SCENARIO...  (demo-lib.sh) demo servers, one per
#                     address, all on one free port; sets $port
# expect OUT TEXT: the transcript has a line containing TEXT.
expect() {
	checks=$((checks + 1))
	if ! grep -qF -- "$2" "$tmp/$1.txt"; then
		echo "FAIL: $1: no line with: $2"; fail=1
		sed 's/^/    /' "$tmp/$1.txt"
	fi
}
# refuse OUT TEXT: no line contains TEXT.
refuse() {
	checks=$((checks + 1))
	if grep -qF -- "$2" "$tmp/$1.txt"; then
		echo "FAIL: $1: a line has: $2"; fail=1
	fi
}

# before OUT A B: the first line with A comes before the first with B.
before() {
	local a b
	checks=$((checks + 1))
	a=$(grep -nF -- "$2" "$tmp/$1.txt" | head -1 | cut -d: -f1)
	b=$(grep -nF -- "$3" "$tmp/$1.txt" | head -1 | cut -d: -f1)
	if [ -z "$a" ] || [ -z "$b" ] || [ "$a" -ge "$b" ]; then
		echo "FAIL: $1: \"$2\" should come before \"$3\""; fail=1
		sed 's/^/    /' "$tmp/$1.txt"
	fi
}

# status OUT CODE: the exit status saved in $tmp/OUT.status is CODE.
status() {
	checks=$((checks + 1))
	if [ "$(cat "$tmp/$1.status")" != "$2" ]; then
		echo "FAIL: $1: exit status $(cat "$tmp/$1.status"), expected $2"; fail=1
		sed 's/^/    /' "$tmp/$1.txt"
	fi
}

# start_testns DATA: ldns-testns on a random port; sets $port.
start_testns() {
	local log=$tmp/testns-$1.log i
	ldns-testns -r "$here/$1" >"$log" 2>&1 &
	pids="$pids $!"
	port=
	for i in $(seq 50); do
		port=$(sed -n 's/^Listening on port \([0-9]*\)$/\1/p' "$log")
		[ -n "$port" ] && return 0
		sleep 0.1
	done
	echo "FAIL: ldns-testns $1 did not start"; cat "$log"; exit 1
}

. "$(dirname "${BASH_SOURCE[0]}")/demo-lib.sh"
