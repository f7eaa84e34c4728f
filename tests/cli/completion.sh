#!/usr/bin/env bash
# The bash completion (completion/smtpscope, generated from --help by
# scripts/gen-completion at build time), sourced in bash and called as
# bash calls it: COMP_WORDS and COMP_CWORD set, _smtpscope run, COMPREPLY
# read.  Options of the program and of each subcommand, the subcommands,
# scenario names (the data directory's, and one of SMTPSCOPE_HELPDIR's),
# files, directories, languages, TLS versions, --opt=value; and the
# generated file lists every option the binary's --help shows now (a stale
# file fails).
set -u
bin=${SMTPSCOPE:-$(dirname "$0")/../../smtpscope}
build=${top_builddir:-$(dirname "$0")/../..}
comp=$build/completion/smtpscope
. "$(dirname "$0")/help-lib.sh"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
export LANG=C.UTF-8
unset LANGUAGE LC_ALL LC_MESSAGES

[ -f "$comp" ] || { bad generated "$comp is missing (make builds it)"; echo "completion: $pass passed, $fail failed"; exit 1; }
if bash -n "$comp" 2>"$tmp/err"; then ok "bash -n"; else bad bash-n "$(cat "$tmp/err")"; fi

# complete CWORD WORD...: the completions, one a line, in a fresh bash
# with only this file sourced (no bash-completion package needed).
complete_words() {
	local cword=$1
	shift
	bash --norc --noprofile -c '
		source "$1" || exit 1
		cword=$2; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$cword
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_smtpscope smtpscope "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' completion "$comp" "$cword" "$@"
}
# expect NAME WANT... -- CWORD WORD...: every WANT among the completions.
expect() {
	local name=$1 want=() out w missing=
	shift
	while [ "$1" != -- ]; do want+=("$1"); shift; done
	shift
	out=$(complete_words "$@" 2>&1)
	for w in "${want[@]}"; do
		grep -qxF -- "$w" <<<"$out" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then ok "$name"; else bad "$name" "missing:$missing; got:" "$out"; fi
}
# expect_not NAME UNWANTED -- CWORD WORD...
expect_not() {
	local name=$1 unwanted=$2 out
	shift 3
	out=$(complete_words "$@" 2>&1)
	if grep -qxF -- "$unwanted" <<<"$out"; then bad "$name" "$unwanted offered:" "$out"; else ok "$name"; fi
}

expect options --tls --timeout --timing --tls-min -- 1 smtpscope --t
expect option-starttls --starttls -- 1 smtpscope --star
expect subcommands serve explain probe mtasts tlsa -- 1 smtpscope ''
expect subcommand-prefix probe -- 1 smtpscope pr
expect probe-options --relay-test --blocklists-file --parallel -- 2 smtpscope probe --
expect_not probe-not-main --starttls -- 2 smtpscope probe --
expect serve-options --scenario --listen --tls-listen --cert --key -- 2 smtpscope serve --
expect explain-options --after --reply --bounce --compare --check --lang -- 2 smtpscope explain --
expect mtasts-options --timeout --connect-to -- 2 smtpscope mtasts --
expect tlsa-options --ehlo --tls -- 2 smtpscope tlsa --
# scenario names: the shipped ones (the program's data directory; the
# test environment's SMTPSCOPE_HELPDIR, else the source tree's help/)
expect demo-scenarios happy greylisting unknown-user starttls-required -- 2 smtpscope --demo ''
expect demo-scenario-prefix greylisting -- 2 smtpscope --demo grey
expect demo-short-scenarios happy -- 2 smtpscope -D ''
expect demo-later-scenarios greylisting -- 4 smtpscope --demo --lang fr ''
expect serve-scenarios greylisting tarpit -- 3 smtpscope serve --scenario ''
expect demo-then-option --lang -- 2 smtpscope --demo --la
mkdir -p "$tmp/help/scenarios" "$tmp/dir.d"
printf '[scenario mine]\ntitle: mine\n' >"$tmp/help/scenarios/mine.scn"
out=$(SMTPSCOPE_HELPDIR=$tmp/help complete_words 2 smtpscope --demo '')
grep -qx mine <<<"$out" && ! grep -qx greylisting <<<"$out" &&
	ok "SMTPSCOPE_HELPDIR's scenarios" || bad helpdir-scenarios "$out"
# files and directories
touch "$tmp/s.jsonl" "$tmp/ca.pem" "$tmp/my.scn"
expect save-file "$tmp/s.jsonl" -- 2 smtpscope --save "$tmp/s"
expect save-equals "$tmp/s.jsonl" -- 3 smtpscope --save = "$tmp/s"
expect save-equals-joined "--save=$tmp/s.jsonl" -- 1 smtpscope "--save=$tmp/s"
expect cafile "$tmp/ca.pem" -- 2 smtpscope --cafile "$tmp/c"
expect probe-cafile "$tmp/ca.pem" -- 3 smtpscope probe --cafile "$tmp/c"
expect explain-bounce "$tmp/ca.pem" -- 3 smtpscope explain --bounce "$tmp/c"
expect capath-dirs "$tmp/dir.d" -- 2 smtpscope --capath "$tmp/d"
expect_not capath-no-files "$tmp/ca.pem" -- 2 smtpscope --capath "$tmp/"
expect scenario-file "$tmp/my.scn" -- 2 smtpscope --demo "$tmp/m"
expect_not scenario-file-only-scn "$tmp/ca.pem" -- 2 smtpscope --demo "$tmp/c"
# values
expect lang en fr ko -- 2 smtpscope --lang ''
expect explain-lang fr -- 3 smtpscope explain --lang f
expect tls-versions 1.2 1.3 -- 2 smtpscope --tls-min 1.
expect after-commands RCPT RSET -- 3 smtpscope explain --after R
expect password-env HOME -- 2 smtpscope --password-env HO
# an option's argument is not an operand, nor an option list
expect_not port-no-options --starttls -- 2 smtpscope --port ''
expect_not port-no-subcommands serve -- 2 smtpscope --port ''

# The generated file against the binary: every option of every --help.
missing=
for t in $("$bin" --help | option_rows | opt_tokens); do
	complete_words 1 smtpscope "$t" | grep -qxF -- "$t" || missing="$missing $t"
done
for s in explain probe mtasts tlsa; do
	for t in $("$bin" "$s" --help | opt_tokens); do
		complete_words 2 smtpscope "$s" "$t" | grep -qxF -- "$t" || missing="$missing $s:$t"
	done
done
[ -z "$missing" ] && ok "every option of every --help is completed" ||
	bad complete "not completed (is completion/smtpscope older than the binary?):$missing"

echo "completion: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
