#!/usr/bin/env bash
# Issue 17, transports, in line mode: a UNIX-socket SMTP server (smtpscope
# serve --listen unix:PATH, in a temp dir) and a program on a pipe
# (pipe_server.py on --pipe, via /bin/sh -c).
#   unix:PATH: a transaction; /connect unix:PATH in a session; STARTTLS
#   over the socket checks "localhost" without --sni (exit 27) and the
#   name of --sni with it; a missing socket, a missing directory, a
#   regular file, a stale socket and a permission denied each say so
#   (exit 3); a socket's path given without unix: says to add it (2).
#   --pipe: the transcript, the program's standard error as escaped
#   "stderr:" notes (no raw ESC reaches the output), only 0, 1 and 2 open
#   in it, its exit status; a command the shell does not find (127) is a
#   connect failure (3); one that outlives its input is killed (SIGTERM,
#   then SIGKILL to its group) and gone, as it is when smtpscope gets
#   SIGTERM (which smtpscope then ends by); a silent one ends with the
#   reply timeout (4) and is reaped; 300 lines of standard error are cut
#   at 200; /connect --pipe in a session; --pipe with a HOST, or empty,
#   is a usage error (2).
#   Dovecot's LMTP socket (dovecot-lib.sh, root only): EHLO gets 500 and
#   a note about LHLO, LHLO delivers, one reply per recipient (29).
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
py=/usr/bin/python3
[ -x "$py" ] || { echo "SKIP: /usr/bin/python3 is needed for the pipe server"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: the openssl CLI is needed for a certificate"; exit 77; }
start=$(date +%s.%N)
tmp=$(mktemp -d /tmp/smtpscope-transports.XXXXXX)
chmod 755 "$tmp"
server=
dv=
stop_server() {
	local i
	[ -n "$server" ] || return 0
	kill -TERM "$server" 2>/dev/null
	for i in $(seq 1 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$server" 2>/dev/null
	wait "$server" 2>/dev/null
	server=
}
cleanup() {
	stop_server
	[ -n "$dv" ] && stop_dovecot
	[ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
. "$here/transcript-lib.sh"
pipe="$py $here/pipe_server.py"
sock=$tmp/smtp.sock
# psession NAME INPUT [options]: session without a target (--pipe).
psession() {
	local name=$1 input=$2 limit=30; shift 2
	[ -n "${SMTPSCOPE_TEST_SLOW:-}" ] && limit=90
	n=$((n + 1))
	out=$(printf '%s' "$input" | timeout "$limit" "$bin" --batch "$@" 2>&1)
	status=$?
	printf '%s\n' "$out" > "$tmp/$name.out"
}

# smtpscope serve on a UNIX socket, with a certificate for mail.test.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mail.test \
	-addext subjectAltName=DNS:mail.test -keyout "$tmp/key.pem" -out "$tmp/cert.pem" \
	2>/dev/null || { echo "FAIL: openssl could not make a certificate"; exit 1; }
"$bin" serve --listen "unix:$sock" --cert "$tmp/cert.pem" --key "$tmp/key.pem" \
	> "$tmp/serve.log" 2>&1 &
server=$!
for i in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.1; done
[ -S "$sock" ] || { echo "FAIL: serve made no socket at $sock"; cat "$tmp/serve.log"; exit 1; }

no_esc() { # NAME: no raw escape byte in the transcript
	n=$((n + 1))
	if grep -q $'\x1b' "$tmp/$1.out"; then
		bad "$1" "a raw ESC byte reached the output"
	else
		echo "ok   $1-escaped"
	fi
}

txn="EHLO client.example
MAIL FROM:<a@client.example>
RCPT TO:<student@demo.test>
DATA
Subject: over a UNIX socket

hello
.
QUIT
"
session unix-txn "unix:$sock" "$txn"
expect unix-txn 0 "=== connecting to the UNIX socket $sock ..." \
	"=== connected to the UNIX socket $sock in" "<-  220 demo.test ESMTP" \
	" -> EHLO client.example" "<-  250 2.0.0" "=== the server closed the connection"
n=$((n + 1))
if grep -q "unix socket\] connected" "$tmp/serve.log"; then
	echo "ok   serve-names-unix-peer"
else
	bad unix-txn "the server's log does not name the client as a unix socket"
	sed 's/^/    /' "$tmp/serve.log"
fi

session unix-connect "unix:$sock" "EHLO a.example
/connect unix:$sock
EHLO b.example
QUIT
"
expect unix-connect 0 "=== connection closed by smtpscope: connecting elsewhere" \
	" -> EHLO b.example"
n=$((n + 1))
if [ "$(grep -c "=== connected to the UNIX socket" "$tmp/unix-connect.out")" = 2 ]; then
	echo "ok   unix-connect-twice"
else
	bad unix-connect "/connect unix:PATH did not connect a second time"
fi

session unix-tls-nosni "unix:$sock" "EHLO me.example
QUIT
" --starttls --cafile "$tmp/cert.pem"
expect unix-tls-nosni 27 "=== a UNIX socket has no host name: TLS checks the certificate for \"localhost\"" \
	"~~~ STARTTLS accepted: TLS handshake, verifying localhost as a host name" \
	"smtpscope checked localhost as a host name; the certificate carries: DNS:mail.test"

session unix-tls-sni "unix:$sock" "EHLO me.example
QUIT
" --starttls --cafile "$tmp/cert.pem" --sni mail.test
expect unix-tls-sni 0 "~~~ verification: OK, trusted chain, name matches mail.test" \
	" ~> EHLO me.example" "<~  221 2.0.0"

# Each failure says what is wrong, exit status 3 (usage: 2).
session unix-missing "unix:$tmp/none.sock" "QUIT
"
expect unix-missing 3 "*** no UNIX socket at $tmp/none.sock: there is no such file" \
	"=== exit status 3: could not connect"
session unix-nodir "unix:$tmp/nodir/x.sock" "QUIT
"
expect unix-nodir 3 "its directory $tmp/nodir does not exist"
: > "$tmp/plain"
session unix-file "unix:$tmp/plain" "QUIT
"
expect unix-file 3 "*** $tmp/plain is a regular file, not a UNIX socket"
"$py" -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()' "$tmp/stale.sock"
session unix-stale "unix:$tmp/stale.sock" "QUIT
"
expect unix-stale 3 "*** nothing accepts connections on the UNIX socket $tmp/stale.sock" "(a stale socket)"
mkdir "$tmp/private"
chmod 755 "$tmp/private"
"$py" -c 'import socket,sys,time; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(20)' \
	"$tmp/private/s.sock" &
holder=$!
for i in $(seq 1 100); do [ -S "$tmp/private/s.sock" ] && break; sleep 0.1; done
chmod 0600 "$tmp/private/s.sock"
if [ "$(id -u)" = 0 ]; then
	# root passes any mode: the same as the user nobody (the program
	# itself: valgrind's log folder is root's)
	n=$((n + 1))
	out=$(printf 'QUIT\n' | timeout 30 setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"${SMTPSCOPE_REAL:-$bin}" --batch "unix:$tmp/private/s.sock" 2>&1)
	status=$?
	printf '%s\n' "$out" > "$tmp/unix-denied.out"
else
	chmod 0000 "$tmp/private/s.sock"
	session unix-denied "unix:$tmp/private/s.sock" "QUIT
"
fi
expect unix-denied 3 "*** permission denied connecting to the UNIX socket $tmp/private/s.sock (mode 0" \
	"connecting needs write permission on the socket"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
session unix-bare "$sock" ""
expect unix-bare 2 "is a UNIX socket: write unix:$sock to connect to it"
session unix-empty "unix:" ""
expect unix-empty 2 "\"unix:\" needs the socket's path"

# --pipe: a program speaking SMTP on its standard input and output.
psession pipe-exit3 "EHLO client.example
MAIL FROM:<a@client.example>
RCPT TO:<b@pipe.test>
DATA
Subject: over a pipe

hello
.
QUIT
" --pipe "$pipe exit3"
expect pipe-exit3 0 "=== starting the program $pipe exit3 ..." \
	"=== the program runs as process " "<-  220 pipe.test ESMTP pipe_server" \
	"=== stderr: pipe_server: started" "=== stderr: fds: 0 1 2" \
	'=== stderr: colour: \x1b[31mred\x1b[0m done' \
	"<-  250 2.0.0 queued as PIPE1" "=== stderr: pipe_server: quitting (exit3)" \
	") exited with status 3" "=== the server closed the connection"
no_esc pipe-exit3
n=$((n + 1))
if grep -A1 -F "exited with status 3" "$tmp/pipe-exit3.out" | grep -qF "the server closed the connection"; then
	echo "ok   pipe-exit-before-close"
else
	bad pipe-exit3 "the exit status is not reported before the end of the connection"
fi

psession pipe-notfound "EHLO me.example
QUIT
" --pipe "nosuch-smtpscope-program -bs"
expect pipe-notfound 3 "=== stderr: sh: 1: nosuch-smtpscope-program: not found" \
	"exited with status 127: the shell did not find the command" \
	"*** --pipe: the program could not be started" "=== exit status 3: could not connect"

psession pipe-stubborn "EHLO me.example
QUIT
" --pipe "$pipe stubborn $tmp/stubborn.pid"
expect pipe-stubborn 0 "<-  221 2.0.0 bye" \
	"was killed by smtpscope with signal 15 (Terminated): it had not ended 1 s after its input was closed" \
	"smtpscope sent them signal 9 (Killed)"
# gone PIDFILE: the process whose pid the file holds ends within 5 s
# (bounded); $pid is that pid.
gone() {
	local i
	pid=$(cat "$1" 2>/dev/null)
	for i in $(seq 1 50); do
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
n=$((n + 1))
if gone "$tmp/stubborn.pid"; then
	echo "ok   pipe-stubborn-gone"
else
	bad pipe-stubborn "the program ($pid) still runs after smtpscope ended"
	kill -KILL "$pid" 2>/dev/null
fi

# SIGTERM to smtpscope in line mode: the session ends (a note says so),
# the program's process group is killed with it, and smtpscope itself
# ends by the signal (status 143), not with a status of its own.
n=$((n + 1))
rm -f "$tmp/sig.pid"
mkfifo "$tmp/sig.in"
timeout 60 "$bin" --batch --pipe "$pipe stubborn $tmp/sig.pid" < "$tmp/sig.in" > "$tmp/pipe-signal.out" 2>&1 &
scope=$!
exec 7> "$tmp/sig.in" # the input stays open: smtpscope waits for lines
for i in $(seq 1 100); do
	[ -s "$tmp/sig.pid" ] && grep -q '^<-  220' "$tmp/pipe-signal.out" && break
	sleep 0.1
done
kill -TERM "$scope"
wait "$scope"; status=$?
exec 7>&-
gone=no
gone "$tmp/sig.pid" && gone=yes
if [ "$status" = 143 ] && [ "$gone" = yes ] &&
	grep -qF "=== interrupted by signal 15 (Terminated): the session ends here, without QUIT" "$tmp/pipe-signal.out"; then
	echo "ok   pipe-signal: ended by SIGTERM (143), the note, the program gone"
else
	bad pipe-signal "status $status (want 143), program ${pid:-?} gone: $gone"
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
fi

psession pipe-silent "EHLO me.example
" --pipe "$pipe silent" --timeout 1
expect pipe-silent 4 "*** no reply to greeting within 1 s" ") exited with status 0"

psession pipe-noise "QUIT
" --pipe "$pipe noise"
expect pipe-noise 0 "=== stderr: noise line 196" \
	"the program writes more to its standard error: the rest is not shown (200 lines were)"
n=$((n + 1))
if [ "$(grep -c "^=== stderr: " "$tmp/pipe-noise.out")" = 200 ]; then
	echo "ok   pipe-noise-bounded"
else
	bad pipe-noise "not exactly 200 stderr notes"
fi

session pipe-connect "unix:$sock" "EHLO a.example
/connect --pipe $pipe exit0
EHLO b.example
QUIT
"
expect pipe-connect 0 "=== connection closed by smtpscope: connecting elsewhere" \
	"<-  220 pipe.test ESMTP pipe_server" " -> EHLO b.example" "<-  250-pipe.test hello" \
	") exited with status 0"

session pipe-host "mx.example.org" "" --pipe "$pipe exit0"
expect pipe-host 2 "--pipe COMMAND is the server, so a HOST (\"mx.example.org\") does not go with it"
psession pipe-empty "" --pipe " "
expect pipe-empty 2 "--pipe needs the command of a program"

stop_server
n=$((n + 1))
if [ ! -e "$sock" ]; then
	echo "ok   serve-removes-socket"
else
	bad unix-txn "serve left its socket file behind"
fi

# Dovecot's LMTP socket: the state machine and the explanations for LHLO.
if [ "$(id -u)" = 0 ] && [ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/lmtp ] &&
	getent passwd dovecot >/dev/null && getent passwd dovenull >/dev/null; then
	DV_LMTP_PORT=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	DV_USERS="alice@lmtp.test:x"
	. "$here/dovecot-lib.sh"
	session lmtp-unix "unix:$dv/run/lmtp" "EHLO client.example
LHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<alice@lmtp.test>
RCPT TO:<nobody@lmtp.test>
DATA
Subject: LMTP over a UNIX socket

hello
.
QUIT
"
	expect lmtp-unix 29 "=== connected to the UNIX socket $dv/run/lmtp" "<-  500 5.5.1" \
		"=== EHLO was not recognised: an LMTP server (RFC 2033" \
		" -> LHLO client.example" "=== LMTP: that reply is for <alice@lmtp.test>" \
		"===   permanently refused  <nobody@lmtp.test>  550 5.1.1"
else
	echo "note: Dovecot's LMTP socket not tried (needs root and dovecot-core, dovecot-lmtpd); not counted"
fi

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	echo "transports: $((n - fail))/$n passed, $fail failed (${elapsed} s)"
	exit 1
fi
echo "transports: $n/$n passed (${elapsed} s)"
