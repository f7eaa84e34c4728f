#!/usr/bin/env bash
# Benchmark: a 50 MB message with many lines starting with "." sent with
# DATA to Postfix's smtp-sink on 127.0.0.1, by three clients in one run:
#
#   smtpscope   --batch, /sendfile (dot-stuffs and checks CRLF itself)
#   swaks       --data @FILE (swaks stuffs the dots itself)
#   raw pipe    python3 writing the same session with the message already
#               dot-stuffed: the cost of the socket alone
#
#   bench/throughput.sh [SMTPSCOPE] [RUNS] [MB]
#
# Prints the median wall time of each, the throughput, and the ratios
# (smtpscope / raw pipe throughput, smtpscope speed-up over swaks).
# Every client checks the reply after the dot, so a refused message shows.
set -eu
bin=${1:-$(dirname "$0")/../_build/smtpscope}
runs=${2:-3}
mb=${3:-50}
sink=/usr/sbin/smtp-sink
py=/usr/bin/python3
[ -x "$sink" ] || { echo "smtp-sink not installed (Debian package postfix)"; exit 1; }
command -v swaks >/dev/null || { echo "swaks not installed"; exit 1; }
tmp=$(mktemp -d /tmp/smtpscope-bench.XXXXXX)
srv=
trap '[ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now_ms() { date +%s%N | awk '{printf "%.3f", $1/1e6}'; }

# The message (CRLF; a fifth of the lines start with "." or are "."),
# and the whole session with it dot-stuffed, for the raw pipe.
"$py" - "$tmp" "$mb" <<'PY'
import sys
tmp, mb = sys.argv[1], int(sys.argv[2])
tpl = [b".leading dot line %08d the quick brown fox jumps over the lazy dog\r\n",
       b"plain line %08d lorem ipsum dolor sit amet consectetur adipiscing\r\n",
       b"..double dot %08d\r\n", b".\r\n", b"another ordinary line %08d of text\r\n"]
parts = [b"From: a@bench.test\r\nTo: b@bench.test\r\nSubject: throughput\r\n\r\n"]
size, i = len(parts[0]), 0
while size < mb * 1024 * 1024:
    t = tpl[i % 5]
    line = t % i if b"%" in t else t
    parts.append(line); size += len(line); i += 1
msg = b"".join(parts)
open(tmp + "/msg.eml", "wb").write(msg)
stuffed = b"\r\n".join((b"." + l if l.startswith(b".") else l) for l in msg.split(b"\r\n")[:-1]) + b"\r\n.\r\n"
open(tmp + "/stuffed", "wb").write(stuffed)
PY
size=$(stat -c %s "$tmp/msg.eml")
dots=$(grep -c '^\.' "$tmp/msg.eml")

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$sink" -u nobody "127.0.0.1:$port" 100 & srv=$!
for i in $(seq 50); do "$py" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close()' "$port" 2>/dev/null && break; sleep 0.1; done

run_scope() {
	printf 'EHLO bench.example\nMAIL FROM:<a@bench.test>\nRCPT TO:<b@bench.test>\n/sendfile %s\nQUIT\n' "$tmp/msg.eml" |
		"$bin" --batch "127.0.0.1:$port" > "$tmp/scope.out"
	grep -q "^<-  250 .*\[reply to end of data\]\|accepted (after the message)" "$tmp/scope.out"
}
run_swaks() {
	swaks --server "127.0.0.1:$port" --from a@bench.test --to b@bench.test \
		--data "@$tmp/msg.eml" --suppress-data > "$tmp/swaks.out" 2>&1
}
run_raw() {
	"$py" - "$port" "$tmp/stuffed" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
f = s.makefile("rb")
def reply():
    while True:
        line = f.readline()
        if line[3:4] != b"-":
            return line
reply()
for cmd in (b"EHLO bench.example", b"MAIL FROM:<a@bench.test>", b"RCPT TO:<b@bench.test>", b"DATA"):
    s.sendall(cmd + b"\r\n"); reply()
with open(sys.argv[2], "rb") as m:
    s.sendfile(m)
r = reply()
s.sendall(b"QUIT\r\n"); reply()
sys.exit(0 if r.startswith(b"250") else 1)
PY
}
time_of() {
	local t0 t1
	t0=$(now_ms); "$1" || { echo "$1 failed" >&2; exit 1; }; t1=$(now_ms)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f\n", b - a}'
}
: > "$tmp/t.scope"; : > "$tmp/t.swaks"; : > "$tmp/t.raw"
for i in $(seq "$runs"); do   # interleaved, so drift hits all three alike
	time_of run_raw >> "$tmp/t.raw"
	time_of run_scope >> "$tmp/t.scope"
	time_of run_swaks >> "$tmp/t.swaks"
done
[ -n "${BENCH_VERBOSE:-}" ] && paste "$tmp/t.raw" "$tmp/t.scope" "$tmp/t.swaks" >&2
raw=$(median < "$tmp/t.raw"); scope=$(median < "$tmp/t.scope"); sw=$(median < "$tmp/t.swaks")
mbps() { awk -v s="$size" -v t="$1" 'BEGIN {printf "%.0f", s / 1048576 / (t / 1000)}'; }
echo "message: $size octets, $dots lines starting with \".\"; smtp-sink on 127.0.0.1:$port; median of $runs runs"
printf '  raw pipe (pre-stuffed, python3 sendfile)  %8.1f ms  %5s MB/s\n' "$raw" "$(mbps "$raw")"
printf '  smtpscope --batch /sendfile              %8.1f ms  %5s MB/s\n' "$scope" "$(mbps "$scope")"
printf '  swaks --data @file                       %8.1f ms  %5s MB/s\n' "$sw" "$(mbps "$sw")"
awk -v r="$raw" -v s="$scope" -v w="$sw" 'BEGIN {
	printf "smtpscope throughput = %.0f%% of the raw pipe (target >= 80%%); %.1fx swaks (target >= 5x)\n",
		100 * r / s, w / s }'
