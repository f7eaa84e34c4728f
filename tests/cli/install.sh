#!/usr/bin/env bash
# make install and make uninstall, from the distribution's files, as a
# user installs them: the tree `make distdir` makes (so a file missing
# from the tarball fails here too) is configured with --prefix in a
# temporary directory, built and installed; then the source and build
# trees are moved away (the program has both paths compiled in as
# fallbacks) and the installed program runs from another directory without
# SMTPSCOPE_HELPDIR: it must find its knowledge base, translations,
# message catalogs and scenarios, and its man page and completion must be
# where man and the shells look.  Then make uninstall must leave no file.
#
# It builds the whole program once more (half a minute to a minute on 2
# cores), so it is not in `make check`: `make check-install` runs it, and
# scripts/quickstart test (so CI) does.
set -u
top=$(cd "${top_srcdir:-$(dirname "$0")/../..}" && pwd)
build=$(cd "${top_builddir:-.}" && pwd)
jobs=${INSTALL_TEST_JOBS:-2}
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }
tmp=$(mktemp -d /tmp/smtpscope-install.XXXXXX)
serve_pid=
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
unset SMTPSCOPE_HELPDIR LANGUAGE LC_ALL LC_MESSAGES
export LANG=C.UTF-8
prefix=$tmp/prefix
finish() {
	echo "install: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit
}

# ---- the distribution's tree, configured, built and installed --------------
version=$("$build/smtpscope" --version | awk '{ print $2 }')
name=smtpscope-$version
if ! make -s -C "$build" distdir >"$tmp/dist.log" 2>&1; then
	bad distdir "make distdir failed:" "$(tail -n 20 "$tmp/dist.log")"; finish
fi
mv "$build/$name" "$tmp/src"
mkdir "$tmp/build"
if ! (cd "$tmp/build" && "$tmp/src/configure" -q --prefix="$prefix") >"$tmp/configure.log" 2>&1; then
	bad configure "$(tail -n 20 "$tmp/configure.log")"; finish
fi
start=$(date +%s)
if ! make -s -C "$tmp/build" -j"$jobs" >"$tmp/make.log" 2>&1; then
	bad make "$(tail -n 30 "$tmp/make.log")"; finish
fi
echo "     (the build took $(($(date +%s) - start)) s)"
if make -s -C "$tmp/build" install >"$tmp/install.log" 2>&1; then
	ok "make install into $prefix"
else
	bad install "$(tail -n 30 "$tmp/install.log")"; finish
fi

# ---- the installed program, with the trees it was made from gone -----------
mv "$tmp/src" "$tmp/src.away"
mv "$tmp/build" "$tmp/build.away"
bin=$prefix/bin/smtpscope
cd / || exit 1
# run NAME STATUS PATTERN -- ARGS...: the installed program's exit status
# and a line matching PATTERN in its output.
run() {
	local name=$1 want=$2 pat=$3 out rc
	shift 4
	out=$(timeout 30 "$bin" "$@" 2>&1 </dev/null); rc=$?
	if [ "$rc" -ne "$want" ]; then bad "$name" "exit $rc, want $want" "$out"
	elif ! grep -Eq -- "$pat" <<<"$out"; then bad "$name" "no /$pat/ in:" "$out"
	else ok "$name"; fi
}
run version 0 "^smtpscope $version\$" -- --version
run explain 0 '^550 ' -- explain 550
run explain-kb-installed 0 "^knowledge base $prefix/share/smtpscope: [0-9]+ codes.*; 0 problems" -- explain --check
run explain-check-scenarios 0 "^scenarios $prefix/share/smtpscope/scenarios: [0-9]+ scenarios; 0 problems" -- explain --check
run explain-check-fr 0 '^translation fr: [0-9]+ fields translated, 0 still in English; 0 problems' -- explain --check
# the French knowledge base (help/kb/fr) and message catalog (.mo): the
# code's name is the first's, the class digit's meaning and the headings
# the second's
run explain-fr-kb 0 '^550 — Action demandée non effectuée.*boîte aux lettres indisponible$' -- explain --lang fr 550
run explain-fr-catalog 0 'négatif permanent' -- explain --lang fr 550
run explain-fr-heading 0 'Sens selon la commande à laquelle il répond' -- explain --lang fr 550
out=$(LANG=fr_FR.UTF-8 timeout 30 "$bin" explain 550 2>&1)
grep -q 'négatif permanent' <<<"$out" && grep -q 'boîte aux lettres indisponible' <<<"$out" &&
	ok "explain in French from LANG" || bad explain-lang-env "$out"
run explain-ko-kb 0 '^550 — 요청한 작업을 수행하지 않음' -- explain --lang ko 550
run explain-ko-catalog 0 '영구적 부정' -- explain --lang ko 550
# the scenarios: the demo in process, and serve
nscn=$(ls "$top"/help/scenarios/*.scn | wc -l)
out=$(printf '/scenario\n' | timeout 30 "$bin" --batch 2>&1)
n=$(grep -cE '^=== [ *] [a-z]' <<<"$out")
[ "$n" -eq "$nscn" ] && ok "/scenario lists the $nscn installed scenarios" ||
	bad scenario-list "$n listed, $nscn shipped:" "$out"
out=$(printf 'EHLO me.example\nMAIL FROM:<a@example.org>\nRCPT TO:<student@demo.test>\nQUIT\n' |
	timeout 30 "$bin" --batch --demo greylisting 2>&1)
grep -q '^<-  450 4.7.1' <<<"$out" && ok "--demo greylisting plays the installed scenario" ||
	bad demo-greylisting "$out"
"$bin" serve --scenario unknown-user --listen 127.0.0.1:0 >"$tmp/serve.out" 2>&1 &
serve_pid=$!
port=
for _ in $(seq 1 100); do
	port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$tmp/serve.out")
	[ -n "$port" ] && break
	sleep 0.1
done
if [ -z "$port" ]; then
	bad serve "no 'listening on' line:" "$(cat "$tmp/serve.out")"
else
	out=$(printf 'EHLO me.example\nMAIL FROM:<a@example.org>\nRCPT TO:<nobody@demo.test>\nQUIT\n' |
		timeout 30 "$bin" --batch "127.0.0.1:$port" 2>&1)
	grep -q '^<-  550 5.1.1' <<<"$out" && ok "serve --scenario unknown-user answers 550 5.1.1" ||
		bad serve-scenario "$out"
fi
kill "$serve_pid" 2>/dev/null
wait "$serve_pid" 2>/dev/null
serve_pid=
# the manual page, where man looks
page=$prefix/share/man/man1/smtpscope.1
if ! cmp -s "$page" "$top/doc/smtpscope.1"; then
	bad man-installed "$page is not doc/smtpscope.1"
elif command -v man >/dev/null; then
	found=$(man -M "$prefix/share/man" -w smtpscope 2>/dev/null)
	[ "$found" = "$page" ] && ok "man finds smtpscope(1)" || bad man "man -w: '$found'"
else
	ok "smtpscope(1) installed (no man program here to ask)"
fi
# the completion, where bash-completion and zsh look, with the data dir's scenarios
bc=$prefix/share/bash-completion/completions/smtpscope
zc=$prefix/share/zsh/site-functions/_smtpscope
[ -f "$bc" ] && [ -f "$zc" ] && ok "completion installed for bash and zsh" || bad completion-files "$(find "$prefix/share" -name '*smtpscope*')"
out=$(bash --norc --noprofile -c 'source "$1" && COMP_WORDS=(smtpscope --demo grey) COMP_CWORD=2 &&
	_smtpscope && printf "%s\n" "${COMPREPLY[@]}"' bash "$bc" 2>&1)
[ "$out" = greylisting ] && ok "the installed bash completion finds the installed scenarios" ||
	bad completion-scenarios "$out"

# ---- make uninstall ----------------------------------------------------------
cd "$tmp" || exit 1
mv "$tmp/src.away" "$tmp/src"
mv "$tmp/build.away" "$tmp/build"
if make -s -C "$tmp/build" uninstall >"$tmp/uninstall.log" 2>&1; then
	left=$(find "$prefix" ! -type d)
	[ -z "$left" ] && ok "make uninstall leaves no file" || bad uninstall-left "$left"
else
	bad uninstall "$(tail -n 20 "$tmp/uninstall.log")"
fi
finish
