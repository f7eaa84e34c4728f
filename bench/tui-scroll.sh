#!/usr/bin/env bash
# Benchmark: the TUI's cost per keypress must not grow with the transcript.
#
#   bench/tui-scroll.sh [SMTPSCOPE] [KEYS]
#
# Runs smtpscope (TUI, built-in demo server) in a private tmux at 120x40
# twice: with ~100 and with ~100 000 transcript lines (NOOPs pasted on the
# command line; each gives a sent line, a reply and its explanation line).
# For each it reports the time to the first full screen, the CPU time per
# keypress for scrolling (PgUp/PgDn/Up/Down in the session pane) and for
# typing, and the peak RSS.  In the same run it times swaks to the greeting
# of the same demo server, the nearest thing swaks has to a first screen.
# CPU time comes from /proc/PID/schedstat (nanoseconds on CPU).
set -eu
bin=$(cd "$(dirname "${1:-$(dirname "$0")/../_build/smtpscope}")" && pwd)/$(basename "${1:-smtpscope}")
keys=${2:-400}
sock=smtpscope-bench-$$
tmp=$(mktemp -d)
tm() { tmux -L "$sock" -f /dev/null "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT
cpu_ns() { cut -d' ' -f1 "/proc/$1/schedstat"; }
now_ns() { date +%s%N; }
# Waits (bounded) until the process has been idle for 0.3 s.
settle() {
	local pid=$1 a b i
	a=$(cpu_ns "$pid")
	for i in $(seq 600); do
		sleep 0.3; b=$(cpu_ns "$pid")
		[ "$a" = "$b" ] && return 0
		a=$b
	done
	echo "bench: smtpscope never went idle" >&2; exit 1
}
wait_text() { # TEXT: poll the screen (bounded, 60 s)
	local i
	for i in $(seq 6000); do
		tm capture-pane -p | grep -qF -- "$1" && return 0
		sleep 0.01
	done
	echo "bench: \"$1\" never appeared" >&2; exit 1
}

run() { # NOOPS LABEL
	local n=$1 label=$2 t0 t1 pid c0 c1 scroll type rss first
	tm kill-server 2>/dev/null || true
	t0=$(now_ns)
	tm new-session -d -x 120 -y 40 \
		"exec env TERM=xterm-256color HOME=$tmp XDG_STATE_HOME=$tmp '$bin'"
	wait_text "F1 help"
	wait_text "reply to greeting"
	t1=$(now_ns)
	first=$(( (t1 - t0) / 1000000 ))
	pid=$(tm list-panes -F '#{pane_pid}')
	yes NOOP | head -n "$n" > "$tmp/noops"
	echo "HELP" >> "$tmp/noops"
	tm load-buffer "$tmp/noops"
	tm paste-buffer
	wait_text "reply to HELP"
	settle "$pid"
	lines=$(( n * 3 ))
	tm send-keys F6   # focus the session pane
	settle "$pid"
	c0=$(cpu_ns "$pid")
	for i in $(seq $((keys / 4))); do tm send-keys PPage PPage Up Down; done
	settle "$pid"
	c1=$(cpu_ns "$pid")
	scroll=$(( (c1 - c0) / keys / 1000 ))
	tm send-keys F6   # back to the command line
	settle "$pid"
	c0=$(cpu_ns "$pid")
	for i in $(seq $((keys / 2))); do tm send-keys x BSpace; done
	settle "$pid"
	c1=$(cpu_ns "$pid")
	type=$(( (c1 - c0) / keys / 1000 ))
	rss=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status")
	printf '%-10s ~%6d lines: first screen %4d ms, scroll %4d us/key, typing %4d us/key, peak RSS %6d kB\n' \
		"$label" "$lines" "$first" "$scroll" "$type" "$rss"
	echo "$scroll $type" > "$tmp/$label"
	tm send-keys C-d
}

run 33 small
run 33333 large
read -r s1 t1 < "$tmp/small"; read -r s2 t2 < "$tmp/large"
awk -v a="$s1" -v b="$s2" -v c="$t1" -v d="$t2" 'BEGIN {
	printf "per-key cost, 100k lines / 100 lines: scrolling %.2f, typing %.2f\n",
		(b > 0 ? b : 1) / (a > 0 ? a : 1), (d > 0 ? d : 1) / (c > 0 ? c : 1) }'

if command -v swaks >/dev/null; then
	"$bin" serve --listen 127.0.0.1:0 > "$tmp/serve.log" 2>&1 & srv=$!
	for i in $(seq 50); do grep -q 'listening on' "$tmp/serve.log" && break; sleep 0.1; done
	addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$tmp/serve.log")
	t0=$(now_ns)
	swaks --server "$addr" --quit-after CONNECT > /dev/null 2>&1 || true
	t1=$(now_ns)
	kill "$srv"
	echo "swaks to the greeting of the same demo server: $(( (t1 - t0) / 1000000 )) ms"
fi
