# demo-lib.sh: demo servers for the DNS tests, sourced by check-lib.sh and
# by the TUI tests that need them.  Needs $bin, $tmp and $pids.
# start_demo ADDR PORT SCENARIO [SERVE-ARGS...]: one demo server; false if
# it did not start.
start_demo() {
	local log=$tmp/serve-$1.log i addr=$1 port=$2 scn=$3
	shift 3
	"$bin" serve --listen "$addr:$port" --scenario "$scn" "$@" >"$log" 2>&1 &
	pids="$pids $!"
	# up to 30 s: under valgrind on a loaded machine start-up takes seconds
	for i in $(seq 600); do
		grep -qF "listening on $addr:$port" "$log" && return 0
		kill -0 $! 2>/dev/null || return 1
		sleep 0.05
	done
	return 1
}
# start_demos ADDR:SCENARIO[|SERVE-ARGS]...: every server on one free port
# ("[::1]:S" for IPv6; a SCENARIO without a '/' is a built-in one; words
# after a '|' go to `smtpscope serve`, e.g. "|--cert C --key K"); sets $port.
start_demos() {
	local try s addr scn ok extra
	for try in 1 2 3 4 5; do
		port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2",0)); print(s.getsockname()[1])')
		ok=1
		for s; do
			extra=
			case $s in *"|"*) extra=${s#*|} s=${s%%|*} ;; esac
			case $s in
			\[*) addr=${s%%]*}] scn=${s#*]:} ;;
			*) addr=${s%%:*} scn=${s#*:} ;;
			esac
			# shellcheck disable=SC2086 # extra is words on purpose
			start_demo "$addr" "$port" "$scn" $extra || { ok=; break; }
		done
		[ -n "$ok" ] && return 0
		for p in $pids; do kill "$p" 2>/dev/null; done
		wait 2>/dev/null
		pids=
	done
	echo "FAIL: the demo servers did not start"; cat "$tmp"/serve-*.log; exit 1
}

# server_tlsa_data ADDR PORT: the certificate of the SMTP server at
# ADDR:PORT (STARTTLS) into $tmp/server.pem, and its TLSA data as the
# openssl CLI computes it: $spki (3 1 1, the key's SHA-256), $full512
# (3 0 2, the certificate's SHA-512); exits on failure.
server_tlsa_data() {
	timeout 20 openssl s_client -starttls smtp -connect "$1:$2" </dev/null 2>/dev/null |
		openssl x509 >"$tmp/server.pem" 2>/dev/null ||
		{ echo "FAIL: cannot read the certificate of the server at $1:$2"; exit 1; }
	spki=$(openssl x509 -in "$tmp/server.pem" -pubkey -noout | openssl pkey -pubin -outform DER |
		openssl dgst -sha256 -hex | sed 's/.*= //')
	full512=$(openssl x509 -in "$tmp/server.pem" -outform DER | openssl dgst -sha512 -hex |
		sed 's/.*= //')
	[ ${#spki} = 64 ] && [ ${#full512} = 128 ] || { echo "FAIL: hashing the server's key"; exit 1; }
}
