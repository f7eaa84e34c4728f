#!/usr/bin/env bash
# One-shot transactions, swaks-style (smtpscope --to ADDR ...), against the
# built-in demo server (`smtpscope serve`, its log of what it received)
# and a real aiosmtpd (aiosmtpd_server.py: the envelope and the content
# stored byte for byte), all on 127.0.0.1 (the MX case on 127.0.0.2/.3),
# DNS from a local zone file (tests/dns/insecure.conf), never the network.
# Each option is exercised and its effect asserted on the server's side,
# with the exit status: --to (a list, repeated), --from (and the null
# sender), --server, --port, --demo, --ehlo/--helo, every --quit-after stage,
# --protocol SMTP/LMTP/ESMTPSA/SSMTP, --starttls/--tls-optional/--tls
# (--tlsc), --auth (a list, a wrong password: 28, nothing after AUTH),
# --header (added, replacing ours), --body TEXT/@FILE/-, --attach (binary,
# decoded equal), --data TEXT/@FILE/- (as it is), --pipeline (one write;
# one at a time without PIPELINING), EHLO falling back to HELO, a refusal
# stopping the transaction with QUIT, --json (every line parsed), the MX
# of the first recipient, and the refusals of bad combinations (exit 2).
# A 50 MB --body @FILE is streamed: its peak RSS is within 4 MiB of a
# one-line message's.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
export SMTPSCOPE_HELPDIR=${SMTPSCOPE_HELPDIR:-$here/../../help}
py=/usr/bin/python3
if [ ! -x "$py" ] || ! "$py" -c 'import aiosmtpd.smtp' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 cannot import aiosmtpd (Debian package python3-aiosmtpd)"; exit 77
fi
start=$(date +%s.%N)
tmp=$(mktemp -d /tmp/smtpscope-oneshot.XXXXXX)
pids=
cleanup() {
	local p i
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	for p in $pids; do
		for i in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
. "$here/transcript-lib.sh"
limit=30
[ -n "${SMTPSCOPE_TEST_SLOW:-}" ] && limit=120

# oneshot NAME ARGS...: smtpscope with ARGS (standard input: $input, empty
# by default), in $tmp; sets $out and $status.
input=
oneshot() {
	local name=$1; shift
	n=$((n + 1))
	out=$(cd "$tmp" && printf '%s' "$input" | timeout "$limit" "$bin" "$@" 2>&1)
	status=$?
	printf '%s\n' "$out" > "$tmp/$name.out"
}
# serve NAME ADDR SCENARIO [ARGS...]: a demo server on a free port of ADDR;
# sets $port and its log $tmp/NAME.log.
serve() {
	local name=$1 addr=$2 scn=$3 i; shift 3
	"$bin" serve --listen "$addr:0" --scenario "$scn" "$@" > "$tmp/$name.log" 2>&1 &
	pids="$pids $!"
	for i in $(seq 1 600); do
		port=$(sed -n "s/.*listening on $addr:\([0-9]*\).*/\1/p" "$tmp/$name.log" | head -n 1)
		[ -n "$port" ] && return 0
		sleep 0.05
	done
	echo "FAIL: the demo server $name did not start"; cat "$tmp/$name.log"; exit 1
}
# got LOG: what the demo server received in its last connection, one
# command a line ("EHLO c.example", "QUIT", "<message>" for the content).
got() {
	local id
	id=$(sed -n 's/.*\[#\([0-9]*\) .*\] connected\( (implicit TLS)\)\{0,1\}$/\1/p' "$tmp/$1.log" | tail -n 1)
	sed -n "s/.*\[#$id [^]]*\] <- \(.*\)/\1/p; s/.*\[#$id [^]]*\] message of .*/<message>/p" "$tmp/$1.log"
}
# received NAME LOG WANT: the last connection received exactly WANT
# (commands separated by |), else a failure.
received() {
	local have id i
	# the server may log a connection's end after the client is gone
	id=$(sed -n 's/.*\[#\([0-9]*\) .*\] connected\( (implicit TLS)\)\{0,1\}$/\1/p' "$tmp/$2.log" | tail -n 1)
	for i in $(seq 1 50); do grep -q "\[#$id [^]]*\] closed" "$tmp/$2.log" && break; sleep 0.05; done
	have=$(got "$2" | paste -sd '|')
	n=$((n + 1))
	if [ "$have" = "$3" ]; then
		echo "ok   $1-received"
	else
		bad "$1" "the server received \"$have\", want \"$3\""
	fi
}

# ---- the demo server ------------------------------------------------------
serve demo 127.0.0.1 happy
demo=127.0.0.1:$port
common=(--from sender@client.test --ehlo c.example)

# (a) the whole transaction, the defaults of a composed message
oneshot basic --to user@demo.test --server "$demo" "${common[@]}"
expect basic 0 " -> EHLO c.example" " -> MAIL FROM:<sender@client.test>" \
	" -> RCPT TO:<user@demo.test>" "<-  354 " \
	"=== composed message, " "=== Subject: smtpscope test message" "=== To: user@demo.test" \
	"<-  250 2.0.0 Ok: queued as DEMO" " -> QUIT" "<-  221 "
received basic demo "EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT"

# --demo: the built-in demo server of this process, no MX lookup
oneshot demo --demo --to student@demo.test "${common[@]}"
expect demo 0 '=== built-in demo server (demo.test) on 127.0.0.1:' " -> RCPT TO:<student@demo.test>" \
	"<-  250 2.0.0 Ok: queued as DEMO"

# (b) each --quit-after stage (swaks' stop points), exit 0; with STARTTLS
# (the demo's certificate is its own: --insecure) and the port as -p
host=${demo%:*}
for stage in CONNECT BANNER FIRST-EHLO TLS EHLO MAIL RCPT DATA DOT; do
	oneshot "quit-$stage" --to user@demo.test -s "$host" -p "$port" "${common[@]}" --starttls \
		--insecure --quit-after "$stage"
	case $stage in
	CONNECT|BANNER) want="QUIT" ;;
	FIRST-EHLO) want="EHLO c.example|QUIT" ;;
	TLS) want="EHLO c.example|STARTTLS|QUIT" ;;
	EHLO) want="EHLO c.example|STARTTLS|EHLO c.example|QUIT" ;;
	MAIL) want="EHLO c.example|STARTTLS|EHLO c.example|MAIL FROM:<sender@client.test>|QUIT" ;;
	RCPT) want="EHLO c.example|STARTTLS|EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|QUIT" ;;
	DATA) want="EHLO c.example|STARTTLS|EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA" ;;
	DOT) want="EHLO c.example|STARTTLS|EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT" ;;
	esac
	case $stage in
	DATA) expect "quit-$stage" 0 "--quit-after DATA: closing the connection after the 354" ;;
	DOT) expect "quit-$stage" 0 "<~  250 2.0.0 Ok: queued as DEMO" ;;
	*) expect "quit-$stage" 0 "=== --quit-after " ;;
	esac
	received "quit-$stage" demo "$want"
done

# (c) --pipeline: MAIL, both RCPTs and DATA in one write
oneshot pipeline --to user@demo.test,second@demo.test -s "$demo" "${common[@]}" --pipeline
expect pipeline 0 "=== PIPELINING: 4 commands in one write" \
	"=== PIPELINING group: every reply matched to its command, in order: MAIL 250, RCPT 250, RCPT 250, DATA 354" \
	"<-  250 2.0.0 Ok: queued as DEMO"
received pipeline demo "EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|RCPT TO:<second@demo.test>|DATA|<message>|QUIT"

# (d) a refusal stops the transaction with QUIT: no DATA after a refused
# recipient (24), nothing after a refused greeting (21)
serve unknown 127.0.0.1 unknown-user
oneshot refused --to nobody@demo.test -s "127.0.0.1:$port" "${common[@]}"
expect refused 24 "=== one-shot transaction stopped: no recipient was accepted; sending QUIT" \
	"=== exit status 24: no recipient accepted"
received refused unknown "EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<nobody@demo.test>|QUIT"
oneshot partial --to student@demo.test,nobody@demo.test -s "127.0.0.1:$port" "${common[@]}"
expect partial 29 "=== exit status 29: some recipients were refused"
received partial unknown "EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<student@demo.test>|RCPT TO:<nobody@demo.test>|DATA|<message>|QUIT"
serve greeting 127.0.0.1 greeting-refused
oneshot greeting --to user@demo.test -s "127.0.0.1:$port" "${common[@]}"
expect greeting 21 "=== one-shot transaction stopped: the greeting was not 2xx; sending QUIT"
received greeting greeting "QUIT"

# (e) AUTH: the demo's submission server (student / secret); a list of
# mechanisms tried in the order given; a wrong password stops at AUTH
serve auth 127.0.0.1 auth
authport=$port
export ONESHOT_PW=secret ONESHOT_BAD=wrong
hidden="(AUTH response, not logged)"
oneshot auth --to user@demo.test -s "127.0.0.1:$port" "${common[@]}" --auth LOGIN,PLAIN \
	--auth-user student --password-env ONESHOT_PW
expect auth 0 "=== /auth: the server offers LOGIN, PLAIN of those named; trying them in that order" \
	" -> AUTH LOGIN" "=== authenticated as \"student\" with LOGIN" "<-  250 2.0.0 Ok: queued as DEMO"
received auth auth "EHLO c.example|AUTH LOGIN|$hidden|$hidden|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT"
oneshot auth-wrong --to user@demo.test -s "127.0.0.1:$port" "${common[@]}" -a PLAIN \
	--auth-user student --password-env ONESHOT_BAD
expect auth-wrong 28 "<-  535 " "=== one-shot transaction stopped: AUTH failed; sending QUIT" \
	"=== exit status 28: authentication failed"
received auth-wrong auth "EHLO c.example|AUTH PLAIN|$hidden|QUIT"
n=$((n + 1))
if grep -lF -e "$(printf '\0student\0secret' | base64 -w0)" -e "$(printf 'secret' | base64 -w0)" \
	-e "student secret" -e " secret" "$tmp"/auth*.out "$tmp"/esmtpsa.out; then
	echo "FAIL auth-no-secret: the password is in a transcript"; fail=$((fail + 1))
else
	echo "ok   auth-no-secret"
fi

# (f) ESMTPSA: EHLO, STARTTLS, EHLO, AUTH (the demo wants TLS first)
serve tlsreq 127.0.0.1 starttls-required
oneshot esmtpsa --to user@demo.test -s "127.0.0.1:$port" "${common[@]}" --protocol ESMTPSA \
	--auth-user student --password-env ONESHOT_PW --insecure
expect esmtpsa 0 "(insecure) === authenticated as \"student\" with PLAIN" "(insecure) <~  250 2.0.0 Ok: queued as DEMO"
received esmtpsa tlsreq "EHLO c.example|STARTTLS|EHLO c.example|AUTH PLAIN|$hidden|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT"
# --tls-optional where STARTTLS is offered: used
oneshot tlsopt --to user@demo.test -s "127.0.0.1:$port" "${common[@]}" --tls-optional --insecure
expect tlsopt 0 " -> STARTTLS" "(insecure) <~  250 2.0.0 Ok: queued as DEMO"
received tlsopt tlsreq "EHLO c.example|STARTTLS|EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT"

# (g) implicit TLS: --tls (and swaks' --tlsc) to the demo's TLS port
serve implicit 127.0.0.1 happy --tls-listen 127.0.0.1:0
tport=$(sed -n 's/.*implicit TLS on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/implicit.log")
for opt in --tls --tlsc; do
	oneshot "implicit$opt" --to user@demo.test -s "127.0.0.1:$tport" "${common[@]}" $opt --insecure
	expect "implicit$opt" 0 "~~~ implicit TLS: TLS handshake" "(insecure) <~  220 demo.test" \
		"(insecure) <~  250 2.0.0 Ok: queued as DEMO"
	received "implicit$opt" implicit "EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT"
done

# (h) --protocol SMTP sends HELO; EHLO refused: HELO after it, as swaks does
oneshot helo --to user@demo.test -s "$demo" --from sender@client.test --helo old.example --protocol SMTP
expect helo 0 " -> HELO old.example"
received helo demo "HELO old.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT"
serve noehlo 127.0.0.1 "$here/oneshot-noehlo.scn"
oneshot fallback --to user@old.test -s "127.0.0.1:$port" "${common[@]}"
expect fallback 0 "<-  502 5.5.2" "=== EHLO was refused: trying HELO instead, as swaks does" " -> HELO c.example"
received fallback noehlo "EHLO c.example|HELO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@old.test>|DATA|<message>|QUIT"

# (i) --json: every line a JSON object of the .jsonl schema
oneshot json --to user@demo.test -s "$demo" "${common[@]}" --json
n=$((n + 1))
if [ "$status" = 0 ] && "$py" -c '
import json, sys
kinds = []
for line in open(sys.argv[1], encoding="utf-8"):
    if not line.strip():
        continue
    e = json.loads(line)
    assert set(e) >= {"index", "kind", "time", "text", "lines", "code", "command", "explanation"}, e
    kinds.append(e["kind"])
    if e["kind"] == "sent" and e["lines"] == ["QUIT"]:
        quit = True
assert "reply" in kinds and "sent" in kinds and quit, kinds
' "$tmp/json.out" 2>"$tmp/json.err"; then
	echo "ok   json"
else
	bad json "exit $status, or not JSON lines: $(cat "$tmp/json.err")"
fi
received json demo "EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<user@demo.test>|DATA|<message>|QUIT"

# --json in line mode from standard input: the same schema, the AUTH
# line redacted
input=$'EHLO c.example\n/auth PLAIN student\nQUIT\n'
oneshot json-stdin --json --password-env ONESHOT_PW "127.0.0.1:$authport"
input=
n=$((n + 1))
if [ "$status" = 0 ] && ! grep -qF -e "$(printf '\0student\0secret' | base64 -w0)" "$tmp/json-stdin.out" &&
	"$py" -c '
import json, sys
events = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
auth = [e for e in events if e["kind"] == "sent" and e["lines"][0].startswith("AUTH")]
assert len(auth) == 1 and auth[0]["redacted"] and auth[0]["lines"] == ["AUTH PLAIN ***"], auth
assert any(e["kind"] == "reply" and e["code"] == 235 for e in events)
assert [e["index"] for e in events] == sorted(e["index"] for e in events)
' "$tmp/json-stdin.out" 2>"$tmp/json-stdin.err"; then
	echo "ok   json-stdin"
else
	bad json-stdin "exit $status, or not the JSON lines wanted: $(cat "$tmp/json-stdin.err")"
fi

# (j) a 50 MB --body @FILE is streamed: the whole message goes (the demo
# refuses it after the dot for its size, 26), in the memory of a small one
if [ -x /usr/bin/time ] && [ -z "${SMTPSCOPE_TEST_SLOW:-}" ] && ! grep -q __asan_init "$bin" 2>/dev/null; then
	"$py" -c '
import sys
line = b"x" * 70 + b"\n"
with open(sys.argv[1], "wb") as f:
    for i in range(50 * 1024 * 1024 // len(line) + 1):
        f.write(line)' "$tmp/big.txt"
	n=$((n + 1))
	small=$(cd "$tmp" && /usr/bin/time -f %M "$bin" --to user@demo.test -s "$demo" "${common[@]}" --body hi 2>&1 >/dev/null | tail -n 1)
	big=$(cd "$tmp" && /usr/bin/time -f %M "$bin" --to user@demo.test -s "$demo" "${common[@]}" --body @big.txt 2>&1 >"$tmp/big.out" | tail -n 1)
	size=$(stat -c %s "$tmp/big.txt")
	sent=$(sed -n 's/^=== message from composed message: \([0-9]*\) bytes read, \1 bytes sent.*/\1/p' "$tmp/big.out")
	# the body's lines with CRLF, and the header
	if [ -z "$sent" ] || [ "$sent" -lt $((size / 71 * 72)) ] || ! grep -q '^<-  552 ' "$tmp/big.out"; then
		bad big "the whole message was not sent ($size octets in the file, ${sent:-none} sent)"
	elif [ $((big - small)) -gt 4096 ]; then
		bad big "peak RSS ${big} KiB for 50 MB, ${small} KiB for one line: not streamed"
	else
		echo "ok   big (peak RSS ${big} KiB, ${small} KiB for one line)"
	fi
else
	echo "note: the 50 MB streaming check needs /usr/bin/time and a build without ASan or valgrind; not run"
fi

# ---- aiosmtpd: the message as stored ---------------------------------------
mkdir "$tmp/store" "$tmp/lstore"
"$py" "$here/aiosmtpd_server.py" "$tmp/aio.port" "$tmp/store" --lifetime 300 \
	--accept user@aio.test --accept second@aio.test > "$tmp/aio.log" 2>&1 &
pids="$pids $!"
"$py" "$here/aiosmtpd_server.py" "$tmp/lmtp.port" "$tmp/lstore" --lifetime 300 --lmtp \
	--accept user@aio.test --accept second@aio.test > "$tmp/lmtp.log" 2>&1 &
pids="$pids $!"
for i in $(seq 1 100); do [ -s "$tmp/aio.port" ] && [ -s "$tmp/lmtp.port" ] && break; sleep 0.1; done
[ -s "$tmp/aio.port" ] && [ -s "$tmp/lmtp.port" ] || { echo "FAIL: aiosmtpd did not start"; cat "$tmp/aio.log" "$tmp/lmtp.log"; exit 1; }
aio=127.0.0.1:$(cat "$tmp/aio.port")
lmtp=127.0.0.1:$(cat "$tmp/lmtp.port")
# stored DIR N: waits (bounded) for the handler's msg-N.env.
stored() {
	local i
	for i in $(seq 1 50); do [ -s "$1/msg-$2.env" ] && return 0; sleep 0.1; done
	return 1
}
# check_mail NAME DIR N PYTHON: msg-N of DIR stored, and PYTHON (given e,
# the parsed message, raw, its bytes, and env, the envelope) is true.
check_mail() {
	n=$((n + 1))
	if ! stored "$2" "$3"; then
		bad "$1" "nothing stored as msg-$3"; return
	fi
	if "$py" -c '
import email, email.policy, sys
raw = open(sys.argv[1] + ".eml", "rb").read()
env = open(sys.argv[1] + ".env").read()
e = email.message_from_bytes(raw, policy=email.policy.default)
sys.exit(0 if (lambda: ('"$4"'))() else 1)
' "$2/msg-$3" "$tmp" 2>"$tmp/$1.py"; then
		echo "ok   $1-stored"
	else
		bad "$1" "the stored message is not as expected ($(cat "$tmp/$1.py")):
$(sed 's/^/      /' "$2/msg-$3.eml" | head -n 40)"
	fi
}
count=0

# (k) --header adds and replaces, --body TEXT with \n, two --to, no
# PIPELINING offered: one command at a time
printf 'attachment \r\n\x00\x01\xff binary\n' > "$tmp/a.bin"
head -c 100000 /dev/urandom >> "$tmp/a.bin"
oneshot compose --to user@aio.test --to second@aio.test -s "$aio" "${common[@]}" \
	--header "Subject: one-shot $$" --header "X-Test: yes" --body 'first line\n.dot line\nlast' \
	--attach "$tmp/a.bin" --attach "@$tmp/a.bin" --pipeline
count=$((count + 1))
expect compose 0 "=== the server did not offer PIPELINING: MAIL, RCPT and DATA go one at a time" \
	" -> RCPT TO:<second@aio.test>" "=== Subject: one-shot $$" "=== X-Test: yes"
check_mail compose "$tmp/store" $count '
"rcpt_to: user@aio.test\nrcpt_to: second@aio.test" in env and "mail_from: sender@client.test" in env
and "helo: c.example" in env and e["Subject"] == "one-shot '$$'" and e["X-Test"] == "yes"
and e["To"] == "user@aio.test, second@aio.test" and e["From"] == "sender@client.test"
and len(e.get_all("Subject")) == 1 and e.is_multipart()
and [p.get_content() for p in e.iter_parts()][0] == "first line\r\n.dot line\r\nlast\r\n"
and [p.get_filename() for p in e.iter_attachments()] == ["a.bin", "a.bin"]
and all(p.get_content() == open(sys.argv[2] + "/a.bin", "rb").read() for p in e.iter_attachments())'

# (l) --body @FILE of 3 MB, 8-bit, bare CR and LF: base64 text with CRLF,
# crossing the reader's 64 KiB pieces
"$py" -c '
import sys
with open(sys.argv[1], "wb") as f:
    for i in range(60000):
        f.write(("Zeile %d: Grüße\r" % i).encode() if i % 3 == 0 else ("line %d crlf\r\n" % i).encode() if i % 3 == 1 else ("line %d lf\n" % i).encode())
' "$tmp/body.txt"
oneshot bodyfile --to user@aio.test -s "$aio" "${common[@]}" --body "@$tmp/body.txt"
count=$((count + 1))
expect bodyfile 0 "=== Content-Transfer-Encoding: base64" "<-  250 2.0.0 Ok: queued as AIO"
check_mail bodyfile "$tmp/store" $count '
e.get_content().replace("\r\n", "\n") == open(sys.argv[2] + "/body.txt", "rb").read().decode().replace("\r\n", "\n").replace("\r", "\n")
and b"\r\n" in raw and max(len(l) for l in raw.split(b"\r\n")) <= 78'

# (m) --body - (standard input)
input=$'from standard input\n..two dots\n'
oneshot bodystdin --to user@aio.test -s "$aio" "${common[@]}" --body -
input=
count=$((count + 1))
expect bodystdin 0 "<-  250 2.0.0 Ok: queued as AIO"
check_mail bodystdin "$tmp/store" $count 'e.get_content() == "from standard input\r\n..two dots\r\n"'

# (n) --data @FILE, --data - and --data TEXT: the message as it is
printf 'From: prepared@client.test\nSubject: as it is %s\n\n.leading dot\nbody\n' "$$" > "$tmp/msg.eml"
oneshot datafile --to user@aio.test -s "$aio" "${common[@]}" --data "@$tmp/msg.eml"
count=$((count + 1))
expect datafile 0 " -> DATA" "<-  250 2.0.0 Ok: queued as AIO"
check_mail datafile "$tmp/store" $count 'raw == open(sys.argv[2] + "/msg.eml", "rb").read().replace(b"\n", b"\r\n")'
input=$(cat "$tmp/msg.eml")
oneshot datastdin --to user@aio.test -s "$aio" "${common[@]}" -d -
input=
count=$((count + 1))
expect datastdin 0 "=== message from standard input: " "<-  250 2.0.0 Ok: queued as AIO"
check_mail datastdin "$tmp/store" $count 'raw == open(sys.argv[2] + "/msg.eml", "rb").read().replace(b"\n", b"\r\n")'
oneshot datatext --to user@aio.test -s "$aio" "${common[@]}" --data 'Subject: text\n\nhello\n.'
count=$((count + 1))
expect datatext 0 " -> Subject: text" " -> .." "<-  250 2.0.0 Ok: queued as AIO"
check_mail datatext "$tmp/store" $count 'raw == b"Subject: text\r\n\r\nhello\r\n.\r\n"'

# (o) the null sender; no STARTTLS offered: --tls-optional goes on in
# plaintext, --starttls stops (27)
oneshot nullsender --to user@aio.test -s "$aio" --from '' --ehlo c.example --tls-optional
count=$((count + 1))
expect nullsender 0 " -> MAIL FROM:<>" "=== the server did not offer STARTTLS: going on without TLS (--tls-optional)"
check_mail nullsender "$tmp/store" $count '"mail_from: \n" in env or "mail_from: <>" in env'
oneshot notls --to user@aio.test -s "$aio" "${common[@]}" --starttls
expect notls 27 " -> STARTTLS" "=== one-shot transaction stopped: TLS failed; sending QUIT" " -> QUIT"

# (p) LMTP: LHLO, and one reply per recipient after the dot
oneshot lmtp --to user@aio.test,second@aio.test -s "$lmtp" "${common[@]}" --protocol LMTP
expect lmtp 0 " -> LHLO c.example" "=== LMTP: that reply is for <second@aio.test>"
check_mail lmtp "$tmp/lstore" 1 '"rcpt_to: user@aio.test\nrcpt_to: second@aio.test" in env'

# ---- the MX of the first recipient (DNS from a zone file) ------------------
cp "$here/../dns/example.test.zone" "$tmp/"
serve mx 127.0.0.3 "$here/oneshot-any.scn"
oneshot mx --to someone@two.example.test -p "$port" "${common[@]}" \
	--dns-config "$here/../dns/insecure.conf"
expect mx 0 "=== MX two.example.test: two.example.test has 2 MX hosts" \
	"=== MX 2 of 2: mx2.two.example.test [127.0.0.3] answered: this session is on it" \
	"<-  250 2.0.0 Ok: queued as DEMO"
received mx mx "EHLO c.example|MAIL FROM:<sender@client.test>|RCPT TO:<someone@two.example.test>|DATA|<message>|QUIT"
oneshot nomx --to someone@nosuch.example.test -p "$port" "${common[@]}" \
	--dns-config "$here/../dns/insecure.conf"
expect nomx 3 "nosuch.example.test does not exist (NXDOMAIN" "=== exit status 3: could not connect"

# ---- refusals ----------------------------------------------------------------
oneshot nopw --to user@demo.test -s "$demo" --auth --auth-user student
expect nopw 2 "smtpscope: --auth needs the password, never on the command line"
oneshot argvpw --to user@demo.test -s "$demo" --auth-password secret
expect argvpw 2 "smtpscope: --auth-password: a password on the command line can be read by every user"
oneshot jsontui --to user@demo.test -s "$demo" --json --interactive
expect jsontui 2 "smtpscope: --json prints JSON lines in line mode, and --interactive opens the terminal UI"
oneshot notty --to user@demo.test -s "$demo" --interactive
expect notty 2 "smtpscope: --interactive opens the terminal UI, which needs a terminal"
oneshot stray --from a@b.test "$demo"
expect stray 2 "smtpscope: --from belongs to a one-shot transaction, which needs its recipients: give --to ADDR"
oneshot badto --to 'a@b.test,,c' -s "$demo"
expect badto 2 "smtpscope: --to: \"\" is not an address"

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	echo "oneshot: $((n - fail))/$n passed, $fail failed (${elapsed} s)"
	exit 1
fi
echo "oneshot: $n/$n passed (${elapsed} s)"
