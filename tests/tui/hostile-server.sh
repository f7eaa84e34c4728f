#!/usr/bin/env bash
# The terminal UI against the hostile server (tests/integration/
# hostile_server.py, issue 12): every scenario family of
# tests/integration/hostile.sh (line mode) runs here in the TUI too, at
# least one representative each:
#   invalid reply codes, 2-3 per position (greeting, EHLO, MAIL, RCPT,
#   DATA, after the dot); premature final lines (greeting, EHLO); a 100 KiB
#   line, 10 000 lines and 300 KiB in one EHLO reply; unsolicited replies
#   (idle, in the same write); a reply cut without CRLF (greeting, EHLO);
#   silence (--timeout 3); a greeting at one byte a second; a reply 4 s
#   after the dot (waited for, and --dot-timeout 2 giving up); the four
#   hostile STARTTLS answers with --starttls, and garbage to a typed
#   STARTTLS; invalid UTF-8; terminal escapes in every reply (and in a 334
#   challenge); AUTH LOGIN/PLAIN answered 250 (at once, after the
#   exchange, typed); DATA refused (554, 451, 503, answered 250, and a slow
#   refusal with the message typed behind it).
# Every run gets the common checks: the pane shows no raw control byte
# (no C0/C1, DEL, U+FFFD or bidi control in capture-pane -p, and the
# first row is still the pane title); no internal value on the screen (-1,
# "?" as a command name, "[reply to ?]", no message line shown as a
# command); the session saved with /save is free of raw bytes and internal
# values and in step with the server (hostile_server.py instep); the shell
# prompt is back and the alternate screen left after /quit.  Each run adds
# what hostile.sh asserts for its scenario in line mode, as far as the
# screen (or the server's log) shows it: the TUI has no exit status, so
# "exit 30 / 4 / 25 / 28" becomes what the transcript, the explanation
# pane or the status bar say.
#
# In the TUI a line typed after a refusal is shown is a command by
# design; only lines typed ahead of the reply are held back (the slow
# refusal below), so the fast DATA refusals check that nothing at all
# follows DATA on the wire, then NOOP alone.
#
# Every check prints "ok   ..." or "FAIL ...", as the other TUI tests do;
# each smtpscope runs in its own private tmux (200x50 unless said), each
# wait is bounded (lib.sh), the server has its own deadline.  The whole
# test takes about 50 s (measured with a CI build running beside it).
#
# Every check passes since the fixes of issue 12; a FAIL is a regression.
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: /usr/bin/python3 missing"; exit 77; }
srvpy=$here/../integration/hostile_server.py
t_start=$SECONDS

# serve SCENARIO [RUN]: the hostile server for one connection; sets port, log.
serve() {
	local i pf=$tmp/${2:-$1}.port
	rm -f "$pf"
	"$py" "$srvpy" "$pf" "$1" 2>/dev/null &
	for i in $(seq 1 100); do [ -s "$pf" ] && break; sleep 0.05; done
	port=$(cat "$pf") log=$pf.log
}
ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; [ -z "${2:-}" ] || printf '%s\n' "$2" | sed 's/^/    | /'; fails=$((fails + 1)); }
# never NAME ERE: the screen, now, has no line matching ERE.
never() {
	local hit
	hit=$(screen | grep -E -m1 -- "$2")
	if [ -z "$hit" ]; then ok "$1"; else bad "$1: \"$hit\" on the screen"; screen | sed 's/^/    | /'; fi
}
# shows NAME ERE: within the bounded wait, a line of the screen matches ERE.
shows() {
	local i
	for i in $(seq 1 50); do
		screen | grep -qE -- "$2" && { ok "$1"; return 0; }
		sleep 0.1
	done
	bad "$1: no line matches /$2/" "$(screen)"
}
# no_raw NAME: nothing in the pane a raw byte would leave (C0, C1, U+FFFD,
# bidi controls), and the pane's first row is still its title.
no_raw() {
	local r
	screen > "$tmp/capture"
	if r=$("$py" "$srvpy" rawcheck "$tmp/capture"); then ok "$1: no raw byte in the pane"
	else bad "$1: no raw byte in the pane: $r"; fi
	if head -1 "$tmp/capture" | grep -qE "^ (Session|Ladder)"; then ok "$1: first row still the pane title"
	else bad "$1: the screen was moved or cleared" "$(cat "$tmp/capture")"; fi
}
# The internal values hostile.sh looks for, and a message line shown as
# the name of a command.
internal='\[reply to \?\]|(while|first:|for|to) \?([ ),]|$)|(^|[ (=:])-1([ ,.);]|$)|\(null\)'
common() { # the checks of the screen after every scenario
	no_raw "$1"
	never "$1: no internal value (-1, ?) shown" "$internal"
	never "$1: no message line shown as a command" '\[reply to [^]]*:\]'
}
sent_after() { # the command lines the server read after the first VERB
	awk -v v="CMD $1" 'seen && /^CMD /{print substr($0, 5)} index($0, v) == 1 {seen = 1}' "$log" | tr '\n' '|'
}
# read_after NAME VERB WANT...: what the server read as commands after
# VERB ("A|B|") is one of WANT.
read_after() {
	local label=$1 verb=$2 got w; shift 2
	got=$(sent_after "$verb")
	for w in "$@"; do [ "$got" = "$w" ] && { ok "$label"; return 0; }; done
	bad "$label: the server read after $verb: \"$got\""
}
# The session pane of the screen: each row cut at the pane border.
session_pane() { screen | sed 's/│.*//'; }
# explained_ok NAME TAG: the explanation ("  # ...") of the reply tagged
# {TAG} calls it neither a valid code nor a success.
explained_ok() {
	local x
	x=$(session_pane | awk -v t="{$2}" 'f && /^  # /{print; exit} /^<[-~]  / && index($0, t) {f = 1}')
	if [ -z "$x" ]; then bad "$1: the {$2} reply explained: no \"  # \" line after it" "$(session_pane)"
	elif grep -qE '^  # [2-5][0-5][0-9]([ .]|$)|accepted|intermediate' <<<"$x"; then
		bad "$1: not explained as a valid code or a success: $x"
	else ok "$1: not explained as a valid code or a success"; fi
}

# ---- one run: a server, a pane, lines typed, the checks --------------------

W=200 H=50
# begin RUN SCENARIO [OPTIONS...]: SCENARIO served once, smtpscope in a
# fresh W x H pane connected to it (OPTIONS before the address).
begin() {
	run=$1; file=$(printf '%s' "$1" | tr -c 'A-Za-z0-9-' '_'); serve "$2" "$file"; shift 2
	start "$W" "$H" "$@" "127.0.0.1:$port"
}
# step LINE [TEXT]: type LINE, then wait (bounded) until TEXT shows; a
# FAIL if it never does (the checks after it would be moot).
step() {
	type_line "$1"
	[ -z "${2:-}" ] || wait_for "$2" ||
		bad "$run: \"$2\" on the screen after typing \"$1\"" "$(session_pane | grep -v '^ *$')"
}
# wait_long TEXT: as wait_for, three times as long (a server that paces).
wait_long() { wait_for "$1" || wait_for "$1" || wait_for "$1"; }
# end_run: the common checks of the screen, the session saved and
# checked as hostile.sh checks line mode's stdout, /quit, the terminal
# restored.
end_run() {
	local r f=$tmp/$file.txt
	saved=$f
	common "$run"
	type_line "/save $f"
	if wait_for "events to $f"; then
		if r=$("$py" "$srvpy" rawcheck "$f"); then ok "$run: no raw byte in the saved session"
		else bad "$run: no raw byte in the saved session: $r"; fi
		r=$(grep -aE -m1 -- "$internal|\[reply to [^]]*:\]" "$f" | cut -c1-160)
		if [ -z "$r" ]; then ok "$run: no internal value in the saved session"
		else bad "$run: no internal value in the saved session: \"$r\""; fi
		if r=$("$py" "$srvpy" instep "$f"); then ok "$run: saved session in step with the server (or says not)"
		else bad "$run: saved session in step with the server (or says not): $r"; fi
	else
		bad "$run: /save wrote the session" "$(session_pane | tail -n 5)"
	fi
	quit_and_check_restored "$run"
}
EHLO='EHLO client.test' MAIL='MAIL FROM:<a@client.test>' RCPT='RCPT TO:<b@hostile.test>'
BODY8='MAIL FROM:<a@client.test> BODY=8BITMIME'
# The recipient summary of a delivered message.
DELIVERED='^=== +accepted |^=== recipients: [1-9][0-9]* accepted'

# ---- invalid reply codes in every position ---------------------------------

for rc in greeting-2500 greeting-600 greeting-none ehlo-25O ehlo-099 ehlo-2500 mail-2500 mail-ABC \
	rcpt-600 rcpt-25 data-25O data-199 dot-2500 dot-999; do
	pos=${rc%%-*} code=${rc#*-}
	begin "badcode $pos $code" "badcode-$rc"
	wait_for '{greeting}' || bad "$run: the greeting shown" "$(session_pane)"
	case $pos in
	greeting)
		step "$EHLO" "[reply to EHLO]"
		step "$MAIL" "[reply to MAIL]"
		expect "$run: called a malformed greeting" '!!! malformed greeting'
		explained_ok "$run" greeting ;;
	ehlo)
		step "$EHLO" "{EHLO}"
		explained_ok "$run" EHLO
		never "$run: EHLO not counted as done" 'ready \(EHLO done\)' ;;
	mail)
		step "$EHLO" "[reply to EHLO]"
		step "$MAIL" "{MAIL}"
		explained_ok "$run" MAIL
		never "$run: the sender not called accepted" '[Ss]ender accepted' ;;
	rcpt)
		step "$EHLO" "[reply to EHLO]"
		step "$MAIL" "[reply to MAIL]"
		step "$RCPT" "{RCPT}"
		explained_ok "$run" RCPT
		never "$run: the recipient not called accepted" '[1-9] recipients? accepted' ;;
	data)
		step "$EHLO" "[reply to EHLO]"
		step "$MAIL" "[reply to MAIL]"
		step "$RCPT" "[reply to RCPT]"
		step DATA "{DATA}"
		explained_ok "$run" DATA
		expect "$run: the user told the message was not sent" 'message was not sent'
		never "$run: the prompt is not in message mode" '^\[message\]'
		step NOOP "reply 250 to NOOP"
		read_after "$run: nothing but NOOP sent after DATA" DATA "NOOP|" ;;
	dot)
		step "$EHLO" "[reply to EHLO]"
		step "$MAIL" "[reply to MAIL]"
		step "$RCPT" "[reply to RCPT]"
		step DATA "[reply to DATA]"
		step "Subject: tui hostile"
		step ""
		step "." "{DOT}"
		explained_ok "$run" DOT
		never "$run: not shown as delivered" "$DELIVERED"
		expect "$run: the recipient summary says malformed" 'with a malformed reply' ;;
	esac
	expect "$run: flagged malformed" '!!! malformed reply'
	end_run
done

# ---- premature final lines ---------------------------------------------------

begin "premature greeting" premature-greeting
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$MAIL" "reply 250 to MAIL"
expect "$run: the extra lines shown" '220-hostile.test premature'
expect "$run: called a reply without a command" 'reply without a command waiting'
expect "$run: the MAIL reply matched to MAIL" 'sender ok {MAIL}'
end_run

begin "premature EHLO" premature-ehlo
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$MAIL" "reply 250 to MAIL"
step "$RCPT" "reply 250 to RCPT"
expect "$run: the extra lines shown" '250-X-PREMATURE'
expect "$run: the RCPT reply matched to RCPT" 'recipient ok {RCPT}'
end_run

# ---- oversized replies ---------------------------------------------------------

begin "long line" long-line
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$BODY8" "reply 250 to MAIL"
expect "$run: the final line shown" '<-  250 8BITMIME'
never "$run: BODY=8BITMIME not warned about" 'did not advertise 8BITMIME'
shows "$run: the warning names the cut line (line 2)" '^!!! .*\(line 2\)'
expect "$run: the MAIL reply matched to MAIL" 'sender ok {MAIL}'
end_run

# 10 000 lines: the parser keeps the first 255 and the last (reply.h).
begin "10 000 lines" many-lines
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$BODY8" "[reply to MAIL]"
# (not the status bar: 255 capabilities kept before it do not fit there)
expect "$run: the final line shown" '<-  250 8BITMIME'
never "$run: BODY=8BITMIME not warned about" 'did not advertise 8BITMIME'
shows "$run: the warning names lines 256 to 9999" '^!!! .*256[^0-9]{1,8}9[ ,.]?999\b'
expect "$run: the MAIL reply matched to MAIL" 'sender ok {MAIL}'
end_run

# 300 lines of 1000 octets: over 64 KiB at about line 66, named up to 299.
begin "many bytes" many-bytes
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$BODY8" "reply 250 to MAIL"
expect "$run: the final line shown" '<-  250 8BITMIME'
never "$run: BODY=8BITMIME not warned about" 'did not advertise 8BITMIME'
shows "$run: the warning says which lines were dropped (... to 299)" '^!!! .*[0-9]+[^0-9]{1,8}299\b'
expect "$run: the MAIL reply matched to MAIL" 'sender ok {MAIL}'
end_run

# ---- unsolicited replies -------------------------------------------------------

for scen in unsolicited-idle unsolicited-burst; do
	begin "$scen" "$scen"
	wait_for '{greeting}'
	step "$EHLO" "nobody asked {NONE}"  # idle: 0.3 s after the EHLO reply
	step "$MAIL" "reply 250 to MAIL"
	expect "$run: called a reply without a command" 'reply without a command waiting'
	expect "$run: the MAIL reply matched to MAIL" 'sender ok {MAIL}'
	end_run
done

# ---- cut, silent and slow servers ----------------------------------------------

begin "no CRLF (greeting)" nocrlf-greeting
expect "$run: the partial line shown" 'no line end {greeting}'
expect "$run: the cut is said" 'in the middle of a reply'
expect "$run: the status bar says disconnected" '| disconnected |'
step "$EHLO" "not connected, nothing sent"
if grep -q '^CMD' "$log"; then bad "$run: nothing sent after the cut: the server read $(grep '^CMD' "$log" | head -1)"
else ok "$run: nothing sent after the cut"; fi
end_run

begin "no CRLF (EHLO)" nocrlf-ehlo
wait_for '{greeting}'
step "$EHLO" '| disconnected |'
expect "$run: the partial line shown" '<-  250 8BITMIME'
expect "$run: the cut is said" 'in the middle of a reply'
step "$MAIL" "not connected, nothing sent"
read_after "$run: nothing sent after EHLO" EHLO ""
end_run

begin "silence" silence --timeout 3
t0=$SECONDS
expect "$run: says no greeting came within 3 s" 'no reply to greeting within 3 s'
expect "$run: the status bar says disconnected" '| disconnected |'
[ $((SECONDS - t0)) -le 10 ] && ok "$run: gave up in time ($((SECONDS - t0)) s)" ||
	bad "$run: gave up in time: $((SECONDS - t0)) s"
end_run

# 8 octets at one a second: the timeout (3 s) counts from the last byte.
begin "slow bytes" slow-bytes --timeout 3
t0=$SECONDS
if wait_long '[reply to greeting]'; then ok "$run: the greeting waited for"
else bad "$run: the greeting waited for" "$(session_pane)"; fi
[ $((SECONDS - t0)) -ge 6 ] && ok "$run: the server did pace ($((SECONDS - t0)) s)" ||
	bad "$run: the server did pace: $((SECONDS - t0)) s"
shows "$run: the greeting in one piece" '^<-  220 ok +(│|$)'
never "$run: a slow but steady server is not a silent one" 'within 3 s'
step "$EHLO" "reply 250 to EHLO"
expect "$run: still connected" '| connected |'
end_run

begin "slow dot" slow-dot --timeout 8 --dot-timeout 8
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$MAIL" "[reply to MAIL]"
step "$RCPT" "[reply to RCPT]"
step DATA "[reply to DATA]"
step "Subject: tui hostile"
step ""
type_line "."
expect "$run: the status line says the reply to the dot is awaited" 'message sent: waiting'
expect "$run: the reply 4 s after the dot matched" 'reply 250 to end of data'
shows "$run: shown as delivered" "$DELIVERED"
end_run

begin "slow dot, 2 s" slow-dot --timeout 2 --dot-timeout 2
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$MAIL" "[reply to MAIL]"
step "$RCPT" "[reply to RCPT]"
step DATA "[reply to DATA]"
step "Subject: tui hostile"
step ""
step "."
expect "$run: the timeout is said" 'within 2 s'
never "$run: the message not called delivered" "$DELIVERED"
end_run

# ---- STARTTLS answered with garbage, plaintext, silence, a close ----------------

for scen in starttls-garbage starttls-plaintext starttls-silent starttls-close; do
	begin "$scen" "$scen" --starttls --timeout 3
	wait_for '{greeting}'
	step "$EHLO" "-> STARTTLS"
	case $scen in
	starttls-garbage)
		expect "$run: the garbage flagged malformed" '!!! malformed reply'
		expect "$run: the connection closed, STARTTLS not accepted" 'did not accept STARTTLS' ;;
	starttls-plaintext)
		expect "$run: the handshake failure is said" '*** TLS handshake FAILED' ;;
	starttls-silent)
		expect "$run: the stalled handshake is said" 'handshake did not finish within 3 s' ;;
	starttls-close)
		expect "$run: the close is said" 'closed the connection while STARTTLS was waiting' ;;
	esac
	expect "$run: the status bar says disconnected, no TLS" '| disconnected | no TLS |'
	step "$MAIL" "not connected, nothing sent"
	never "$run: no plaintext MAIL after a failed STARTTLS" '^ -> MAIL'
	read_after "$run: nothing sent in clear after STARTTLS" STARTTLS "" "QUIT|"
	end_run
done

# A typed STARTTLS answered with garbage: no handshake, no TLS.
begin "STARTTLS garbage, typed" starttls-garbage
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step STARTTLS "[reply to STARTTLS]"
expect "$run: the garbage flagged malformed" '!!! malformed reply'
explained_ok "$run" STARTTLS
never "$run: no TLS handshake after garbage" '~~~ STARTTLS accepted'
expect "$run: the status bar says no TLS" '| connected | no TLS |'
end_run

# ---- invalid UTF-8 -----------------------------------------------------------------

begin "utf8" utf8
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$MAIL" "[reply to MAIL]"
step "$RCPT" "[reply to RCPT]"
step DATA "[reply to DATA]"
step "Subject: tui hostile"
step ""
step "." "reply 250 to end of data"
expect "$run: invalid bytes shown as \\xNN" 'caf\xc3 \x80\xff\xfe'
# The status bar's capabilities are escaped once, as the transcript is.
expect "$run: capabilities escaped once on the status bar" 'caps: X-\xff\xfe'
expect_not "$run: capabilities not escaped twice" 'caps: X-\\xff'
expect "$run: overlong and surrogate shown escaped" 'overlong \xc0\xaf surrogate \xed\xa0\x80'
expect "$run: a valid é shown as é" '{EHLO} café'
expect "$run: 8-bit octets flagged" '!!! malformed reply: 8-bit'
step "/explain MAIL" "=== Defined in:"
no_raw "$run (/explain MAIL)"
tm send-keys F7
expect "$run: ladder view drawn" " Ladder"
no_raw "$run (ladder)"
tm send-keys F7
wait_for " Session"
end_run

# ---- terminal escapes in every reply ---------------------------------------------

# 120x40: the escaped lines wrap there, and each check looks for a piece of one.
W=120 H=40 begin "escapes" escapes
expect "$run: greeting shown escaped" '<-  220 \x1b[2J\x1b[H \x1b]0;pwned\x07'
step "$EHLO" "[reply to EHLO]"
step "$MAIL" "[reply to MAIL]"
step NOOP "[reply to NOOP]"
step "$RCPT" '<-  550 5.1.1'
expect "$run: the RCPT reply shown escaped" '<-  550 5.1.1 \x1b[2J'
expect "$run: OSC 52 shown escaped" '\x1b]52;c;ZXZpbA==\x07'
expect "$run: raw C1 shown escaped" '\x9b31m'
expect "$run: C1 as UTF-8 shown escaped" '\u{009b}32m'
expect "$run: bare CR shown escaped" 'bare\rCR'
expect "$run: status bar intact" "| connected |"
step "/auth LOGIN alice" "password (hidden):"
step "Pw-tui-hostile-9" '<-  535 5.7.8'
expect "$run: the 334 challenge decoded, escaped" '[base64: "\x1b[2J\x1b]52'
if screen | grep -qF "Pw-tui-hostile-9"; then bad "$run: the password is on the screen"
else ok "$run: the password is not on the screen"; fi
common "$run"
title=$(tm display -p '#{pane_title}')
case $title in *pwned*) bad "$run: the window title changed: $title" ;; *) ok "$run: window title untouched" ;; esac
if tm show-buffer >/dev/null 2>&1; then bad "$run: OSC 52 reached the clipboard: $(tm show-buffer)"
else ok "$run: clipboard untouched"; fi
type_line /ladder
expect "$run: ladder view drawn" "client"
no_raw "$run (ladder)"
tm send-keys F7
wait_for " Session"
end_run

# ---- AUTH answered 250 instead of 235 ------------------------------------------

for scen in auth-250-at-once auth-250-after-exchange; do
	for mech in LOGIN PLAIN; do
		begin "$scen $mech" "$scen"
		wait_for '{greeting}'
		step "$EHLO" "[reply to EHLO]"
		step "/auth $mech alice" "password (hidden):"
		step "Pw-tui-hostile-9" "{AUTH}"
		expect "$run: called a protocol violation (AUTH success is 235)" 'AUTH succeeds only with 235'
		expect "$run: 250 does not authenticate" 'so 250 does not authenticate'
		never "$run: not authenticated" 'authenticated as|[Aa]uthentication succeeded'
		[ "$scen" = auth-250-after-exchange ] ||
			read_after "$run: no SASL response sent without a 334" AUTH ""
		if screen | grep -qF "Pw-tui-hostile-9"; then bad "$run: the password is on the screen"
		else ok "$run: the password is not on the screen"; fi
		end_run
		if grep -qF "Pw-tui-hostile-9" "$saved"; then bad "$run: the password is in the saved session"
		else ok "$run: the password is not in the saved session"; fi
	done
done

begin "AUTH 250, typed" auth-250-at-once
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "AUTH PLAIN AGFsaWNlAHNlY3JldA==" "{AUTH}"
expect "$run: called a protocol violation (AUTH success is 235)" 'AUTH succeeds only with 235'
never "$run: not authenticated" 'authenticated as|[Aa]uthentication succeeded'
end_run

# ---- DATA refused (or answered 250) --------------------------------------------

for scen in data-refused-554 data-refused-451 data-refused-503 data-answered-250; do
	begin "$scen" "$scen"
	wait_for '{greeting}'
	step "$EHLO" "[reply to EHLO]"
	step "$MAIL" "[reply to MAIL]"
	step "$RCPT" "[reply to RCPT]"
	step DATA "to DATA (newest)"
	expect "$run: the user told DATA was refused" 'DATA was refused'
	expect "$run: ... and that the message was not sent" 'message was not sent'
	never "$run: the prompt is not in message mode" '^\[message\]'
	never "$run: not shown as delivered" "$DELIVERED"
	step NOOP "reply 250 to NOOP"
	read_after "$run: nothing but NOOP sent after DATA" DATA "NOOP|"
	end_run
done

# The server answers DATA after 1 s, so the message lines are typed (and
# queued) before the refusal is in.
begin "refused DATA, typed ahead" data-refused-slow
wait_for '{greeting}'
step "$EHLO" "[reply to EHLO]"
step "$MAIL" "[reply to MAIL]"
step "$RCPT" "[reply to RCPT]"
type_line "DATA"
type_line "Subject: tui hostile"
type_line ""
type_line "RSET"
type_line "."
type_line "NOOP"
expect "$run: the refusal shown" '<-  554 5.5.1 no valid recipients {DATA}'
expect "$run: NOOP after the lone dot answered" '[reply to NOOP]'
expect "$run: the user told the message was not sent" 'message was not sent'
never "$run: no message line sent" '^ -> (Subject: tui hostile|RSET|\.) *(│|$)'
read_after "$run: the server read only NOOP after DATA" DATA "NOOP|"
never "$run: the prompt is not left in message mode" '^\[message\]'
end_run

echo "hostile-server (TUI): $((SECONDS - t_start)) s"
finish
