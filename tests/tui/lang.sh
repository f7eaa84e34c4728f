#!/usr/bin/env bash
# The terminal UI in Korean and French (--lang, and LANG=ko_KR.UTF-8 /
# fr_FR.UTF-8 from the environment, whether or not the system has that
# locale): the pane titles, the status bar, the help overlay and the
# explanation pane in the language, SMTP itself as sent, wide Korean text
# inside the pane's borders, and the terminal restored.
. "$(dirname "$0")/lib.sh"

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
if screen | python3 -c '
import sys, unicodedata
w = lambda s: sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
sys.exit(any(w(l.rstrip("\n")) > 110 for l in sys.stdin))'; then
	echo "ok   ko: no row wider than the terminal"
else
	echo "FAIL ko: a row is wider than the terminal"; screen | sed 's/^/    | /'; fails=$((fails + 1))
fi
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
quit_and_check_restored "fr"
finish
