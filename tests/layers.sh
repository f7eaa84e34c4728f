#!/usr/bin/env bash
# Enforces the module rules of ARCHITECTURE.md by grepping includes:
# curses/readline only through src/ui-lib-private.h (src/ui*.c); OpenSSL only in tls/auth/demo-tls;
# libunbound and libidn2 only in src/dns*.c; libcurl only in src/https.c;
# the sans-I/O core includes no socket, terminal or file-system headers;
# and (tests/layers-modules.py) every file belongs to one module of the
# table, includes only the headers of the modules its row "uses", and the
# uses form no cycle.
set -u
top=${top_srcdir:-$(dirname "$0")/..}
cd "$top" || exit 1
fail=0
check() { # description, files, forbidden-regex
	local hits
	hits=$(grep -nE "$3" $2 2>/dev/null || true)
	if [ -n "$hits" ]; then
		echo "FAIL: $1"; echo "$hits"; fail=1
	else
		echo "ok   $1"
	fi
}
check "curses/readline only through src/ui-lib-private.h (opened by src/ui-lib.c, not linked)" \
	"$(ls src/*.c src/*.h include/smtpscope/*.h | grep -vE '^src/ui-lib-private\.h$')" \
	'#include *[<"](n?curses|ncursesw/|readline/)'
check "OpenSSL only in src/tls*.c, src/auth*.c, src/demo-tls*.c" \
	"$(ls src/*.c | grep -vE '^src/(tls|auth|demo-tls)[^/]*\.c$')" \
	'#include *<openssl/'
check "libunbound and libidn2 only in src/dns*.c" \
	"$(ls src/*.c include/smtpscope/*.h | grep -vE '^src/dns[^/]*\.c$')" \
	'#include *<(unbound|idn2)\.h>'
check "libcurl only in src/https.c" \
	"$(ls src/*.c src/*.h include/smtpscope/*.h | grep -vE '^src/https\.c$')" \
	'#include *<curl/'
check "sans-I/O core: no sockets, terminals or files in reply/caps/data/smtp/session/explain/kb/entries/demo-scenario/mx/verdict" \
	"src/reply.c src/caps.c src/data.c src/smtp.c src/smtp-state.c src/smtp-rules.c src/smtp-seq.c src/smtp-data.c src/smtp-tls.c src/smtp-pipe.c src/smtp-auth.c src/smtp-rcpt.c src/smtp-params.c src/smtp-bdat.c src/compose.c src/session.c src/explain.c src/explain-format.c src/entries.c src/kb.c src/kb-entry.c src/kb-rule.c src/kb-lang.c src/demo-scenario.c src/ladder.c src/replay.c src/guide.c src/mx.c src/verdict.c src/dns-parse.c src/paste.c src/paste-text.c src/paste-mta.c src/paste-report.c src/bounce.c src/bounce-span.c src/bounce-mime.c src/bounce-dsn.c src/bounce-mta.c src/diagnose.c include/smtpscope/entries.h include/smtpscope/kb.h include/smtpscope/reply.h include/smtpscope/caps.h include/smtpscope/data.h include/smtpscope/smtp.h include/smtpscope/session.h include/smtpscope/explain.h include/smtpscope/mx.h include/smtpscope/verdict.h" \
	'#include *<(sys/socket\.h|netdb\.h|netinet/|arpa/|termios\.h|poll\.h|fcntl\.h|unistd\.h|dirent\.h|sys/stat\.h)>'
check "the core never prints, reads or opens files" \
	"src/reply.c src/caps.c src/data.c src/smtp.c src/smtp-state.c src/smtp-rules.c src/smtp-seq.c src/smtp-data.c src/smtp-tls.c src/smtp-pipe.c src/smtp-auth.c src/smtp-rcpt.c src/smtp-params.c src/smtp-bdat.c src/compose.c src/session.c src/explain.c src/explain-format.c src/entries.c src/kb.c src/kb-entry.c src/kb-rule.c src/kb-lang.c src/demo-scenario.c src/ladder.c src/replay.c src/guide.c src/mx.c src/verdict.c src/paste.c src/paste-text.c src/paste-mta.c src/paste-report.c src/bounce.c src/bounce-span.c src/bounce-mime.c src/bounce-dsn.c src/bounce-mta.c src/diagnose.c" \
	'\b(printf|fprintf|puts|fputs|putchar|write|read|fopen|open|getchar|fgets)\s*\('
python3 tests/layers-modules.py . || fail=1
# The checker itself: a copy of the tree where reply includes client.h,
# and one where a file belongs to no module, must both be refused.
tmp=$(mktemp -d) && trap 'rm -rf "$tmp"' EXIT
cp -r ARCHITECTURE.md src include "$tmp"/
sed -i 's|#include "smtpscope/reply.h"|&\n#include "smtpscope/client.h"|' "$tmp/src/reply.c"
touch "$tmp/src/stray.c"
out=$(python3 tests/layers-modules.py "$tmp")
if echo "$out" | grep -q 'src/reply.c:.*module reply includes client.h' &&
   echo "$out" | grep -q 'src/stray.c belongs to 0 modules'; then
	echo "ok   the module checker refuses a forbidden include and a stray file"
else
	echo "FAIL: the module checker let a violation through:"; echo "$out"; fail=1
fi
exit $fail
