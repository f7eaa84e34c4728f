#!/usr/bin/env bash
# Explanations in French and Korean: --lang, the environment (LANGUAGE,
# LC_ALL, LC_MESSAGES, LANG, as gettext reads them), English kept for a
# field not yet translated and for SMTP itself, JSON keys and ids never
# translated, a language without a translation refused, and --check's
# report of what is left in English.
set -u
bin=${SMTPSCOPE:-$(dirname "$0")/../../smtpscope}
bounces=$(dirname "$0")/../data/real-bounces
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }
# expect NAME STATUS PATTERN [!PATTERN] -- ARGS...: exit status, a line
# matching PATTERN, and (with !PATTERN) none matching it.
expect() {
	local name=$1 want=$2 pat=$3 not= out rc
	shift 3
	if [ "$1" != "--" ]; then not=${1#!}; shift; fi
	shift
	out=$("$bin" "$@" 2>&1); rc=$?
	if [ "$rc" -ne "$want" ]; then bad "$name" "exit $rc, want $want" "$out"; return; fi
	if ! grep -Eq -- "$pat" <<<"$out"; then bad "$name" "no /$pat/ in:" "$out"; return; fi
	if [ -n "$not" ] && grep -Eq -- "$not" <<<"$out"; then bad "$name" "/$not/ in:" "$out"; return; fi
	ok "$name"
}

unset LANGUAGE LC_ALL LC_MESSAGES
tmp0=$(mktemp -d)
trap 'rm -rf "$tmp0" "${tmp:-}"' EXIT
export LANG=C.UTF-8
expect fr-headings 0 'Sens selon la commande à laquelle il répond' '!Meaning by the command' -- explain --lang fr 550
expect fr-sections 0 '^Description$' '!^What it means$' -- explain --lang fr 550
expect fr-class 0 'négatif permanent' -- explain --lang fr 550
expect fr-diagnosis 0 'Diagnostic : mailbox-unknown — destinataire inexistant \(source : motif du' -- explain --lang fr --after RCPT --reply '550 5.1.1 <x@example.com>: Recipient address rejected: User unknown in local recipient table'
expect fr-smtp-untouched 0 'RCPT' -- explain --lang fr --after RCPT 550
expect ko-context 0 'RCPT에 대한 응답일 때' '!As the reply to' -- explain --lang ko --after RCPT 550
expect ko-code-name 0 '^550 — 요청한 작업을 수행하지 않음' -- explain --lang ko 550
expect ko-sections 0 '이 코드를 보게 되는 경우' '!When you see it' -- explain --lang ko 550
expect ko-bounce 0 '^반송 메일: ' -- explain --lang ko --bounce "$bounces/lhost-postfix-05.eml"
expect ko-bounce-rcpt 0 'user@example.com' -- explain --lang ko --bounce "$bounces/lhost-postfix-05.eml"
expect en-default 0 'Meaning by the command it answers' -- explain 550
expect de-refused 2 '--lang de: no translation for it; use en, fr or ko' -- explain --lang de 550
expect session-de-refused 2 '--lang de: no translation for it' -- --lang de --batch 127.0.0.1:1

# Every code and every enhanced code, in each language: no English
# heading and no English knowledge-base text left.
help=${SMTPSCOPE_HELPDIR:-$(dirname "$0")/../../help}
codes=$(sed -n 's/^\[code \([0-9]*\)\]$/\1/p' "$help"/kb/codes-*.kb)
enhs=$(sed -n 's/^\[enhanced X\.\([0-9]*\.[0-9]*\)\]$/5.\1/p' "$help"/kb/enhanced.kb)
english='where RFC 2034 puts it|What it means|When you see it|How to fix it|Key differences|Meaning by the command|As the reply to|^Diagnosis:|Next step:|Defined in:|^Related:|What to do:|^Notes$'
for l in fr ko; do
	leaks=0 n=0
	for c in $codes $enhs; do
		n=$((n + 1))
		out=$("$bin" explain --lang "$l" "$c" 2>&1) || { leaks=$((leaks + 1)); echo "    $l $c: exit $?"; continue; }
		if grep -Eq -- "$english" <<<"$out"; then
			leaks=$((leaks + 1)); echo "    $l $c: $(grep -E -- "$english" <<<"$out" | head -1)"
		fi
	done
	if [ "$leaks" -eq 0 ] && [ "$n" -ge 120 ]; then ok "every-code-$l ($n codes)"; else bad "every-code-$l" "$leaks of $n"; fi
done

# The environment, as gettext reads it; --lang wins over it.
out=$(LANG=fr_FR.UTF-8 "$bin" explain 550 2>&1)
if grep -q 'Sens selon la commande' <<<"$out"; then ok env-lang; else bad env-lang "$out"; fi
out=$(LANG=fr_FR.UTF-8 LANGUAGE=ko "$bin" explain 550 2>&1)
if grep -q '응답한 명령별 의미' <<<"$out"; then ok env-language-first; else bad env-language-first "$out"; fi
out=$(LC_ALL=ko_KR.UTF-8 "$bin" explain --lang en 550 2>&1)
if grep -q 'Meaning by the command it answers' <<<"$out"; then ok flag-over-env; else bad flag-over-env "$out"; fi
out=$(LANG=de_DE.UTF-8 "$bin" explain 550 2>&1); rc=$?
if [ "$rc" -eq 0 ] && grep -q 'Meaning by the command it answers' <<<"$out"; then ok env-untranslated-is-english
else bad env-untranslated-is-english "exit $rc" "$out"; fi

# The HTML handout says its language and carries the translated texts.
printf 'EHLO me.example\nQUIT\n' | "$bin" --lang fr --batch --save "$tmp0/s.html" >/dev/null 2>&1
if grep -q '<html xmlns="http://www.w3.org/1999/xhtml" lang="fr">' "$tmp0/s.html" &&
   grep -q 'réponse à EHLO' "$tmp0/s.html"; then ok handout-fr; else bad handout-fr "$(head -3 "$tmp0/s.html")"; fi
printf 'QUIT\n' | "$bin" --batch --save "$tmp0/e.html" >/dev/null 2>&1
if grep -q 'lang="en"' "$tmp0/e.html"; then ok handout-en; else bad handout-en "$(head -3 "$tmp0/e.html")"; fi

# JSON: keys and ids stay, text follows the language.
out=$("$bin" explain --lang ko --json --after RCPT --reply '550 5.1.1 <x@example.com>: User unknown' 2>&1)
if /usr/bin/python3 -c '
import json, sys
x = json.loads(sys.argv[1])
assert x["diagnosis"]["id"] == "mailbox-unknown"
assert x["class_meaning"].startswith("영구적"), x["class_meaning"]
assert x["diagnosis"]["label"] != "recipient does not exist"
assert x["context"] == "RCPT"' "$out"; then ok ko-json; else bad ko-json "$out"; fi

# --check: each language's problems (none) and what is still English.
expect check-langs 0 'translation fr: [0-9]+ fields translated, [0-9]+ still in English.*; 0 problems' -- explain --check
expect check-ko 0 'translation ko: [0-9]+ fields translated' -- explain --check --lang ko
# A field left in English, and a translation whose English changed since:
# both reported with FILE:LINE, and --check fails.
tmp=$(mktemp -d)
cp -R "${SMTPSCOPE_HELPDIR:-$(dirname "$0")/../../help}" "$tmp/help"
# drop the French label of [diagnosis greylisted] (its other fields stay)
/usr/bin/python3 - "$tmp/help/kb/fr/diagnoses.kb" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p, encoding="utf-8").read()
s = re.sub(r"(\[diagnosis greylisted\]\n(?:source: \w+\n)?)label: [^\n]*\n", r"\1", s, count=1)
open(p, "w", encoding="utf-8").write(s)
PY
sed -i 's/^label: greylisted, retry later$/label: greylisted: retry later/' "$tmp/help/kb/diagnoses.kb"
sed -i '0,/^summary: /s/^summary: \(.*\)$/summary: \1 (changed)/' "$tmp/help/kb/codes-5xx.kb"
out=$(SMTPSCOPE_HELPDIR="$tmp/help" "$bin" explain --check 2>&1); rc=$?
if [ "$rc" -eq 1 ] && grep -Eq 'diagnoses.kb:[0-9]+: \[diagnosis greylisted\] label: not translated' <<<"$out" &&
   grep -Eq 'ko/codes-5xx.kb:[0-9]+: \[code 500\]: translated from an older English text' <<<"$out" &&
   grep -Eq 'translation fr: [0-9]+ fields translated, 1 still in English; [0-9]+ problems' <<<"$out"; then
	ok check-reports-missing-and-stale
else bad check-reports-missing-and-stale "exit $rc" "$(grep -v '^knowledge' <<<"$out" | head -8)"; fi

# --lang counts for errors about options given before it.
expect option-error-before-lang 2 "essayez 'smtpscope --help'" -- --frob --lang fr
expect option-error-before-lang-ko 2 "'smtpscope --help'를 실행해 보십시오" -- --frob --lang=ko

# /lang in a line-mode session against the demo server: later annotations
# and messages in the new language, the server's lines as sent, a language
# without a translation refused (exit 5, a local command failed).
out=$(printf '/lang fr\nEHLO me.example\n/lang ko\nMAIL FROM:<a@example.org>\n/lang de\n/lang\n/lang en\nQUIT\n' |
	"$bin" -b 2>&1); rc=$?
want() { grep -Fq -- "$1" <<<"$out" && ok "session: $2" || bad "session: $2" "no \"$1\" in:" "$out"; }
[ "$rc" -eq 5 ] && ok "session: exit 5 after the refused /lang" || bad "session: exit status" "exit $rc, want 5"
want "=== langue : français. Les explications" "/lang fr noted in French"
want "[réponse à EHLO]" "EHLO's reply annotated in French"
want "<-  250-demo.test Hello me.example" "the server's lines as sent"
want "=== 언어: 한국어." "/lang ko noted in Korean"
want "[MAIL에 대한 응답]" "MAIL's reply annotated in Korean"
want "*** /lang de: 이 언어의 번역이 없습니다" "/lang de refused, in Korean"
want "=== 언어: 한국어 (ko); /lang en" "/lang alone says the language"
want "=== language: English. Explanations" "/lang en back in English"
want "[reply to QUIT]" "QUIT's reply annotated in English"

echo "lang-cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
