#!/usr/bin/env bash
# Line mode against the hostile server (hostile_server.py): invalid reply
# codes in every position, premature final lines, oversized replies,
# unsolicited replies, cut and silent and slow servers, hostile STARTTLS
# answers, invalid UTF-8, terminal escapes, AUTH answered 250, and DATA
# refused with message lines behind it (issue 12).
#
# Every check prints one line, "PASS SCENARIO: check" or "FAIL SCENARIO:
# check: what was seen"; after a scenario with a failure its transcript is
# shown (long lines cut).  Every run is bounded: smtpscope under `timeout`
# (HOSTILE_TIMEOUT, default 20 s) with --timeout 3, the server under its own
# deadline.  HOSTILE_ONLY=REGEX runs only the scenarios whose name matches.
#
# Every check passes since the fixes of issue 12; a FAIL is a regression.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }
srv=$here/hostile_server.py
limit=${HOSTILE_TIMEOUT:-20}
only=${HOSTILE_ONLY:-}
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
npass=0 nfail=0 runs=0 failed_runs=
# Newer smtpscope waits for the reply to the final dot apart (--dot-timeout,
# default 600 s): bound that wait too, where the option exists.
dotopt=
"$bin" --help 2>&1 | grep -q -- '--dot-timeout' && dotopt=--dot-timeout
dot_wait() { [ -z "$dotopt" ] || echo "$dotopt $1"; }

# The lines of a whole session up to the message; what a message holds:
# a header, an empty line, a line that looks like a command, a dot-stuffed
# line, the lone dot.
EHLO='EHLO client.test\n'
MAIL='MAIL FROM:<a@client.test>\n'
RCPT='RCPT TO:<b@hostile.test>\n'
MSG='Subject: hostile test\n\nRSET\n.leading dot\n.\n'
# The recipient summary of a delivered message.
DELIVERED='^=== +accepted |^=== recipients: [1-9][0-9]* accepted'
export HOSTILE_PW=Hx7pwQ9z  # never in a transcript

# ---- running one scenario ----------------------------------------------

# session NAME SCENARIO INPUT [smtpscope options]: serve SCENARIO once, pipe
# INPUT (printf %b) into smtpscope; sets out (the file), status, log (the
# server's), elapsed (s).  FEED_DELAY=S: one input line every S seconds.
session() {
	local scen=$2 input=$3 port i t0
	name=$1; shift 3
	runs=$((runs + 1)); run_failed=0
	rm -f "$tmp/$name.port"
	"$py" "$srv" "$tmp/$name.port" "$scen" 2>"$tmp/$name.srv-err" &
	srvpid=$!
	for i in $(seq 1 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.05; done
	port=$(cat "$tmp/$name.port" 2>/dev/null)
	out=$tmp/$name.out log=$tmp/$name.port.log
	t0=$(date +%s%N)
	# shellcheck disable=SC2046 # dot_wait gives two words or none
	feed "$input" | timeout -k 5 "$limit" "$bin" --batch --timeout 3 $(dot_wait 3) "$@" "127.0.0.1:$port" >"$out" 2>&1
	status=$?
	elapsed=$((($(date +%s%N) - t0) / 1000000000))
	kill "$srvpid" 2>/dev/null; wait "$srvpid" 2>/dev/null
	check_common
}
feed() {
	if [ -z "${FEED_DELAY:-}" ]; then printf '%b' "$1"; return; fi
	printf '%b' "$1" | while IFS= read -r l; do sleep "$FEED_DELAY"; printf '%s\n' "$l"; done
}
want_run() { [ -z "$only" ] || [[ $1 =~ $only ]]; }

pass() { echo "PASS $name: $1"; npass=$((npass + 1)); }
fail() {
	echo "FAIL $name: $1${2:+: $2}"; nfail=$((nfail + 1))
	[ "$run_failed" = 1 ] || failed_runs="$failed_runs $name"; run_failed=1
}
# show: the transcript of a scenario that failed a check, lines cut at 200.
show() {
	[ "$run_failed" = 1 ] || return 0
	echo "    --- transcript of $name (exit $status) ---"
	if [ "$(wc -l < "$out")" -le 80 ]; then
		cut -c1-200 "$out" | sed 's/^/    | /'
	else # the start, the notes, the end
		head -n 20 "$out" | cut -c1-200 | sed 's/^/    | /'
		echo "    | ... ($(wc -l < "$out") lines; the notes and warnings among them:)"
		sed -n '21,$p' "$out" | head -n -20 | grep -aE '^(!!!|===|\*\*\*|  # )' | head -n 20 |
			cut -c1-200 | sed 's/^/    | /'
		echo "    | ... (the last 20 lines:)"
		tail -n 20 "$out" | cut -c1-200 | sed 's/^/    | /'
	fi
	echo "    --- what the server read ---"
	cut -c1-120 "$log" 2>/dev/null | head -n 20 | sed 's/^/    | /'
}

# has LABEL ERE / lacks LABEL ERE: the transcript matches (does not match).
has() {
	if grep -qaE -- "$2" "$out"; then pass "$1"; else fail "$1" "no line matches /$2/"; fi
}
lacks() {
	local hit
	hit=$(grep -aE -m1 -- "$2" "$out" | cut -c1-160)
	if [ -z "$hit" ]; then pass "$1"; else fail "$1" "\"$hit\""; fi
}
# status_is LABEL N...: the exit status is one of N...
status_is() {
	local label=$1 s; shift
	for s in "$@"; do [ "$status" = "$s" ] && { pass "$label (exit $status)"; return; }; done
	fail "$label" "exit $status, want $*"
}
# The server read these as commands (log lines "CMD ...").
cmds_after() { # cmds_after VERB: the command lines read after the first VERB
	awk -v v="CMD $1" 'seen && /^CMD /{print substr($0, 5)} index($0, v) == 1 {seen = 1}' "$log"
}
# The explanation line ("  # ...") of the reply tagged {TAG}.
explanation_of() {
	awk -v t="{$1}" 'f && /^  # /{print; exit} /^<[-~]  / && index($0, t) {f = 1}' "$out"
}

# Checks every run gets: bounded, documented status, nothing raw, no
# internal value, in step with the server.
check_common() {
	local r
	if [ "$status" = 124 ] || [ "$status" = 137 ]; then
		fail "finished within ${limit} s" "killed by timeout"
	else
		pass "finished within ${limit} s (${elapsed} s)"
	fi
	case $status in 0|1|2|3|4|5|2[1-9]|30) pass "exit status is a documented one ($status)" ;;
		*) [ -n "${NEW_STATUS_OK:-}" ] && pass "exit status $status (a new one, see below)" ||
			fail "exit status is a documented one" "exit $status" ;; esac
	if r=$("$py" "$srv" rawcheck "$out"); then pass "no raw control byte on stdout"
	else fail "no raw control byte on stdout" "$r"; fi
	lacks "no internal value (-1, ?, (null)) shown" \
		'(^|[ (=:])-1([ ,.);]|$)|\(null\)|\[reply to \?\]|(while|first:|for) \?([ ),]|$)'
	lacks "no message line shown as a command's name" '\[reply to [^]]*:\]'
	if r=$("$py" "$srv" instep "$out"); then pass "transcript in step with the server (or says not)"
	else fail "transcript in step with the server (or says not)" "$r"; fi
}

# ---- the baseline: a well-behaved server passes every check ----------------

if want_run normal; then
	session normal normal "$EHLO$MAIL${RCPT}DATA\n${MSG}QUIT\n"
	status_is "delivered" 0
	has "delivered" "$DELIVERED"
	got=$(grep -c '^DATA ' "$log")
	[ "$got" = 5 ] && pass "the message read as DATA (4 lines and the dot)" || fail "the message read as DATA" "$got lines"
	show
fi

# ---- invalid reply codes in every position ------------------------------

# A reply without a valid code is neither a stage's success nor its
# refusal: README's exit status 30, "the server sent a malformed reply".
stage_status() { echo 30; }
tag_of() {
	case $1 in greeting) echo greeting ;; ehlo) echo EHLO ;; mail) echo MAIL ;;
		rcpt) echo RCPT ;; data) echo DATA ;; dot) echo DOT ;; esac
}
for pos in greeting ehlo mail rcpt data dot; do
	for code in 099 600 25O 2500 25 ABC none 199 999; do
		scen=badcode-$pos-$code
		want_run "$scen" || continue
		case $pos in
		greeting) input="$EHLO${MAIL}QUIT\n" ;;
		ehlo) input="${EHLO}QUIT\n" ;;
		mail) input="$EHLO${MAIL}QUIT\n" ;;
		rcpt) input="$EHLO$MAIL${RCPT}QUIT\n" ;;
		data|dot) input="$EHLO$MAIL${RCPT}DATA\n${MSG}QUIT\n" ;;
		esac
		NEW_STATUS_OK=$([ "$pos" = greeting ] && echo 1) session "$scen" "$scen" "$input"
		has "invalid code flagged malformed" '^!!! .*malformed'
		x=$(explanation_of "$(tag_of "$pos")")
		if [ -z "$x" ]; then
			fail "the reply explained" "no \"  # \" line after it"
		elif grep -qE '^  # [2-5][0-5][0-9]([ .]|$)|accepted|intermediate' <<<"$x"; then
			fail "not explained as a valid code or a success" "$x"
		else
			pass "not explained as a valid code or a success"
		fi
		if [ "$pos" = greeting ]; then
			has "called a malformed greeting" '[Mm]alformed greeting'
			if [ "$status" = 0 ] || [ "$status" = 21 ] || [ "$status" = 124 ]; then
				fail "exit status of its own: not 0, not 21 (refused greeting)" "exit $status"
			else
				pass "exit status of its own: not 0, not 21 (exit $status)"
			fi
		else
			status_is "not counted as success: the malformed-reply status" "$(stage_status "$pos")"
		fi
		if [ "$pos" = data ]; then
			got=$(cmds_after DATA | tr '\n' '|')
			if [ "$got" = "QUIT|" ]; then pass "no message line sent without a 354"
			else fail "no message line sent without a 354" "the server read after DATA: $got"; fi
		fi
		lacks "not shown as delivered" "$DELIVERED"
		show
	done
done

# ---- premature final lines ------------------------------------------------

if want_run premature-greeting; then
	session premature-greeting premature-greeting "$EHLO$MAIL${RCPT}QUIT\n"
	has "the extra lines are shown" '220-hostile.test premature'
	has "the MAIL reply is matched to MAIL" '\[reply to MAIL\]'
	show
fi
if want_run premature-ehlo; then
	session premature-ehlo premature-ehlo "$EHLO$MAIL${RCPT}QUIT\n"
	has "the extra lines are shown" '250-X-PREMATURE'
	has "the RCPT reply is matched to RCPT" 'recipient ok \{RCPT\}'
	show
fi

# ---- oversized replies ------------------------------------------------------

# The capability on the final line must be known: MAIL with BODY=8BITMIME
# is then not warned about.
BODY8="MAIL FROM:<a@client.test> BODY=8BITMIME\n"
if want_run long-line; then
	session long-line long-line "$EHLO$BODY8${RCPT}QUIT\n"
	lacks "final line kept: 8BITMIME known" 'did not advertise 8BITMIME'
	has "final line shown" '^<-  250 8BITMIME'
	has "the warning names the cut line (line 2)" '^!!! .*line 2\b'
	has "the MAIL reply is matched to MAIL" 'sender ok \{MAIL\}'
	lacks "the line printed cut as the parser keeps it (REPLY_MAX_LINE, 4096)" '.{8192}'
	show
fi
if want_run long-line-mail; then
	session long-line-mail long-line-mail "$EHLO$MAIL${RCPT}QUIT\n"
	has "the cut is warned about" '^!!! .*(longer|dropped|not kept)'
	has "the RCPT reply is matched to RCPT" 'recipient ok \{RCPT\}'
	lacks "the line printed cut as the parser keeps it (REPLY_MAX_LINE, 4096)" '.{8192}'
	show
fi
if want_run many-lines; then
	session many-lines many-lines "$EHLO$BODY8${RCPT}QUIT\n"
	lacks "final line kept: 8BITMIME known" 'did not advertise 8BITMIME'
	has "final line shown" '^<-  250 8BITMIME'
	# 10 000 lines; the parser keeps the first 255 and the last (reply.h):
	# 256 to 9999 dropped, and the warning must say so.
	has "the warning says which lines were dropped (256 to 9999)" '^!!! .*256[^0-9]{1,8}9[ ,.]?999\b'
	has "the MAIL reply is matched to MAIL" 'sender ok \{MAIL\}'
	show
fi
if want_run many-bytes; then
	session many-bytes many-bytes "$EHLO$BODY8${RCPT}QUIT\n"
	lacks "final line kept: 8BITMIME known" 'did not advertise 8BITMIME'
	has "final line shown" '^<-  250 8BITMIME'
	# 300 lines of 1000 octets: over 64 KiB at about line 66; everything
	# up to line 299 must be named.
	has "the warning says which lines were dropped (... to 299)" '^!!! .*[0-9]+[^0-9]{1,8}299\b'
	has "the MAIL reply is matched to MAIL" 'sender ok \{MAIL\}'
	show
fi

# ---- unsolicited replies ----------------------------------------------------

if want_run unsolicited-idle; then
	FEED_DELAY=0.7 session unsolicited-idle unsolicited-idle "$EHLO$MAIL${RCPT}QUIT\n"
	has "the unsolicited reply is shown" 'nobody asked \{NONE\}'
	has "it is called unsolicited" '(unsolicited|no command (was )?waiting|without a command waiting|more replies than commands)'
	has "the MAIL reply is matched to MAIL" 'sender ok \{MAIL\}'
	show
fi
if want_run unsolicited-burst; then
	session unsolicited-burst unsolicited-burst "$EHLO$MAIL${RCPT}QUIT\n"
	has "the unsolicited reply is shown" 'nobody asked \{NONE\}'
	show
fi

# ---- cut, silent and slow servers -----------------------------------------

if want_run nocrlf-greeting; then
	session nocrlf-greeting nocrlf-greeting "${EHLO}QUIT\n"
	status_is "connection lost" 4
	has "the partial line is shown" 'no line end \{greeting\}'
	has "the cut is said" '(middle of a reply|connection ended|closed)'
	show
fi
if want_run nocrlf-ehlo; then
	session nocrlf-ehlo nocrlf-ehlo "$EHLO${MAIL}QUIT\n"
	status_is "connection lost" 4
	has "the partial line is shown" '^<-  250 8BITMIME'
	has "the cut is said" '(middle of a reply|connection ended)'
	show
fi
if want_run silence; then
	session silence silence "${EHLO}QUIT\n"
	status_is "the server went silent" 4
	has "says no greeting came within 3 s" 'no reply to (the )?greeting within 3 s'
	[ "$elapsed" -le 15 ] && pass "gave up in time (${elapsed} s)" || fail "gave up in time" "${elapsed} s"
	show
fi
if want_run silence-ehlo; then
	session silence-ehlo silence-ehlo "$EHLO${MAIL}QUIT\n"
	status_is "the server went silent" 4
	has "says no EHLO reply came within 3 s" 'no reply to EHLO within 3 s'
	lacks "MAIL not sent" '^ -> MAIL'
	show
fi
if want_run slow-bytes; then
	# 8 octets at one a second: the timeout (3 s) counts from the last byte.
	session slow-bytes slow-bytes "${EHLO}QUIT\n"
	status_is "a slow but steady server is not a silent one" 0
	has "the greeting in one piece" '^<-  220 ok$'
	[ "$elapsed" -ge 7 ] && pass "the server did pace (${elapsed} s)" || fail "the server did pace" "${elapsed} s"
	show
fi
if want_run slow-dot; then
	# shellcheck disable=SC2046
	session slow-dot slow-dot "$EHLO$MAIL${RCPT}DATA\n${MSG}QUIT\n" --timeout 8 $(dot_wait 8)
	status_is "a reply 4 s after the dot is waited for (--timeout 8)" 0
	has "the reply after the dot matched" 'queued as HOSTILE \{DOT\}.*|\[reply to end of data\]'
	show
	name=slow-dot-timeout
	# shellcheck disable=SC2046
	session slow-dot-timeout slow-dot "$EHLO$MAIL${RCPT}DATA\n${MSG}QUIT\n" --timeout 2 $(dot_wait 2)
	status_is "no reply within 2 s after the dot: the server went silent" 4
	has "the timeout is said" 'within 2 s'
	lacks "the message not called delivered" "$DELIVERED"
	show
fi

# ---- STARTTLS answered with garbage, plaintext, a close --------------------

for scen in starttls-garbage starttls-plaintext starttls-silent starttls-close; do
	want_run "$scen" || continue
	session "$scen" "$scen" "$EHLO$MAIL${RCPT}QUIT\n" --starttls
	case $scen in
	starttls-garbage)
		status_is "a malformed reply, so no TLS" 30
		has "the garbage flagged malformed" '^!!! .*malformed' ;;
	starttls-plaintext)
		status_is "TLS failed (handshake)" 27
		has "the handshake failure is said" '^(~~~|\*\*\*) .*(handshake|TLS)' ;;
	starttls-silent)
		status_is "TLS failed or the server went silent" 27 4 ;;
	starttls-close)
		status_is "connection lost (or TLS failed)" 4 27 ;;
	esac
	got=$(cmds_after STARTTLS | tr '\n' '|')
	if [ -z "$got" ] || [ "$got" = "QUIT|" ]; then pass "nothing but QUIT sent in clear after STARTTLS"
	else fail "nothing but QUIT sent in clear after STARTTLS" "the server read: $got"; fi
	lacks "no plaintext MAIL after a failed STARTTLS" '^ -> MAIL'
	show
done

# A typed STARTTLS answered with garbage: no handshake, no TLS, and the
# reply counts as malformed (exit 30).
if want_run starttls-garbage-typed; then
	session starttls-garbage-typed starttls-garbage "${EHLO}STARTTLS\n${MAIL}QUIT\n"
	has "the garbage flagged malformed" '^!!! .*malformed'
	lacks "no TLS handshake after garbage" '^~~~ STARTTLS accepted'
	status_is "STARTTLS not accepted: a malformed reply" 30
	show
fi

# ---- invalid UTF-8, terminal escapes -----------------------------------------

if want_run utf8; then
	session utf8 utf8 "$EHLO$MAIL${RCPT}DATA\n${MSG}/explain MAIL\n/ladder\nQUIT\n"
	has "invalid bytes shown as \\xNN" '\\xff\\xfe'
	has "overlong and surrogate shown escaped" 'overlong \\xc0\\xaf surrogate \\xed\\xa0\\x80'
	has "8-bit octets flagged" '^!!! malformed reply: 8-bit'
	show
fi
if want_run escapes; then
	session escapes escapes \
		"$EHLO${MAIL}NOOP\n$RCPT/auth LOGIN alice\n/explain MAIL\n/explain -2\n/ladder\nQUIT\n" \
		--password-env HOSTILE_PW
	has "ESC shown as \\x1b" '\\x1b\[2J\\x1b\[H'
	has "OSC 52 shown escaped" '\\x1b\]52;c;ZXZpbA==\\x07'
	has "raw C1 shown escaped" '\\x9b31m'
	has "C1 as UTF-8 shown escaped" '\\u\{009b\}32m'
	has "bare CR shown escaped" 'bare\\rCR'
	has "the 334 challenge decoded, escaped" '\\x1b\[2J\\x1b\]52'
	show
fi

# ---- AUTH answered 250 instead of 235 -------------------------------------

for scen in auth-250-at-once auth-250-after-exchange; do
	for mech in LOGIN PLAIN; do
		want_run "$scen" || continue
		session "$scen-$mech" "$scen" \
			"$EHLO/auth $mech alice\nQUIT\n" --password-env HOSTILE_PW
		lacks "not authenticated" 'authenticated as|[Aa]uthentication succeeded'
		has "called a protocol violation (AUTH success is 235)" '^!!! .*(protocol violation|235)'
		status_is "AUTH failed" 28
		got=$(cmds_after AUTH | head -n 1)
		case $got in
		MAIL*|QUIT*|"") pass "no SASL response sent without a 334" ;;
		*) [ "$scen" = auth-250-at-once ] && fail "no SASL response sent without a 334" "the server read \"$got\"" ||
			pass "no SASL response sent without a 334" ;;
		esac
		grep -qaF "$HOSTILE_PW" "$out" && fail "the password never printed" || pass "the password never printed"
		show
	done
done
if want_run auth-250-typed; then
	session auth-250-typed auth-250-at-once \
		"${EHLO}AUTH PLAIN AGFsaWNlAHNlY3JldA==\nQUIT\n"
	lacks "not authenticated" 'authenticated as|[Aa]uthentication succeeded'
	has "called a protocol violation (AUTH success is 235)" '^!!! .*(protocol violation|235)'
	status_is "AUTH failed" 28
	show
fi

# ---- DATA refused, message lines behind it ----------------------------------

for scen in data-refused-554 data-refused-451 data-refused-503 data-answered-250 data-refused-slow; do
	want_run "$scen" || continue
	session "$scen" "$scen" "$EHLO$MAIL${RCPT}DATA\n${MSG}NOOP\nQUIT\n"
	got=$(cmds_after DATA | tr '\n' '|')
	if [ "$got" = "NOOP|QUIT|" ]; then
		pass "message lines held back, the lines after the lone dot sent"
	else
		fail "message lines held back, the lines after the lone dot sent" "the server read after DATA: $got"
	fi
	lacks "no message line sent" '^ -> (Subject: hostile test|RSET|\.{1,2}leading dot|\.)$'
	has "the user is told DATA was refused" 'DATA (was )?(refused|not accepted)'
	has "... and that the message was not sent" 'message (was )?not sent'
	status_is "DATA refused" 25
	show
done

echo "hostile: $npass passed, $nfail failed in $runs runs"
[ -z "$failed_runs" ] || echo "hostile: runs with a failure:$failed_runs"
[ "$nfail" -eq 0 ]
