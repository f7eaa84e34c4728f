#!/usr/bin/env bash
# The config file and SMTPSCOPE_OPT_* variables with the real binary
# against its demo server: $XDG_CONFIG_HOME/smtpscope/config found and
# applied, --config FILE instead, --no-config, precedence file <
# environment < command line (a flag, --save, --connect-to's rules
# replaced), every refusal with FILE:LINE or the variable and exit status
# 2, the secret rule (0644 refused with the chmod to run, 0600 accepted),
# and --help untouched by a broken file.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Nothing of the caller's own configuration.
for v in $(env | sed -n 's/^\(SMTPSCOPE_OPT_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$tmp/home" XDG_CONFIG_HOME="$tmp/xdg"
mkdir -p "$HOME" "$XDG_CONFIG_HOME/smtpscope"
conf=$XDG_CONFIG_HOME/smtpscope/config

# run [ARGS...]: a short session with the demo server; out, err, rc.
run() {
	printf 'EHLO me.example\nQUIT\n' | timeout 30 "$bin" --batch "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}
# refused STATUS MESSAGE [ARGS...]: exit STATUS, stderr exactly MESSAGE.
refused() {
	local want=$1 said=$2
	shift 2
	run "$@"
	[ "$rc" = "$want" ] || fail "${*:-(the config)}: exit $rc, not $want (expected: $said)"
	[ "$(cat "$tmp/err")" = "$said" ] || fail "$*: said \"$(cat "$tmp/err")\", not \"$said\""
}

# No file at all is no error; nor is an empty XDG folder.
run
[ "$rc" = 0 ] || fail "no config file: exit $rc: $(cat "$tmp/err")"
grep -q '=== state' "$tmp/out" && fail "--trace without asking"

# The default file is read: comments, blank lines, a flag, NAME=VALUE.
printf '# my defaults\n\ntrace\n  timeout=45  \n' > "$conf"
run
[ "$rc" = 0 ] || fail "default file: exit $rc: $(cat "$tmp/err")"
grep -q '^=== state .* -> READY on 250 to EHLO' "$tmp/out" || fail "the file's trace was not applied"
# ~/.config when XDG_CONFIG_HOME is unset.
mkdir -p "$HOME/.config/smtpscope" && cp "$conf" "$HOME/.config/smtpscope/config"
(unset XDG_CONFIG_HOME; printf 'QUIT\n' | timeout 30 "$bin" --batch) > "$tmp/home.out" 2>&1 ||
	fail "~/.config: $(tail -2 "$tmp/home.out")"
grep -q '=== state' "$tmp/home.out" || fail "~/.config/smtpscope/config was not read"

# The environment beats the file; the command line beats both.
SMTPSCOPE_OPT_TRACE=0 run
[ "$rc" = 0 ] && ! grep -q '=== state' "$tmp/out" || fail "SMTPSCOPE_OPT_TRACE=0 did not turn the file's trace off"
printf 'save %s\n' "$tmp/file.txt" > "$conf"
SMTPSCOPE_OPT_SAVE=$tmp/env.txt run
[ -f "$tmp/env.txt" ] && [ ! -f "$tmp/file.txt" ] || fail "the environment's --save did not win over the file's"
SMTPSCOPE_OPT_SAVE=$tmp/env2.txt run --save "$tmp/cmd.txt"
[ -f "$tmp/cmd.txt" ] && [ ! -f "$tmp/env2.txt" ] || fail "the command line's --save did not win"

# A repeatable option: the command line's --connect-to rules replace the
# file's (which would send the demo connection to a closed port).
printf 'connect-to ::127.0.0.1:1\n' > "$conf"
run
[ "$rc" = 3 ] || fail "the file's --connect-to was not applied (exit $rc)"
run --connect-to other.invalid::127.0.0.1:1
[ "$rc" = 0 ] || fail "the command line's --connect-to did not replace the file's (exit $rc)"
SMTPSCOPE_OPT_CONNECT_TO=other.invalid::127.0.0.1:1 run
[ "$rc" = 0 ] || fail "the environment's --connect-to did not replace the file's (exit $rc)"

# --config FILE instead of the default one; --no-config reads neither.
printf 'timeout soon\n' > "$conf"
printf 'trace\n' > "$tmp/other.conf"
run --config "$tmp/other.conf"
[ "$rc" = 0 ] && grep -q '=== state' "$tmp/out" || fail "--config FILE: exit $rc: $(cat "$tmp/err")"
SMTPSCOPE_OPT_NOSUCH=1 run --no-config
[ "$rc" = 0 ] && ! grep -q '=== state' "$tmp/out" || fail "--no-config: exit $rc: $(cat "$tmp/err")"
# --help and --version read no configuration.
timeout 10 "$bin" --help > "$tmp/help" 2>&1 || fail "--help with a broken config file"
grep -q -- '--no-config' "$tmp/help" || fail "--help lacks --no-config"

# Refusals: FILE:LINE (or the variable), what would be right, exit 2.
refused 2 "smtpscope: $conf:1: --timeout wants seconds between 0 and 86400, e.g. --timeout 30 (got \"soon\")"
printf 'starttls\nconect-timeout 5\n' > "$conf"
refused 2 "smtpscope: $conf:2: unknown option \"conect-timeout\"; did you mean \"connect-timeout\"?"
printf '%s\n' '-p 2525' > "$conf"
refused 2 "smtpscope: $conf:1: write the long name without dashes: \"port PORT\" for -p"
for o in help version config no-config; do
	printf '%s\n' "$o" > "$conf"
	refused 2 "smtpscope: $conf:1: --$o can only be given on the command line"
done
printf 'starttls please\n' > "$conf"
refused 2 "smtpscope: $conf:1: --starttls is a flag: write it alone, or with yes or no (1 or 0, true or false, on or off); got \"please\""
printf 'sni a\033]0;owned\007\n' > "$conf"
refused 2 "smtpscope: $conf:1: the line holds a control character or a byte that is not text (shown escaped: sni a\\x1b]0;owned\\x07)"
# --to is repeatable too: the command line's recipients replace the file's.
printf 'to file@demo.test\n' > "$conf"
out=$("$bin" --config "$conf" --demo --to cmd@demo.test --quit-after RCPT 2>&1); rc=$?
[ "$rc" = 0 ] && grep -q 'RCPT TO:<cmd@demo.test>' <<<"$out" && ! grep -q 'file@demo.test' <<<"$out" ||
	fail "the command line's --to did not replace the file's (exit $rc)"
printf 'connect-to nonsense\n' > "$conf"
run
[ "$rc" = 2 ] && grep -q "^smtpscope: $conf:1: --connect-to " "$tmp/err" || fail "a bad --connect-to rule: exit $rc: $(cat "$tmp/err")"
rm "$conf"
refused 2 "smtpscope: --config $tmp/nonexistent: cannot read it: No such file or directory" --config "$tmp/nonexistent"
refused 2 "smtpscope: --config $tmp: cannot read it: not a regular file" --config "$tmp"
refused 2 "smtpscope: --config FILE (read FILE) and --no-config (read none) exclude each other" --config "$tmp/other.conf" --no-config
mkdir "$conf"
refused 2 "smtpscope: $conf: cannot read it: not a regular file (--no-config skips it)"
rmdir "$conf"
SMTPSCOPE_OPT_CONECT_TIMEOUT=5 refused 2 "smtpscope: SMTPSCOPE_OPT_CONECT_TIMEOUT: no such option; did you mean SMTPSCOPE_OPT_CONNECT_TIMEOUT?"
SMTPSCOPE_OPT_STARTTLS=maybe refused 2 "smtpscope: SMTPSCOPE_OPT_STARTTLS: --starttls is a flag: give it 1 or 0 (yes or no, true or false, on or off); got \"maybe\""
SMTPSCOPE_OPT_TIMEOUT= refused 2 "smtpscope: SMTPSCOPE_OPT_TIMEOUT: empty: give a value, or unset the variable"
SMTPSCOPE_OPT_TIMEOUT=0 refused 2 "smtpscope: SMTPSCOPE_OPT_TIMEOUT: --timeout wants seconds between 0 and 86400, e.g. --timeout 30 (got \"0\")"
SMTPSCOPE_OPT_HELP=1 refused 2 "smtpscope: SMTPSCOPE_OPT_HELP: --help can only be given on the command line"
# Checks across options see every source: the file's --starttls and the
# command line's --tls exclude each other as they would on one line.
printf 'starttls\n' > "$conf"
run --tls
[ "$rc" = 2 ] && grep -q 'exclude each other' "$tmp/err" || fail "file --starttls + --tls: exit $rc"

# Secrets: only in a private file (0600, the user's own).
for o in 'password-env SMTP_PW' 'password-file /nonexistent/pw' 'token t0ken' 'token-env TOK'; do
	printf 'trace\n%s\n' "$o" > "$conf"
	chmod 644 "$conf"
	refused 2 "smtpscope: $conf:2: --${o%% *} gives a secret or where to find one, so $conf must be private to you, but others may read or change it (mode 0644): run chmod 600 $conf"
	chmod 600 "$conf"
	run
	[ "$rc" = 0 ] && grep -q '=== state' "$tmp/out" || fail "$o in a 0600 file: exit $rc: $(cat "$tmp/err")"
done
printf 'token-env TOK\n' > "$conf"
chmod 640 "$conf"
run
[ "$rc" = 2 ] && grep -q '(mode 0640): run chmod 600 ' "$tmp/err" || fail "a secret in a 0640 file: exit $rc"
# A default file under a HOME this user cannot enter (sudo -u, a service
# account keeping root's HOME) is no file of theirs: no error.  A file of
# their own that they cannot read still is one.
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	locked=$(mktemp -d); chmod 700 "$locked"; mkdir -p "$locked/smtpscope"
	printf 'timeout 5\n' > "$locked/smtpscope/config"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env XDG_CONFIG_HOME="$locked" \
		"$bin" -b unix:/nonexistent-smtpscope.sock </dev/null 2>&1); rc=$?
	[ "$rc" = 3 ] || fail "a config under a folder nobody may not enter: exit $rc, want 3: $out"
	chown -R nobody "$locked"; chmod 000 "$locked/smtpscope/config"
	out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups env XDG_CONFIG_HOME="$locked" \
		"$bin" -b unix:/nonexistent-smtpscope.sock </dev/null 2>&1); rc=$?
	[ "$rc" = 2 ] && grep -q 'cannot read it: Permission denied (--no-config skips it)' <<<"$out" ||
		fail "an unreadable config of one's own: exit $rc, want 2: $out"
	rm -rf "$locked"
fi
# The environment is the user's own: a secret there is fine.
rm "$conf"
SMTPSCOPE_OPT_TOKEN=t0ken run
[ "$rc" = 0 ] || fail "SMTPSCOPE_OPT_TOKEN: exit $rc: $(cat "$tmp/err")"
echo "ok: config file, environment, precedence, refusals and the secret rule"
