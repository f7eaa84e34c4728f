# Helpers for the terminal UI tests: the real binary inside a private,
# detached tmux server, driven with send-keys and read with capture-pane.
# Every wait is bounded polling (at most 100 x 0.1 s), never a long sleep.
set -u
command -v tmux >/dev/null 2>&1 || { echo "SKIP: tmux is not installed"; exit 77; }
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
tmp=$(mktemp -d)
nsock=0
sock=smtpscope-test-$$-0
tm() { tmux -L "$sock" -f /dev/null "$@"; }
cleanup() {
	local i
	for i in $(seq 0 "$nsock"); do
		tmux -L "smtpscope-test-$$-$i" -f /dev/null kill-server 2>/dev/null
	done
	kill $(jobs -p) 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
mkdir -p "$tmp/home" "$tmp/state"
# The prompt tells the test the shell is back after smtpscope exits.
cat > "$tmp/env.sh" <<EOS
export TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 HOME='$tmp/home' \
	XDG_STATE_HOME='$tmp/state' SMTPSCOPE_HELPDIR='$SMTPSCOPE_HELPDIR' PS1='tui-shell\$ '
unset NO_COLOR
EOS

# start_shell COLS ROWS: a shell in a fresh pane; start COLS ROWS ARGS...:
# smtpscope run in it.
start_shell() {
	local cols=$1 rows=$2
	nsock=$((nsock + 1))
	sock=smtpscope-test-$$-$nsock
	tm new-session -d -x "$cols" -y "$rows" "sh -c '. $tmp/env.sh; exec sh -i'" || exit 1
	tm set-option -g status off >/dev/null
	wait_for 'tui-shell$'
}
start() {
	start_shell "$1" "$2" || return 1
	shift 2
	tm send-keys -l "$bin $*"
	tm send-keys Enter
}
screen() { tm capture-pane -p; }
# wait_for TEXT / wait_gone TEXT: until the screen shows (or no longer
# shows) TEXT, a fixed string.
poll_screen() {
	local want=$1 text=$2 i
	for i in $(seq 1 100); do
		if screen | grep -qF -- "$text"; then
			[ "$want" = shown ] && return 0
		else
			[ "$want" = gone ] && return 0
		fi
		sleep 0.1
	done
	return 1
}
wait_for() { poll_screen shown "$1"; }
wait_gone() { poll_screen gone "$1"; }
# expect NAME TEXT / expect_not NAME TEXT: a check that TEXT appears (or
# disappears) within the bounded wait; the screen is shown on failure.
check_screen() {
	local want=$1 name=$2 text=$3
	if poll_screen "$want" "$text"; then
		echo "ok   $name"
	else
		echo "FAIL $name: \"$text\" not $want on the screen:"; screen | sed 's/^/    | /'
		fails=$((fails + 1))
	fi
}
expect() { check_screen shown "$1" "$2"; }
expect_not() { check_screen gone "$1" "$2"; }
type_line() { tm send-keys -l "$1"; tm send-keys Enter; }
# quit_and_check_restored [LABEL]: /quit, then the shell prompt is back
# and the terminal is out of the alternate screen (checks named "LABEL: ...").
quit_and_check_restored() {
	type_line /quit
	check_restored "${1:-}" "after /quit"
}
# check_restored [LABEL [HOW]]: the shell prompt is back (after HOW) and
# the terminal is out of the alternate screen.
check_restored() {
	local what=${1:+$1: }
	expect "${what}shell prompt back${2:+ $2}" 'tui-shell$'
	if [ "$(tm display -p '#{alternate_on}')" = 0 ]; then
		echo "ok   ${what}alternate screen left"
	else
		echo "FAIL ${what}still in the alternate screen"; fails=$((fails + 1))
	fi
}
finish() {
	[ "$fails" -eq 0 ] && exit 0
	echo "$fails check(s) failed"; exit 1
}
# sgr_at TEXT: the SGR attributes in force where TEXT first shows on the
# screen, sorted as "1;7;32" (1 bold, 4 underline, 7 reverse, 3N colour
# N: 1 red, 2 green, 3 yellow, 4 blue; "" for none).  capture-pane -e
# writes a sequence only where attributes change, even from one row to
# the next, so they are followed from the top of the screen.
sgr_at() {
	tm capture-pane -p -e | awk -v want="$1" '
	function apply(params,   n, p, i, v) {
		n = split(params, p, ";")
		if (n == 0) { n = 1; p[1] = 0 }
		for (i = 1; i <= n; i++) {
			v = p[i] + 0
			if (v == 0) { split("", on); fg = bg = "" }
			else if (v == 38 || v == 48) { i += p[i + 1] == 5 ? 2 : 4 }
			else if ((v >= 30 && v <= 37) || (v >= 90 && v <= 97)) fg = v
			else if (v == 39) fg = ""
			else if ((v >= 40 && v <= 47) || (v >= 100 && v <= 107)) bg = v
			else if (v == 49) bg = ""
			else if (v == 22) { delete on[1]; delete on[2] }
			else if (v >= 23 && v <= 29) delete on[v - 20]
			else if (v >= 1 && v <= 9) on[v] = 1
		}
	}
	function state(   s, k) {
		s = ""
		for (k = 1; k <= 9; k++) if (k in on) s = s ";" k
		if (fg != "") s = s ";" fg
		if (bg != "") s = s ";" bg
		return substr(s, 2)
	}
	{
		plain = $0
		gsub(/\033\[[0-9;]*m/, "", plain)
		pos = index(plain, want)
		line = $0; seen = 0
		while (match(line, /\033\[[0-9;]*m/)) {
			seen += RSTART - 1
			if (pos && seen >= pos) break
			apply(substr(line, RSTART + 2, RLENGTH - 3))
			line = substr(line, RSTART + RLENGTH)
		}
		if (pos) { print state(); found = 1; exit }
	}
	END { if (!found) print "(not on the screen)" }'
}
# expect_sgr NAME TEXT ATTR / expect_no_sgr NAME TEXT ATTR: within the
# bounded wait, TEXT is (or is not) drawn with the SGR attribute ATTR.
check_sgr() {
	local want=$1 name=$2 text=$3 attr=$4 i got
	for i in $(seq 1 100); do
		got=$(sgr_at "$text")
		if [ "$got" != "(not on the screen)" ]; then
			case ";$got;" in
			*";$attr;"*) [ "$want" = yes ] && { echo "ok   $name"; return 0; } ;;
			*) [ "$want" = no ] && { echo "ok   $name"; return 0; } ;;
			esac
		fi
		sleep 0.1
	done
	echo "FAIL $name: \"$text\" drawn with SGR \"$got\", $([ "$want" = yes ] && echo "without" || echo "with") $attr:"
	screen | grep -aF -- "$text" | head -1 | sed 's/^/    | /'
	fails=$((fails + 1))
}
expect_sgr() { check_sgr yes "$@"; }
expect_no_sgr() { check_sgr no "$@"; }
