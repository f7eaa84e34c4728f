#!/usr/bin/env bash
# The reply to EHLO explained keyword by keyword: `smtpscope explain
# --reply ... --after EHLO` (text and JSON, French and Korean), /explain
# in a line-mode session against the demo; unknown, X and malformed
# keywords said as such; no keyword list for a reply to anything else.
. "$(dirname "$0")/check-lib.sh"

reply=$'250-mx.example.com Hello\n250-SIZE 10240000\n250-AUTH PLAIN LOGIN\n250-XYZZY\n250-FROBNICATE 2\n250-BAD_WORD\n250 STARTTLS'
"$bin" explain --reply "$reply" --after EHLO > "$tmp/en" 2>&1 || bad en-status "exit $?"
has en-heading "$tmp/en" 'The extensions offered, keyword by keyword (6)'
has en-size "$tmp/en" '  SIZE 10240000 — Message size declaration (RFC 1870)'
if grep -A1 -F '  SIZE 10240000 — ' "$tmp/en" | grep -qF '    10240000 bytes: about 9.8 MiB (10.2 MB).'; then ok en-size-mib; else bad en-size-mib "$(cat "$tmp/en")"; fi
if grep -A2 -F '  AUTH PLAIN LOGIN — Authentication (SMTP AUTH) (RFC 4954)' "$tmp/en" |
	grep -qF 'Outside TLS, PLAIN and LOGIN'; then ok en-auth-outside-tls; else bad en-auth-outside-tls "$(cat "$tmp/en")"; fi
if grep -A1 -xF '  XYZZY' "$tmp/en" | grep -qF 'A private extension: keywords beginning with X are'; then ok en-x-keyword; else bad en-x-keyword "$(cat "$tmp/en")"; fi
if grep -A1 -xF '  FROBNICATE 2' "$tmp/en" | grep -qF "Not in smtpscope's knowledge base"; then ok en-unknown; else bad en-unknown "$(cat "$tmp/en")"; fi
if grep -A3 -xF '  BAD_WORD' "$tmp/en" | grep -qF 'does'; then ok en-malformed; else bad en-malformed "$(cat "$tmp/en")"; fi
has en-starttls-try "$tmp/en" '    Try: /starttls (or --starttls), then EHLO again: the list of extensions'

"$bin" explain --json --reply "$reply" --after EHLO > "$tmp/json" 2>&1
if python3 - "$tmp/json" <<'PY'
import json, sys
x = json.load(open(sys.argv[1]))["extensions"]
assert [e["keyword"] for e in x] == ["SIZE", "AUTH", "XYZZY", "FROBNICATE", "BAD_WORD", "STARTTLS"], x
assert x[0]["known"] and x[0]["rfc"] == "RFC 1870" and "9.8 MiB" in x[0]["detail"]
assert x[2]["local"] and not x[2]["known"]
assert not x[3]["known"] and not x[3]["local"] and x[3]["params"] == "2"
assert x[4]["malformed"]
PY
then ok json-extensions; else bad json-extensions "$(cat "$tmp/json")"; fi

"$bin" explain --lang fr --reply "$reply" --after EHLO > "$tmp/fr" 2>&1
has fr-heading "$tmp/fr" 'Les extensions proposées, mot-clé par mot-clé (6)'
has fr-size "$tmp/fr" '  SIZE 10240000 — Déclaration de la taille du message (RFC 1870)'
"$bin" explain --lang ko --reply "$reply" --after EHLO > "$tmp/ko" 2>&1
has ko-heading "$tmp/ko" '제안된 확장 기능, 키워드별 (6개)'
has ko-size "$tmp/ko" '  SIZE 10240000 — 메시지 크기 선언 (RFC 1870)'

# Not the reply to EHLO: no keyword list.
"$bin" explain --reply "$reply" --after NOOP > "$tmp/noop" 2>&1
lacks noop-no-list "$tmp/noop" 'keyword by keyword'

# /explain in a session against the demo: the newest reply, EHLO's.
printf '%s\n' 'EHLO me.example' '/explain' 'QUIT' | timeout 30 "$bin" --batch > "$tmp/session" 2>&1
has session-heading "$tmp/session" '=== The extensions offered, keyword by keyword (7)'
has session-size "$tmp/session" '===   SIZE 10485760 — Message size declaration (RFC 1870)'
if grep -A1 -F '===   SIZE 10485760 — ' "$tmp/session" | grep -qF '10485760 bytes: about 10.0 MiB (10.5 MB)'; then ok session-size-mib; else bad session-size-mib "$(cat "$tmp/session")"; fi
has session-pipelining "$tmp/session" '===   PIPELINING — Command pipelining (RFC 2920)'

finish ehlo
