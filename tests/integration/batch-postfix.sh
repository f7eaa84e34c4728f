#!/usr/bin/env bash
# Line mode against a real Postfix: a private instance (its own config,
# queue and data directories, all under a temporary directory) listens only
# on 127.0.0.1 at a free high port and delivers mail for scope.test into
# maildirs under the same directory.  It must accept and really deliver a
# message (dot-stuffing checked end to end in the delivered file), refuse
# relaying (exit 24), unknown users (exit 24) and a bad sender (exit 23),
# each with Postfix's own reply in the transcript.  It never touches a
# system Postfix: other config directory, queue, pid lock and port.
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=${SMTPSCOPE:-$here/../../smtpscope}
py=/usr/bin/python3
postfix=/usr/sbin/postfix
daemon_dir=/usr/lib/postfix/sbin
if [ ! -x "$postfix" ] || [ ! -x "$daemon_dir/master" ] || [ ! -x "$daemon_dir/smtpd" ]; then
	echo "SKIP: postfix is not installed"; exit 77
fi
[ -x "$py" ] || { echo "FAIL: /usr/bin/python3 missing (needed to pick a free port)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "FAIL: this test must run as root (Postfix's master needs it)"; exit 1; }
getent passwd postfix >/dev/null || { echo "FAIL: user postfix missing"; exit 1; }
getent group postdrop >/dev/null || { echo "FAIL: group postdrop missing"; exit 1; }

start=$(date +%s.%N)
tmp=$(mktemp -d /tmp/smtpscope-postfix.XXXXXX)
conf=$tmp/conf queue=$tmp/queue data=$tmp/data mail=$tmp/mail
log=$tmp/maillog
master=

# our_daemons: pids of Postfix daemons of this instance (their working
# directory is our private queue directory), for cleanup by pid.
our_daemons() {
	local d
	for d in /proc/[0-9]*; do
		case $(readlink "$d/cwd" 2>/dev/null) in
		"$queue"|"$queue"/*) echo "${d#/proc/}" ;;
		esac
	done
}
stop_postfix() {
	local i left
	[ -n "$master" ] || return 0
	# SIGTERM makes master stop its own process group (its daemons).
	kill -TERM "$master" 2>/dev/null
	for i in $(seq 1 100); do kill -0 "$master" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$master" 2>/dev/null && kill -KILL "$master" 2>/dev/null
	wait "$master" 2>/dev/null
	master=
	for i in $(seq 1 50); do left=$(our_daemons); [ -z "$left" ] && break; sleep 0.1; done
	[ -n "$left" ] && kill -KILL $left 2>/dev/null
	return 0
}
cleanup() {
	stop_postfix
	kill $(jobs -p) 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

show_log() {
	echo "---- postfix master stderr"; sed 's/^/    /' "$tmp/master.err" 2>/dev/null
	echo "---- postfix maillog"; sed 's/^/    /' "$log" 2>/dev/null
}
die() { echo "FAIL: $*"; show_log; exit 1; }

port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

mkdir -p "$conf" "$queue" "$data" "$mail"
# Postfix daemons run as postfix and the virtual agent as the mailbox
# owner: they must be able to reach their directories under $tmp.
chmod 755 "$tmp"
chown postfix "$data"
vuid=$(id -u nobody) vgid=$(id -g nobody)
chown "$vuid:$vgid" "$mail"

cat > "$conf/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $conf
queue_directory = $queue
data_directory = $data
command_directory = /usr/sbin
daemon_directory = $daemon_dir
meta_directory = /etc/postfix
shlib_directory = /usr/lib/postfix
mail_owner = postfix
setgid_group = postdrop
# Log to a file of ours through postlogd, not to the system's syslog.
maillog_file = $log
maillog_file_prefixes = $tmp
syslog_name = postfix-smtpscope-test
# Loopback only, IPv4, no DNS.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = mx.scope.test
mydomain = scope.test
myorigin = scope.test
smtp_dns_support_level = disabled
smtpd_peername_lookup = no
# Nothing is delivered by the local agent; scope.test goes to maildirs.
mydestination =
local_recipient_maps =
alias_maps =
alias_database =
virtual_mailbox_domains = scope.test
virtual_mailbox_base = $mail
virtual_mailbox_maps = texthash:$conf/vmailbox
virtual_uid_maps = static:$vuid
virtual_gid_maps = static:$vgid
virtual_minimum_uid = 1
# No mail ever leaves this machine, not even a bounce.
relay_domains =
default_transport = error:5.7.1 test instance: no outbound mail
relay_transport = error:5.7.1 test instance: no outbound mail
# Relaying refused with 554 5.7.1.  The default smtpd_relay_restrictions
# would let 127.0.0.1 relay (permit_mynetworks), and answer 454 otherwise.
smtpd_relay_restrictions = reject_unauth_destination
smtpd_recipient_restrictions =
smtpd_banner = \$myhostname ESMTP smtpscope-test Postfix
biff = no
smtputf8_enable = yes
EOF
printf 'user@scope.test scope.test/user/\ndots@scope.test scope.test/dots/\n' > "$conf/vmailbox"

# No chroot anywhere; the only inet service is 127.0.0.1:$port.
cat > "$conf/master.cf" <<EOF
127.0.0.1:$port inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF

export MAIL_CONFIG=$conf
"$postfix" -c "$conf" check > "$tmp/check.out" 2>&1 ||
	die "postfix check failed: $(cat "$tmp/check.out")"
[ -s "$tmp/check.out" ] && { echo "note: postfix check said:"; sed 's/^/    /' "$tmp/check.out"; }

# master in the foreground as our own background job (so $! is master);
# -e makes it stop by itself even if this script is killed with SIGKILL.
"$daemon_dir/master" -c "$conf" -d -e 300 < /dev/null > "$tmp/master.err" 2>&1 &
master=$!
# Ready once our master (not some other program) listens on the port.
ours_listening() {
	if command -v ss >/dev/null; then
		ss -Hltnp "sport = :$port" 2>/dev/null | grep -q "pid=$master,"
	else
		"$py" -c 'import socket,sys; socket.create_connection(("127.0.0.1",int(sys.argv[1])),0.5).close()' "$port" 2>/dev/null
	fi
}
up=
for i in $(seq 1 100); do
	kill -0 "$master" 2>/dev/null || break
	ours_listening && { up=1; break; }
	sleep 0.1
done
if [ -z "$up" ]; then
	# master logs through postlogd, so a failure before that (e.g. the port
	# taken by someone else) leaves no message: show who holds the port.
	holders=$(ss -Hltnp "sport = :$port" 2>/dev/null)
	if ! kill -0 "$master" 2>/dev/null; then
		wait "$master"; rc=$?; master=
		die "postfix master exited with status $rc before listening on 127.0.0.1:$port${holders:+ (port held by: $holders)}"
	fi
	die "postfix did not listen on 127.0.0.1:$port within 10 s${holders:+ (port held by: $holders)}"
fi
[ "$(sed -n '1s/ //gp' "$queue/pid/master.pid" 2>/dev/null)" = "$master" ] ||
	die "$queue/pid/master.pid does not hold our master's pid $master"
# Only our address: nothing of ours listens on any other address or port.
if command -v ss >/dev/null; then
	bad=$(ss -Hltnp 2>/dev/null | grep "pid=$master," | awk '{print $4}' | grep -vxF "127.0.0.1:$port")
	[ -z "$bad" ] || die "postfix listens on more than 127.0.0.1:$port: $bad"
fi

fail=0 n=0
# session NAME INPUT: runs smtpscope, sets $out and $status.
session() {
	local name=$1 input=$2
	n=$((n + 1))
	out=$(printf '%s' "$input" | timeout 30 "$bin" --batch "127.0.0.1:$port" 2>&1)
	status=$?
	printf '%s\n' "$out" > "$tmp/$name.out"
}
bad() {
	echo "FAIL $1: $2"
	echo "---- transcript"; sed 's/^/    /' "$tmp/$1.out"
	fail=$((fail + 1))
}
# expect NAME STATUS TEXT...: each TEXT must be in the transcript.
expect() {
	local name=$1 want=$2 t; shift 2
	[ "$status" = "$want" ] || { bad "$name" "exit $status, want $want"; return 1; }
	for t in "$@"; do
		grep -qF -- "$t" <<<"$out" || { bad "$name" "transcript lacks \"$t\""; return 1; }
	done
	echo "ok   $name"
}
# delivered DIR TOKEN: waits (bounded) for a maildir file holding TOKEN.
delivered() {
	local dir=$mail/scope.test/$1/new token=$2 i f
	for i in $(seq 1 100); do
		f=$(grep -lF -- "$token" "$dir"/* 2>/dev/null | head -n 1)
		[ -n "$f" ] && { echo "$f"; return 0; }
		sleep 0.1
	done
	return 1
}

token="smtpscope-$$-$(date +%s%N)"

# (a) A message accepted and really delivered.
session deliver "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<user@scope.test>
DATA
From: sender@client.example
To: user@scope.test
Subject: batch-postfix $token
Message-ID: <$token@client.example>

body of $token
.
QUIT
"
expect deliver 0 "<-  220 mx.scope.test ESMTP" "<-  250-PIPELINING" \
	"<-  250 2.1.0 Ok" "<-  250 2.1.5 Ok" "<-  354 " "<-  250 2.0.0 Ok: queued as " "<-  221 2.0.0 Bye"
# ... and Postfix really delivered it, with the right envelope.
n=$((n + 1))
qid=$(sed -n 's/^<-  250 2\.0\.0 Ok: queued as \([0-9A-Za-z]*\).*/\1/p' <<<"$out")
if [ -z "$qid" ]; then
	bad deliver "no queue id in the transcript"
elif f=$(delivered user "Subject: batch-postfix $token"); then
	if grep -qF "Message-ID: <$token@client.example>" "$f" &&
	   grep -qxF "body of $token" "$f" &&
	   grep -qx "Return-Path: <sender@client.example>" "$f" &&
	   grep -qx "Delivered-To: user@scope.test" "$f" &&
	   grep -qF "with ESMTP id $qid" "$f"; then
		echo "ok   deliver-mailbox (queue id $qid)"
	else
		bad deliver "delivered file lacks envelope/headers/body:
$(sed 's/^/      /' "$f")"
	fi
else
	bad deliver "message with $token not in $mail/scope.test/user/new after 10 s"
fi

# (b) Relaying refused: no recipient accepted.
session relay "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<x@elsewhere.example>
QUIT
"
expect relay 24 "<-  554 5.7.1 <x@elsewhere.example>: Relay access denied" \
	"=== exit status 24: no recipient accepted"

# (b2) Unknown user in the virtual domain.
session unknown-user "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<nobody-here@scope.test>
QUIT
"
expect unknown-user 24 "<-  550 5.1.1 <nobody-here@scope.test>: Recipient address rejected" \
	"=== exit status 24: no recipient accepted"

# (c) A malformed sender address.
session bad-sender "EHLO client.example
MAIL FROM:<a b@@>
QUIT
"
expect bad-sender 23 "<-  501 5.1.7 Bad sender address syntax" "=== exit status 23: MAIL refused"

# (d) Dot-stuffing end to end: lines typed with a leading "." are stuffed
# by smtpscope, unstuffed by Postfix, and arrive exactly as typed.
dtoken="dots-$token"
session dots "EHLO client.example
MAIL FROM:<sender@client.example>
RCPT TO:<dots@scope.test>
DATA
Subject: $dtoken

first line
.leading dot $dtoken
..two dots
...
. 
last line
.
QUIT
"
expect dots 0 " -> ..leading dot $dtoken" " -> ...two dots" " -> ...." " -> .. " \
	'=== 4 lines starting with "." dot-stuffed' "<-  250 2.0.0 Ok: queued as "
n=$((n + 1))
if f=$(delivered dots "Subject: $dtoken"); then
	body=$(sed '1,/^$/d' "$f")
	want="first line
.leading dot $dtoken
..two dots
...
. 
last line"
	if [ "$body" = "$want" ]; then
		echo "ok   dots-mailbox"
	else
		bad dots "delivered body differs (< sent, > delivered):
$(diff <(echo "$want") <(echo "$body") | sed 's/^/      /')"
	fi
else
	bad dots "message with $dtoken not in $mail/scope.test/dots/new after 10 s"
fi

# Postfix's own log agrees: two deliveries and the relay refusal.
n=$((n + 1))
logged=
for i in $(seq 1 50); do
	[ "$(grep -c "status=sent (delivered to maildir)" "$log" 2>/dev/null)" -ge 2 ] &&
		grep -q "reject: RCPT from .*554 5.7.1 <x@elsewhere.example>" "$log" && { logged=1; break; }
	sleep 0.1
done
if [ -n "$logged" ]; then
	echo "ok   maillog"
else
	echo "FAIL maillog: Postfix did not log both deliveries and the relay refusal"; fail=$((fail + 1))
fi

elapsed=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }')
if [ "$fail" -ne 0 ]; then
	show_log
	echo "batch-postfix: $((n - fail))/$n passed, $fail failed (Postfix on 127.0.0.1:$port, ${elapsed} s)"
	exit 1
fi
echo "batch-postfix: $n/$n passed (Postfix $(/usr/sbin/postconf -h mail_version 2>/dev/null) on 127.0.0.1:$port, ${elapsed} s)"
