#!/usr/bin/env bash
# The zsh completion (completion/_smtpscope, generated from --help by
# scripts/gen-completion at build time): zsh -n, every option of every
# --help in it, and the real thing: an interactive zsh on a pseudo-terminal
# (zsh/zpty) with compinit and the file on its fpath, a line typed and Tab
# pressed, the matches the completion system was given read back.  Each
# wait is bounded (10 s).  Needs zsh (Debian package zsh): without it this
# test is skipped, never passed.
set -u
bin=${SMTPSCOPE:-$(dirname "$0")/../../smtpscope}
build=${top_builddir:-$(dirname "$0")/../..}
comp=$build/completion/_smtpscope
. "$(dirname "$0")/help-lib.sh"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }
command -v zsh >/dev/null || { echo "SKIP: zsh is not installed (Debian package zsh)"; exit 77; }
[ -f "$comp" ] || { echo "FAIL: $comp is missing (make builds it)"; exit 1; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
export LANG=C.UTF-8
unset LANGUAGE LC_ALL LC_MESSAGES

if zsh -n "$comp" 2>"$tmp/err"; then ok "zsh -n"; else bad zsh-n "$(cat "$tmp/err")"; fi

# Every option of every --help has its _arguments spec ('--name[' or '--name=[').
missing=
for t in $("$bin" --help | option_rows | opt_tokens) \
	 $(for s in explain probe mtasts tlsa; do "$bin" "$s" --help | opt_tokens; done); do
	grep -qF -e "'$t[" -e "'$t=[" "$comp" || missing="$missing $t"
done
[ -z "$missing" ] && ok "every option of every --help has a spec" ||
	bad specs "no spec (is completion/_smtpscope older than the binary?):$missing"

mkdir -p "$tmp/fpath" "$tmp/files"
cp "$comp" "$tmp/fpath/_smtpscope"
touch "$tmp/files/s.jsonl" "$tmp/files/other.txt"
# capture.zsh LINE: the matches offered for LINE, one a line.
cat >"$tmp/capture.zsh" <<'EOF'
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PS1=''; fpath=($FPATHDIR \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' menu no"
zpty -w z 'compadd () { builtin compadd -O __hits "$@"; print -rl -- "<m>"${^__hits}; builtin compadd "$@" }'
zpty -w z 'bindkey "^I" complete-word; print -r -- "<ready>"'
zpty -r z line '*<ready>*' || exit 1
zpty -w -n z "$1"$'\t'
out=
for i in {1..100}; do
	while zpty -r -t z line; do out+=$line; done
	[[ $out == *'<m>'* ]] && { sleep 0.3; while zpty -r -t z line; do out+=$line; done; break }
	sleep 0.1
done
print -r -- "$out" | tr '\r' '\n' | sed -n 's/.*<m>//p' | sort -u
zpty -d z
EOF
# expect NAME LINE WANT...: every WANT among the matches for LINE.
expect() {
	local name=$1 line=$2 out w missing=
	shift 2
	out=$(cd "$tmp/files" && FPATHDIR=$tmp/fpath timeout 20 zsh -f "$tmp/capture.zsh" "$line" 2>&1)
	for w in "$@"; do
		grep -qxF -- "$w" <<<"$out" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then ok "$name"; else bad "$name" "missing:$missing; got:" "$out"; fi
}
expect option 'smtpscope --star' --starttls
expect subcommands 'smtpscope ' serve explain probe mtasts tlsa
expect probe-option 'smtpscope probe --rel' --relay-test
expect demo-scenario 'smtpscope --demo grey' greylisting
expect serve-scenario 'smtpscope serve --scenario t' tarpit too-large
expect save-file 'smtpscope --save s' s.jsonl
expect lang 'smtpscope --lang ' en fr ko
expect after 'smtpscope explain --after R' RCPT RSET

echo "completion-zsh: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
