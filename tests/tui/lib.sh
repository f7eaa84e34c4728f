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

# start COLS ROWS ARGS...: a shell in a fresh pane, smtpscope run in it.
start() {
	local cols=$1 rows=$2; shift 2
	nsock=$((nsock + 1))
	sock=smtpscope-test-$$-$nsock
	tm new-session -d -x "$cols" -y "$rows" "sh -c '. $tmp/env.sh; exec sh -i'" || exit 1
	tm set-option -g status off >/dev/null
	wait_for 'tui-shell$' || return 1
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
# quit_and_check_restored: /quit, then the shell prompt is back and the
# terminal is out of the alternate screen.
quit_and_check_restored() {
	type_line /quit
	expect "shell prompt back after /quit" 'tui-shell$'
	if [ "$(tm display -p '#{alternate_on}')" = 0 ]; then
		echo "ok   alternate screen left"
	else
		echo "FAIL still in the alternate screen"; fails=$((fails + 1))
	fi
}
finish() {
	[ "$fails" -eq 0 ] && exit 0
	echo "$fails check(s) failed"; exit 1
}
