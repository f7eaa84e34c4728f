#!/usr/bin/env bash
# The manual page (doc/smtpscope.1) against the binary it documents.  The
# lists come from the program, never from a copy here, so an option, a
# command or a status added later fails this test until the page has it:
#   - every option of `smtpscope --help` has an .It line under OPTIONS, and
#     every option of `smtpscope SUB --help` (serve: its usage lines and
#     paragraph in the main --help) one under SUBCOMMANDS, .Ss smtpscope SUB;
#   - every local command that /help lists has one under LOCAL COMMANDS;
#   - every key of --help's key list has one under TERMINAL UI;
#   - every exit status of each --help's "Exit status" paragraph has one
#     under EXIT STATUS, in that command's .Ss (the first .Ss: a session);
#   - `mandoc -Tlint` and `groff -ww` say nothing.
# The checker is itself checked: a copy of the page with an option, a
# command, a key and a status taken out must fail on each.
set -u
bin=${SMTPSCOPE:-$(dirname "$0")/../../smtpscope}
top=${top_srcdir:-$(dirname "$0")/../..}
page=$top/doc/smtpscope.1
. "$(dirname "$0")/help-lib.sh"
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }
# KEEP_TMP=DIR keeps the lists read from the program in DIR, to look at
tmp=${KEEP_TMP:-$(mktemp -d)}; [ -n "${KEEP_TMP:-}" ] || trap 'rm -rf "$tmp"' EXIT
export LANG=C.UTF-8
unset LANGUAGE LC_ALL LC_MESSAGES

# ---- what the program says -------------------------------------------------
# The exit statuses of a --help: the numbers that open an item of its
# "Exit status" paragraph ("0 success, 1 ...; 2 bad usage"), at most 255.
exit_statuses() {
	awk '/^Exit status/ { on = 1 } on && /^$/ { on = 0 } on { printf "%s ", $0 }' |
		sed -E 's/([:;,]) /\1\n/g' | grep -oE '^[0-9]{1,3}([ ;,.]|$)' | grep -oE '[0-9]+' |
		awk '$1 <= 255' | sort -un
}
main_help=$("$bin" --help) || bad main-help "smtpscope --help failed"
# main: the rows of the options table ("  -b, --batch", "      --tls").
option_rows <<<"$main_help" | opt_tokens >"$tmp/opt.main"
# serve: its usage lines and its paragraph in the main --help.
awk '/smtpscope serve/ { on = 1; print; next } on && /smtpscope / { on = 0 } on && /^$/ { on = 0 }
     on' <<<"$main_help" >"$tmp/serve.txt"
sed -n '/^serve:/,/^$/p' <<<"$main_help" >>"$tmp/serve.txt"
opt_tokens <"$tmp/serve.txt" >"$tmp/opt.serve"
subs="serve explain probe mtasts tlsa"
for s in $(grep -oE '^ *(Usage:)? +smtpscope [a-z]+' <<<"$main_help" | awk '{ print $NF }'); do
	case " $subs " in *" $s "*) ;; *) subs="$subs $s" ;; esac
done
exit_statuses <<<"$main_help" >"$tmp/exit.main"
for s in $subs; do
	[ "$s" = serve ] && continue
	h=$("$bin" "$s" --help) || { bad "$s-help" "smtpscope $s --help failed"; continue; }
	opt_tokens <<<"$h" >"$tmp/opt.$s"
	exit_statuses <<<"$h" >"$tmp/exit.$s"
done
# The keys of --help's list (F1 ..., Ctrl-L, Tab, Up, PgUp, Home ...).
sed -n '/Keys:$/,/^$/p' <<<"$main_help" | tr -c 'A-Za-z0-9-' '\n' |
	grep -E '^(F[0-9]+|Ctrl-[A-Z]|Tab|Up|Down|PgUp|PgDn|Home|End)$' | sort -u >"$tmp/keys"
# The local commands, as /help lists them in line mode.
printf '/help\n' | timeout 20 "$bin" --batch --demo 2>&1 |
	sed -nE 's|^===   (/[a-z][a-z-]*).*|\1|p' | sort -u >"$tmp/commands"

# Too few found means the extraction broke, not that all is documented.
enough() { # file minimum what
	local n
	n=$(wc -l <"$1")
	[ "$n" -ge "$2" ] || bad "found-$3" "only $n $3 found in the program's output (want >= $2)"
}
enough "$tmp/opt.main" 40 options
enough "$tmp/opt.serve" 4 serve-options
enough "$tmp/opt.probe" 15 probe-options
enough "$tmp/commands" 15 commands
enough "$tmp/keys" 8 keys
enough "$tmp/exit.main" 15 exit-statuses
enough "$tmp/exit.probe" 18 probe-exit-statuses

# ---- what the page documents -----------------------------------------------
# Each .It line as "SECTION<TAB>SUBSECTION<TAB>TOKEN": "Fl \-x" is --x, the
# macro names and punctuation are dropped, the rest are words.
page_tags() {
	awk '
	/^\.Sh / { sh = substr($0, 5); ss = ""; next }
	/^\.Ss / { ss = substr($0, 5); next }
	/^\.It / {
		gsub(/\\-/, "-")
		gsub(/\\&/, "")
		for (i = 2; i <= NF; i++) {
			w = $i
			if (w == "Fl") { i++; w = "-" $i }
			else if (w ~ /^(Ar|Cm|Ic|Op|Oo|Oc|Ns|No|Pa|Ql|Ev|Li|Sy|Em|Dq|Sq|Pq|Po|Pc|Aq|Xo|Xc|Nm|Sx|Xr)$/ ||
				 w ~ /^[,|;]$/)
				continue
			printf "%s\t%s\t%s\n", sh, ss, w
		}
	}' "$1"
}
# has TAGS SECTION SUBSECTION TOKEN: SUBSECTION "*" is any.
has() {
	awk -F '\t' -v sh="$2" -v ss="$3" -v t="$4" \
		'$1 == sh && (ss == "*" || $2 == ss) && $3 == t { f = 1 } END { exit !f }' "$1"
}
# check_page PAGE: prints one line per thing missing, nothing when whole.
check_page() {
	local tags=$tmp/tags s t first
	page_tags "$1" >"$tags"
	first=$(awk -F '\t' '$1 == "EXIT STATUS" { print $2; exit }' "$tags")
	while read -r t; do
		has "$tags" OPTIONS '*' "$t" || echo "option $t (smtpscope --help) not under OPTIONS"
	done <"$tmp/opt.main"
	for s in $subs; do
		[ -f "$tmp/opt.$s" ] || continue
		while read -r t; do
			has "$tags" SUBCOMMANDS "smtpscope $s" "$t" ||
				echo "option $t of smtpscope $s not under SUBCOMMANDS, .Ss smtpscope $s"
		done <"$tmp/opt.$s"
	done
	while read -r t; do
		has "$tags" 'LOCAL COMMANDS' '*' "$t" || echo "local command $t not under LOCAL COMMANDS"
	done <"$tmp/commands"
	while read -r t; do
		has "$tags" 'TERMINAL UI' '*' "$t" || echo "key $t not under TERMINAL UI"
	done <"$tmp/keys"
	for f in "$tmp"/exit.*; do
		s=${f##*/exit.}
		local where="smtpscope $s"
		[ "$s" = main ] && where=$first
		while read -r t; do
			has "$tags" 'EXIT STATUS' "$where" "$t" ||
				echo "exit status $t ($s --help) not under EXIT STATUS, .Ss $where"
		done <"$f"
	done
}

missing=$(check_page "$page")
if [ -z "$missing" ]; then
	ok "every option, subcommand option, local command, key and exit status documented"
else
	mapfile -t lines <<<"$missing"
	bad documented "doc/smtpscope.1 lacks (add an .It block; see its header comment):" "${lines[@]}"
fi

# The checker refuses a page with one of each taken out.
sed -e '/^\.It Fl \\-starttls$/d' -e '/^\.It Ic \/trace /d' -e '/^\.It Ic F8$/d' \
	-e '/^\.It Fl \\-parallel /d' "$page" >"$tmp/cut.1"
awk '/^\.Sh EXIT STATUS/ { e = 1 } e && /^\.It 27$/ && !done { done = 1; next } { print }' \
	"$tmp/cut.1" >"$tmp/cut2.1"
# (what the whole page lacks is left out of what the cut one lacks)
out=$(check_page "$tmp/cut2.1" | grep -vxF -e "$missing")
if grep -q 'option --starttls (smtpscope --help)' <<<"$out" &&
   grep -q 'option --parallel of smtpscope probe' <<<"$out" &&
   grep -q 'local command /trace' <<<"$out" &&
   grep -q 'key F8' <<<"$out" &&
   grep -q 'exit status 27 (main --help)' <<<"$out" &&
   [ "$(wc -l <<<"$out")" -eq 5 ]; then
	ok "the checker finds a missing option, subcommand option, command, key and status"
else
	bad checker "a page with --starttls, --parallel, /trace, F8 and 27 taken out gave:" "$out"
fi

# ---- formatters ------------------------------------------------------------
# groff (groff-base, on every Debian) must say nothing with all warnings.
if command -v groff >/dev/null; then
	out=$(groff -ww -z -mandoc -Tutf8 "$page" 2>&1)
	[ -z "$out" ] && ok "groff -ww -mandoc: no warnings" || bad groff "$out"
else
	bad groff "groff is missing (Debian package groff-base)"
fi
# mandoc -Tlint down to style messages.  Whether an .Xr target is installed
# depends on the machine, not on the page, and so does mandoc's database.
if command -v mandoc >/dev/null; then
	out=$(mandoc -Tlint -W style "$page" 2>&1 |
		grep -vE 'referenced manual not found|mandoc\.db|run makewhatis')
	[ -z "$out" ] && ok "mandoc -Tlint: clean" || bad mandoc-lint "$out"
	# and it renders: the options table has a known entry
	mandoc -Tutf8 "$page" | col -b | grep -q -- '--connect-to host:port:addr:port' &&
		ok "mandoc renders the page" || bad mandoc-render "no --connect-to line in the output"
else
	echo "manpage: $pass passed, $fail failed"
	echo "SKIP: mandoc is not installed (Debian package mandoc): the lint was not run"
	[ "$fail" -eq 0 ] && exit 77
	exit 1
fi

echo "manpage: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
