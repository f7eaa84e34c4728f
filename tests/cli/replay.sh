#!/usr/bin/env bash
# --replay and /replay: a session saved from the demo (.jsonl and .txt)
# replays against the same scenario with no differences and the same lines
# sent (message lines unstuffed and stuffed again); against a changed
# scenario the differing reply is shown; a plain command list replays.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
sent() { grep -E '^ (->|~>) ' "$1"; }

printf '%s\n' 'EHLO me.example' 'MAIL FROM:<a@example.org>' 'RCPT TO:<student@demo.test>' \
	'DATA' 'From: <a@example.org>' 'Date: Mon, 7 Jul 2025 09:30:00 +0000' 'Message-ID: <r@example.org>' \
	'Subject: replay' '' '.a line starting with a dot' '.' 'QUIT' > "$tmp/in"
for ext in jsonl txt; do
	timeout 30 "$bin" --batch --save "$tmp/s.$ext" < "$tmp/in" > "$tmp/orig.$ext" 2>&1 || fail "saving $ext"
	timeout 30 "$bin" --batch --replay "$tmp/s.$ext" < /dev/null > "$tmp/re.$ext" 2>&1 || fail "replay $ext: exit $?"
	grep -q "^=== replay of $tmp/s.$ext done: 12 lines run, 6 replies compared, no differences$" "$tmp/re.$ext" ||
		fail "replay $ext: $(grep replay "$tmp/re.$ext")"
	diff <(sent "$tmp/orig.$ext") <(sent "$tmp/re.$ext") > /dev/null || fail "replay $ext sent other lines"
	grep -q '^!!!' "$tmp/re.$ext" && fail "replay $ext: warnings"
done

# The same session against a changed server: the RCPT reply differs.
printf '%s\n' '[scenario changed]' 'title: Changed' 'lesson: RCPT refused.' '[on RCPT]' \
	'reply: 550 5.1.1 <{arg}>: no such user' > "$tmp/changed.scn"
timeout 30 "$bin" --batch --demo "$tmp/changed.scn" --replay "$tmp/s.jsonl" < /dev/null > "$tmp/diff.out" 2>&1
grep -q '^!!! replay step 3 (RCPT TO:<student@demo.test>): saved "250 2.1.5 Recipient <student@demo.test> ok", now "550 5.1.1 <student@demo.test>: no such user"$' "$tmp/diff.out" ||
	fail "no difference shown: $(grep replay "$tmp/diff.out")"
grep -q '^!!! replay of .* done: 12 lines run, 6 replies compared, 3 differences$' "$tmp/diff.out" ||
	fail "summary: $(grep 'replay of' "$tmp/diff.out")"

# Replayed against a server that refuses DATA: the saved message lines are
# held back up to the lone ".", never sent as commands, and the replay goes
# on after it (issue 12).
printf '%s\n' '[scenario nodata]' 'title: No DATA' 'lesson: DATA refused.' '[on DATA]' \
	'reply: 554 5.5.1 no valid recipients' > "$tmp/nodata.scn"
timeout 30 "$bin" --batch --demo "$tmp/nodata.scn" --replay "$tmp/s.jsonl" < /dev/null > "$tmp/nodata.out" 2>&1
grep -q '^!!! DATA got no 354, so the message was not sent' "$tmp/nodata.out" || fail "refused DATA not said: $(cat "$tmp/nodata.out")"
grep -q '^=== the lone "." ends the held-back message: 6 lines not sent' "$tmp/nodata.out" ||
	fail "held-back count: $(grep held "$tmp/nodata.out")"
sent "$tmp/nodata.out" | grep -qE 'Subject: replay|a line starting with a dot|^ -> \.$' &&
	fail "message lines sent as commands: $(sent "$tmp/nodata.out")"
sent "$tmp/nodata.out" | tail -1 | grep -q '^ -> QUIT$' || fail "the replay did not go on after the dot"
grep -q 'reply to SUBJECT' "$tmp/nodata.out" && fail "a message line answered as a command"

# A plain command list, and /replay typed in a session, then more input.
printf '# a list\nEHLO list.example\n\nNOOP\n' > "$tmp/list"
out=$(printf '/replay %s\nRSET\n' "$tmp/list" | timeout 30 "$bin" --batch 2>&1)
grep -q '^=== replay of .* done: 2 lines run, 0 replies compared, no differences$' <<<"$out" || fail "list: $out"
grep -q '^ -> NOOP$' <<<"$out" && grep -q '^ -> RSET$' <<<"$out" || fail "list lines: $out"
[ "$(grep -n '^ -> RSET' <<<"$out" | cut -d: -f1)" -gt "$(grep -n 'replay of' <<<"$out" | cut -d: -f1)" ] ||
	fail "typed lines should wait for the replay"
out=$(printf '/replay %s/none.jsonl\n' "$tmp" | timeout 30 "$bin" --batch 2>&1)
grep -q '^\*\*\* cannot read .*none.jsonl: No such file' <<<"$out" || fail "missing file: $out"
echo "replay: ok"
