#!/usr/bin/env bash
# ncursesw and readline are opened when the terminal UI starts, not at
# every start (src/ui-lib.c): --version, explain and a line-mode session
# load neither them nor libtinfo (nor libcurl, libunbound or libidn2,
# which src/https.c and src/dns*.c open when first needed; nor, on x86-64
# Linux, libssl and libcrypto, opened at the first TLS call by
# src/ossl-lazy.c: --version and explain); the TUI opens both; and when
# they cannot be opened, the TUI says which one and the Debian package to
# install, and the session runs in line mode instead; a libssl.so.3
# without OpenSSL says so at the first TLS call.
. "$(dirname "$0")/lib.sh"

lazy='libncursesw|libtinfo|libreadline|libcurl|libunbound|libidn2'
# loaded WHAT ARGS...: the shared objects smtpscope initialised, one a
# line (the dynamic loader's own report, LD_DEBUG=libs), in $tmp/libs.
loaded() {
	local what=$1; shift
	LD_DEBUG=libs LD_DEBUG_OUTPUT="$tmp/ld.$what" "$@" > "$tmp/out.$what" 2>&1 < "$tmp/in"
	cat "$tmp"/ld."$what".* | sed -n 's/.*calling init: //p' > "$tmp/libs.$what"
	rm -f "$tmp"/ld."$what".*
}
none_of_the_lazy() { # NAME WHAT [PATTERN: default $lazy]
	if ! [ -s "$tmp/libs.$2" ]; then
		echo "FAIL $1: the loader reported nothing (LD_DEBUG)"; fails=$((fails + 1))
	elif grep -E "${3:-$lazy}" "$tmp/libs.$2" > "$tmp/bad"; then
		echo "FAIL $1: loaded"; sed 's/^/    /' "$tmp/bad"; fails=$((fails + 1))
	else
		echo "ok   $1"
	fi
}
printf 'EHLO me.example\nQUIT\n' > "$tmp/in"
# OpenSSL too, where the program calls it through stubs (src/ossl-lazy.c:
# x86-64 Linux); elsewhere it is linked.
lazy_ssl=
if [ "$(uname -m)" = x86_64 ] && ! objdump -p "${SMTPSCOPE_REAL:-$bin}" 2>/dev/null | grep -q 'NEEDED *libssl'; then
	lazy_ssl=1
fi
lazy_all=$lazy
[ -n "$lazy_ssl" ] && lazy_all="$lazy|libssl|libcrypto"
loaded version "$bin" --version
none_of_the_lazy "--version loads no UI, HTTPS, DNS or TLS library" version "$lazy_all"
loaded explain "$bin" explain 550
none_of_the_lazy "explain 550 loads none" explain "$lazy_all"
loaded batch "$bin" --batch
if grep -q '^<-  221' "$tmp/out.batch"; then
	echo "ok   a line-mode session ran"
else
	echo "FAIL a line-mode session ran:"; sed 's/^/    /' "$tmp/out.batch"; fails=$((fails + 1))
fi
none_of_the_lazy "a line-mode session loads none" batch

# The TUI opens them.
start 100 30 ""
expect "the TUI started" "<-  220 demo.test ESMTP"
quit_and_check_restored "TUI"
start_shell 100 30 # again, with the loader reporting
tm send-keys -l "LD_DEBUG=libs LD_DEBUG_OUTPUT=$tmp/ld.tui $bin"
tm send-keys Enter
expect "the TUI started with LD_DEBUG" "<-  220 demo.test ESMTP"
quit_and_check_restored "TUI with LD_DEBUG"
cat "$tmp"/ld.tui.* 2>/dev/null | sed -n 's/.*calling init: //p' > "$tmp/libs.tui"
for lib in libncursesw libreadline; do
	if grep -q "$lib" "$tmp/libs.tui"; then
		echo "ok   the TUI opened $lib"
	else
		echo "FAIL the TUI did not open $lib:"; sed 's/^/    /' "$tmp/libs.tui"; fails=$((fails + 1))
	fi
done

# A libncursesw.so.6 without curses in it, found first: the TUI says so
# and the session goes on in line mode at the terminal.
if command -v cc >/dev/null 2>&1; then
	mkdir "$tmp/fake"
	echo 'int smtpscope_not_curses;' > "$tmp/fake/fake.c"
	cc -shared -fPIC -o "$tmp/fake/libncursesw.so.6" "$tmp/fake/fake.c"
	start_shell 240 30
	tm send-keys -l "LD_LIBRARY_PATH=$tmp/fake $bin"
	tm send-keys Enter
	expect "what cannot be loaded" "cannot load libncursesw.so.6 (the terminal UI)"
	expect "what is missing" "no symbol clearok"
	expect "what to install" "install the Debian package libncursesw6"
	expect "line mode instead: the greeting" "<-  220 demo.test ESMTP"
	type_line "QUIT"
	expect "line mode: QUIT answered" "<-  221"
	check_restored "line mode" "after QUIT"
else
	echo "FAIL no C compiler to build the stand-in library (Debian package build-essential)"
	fails=$((fails + 1))
fi
# A libssl.so.3 without OpenSSL in it, found first: the first TLS call
# (the demo's certificate) says what is missing and what to install.
if [ -n "$lazy_ssl" ]; then
	mkdir -p "$tmp/fakessl"
	cc -shared -fPIC -o "$tmp/fakessl/libssl.so.3" "$tmp/fake/fake.c"
	# (in a shell of its own, whose "Aborted" is not the test's output)
	LD_LIBRARY_PATH="$tmp/fakessl" bash -c '"$0" --batch < "$1" > "$2" 2>&1; exit $?' \
		"$bin" "$tmp/in" "$tmp/out.nossl" 2>/dev/null
	status=$?
	if [ "$status" != 0 ] && grep -qF "cannot load libssl.so.3 (OpenSSL): libssl.so.3: no symbol" "$tmp/out.nossl" &&
		grep -qF "install the Debian package libssl3" "$tmp/out.nossl"; then
		echo "ok   no OpenSSL: said so, with the package (exit $status)"
	else
		echo "FAIL no OpenSSL (exit $status):"; sed 's/^/    /' "$tmp/out.nossl"; fails=$((fails + 1))
	fi
else
	echo "note: this build links OpenSSL (not x86-64 Linux, or --disable-lazy-openssl); its lazy checks not run"
fi
finish
