#!/usr/bin/env bash
# The terminal UI in Korean and French (--lang, and LANG=ko_KR.UTF-8 /
# fr_FR.UTF-8 from the environment, whether or not the system has that
# locale): the pane titles, the status bar, the help overlay and the
# explanation pane in the language, SMTP itself as sent, wide Korean text
# inside the pane's borders, and the terminal restored.
. "$(dirname "$0")/lib.sh"

# expect_width LABEL COLS: no row of the screen is wider than COLS columns,
# double-width characters counted twice.
expect_width() {
	if screen | python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
sys.exit(any(w(l.rstrip("\n")) > int(sys.argv[1]) for l in sys.stdin))' "$2"; then
		echo "ok   $1: no row wider than the terminal"
	else
		echo "FAIL $1: a row is wider than the terminal"; screen | sed 's/^/    | /'
		fails=$((fails + 1))
	fi
}

# ko: --lang
start 110 44 --lang ko
expect "ko: started" "<-  220 demo.test ESMTP"
expect "ko: session pane title" "세션 (F7: 흐름도)"
expect "ko: status bar, connected" "연결됨"
expect "ko: status bar, help key" "F1 도움말"
expect "ko: explanation pane title" "설명: 응답 220"
type_line "EHLO me.example"
expect "ko: EHLO sent as typed" " -> EHLO me.example"
expect "ko: explanation heading" "EHLO에 대한 응답일 때"
expect "ko: class meaning" "긍정 완료 (처리됨)"
type_line "RCPT TO:<nobody@demo.test>"
expect "ko: a refusal explained" "진단:"
# Every row stays inside the terminal: the right border of the explanation
# pane is never pushed out by double-width characters.
expect_width "ko" 110
tm send-keys F1
expect "ko: help overlay" "smtpscope 도움말"
expect "ko: help keys" "로컬 명령"
tm send-keys Escape
expect_not "ko: help closed" "smtpscope 도움말"
tm resize-window -x 80 -y 30 2>/dev/null || true
expect "ko: after a resize" "연결됨"
quit_and_check_restored "ko"

# fr: from the environment (LANG), as gettext reads it
cat >> "$tmp/env.sh" <<EOS
export LANG=fr_FR.UTF-8 LC_ALL=
EOS
start 110 44
expect "fr: started" "<-  220 demo.test ESMTP"
expect "fr: session pane title" "Session (F7 : diagramme)"
expect "fr: status bar" "F1 aide"
expect "fr: explanation pane title" "Explication : réponse 220"
type_line "EHLO me.example"
expect "fr: explanation heading" "En réponse à EHLO"
expect "fr: class meaning" "achèvement positif (fait)"
# /lang in the session: both panes and the status bar are drawn again in
# the new language, and back.
type_line "/lang ko"
expect "fr -> ko: the note" "언어: 한국어"
expect "fr -> ko: explanation pane" "EHLO에 대한 응답일 때"
expect "fr -> ko: status bar" "| 연결됨 |"
expect "fr -> ko: transcript annotation" "[EHLO에 대한 응답]"
expect_not "fr -> ko: no French annotation left" "[réponse à EHLO]"
type_line "/lang en"
expect "ko -> en: explanation pane" "As the reply to EHLO"
expect "ko -> en: status bar" "| connected |"
expect_not "ko -> en: no Korean heading left" "EHLO에 대한 응답일 때"
type_line "/lang de"
expect "/lang de refused" "/lang de: no translation for it; use en, fr or ko"
quit_and_check_restored "fr"

# ko_KR.UTF-8 as a generated locale (localedef into a private LOCPATH,
# as a system with the locale installed has it), not only the fallback.
mkdir -p "$tmp/locale"
if localedef -i ko_KR -f UTF-8 "$tmp/locale/ko_KR.UTF-8" >/dev/null 2>&1; then
	cat >> "$tmp/env.sh" <<EOS
export LOCPATH='$tmp/locale' LANG=ko_KR.UTF-8 LC_ALL=
EOS
	start 110 44
	expect "ko_KR.UTF-8 (generated): started" "<-  220 demo.test ESMTP"
	expect "ko_KR.UTF-8 (generated): pane title" "세션 (F7: 흐름도)"
	type_line "EHLO me.example"
	expect "ko_KR.UTF-8 (generated): explanation" "EHLO에 대한 응답일 때"
	expect_width "ko_KR.UTF-8 (generated)" 110
	quit_and_check_restored "ko_KR.UTF-8 (generated)"
	cat >> "$tmp/env.sh" <<EOS
unset LOCPATH
EOS
else
	echo "FAIL localedef -i ko_KR -f UTF-8 failed (the locales package is needed)"
	fails=$((fails + 1))
fi

# A Korean server's reply (UTF-8 under SMTPUTF8) beside the Korean
# explanation: both in their columns.
cat >> "$tmp/env.sh" <<EOS
export LANG=C.UTF-8
EOS
start 100 40 --lang ko --demo "$(dirname "$0")/korean-reply.scn"
expect "ko server: started" "<-  220 demo.test ESMTP"
type_line "EHLO me.example"
type_line "MAIL FROM:<한글@example.org> SMTPUTF8"
type_line "RCPT TO:<학생@demo.test>"
expect "ko server: the Korean reply as sent" "<-  550 5.1.1 <??????@demo.test>: 수신자 메일함이 존재하지"
expect "ko server: explained in Korean" "진단:"
expect_width "ko server" 100
quit_and_check_restored "ko server"
finish
